//! The production shape of docker-compose.yml on one machine: API nodes that only serve
//! (`serve --no-workers`) and a separate `worker` process — the real binary, over real HTTP and
//! WebSocket — on one PostgreSQL database, syncing people from the BambooHR simulator.

use std::collections::BTreeMap;
use std::time::Duration;

use assetronics_tests::socket::{self, Ws};
use assetronics_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// People in the simulated company.
const EMPLOYEES: u64 = 300;
/// Upper bound for one sync of `EMPLOYEES` people in a debug build on a busy machine.
const SYNC_WAIT: Duration = Duration::from_secs(60);

/// One node's HTTP API.
struct Node {
    address: String,
    client: reqwest::Client,
}

impl Node {
    fn new(address: &str) -> Self {
        Node {
            address: address.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.address));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if method != Method::GET {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, Value::Null).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, body).await
    }

    /// Every employee of the tenant, page by page.
    async fn employees(&self, token: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut path = "/api/v1/employees?limit=200".to_owned();
        loop {
            let (status, page) = self.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            all.extend(page["data"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/employees?limit=200&cursor={c}"),
                None => return all,
            }
        }
    }

    /// Queues "sync now" and answers the run's id.
    async fn sync(&self, token: &str, integration: &str) -> String {
        let (status, queued) = self
            .post(
                &format!("/api/v1/integrations/{integration}/sync"),
                token,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
        queued["sync_run_id"].as_str().expect("run id").to_owned()
    }
}

/// Events of the socket's channels during `window`, by name.
async fn events_during(ws: &mut Ws, window: Duration) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + window;
    let mut seen = Vec::new();
    while let Some(frame) = socket::recv_within(
        ws,
        deadline.saturating_duration_since(tokio::time::Instant::now()),
    )
    .await
    {
        assert!(frame.get("close").is_none(), "socket closed: {frame}");
        seen.push(frame[3].as_str().unwrap_or_default().to_owned());
    }
    seen
}

/// Follows one performed sync on the socket — each of its events once (their order across
/// nodes' relays is not asserted) — and answers its stats.
async fn performed(ws: &mut Ws, integration: &str, run_id: &str, total: u64) -> Value {
    const EVENTS: [&str; 4] = [
        "sync_started",
        "sync_progress",
        "sync_finished",
        "sync_run_updated",
    ];
    let deadline = tokio::time::Instant::now() + SYNC_WAIT;
    let mut seen: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let finished_run = |seen: &BTreeMap<String, Vec<Value>>| {
        seen.get("sync_run_updated")
            .is_some_and(|runs| runs.iter().any(|r| r["sync_run"]["status"] != "running"))
    };
    while !EVENTS.iter().all(|e| seen.contains_key(*e)) || !finished_run(&seen) {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = socket::recv_within(ws, left).await.unwrap_or_else(|| {
            panic!("the sync was not seen in full within {SYNC_WAIT:?}: {seen:?}")
        });
        let event = frame[3].as_str().unwrap_or_default().to_owned();
        seen.entry(event).or_default().push(frame[4].clone());
    }
    let once = |event: &str| -> &Value {
        let frames = &seen[event];
        assert_eq!(frames.len(), 1, "{event} once: {frames:?}");
        &frames[0]
    };
    assert_eq!(once("sync_started")["integration_id"], integration);
    let progress = once("sync_progress");
    assert_eq!(
        (&progress["processed"], &progress["total"]),
        (&json!(total), &json!(total)),
        "{progress}"
    );
    // The run is published when it starts running and when it ends.
    let runs = &seen["sync_run_updated"];
    let statuses: Vec<&str> = runs
        .iter()
        .filter_map(|r| r["sync_run"]["status"].as_str())
        .collect();
    assert_eq!(statuses, ["running", "succeeded"], "{runs:?}");
    let run = &runs[1]["sync_run"];
    assert_eq!(run["id"], run_id);
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 1, "performed once: {run}");
    let finished = once("sync_finished");
    assert_eq!(finished["status"], "succeeded", "{finished}");
    finished["stats"].clone()
}

