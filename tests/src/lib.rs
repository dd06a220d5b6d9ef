//! Test harness: [`spawn_app`] starts the real server on a free port with a fresh database —
//! SQLite in a temporary folder by default, or a new PostgreSQL database when
//! `ASSETRONICS_TEST_DATABASE=postgres` (server from `ASSETRONICS_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432`) — and drops it afterwards. Tests talk HTTP to it.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

pub use assetronics;

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's own pool, for tests that must reach under the API (tampering, counting).
    pub db: DatabaseConnection,
    /// The database URL, for other processes that should share it.
    pub database_url: String,
    pub state: std::sync::Arc<assetronics::app::AppState>,
    dir: PathBuf,
    pg_db: Option<String>,
}

/// Which database the suite runs against.
pub fn on_postgres() -> bool {
    std::env::var("ASSETRONICS_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn pg_base() -> String {
    std::env::var("ASSETRONICS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to change the settings first.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut assetronics::Settings)) -> TestApp {
    let id = Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("assetronics-test-{id}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (url, pg_db) = if on_postgres() {
        let name = format!("assetronics_test_{id}");
        let admin = Database::connect(format!("{}/postgres", pg_base()))
            .await
            .expect("connect to PostgreSQL");
        // Concurrent CREATE DATABASE can briefly collide on the template; retry a few times.
        let mut attempt = 0;
        loop {
            match admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
            {
                Ok(_) => break,
                Err(e) if attempt < 5 => {
                    attempt += 1;
                    eprintln!("create test database (attempt {attempt}): {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => panic!("create test database: {e}"),
            }
        }
        admin.close().await.ok();
        (format!("{}/{name}", pg_base()), Some(name))
    } else {
        (
            format!("sqlite://{}/assetronics.db?mode=rwc", dir.display()),
            None,
        )
    };
    let mut settings = assetronics::Settings::for_tests(dir.clone(), url.clone());
    settings.jwt_secret = Some(assetronics::platform::secrets::Secret::new(
        TEST_SIGNING_KEY.into(),
    ));
    tweak(&mut settings);
    let app = assetronics::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build application: {e}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone().into_inner();
    let db = state.db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        database_url: url,
        state,
        dir,
        pg_db,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.pg_db.take() {
            // Drop runs outside async: use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(admin) = Database::connect(format!("{}/postgres", pg_base())).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// A response, read once: status, headers and JSON body (`Null` when empty or not JSON).
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// The problem's `code`, asserting the response is problem+json.
    pub fn problem_code(&self) -> &str {
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "not a problem: {} {}",
            self.status,
            self.body
        );
        self.body["code"].as_str().unwrap_or("")
    }
    /// The `field` of each per-field error.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub tenant_id: String,
    pub tenant_slug: String,
    pub user_id: String,
    pub email: String,
}

impl Session {
    fn from(body: &Value) -> Self {
        Session {
            access_token: body["access_token"].as_str().expect("access_token").into(),
            refresh_token: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .into(),
            tenant_id: body["tenant"]["id"].as_str().expect("tenant.id").into(),
            tenant_slug: body["tenant"]["slug"].as_str().expect("tenant.slug").into(),
            user_id: body["user"]["id"].as_str().expect("user.id").into(),
            email: body["user"]["email"].as_str().expect("user.email").into(),
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sends a request; `token` becomes the bearer, `body` the JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Res {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up a new organization; its owner's session.
    pub async fn signup(&self, org: &str) -> Session {
        let email = format!(
            "owner-{}@{}.example",
            Uuid::new_v4().simple(),
            org.to_lowercase().replace(' ', "-")
        );
        let res = self
            .call(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({"organization_name": org, "name": "Olive Owner", "email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "signup: {}", res.body);
        Session::from(&res.body)
    }

    pub async fn login(&self, email: &str, password: &str, tenant: Option<&str>) -> Res {
        self.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password, "tenant": tenant})),
        )
        .await
    }

    /// Adds a user with `role` to the owner's tenant and signs them in.
    pub async fn user_with_role(&self, owner: &Session, role: &str) -> Session {
        let email = format!("{role}-{}@example.com", Uuid::new_v4().simple());
        let res = self
            .post("/api/v1/users", &owner.access_token, json!({"email": email, "name": format!("{role} user"), "role": role, "password": PASSWORD}))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "create user: {}", res.body);
        let res = self.login(&email, PASSWORD, Some(&owner.tenant_slug)).await;
        assert_eq!(res.status, StatusCode::OK, "login: {}", res.body);
        Session::from(&res.body)
    }

    pub async fn create_asset(&self, token: &str, body: Value) -> Value {
        let res = self.post("/api/v1/assets", token, body).await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create asset: {}",
            res.body
        );
        res.body
    }

    pub async fn create_employee(&self, token: &str, name: &str) -> Value {
        let email = format!(
            "{}-{}@example.com",
            name.to_lowercase().replace(' ', "."),
            Uuid::new_v4().simple()
        );
        let res = self
            .post(
                "/api/v1/employees",
                token,
                json!({"name": name, "email": email}),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create employee: {}",
            res.body
        );
        res.body
    }
}

/// The id field of a JSON object, as a string.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A Phoenix-protocol WebSocket client for protocol tests.
pub mod socket {
    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use serde_json::Value;
    use tokio_tungstenite::tungstenite::Message;

    pub type Ws = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;

    /// Connects to `/socket/websocket` with `query` (e.g. `token=..&vsn=2.0.0`).
    pub async fn connect(
        address: &str,
        query: &str,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let url = format!(
            "{}/socket/websocket?{query}",
            address.replace("http://", "ws://")
        );
        tokio_tungstenite::connect_async(url)
            .await
            .map(|(ws, _)| ws)
    }

    pub async fn send(ws: &mut Ws, v: Value) {
        ws.send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(ws: &mut Ws, m: Message) {
        ws.send(m).await.expect("send");
    }

    /// The next data frame within 5 s, as JSON (binary frames as `{"binary": [bytes]}`).
    pub async fn recv(ws: &mut Ws) -> Value {
        recv_within(ws, Duration::from_secs(5))
            .await
            .expect("a frame within 5 s")
    }

    pub async fn recv_within(ws: &mut Ws, d: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            let m = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
            match m.ok()? {
                Message::Text(t) => return serde_json::from_str(&t).ok(),
                Message::Binary(b) => return Some(serde_json::json!({"binary": b.to_vec()})),
                Message::Close(c) => {
                    return Some(serde_json::json!({"close": c.map(|c| u16::from(c.code))}));
                }
                _ => continue,
            }
        }
    }

    /// Waits for the next frame whose event is `event`, skipping others.
    pub async fn recv_event(ws: &mut Ws, event: &str) -> Value {
        for _ in 0..50 {
            let v = recv(ws).await;
            if v[3] == event || v["event"] == event {
                return v;
            }
        }
        panic!("no {event} frame");
    }

    /// The close code the server closes with (within 5 s).
    pub async fn close_code(ws: &mut Ws) -> Option<u16> {
        for _ in 0..20 {
            let v = recv_within(ws, Duration::from_secs(5)).await?;
            if let Some(c) = v.get("close") {
                return c.as_u64().map(|c| c as u16);
            }
        }
        None
    }
}

/// Real `assetronics` processes, for tests of what crosses process boundaries (several nodes
/// on one database, signals).
pub mod process {
    use std::path::PathBuf;
    use std::process::Stdio;

    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::process::{Child, Command};

    /// The server binary built beside this test binary (`cargo build -p assetronics`).
    pub fn server_binary() -> PathBuf {
        let exe = std::env::current_exe().expect("test binary path");
        let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
        let bin = dir.join("assetronics");
        assert!(
            bin.exists(),
            "{} is missing: run `cargo build -p assetronics` first",
            bin.display()
        );
        bin
    }

    pub struct Server {
        pub child: Child,
        pub address: String,
        _dir: tempdir::Dir,
    }

    impl Server {
        pub fn pid(&self) -> u32 {
            self.child.id().expect("running")
        }
    }

    /// Starts `assetronics serve` on a free port against `database_url` (the tests' signing key).
    pub async fn start(database_url: &str) -> Server {
        start_with(database_url, &["serve"], &[]).await
    }

    /// Starts the server with other arguments (e.g. `["serve", "--no-workers"]`) and extra
    /// environment, and waits until it listens.
    pub async fn start_with(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        let dir = tempdir::Dir::new();
        let mut child = command(database_url, &dir, env)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start server");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(std::time::Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("Assetronics is running at ") {
                    return url.trim().to_owned();
                }
            }
            panic!("server exited before it was ready");
        })
        .await
        .expect("server ready in time");
        Server {
            child,
            address,
            _dir: dir,
        }
    }

    /// A running `assetronics worker` process (job workers, no HTTP).
    pub struct Worker {
        pub child: Child,
        _dir: tempdir::Dir,
    }

    /// Starts `assetronics worker` with extra environment and waits until it has connected to
    /// the database and starts taking jobs. Its later output goes on to the test's stderr.
    pub async fn start_worker(database_url: &str, env: &[(&str, &str)]) -> Worker {
        let dir = tempdir::Dir::new();
        let mut child = command(database_url, &dir, env)
            .arg("worker")
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start worker");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        tokio::time::timeout(std::time::Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("assetronics worker running") {
                    return;
                }
                eprintln!("{line}");
            }
            panic!("worker exited before it was ready");
        })
        .await
        .expect("worker ready in time");
        // Keep draining, so the worker never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("{line}");
            }
        });
        Worker { child, _dir: dir }
    }

    /// The binary with the environment every test process shares; killed when dropped.
    fn command(database_url: &str, dir: &tempdir::Dir, env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(server_binary());
        command
            .env("ASSETRONICS_BIND", "127.0.0.1:0")
            .env("ASSETRONICS_DATA_DIR", &dir.0)
            .env("DATABASE_URL", database_url)
            .env("ASSETRONICS_JWT_SECRET", crate::TEST_SIGNING_KEY)
            .env("ASSETRONICS_HTTP_WORKERS", "1")
            .env("ASSETRONICS_LOG", "warn")
            .envs(env.iter().copied())
            .kill_on_drop(true);
        command
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let p = std::env::temp_dir().join(format!(
                    "assetronics-proc-{}",
                    uuid::Uuid::new_v4().simple()
                ));
                std::fs::create_dir_all(&p).expect("temp dir");
                Self(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}

/// The signing key of test servers (in-process and spawned), so tokens work on every node.
pub const TEST_SIGNING_KEY: &str = "test-signing-key-0123456789abcdef0123456789abcdef";

/// Runs a script of `tests/js` with Node and yields its stdout lines (JSON objects).
pub mod node {
    use std::process::Stdio;

    use serde_json::Value;
    use tokio::io::{AsyncBufReadExt, BufReader, Lines};
    use tokio::process::{Child, ChildStdout, Command};

    pub struct Script {
        pub child: Child,
        lines: Lines<BufReader<ChildStdout>>,
    }

    pub fn start(script: &str, args: &[&str]) -> Script {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
        assert!(
            dir.join("node_modules").exists(),
            "run `npm ci` in tests/js first"
        );
        let mut child = Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node is installed");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        Script { child, lines }
    }

    impl Script {
        /// The next line within `wait`, as JSON; `None` when the script printed nothing in time
        /// (or ended).
        pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<Value> {
            let line = tokio::time::timeout(wait, self.lines.next_line())
                .await
                .ok()?
                .ok()??;
            Some(serde_json::from_str(&line).unwrap_or(Value::String(line)))
        }

        /// The next line whose `event` is `event` (20 s at most), failing on an error line.
        pub async fn expect(&mut self, event: &str) -> Value {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
            loop {
                let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                    .await
                    .unwrap_or_else(|_| panic!("no {event} from the script in time"))
                    .expect("read")
                    .unwrap_or_else(|| panic!("script ended before {event}"));
                let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                if v["event"] == event {
                    return v;
                }
                assert!(
                    !matches!(v["event"].as_str(), Some("timeout" | "join_error")),
                    "script failed while waiting for {event}: {line}"
                );
            }
        }
    }
}
