//! The server under test and what users do to it through REST.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{TEST_SECRETS_KEY, TEST_SIGNING_KEY};

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's own pool, for tests that must reach under the API (tampering, counting).
    pub db: DatabaseConnection,
    /// The database URL, for other processes that should share it.
    pub database_url: String,
    pub state: std::sync::Arc<assetronics::platform::state::AppState>,
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

/// A server that performs no jobs itself: what it queues waits for a `worker` process
/// ([`crate::process::start_worker`]), which shares its credentials key.
pub async fn spawn_app_without_workers() -> TestApp {
    spawn_app_with(|s| s.run_workers = false).await
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
    settings.secrets_key = Some(assetronics::platform::secrets::Secret::new(
        TEST_SECRETS_KEY.into(),
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
        self.account(owner, &email, &format!("{role} user"), role)
            .await
    }

    /// Adds a user (password [`PASSWORD`]) to the owner's tenant; the user's id.
    pub async fn add_user(&self, owner: &Session, email: &str, name: &str, role: &str) -> String {
        let res = self
            .post(
                "/api/v1/users",
                &owner.access_token,
                json!({"email": email, "name": name, "role": role, "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "create user: {}", res.body);
        id(&res.body)
    }

    /// Adds a user with this address to the owner's tenant and signs them in.
    pub async fn account(&self, owner: &Session, email: &str, name: &str, role: &str) -> Session {
        self.add_user(owner, email, name, role).await;
        let res = self.login(email, PASSWORD, Some(&owner.tenant_slug)).await;
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

/// What users do beyond sign-up: look people and assets up, hand assets over, act on workflow
/// steps, connect integrations and ask for a sync.
impl TestApp {
    /// The employee with this address (found through the list's search).
    pub async fn employee_by_email(&self, token: &str, email: &str) -> Value {
        let res = self
            .get(
                &format!("/api/v1/employees?q={}", email.replace('@', "%40")),
                token,
            )
            .await;
        res.body["data"]
            .as_array()
            .and_then(|d| d.iter().find(|e| e["email"] == email).cloned())
            .unwrap_or_else(|| panic!("no employee {email}: {}", res.body))
    }

    /// The asset with this serial number, whatever its case (found through the list's search).
    pub async fn asset_by_serial(&self, token: &str, serial: &str) -> Value {
        let res = self
            .get(
                &format!("/api/v1/assets?q={}", serial.to_lowercase()),
                token,
            )
            .await;
        res.body["data"]
            .as_array()
            .and_then(|d| {
                d.iter()
                    .find(|a| {
                        a["serial_number"]
                            .as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case(serial))
                    })
                    .cloned()
            })
            .unwrap_or_else(|| panic!("no asset with serial {serial}: {}", res.body))
    }

    /// Checks the asset out to the employee; the asset as it is now.
    pub async fn check_out(&self, token: &str, asset: &str, employee: &str) -> Value {
        let res = self
            .post(
                &format!("/api/v1/assets/{asset}/checkout"),
                token,
                json!({"employee_id": employee}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "check out: {}", res.body);
        res.body
    }

    /// The workflows of one employee, newest first.
    pub async fn workflows_of(&self, token: &str, employee: &str) -> Vec<Value> {
        self.get(&format!("/api/v1/workflows?employee_id={employee}"), token)
            .await
            .body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `POST /api/v1/workflows/{wf}/steps/{step}/{action}` on the workflow's step of `kind`.
    pub async fn act_on_step(
        &self,
        token: &str,
        wf: &Value,
        kind: &str,
        action: &str,
        body: Value,
    ) -> Res {
        let step_id = id(step(wf, kind));
        self.post(
            &format!("/api/v1/workflows/{}/steps/{step_id}/{action}", id(wf)),
            token,
            body,
        )
        .await
    }

    /// Completes the workflow's step of `kind`; the workflow as it is now.
    pub async fn complete_step(&self, token: &str, wf: &Value, kind: &str) -> Value {
        let res = self
            .act_on_step(token, wf, kind, "complete", json!({}))
            .await;
        assert_eq!(res.status, StatusCode::OK, "complete {kind}: {}", res.body);
        res.body
    }

    /// Connects an integration (a body from [`crate::vendors`]); its id.
    pub async fn connect(&self, admin: &Session, body: Value) -> String {
        let res = self
            .post("/api/v1/integrations", &admin.access_token, body)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "connect: {}", res.body);
        id(&res.body)
    }

    /// "Sync now": queues a run of the integration; the run's id.
    pub async fn sync_now(&self, admin: &Session, integration: &str) -> String {
        let queued = self
            .post(
                &format!("/api/v1/integrations/{integration}/sync"),
                &admin.access_token,
                json!({}),
            )
            .await;
        assert_eq!(
            queued.status,
            StatusCode::ACCEPTED,
            "sync now: {}",
            queued.body
        );
        queued.body["sync_run_id"]
            .as_str()
            .expect("run id")
            .to_owned()
    }

    /// One sync run, as `GET /api/v1/sync-runs/{id}` shows it.
    pub async fn sync_run(&self, admin: &Session, run_id: &str) -> Value {
        self.get(&format!("/api/v1/sync-runs/{run_id}"), &admin.access_token)
            .await
            .body
    }

    /// The webhook deliveries the integration has stored.
    pub async fn webhook_deliveries(&self, admin: &Session, integration: &str) -> Vec<Value> {
        self.get(
            &format!("/api/v1/integrations/{integration}/webhook-deliveries"),
            &admin.access_token,
        )
        .await
        .body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text")
    }
}

/// The workflow's step of `kind` (as REST or GraphQL spells it).
pub fn step<'a>(wf: &'a Value, kind: &str) -> &'a Value {
    wf["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} step in {wf}"))
}