/// Two API nodes and a worker on one database: "sync now" on one node is queued, performed
/// exactly once by the worker process (never by an API node, which stays idle while no worker
/// runs), and its progress reaches a socket on the other node.
#[tokio::test]
async fn cluster_api_nodes_queue_syncs_that_only_the_worker_performs() {
    if !on_postgres() {
        eprintln!(
            "skipped: needs ASSETRONICS_TEST_DATABASE=postgres (processes share one database)"
        );
        return;
    }
    // A fresh database (dropped afterwards); the harness's own server runs no workers either.
    // Every process reads the credentials another one stored: the harness gives them all one
    // credentials key, as compose does for all roles.
    let db = spawn_app_without_workers().await;
    let env = [];
    let api = ["serve", "--no-workers"];
    let (node_a, node_b) = tokio::join!(
        process::start_with(&db.database_url, &api, &env),
        process::start_with(&db.database_url, &api, &env),
    );
    let (a, b) = (Node::new(&node_a.address), Node::new(&node_b.address));
    let sim = bamboohr_simulator(EMPLOYEES).await;

    // Sign up and connect BambooHR through node A.
    let (status, signup) = a
        .post(
            "/api/v1/auth/signup",
            "",
            json!({"organization_name": "Acme", "name": "Olive Owner", "email": "owner@acme.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{signup}");
    let token = signup["access_token"].as_str().expect("token").to_owned();
    let tenant = signup["tenant"]["id"].as_str().expect("tenant").to_owned();
    let (status, created) = a
        .post("/api/v1/integrations", &token, bamboohr_connection(&sim))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let integration = id(&created);

    // An admin watches integrations on node B.
    let mut ws = socket::joined(&b.address, &token, &format!("integrations:{tenant}")).await;

    // "Sync now" on A: queued, and B's socket hears it.
    let run_id = a.sync(&token, &integration).await;
    let queued = socket::recv_event(&mut ws, "sync_queued").await;
    assert_eq!(queued[4]["sync_run"]["id"], run_id.as_str());

    // No worker runs anywhere, so nothing may take the job. Absence cannot be awaited: watch
    // for six of a worker's poll intervals (500 ms) that no sync starts and the vendor is
    // never called.
    let seen = events_during(&mut ws, Duration::from_secs(3)).await;
    assert!(seen.is_empty(), "API nodes performed the job: {seen:?}");
    let (_, run) = b.get(&format!("/api/v1/sync-runs/{run_id}"), &token).await;
    assert_eq!(
        (&run["status"], &run["attempts"]),
        (&json!("queued"), &json!(0)),
        "{run}"
    );
    assert_eq!(
        sim.bamboohr().requests("acme"),
        0,
        "the vendor was not called"
    );

    // A worker process takes the queued run and performs it once; B sees it all.
    let _worker = process::start_worker(&db.database_url, &env).await;
    let stats = performed(&mut ws, &integration, &run_id, EMPLOYEES).await;
    assert_eq!(stats["created"], EMPLOYEES, "{stats}");
    let (_, run) = b.get(&format!("/api/v1/sync-runs/{run_id}"), &token).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 1, "{run}");
    assert_eq!(run["stats"]["created"], EMPLOYEES);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(
        sim.bamboohr().requests("acme"),
        1,
        "one run, one read of the vendor's report"
    );
    let people = b.employees(&token).await;
    assert_eq!(people.len() as u64, EMPLOYEES);
    assert!(people.iter().all(|e| e["external_source"] == "bamboohr"));

    // With the worker already listening, a run queued through B is taken promptly: one new hire.
    sim.bamboohr()
        .hire(
            "acme",
            [
                ("firstName", "Nora"),
                ("lastName", "Newhire"),
                ("workEmail", "nora.newhire@acme.example.com"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        )
        .expect("hired");
    let second = b.sync(&token, &integration).await;
    let stats = performed(&mut ws, &integration, &second, EMPLOYEES + 1).await;
    assert_eq!(
        (&stats["created"], &stats["updated"], &stats["unchanged"]),
        (&json!(1), &json!(0), &json!(EMPLOYEES)),
        "{stats}"
    );
    assert_eq!(sim.bamboohr().requests("acme"), 2);
    assert_eq!(a.employees(&token).await.len() as u64, EMPLOYEES + 1);
}
