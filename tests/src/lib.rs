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
    pub state: std::sync::Arc<assetronics::app::AppState>,
    dir: PathBuf,
    pg_db: Option<String>,
}

/// Which database the suite runs against.
pub fn on_postgres() -> bool {
    std::env::var("ASSETRONICS_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn pg_base() -> String {
    std::env::var("ASSETRONICS_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
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
        let admin = Database::connect(format!("{}/postgres", pg_base())).await.expect("connect to PostgreSQL");
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
        admin.close().await.ok();
        (format!("{}/{name}", pg_base()), Some(name))
    } else {
        (format!("sqlite://{}/assetronics.db?mode=rwc", dir.display()), None)
    };
    let mut settings = assetronics::Settings::for_tests(dir.clone(), url);
    tweak(&mut settings);
    let app = assetronics::Application::build(settings).await.expect("build application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone().into_inner();
    let db = state.db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { address, client: reqwest::Client::new(), db, state, dir, pg_db }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.pg_db.take() {
            // Drop runs outside async: use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async move {
                    if let Ok(admin) = Database::connect(format!("{}/postgres", pg_base())).await {
                        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
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
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// The problem's `code`, asserting the response is problem+json.
    pub fn problem_code(&self) -> &str {
        assert!(self.content_type().starts_with("application/problem+json"), "not a problem: {} {}", self.status, self.body);
        self.body["code"].as_str().unwrap_or("")
    }
    /// The `field` of each per-field error.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"].as_array().map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
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
            refresh_token: body["refresh_token"].as_str().expect("refresh_token").into(),
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
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Res {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>, headers: &[(&str, &str)]) -> Res {
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
        Res { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Res {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up a new organization; its owner's session.
    pub async fn signup(&self, org: &str) -> Session {
        let email = format!("owner-{}@{}.example", Uuid::new_v4().simple(), org.to_lowercase().replace(' ', "-"));
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
        self.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password, "tenant": tenant}))).await
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
        assert_eq!(res.status, StatusCode::CREATED, "create asset: {}", res.body);
        res.body
    }

    pub async fn create_employee(&self, token: &str, name: &str) -> Value {
        let email = format!("{}-{}@example.com", name.to_lowercase().replace(' ', "."), Uuid::new_v4().simple());
        let res = self.post("/api/v1/employees", token, json!({"name": name, "email": email})).await;
        assert_eq!(res.status, StatusCode::CREATED, "create employee: {}", res.body);
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

    pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

    /// Connects to `/socket/websocket` with `query` (e.g. `token=..&vsn=2.0.0`).
    pub async fn connect(address: &str, query: &str) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/socket/websocket?{query}", address.replace("http://", "ws://"));
        tokio_tungstenite::connect_async(url).await.map(|(ws, _)| ws)
    }

    pub async fn send(ws: &mut Ws, v: Value) {
        ws.send(Message::Text(v.to_string().into())).await.expect("send");
    }

    pub async fn send_raw(ws: &mut Ws, m: Message) {
        ws.send(m).await.expect("send");
    }

    /// The next data frame within 5 s, as JSON (binary frames as `{"binary": [bytes]}`).
    pub async fn recv(ws: &mut Ws) -> Value {
        recv_within(ws, Duration::from_secs(5)).await.expect("a frame within 5 s")
    }

    pub async fn recv_within(ws: &mut Ws, d: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            let m = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
            match m.ok()? {
                Message::Text(t) => return serde_json::from_str(&t).ok(),
                Message::Binary(b) => return Some(serde_json::json!({"binary": b.to_vec()})),
                Message::Close(c) => return Some(serde_json::json!({"close": c.map(|c| u16::from(c.code))})),
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
