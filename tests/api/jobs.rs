//! The job queue as users meet it: syncs that retry vendor outages with backoff and end dead
//! after the last attempt, schedules that queue syncs, and a sync that survives its worker
//! process being killed.

use std::process::Stdio;
use std::time::Duration;

use assetronics_integrations::sandbox::bamboohr::{CompanySeed, Faults};
use assetronics_integrations::sandbox::{self, SandboxConfig};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A fixed credentials key, so a separate worker process can read what the API stored.
const SECRETS_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";

async fn simulator(employees: u64) -> sandbox::Sandbox {
    sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed {
            subdomain: "acme".into(),
            api_key: "right-key".into(),
            employees,
        }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator")
}

async fn connect(app: &TestApp, s: &Session, sim: &sandbox::Sandbox, extra: Value) -> String {
    let mut body = json!({"provider": "bamboohr", "config": {"subdomain": "acme", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "right-key"}});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let created = app
        .post("/api/v1/integrations", &s.access_token, body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    id(&created.body)
}

async fn sync_now(app: &TestApp, s: &Session, integration: &str) -> String {
    let queued = app
        .post(
            &format!("/api/v1/integrations/{integration}/sync"),
            &s.access_token,
            json!({}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    queued.body["sync_run_id"]
        .as_str()
        .expect("run id")
        .to_owned()
}

/// Polls the run until it is finished (or the wait runs out) and returns it.
async fn finished_run(app: &TestApp, s: &Session, run_id: &str, wait: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let run = app
            .get(&format!("/api/v1/sync-runs/{run_id}"), &s.access_token)
            .await
            .body;
        if matches!(
            run["status"].as_str(),
            Some("succeeded" | "partial" | "failed")
        ) || tokio::time::Instant::now() > deadline
        {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn employee_count(app: &TestApp, s: &Session) -> usize {
    let mut n = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/employees?limit=100&cursor={c}"),
            None => "/api/v1/employees?limit=100".to_owned(),
        };
        let page = app.get(&path, &s.access_token).await.body;
        n += page["data"].as_array().map(Vec::len).unwrap_or(0);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return n,
        }
    }
}

#[tokio::test]
async fn a_vendor_outage_is_retried_with_backoff_until_the_sync_succeeds() {
    let app = spawn_app().await;
    let sim = simulator(30).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    // Each attempt's client retries once itself: two 503s fail the first attempt whole.
    sim.bamboohr().set_faults(
        "acme",
        Faults {
            fail_next: 2,
            fail_status: Some(503),
            ..Faults::default()
        },
    );
    let run_id = sync_now(&app, &s, &integration).await;
    let run = finished_run(&app, &s, &run_id, Duration::from_secs(30)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 2, "{run}");
    assert_eq!(run["dead"], false);
    assert_eq!(run["stats"]["created"], 30);
    assert_eq!(employee_count(&app, &s).await, 30);
}

#[tokio::test]
async fn a_sync_that_keeps_failing_is_dead_after_its_last_attempt() {
    let app = spawn_app().await;
    let sim = simulator(5).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    sim.bamboohr().set_faults(
        "acme",
        Faults {
            fail_next: 1000,
            ..Faults::default()
        },
    );
    let run_id = sync_now(&app, &s, &integration).await;
    let run = finished_run(&app, &s, &run_id, Duration::from_secs(60)).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["dead"], true, "{run}");
    // The test settings allow three attempts.
    assert_eq!(run["attempts"], 3, "{run}");
    assert!(run["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(run["next_attempt_at"].is_null());
    assert_eq!(employee_count(&app, &s).await, 0);
    // The integration itself is fine (an outage is not bad credentials).
    let got = app
        .get(
            &format!("/api/v1/integrations/{integration}"),
            &s.access_token,
        )
        .await;
    assert_eq!(got.body["status"], "active");
}

#[tokio::test]
async fn bad_credentials_fail_at_once_without_retries() {
    let app = spawn_app().await;
    let sim = simulator(5).await;
    let s = app.signup("Acme").await;
    let integration = connect(
        &app,
        &s,
        &sim,
        json!({"credentials": {"api_key": "wrong-key"}}),
    )
    .await;
    let run_id = sync_now(&app, &s, &integration).await;
    let run = finished_run(&app, &s, &run_id, Duration::from_secs(30)).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["attempts"], 1, "{run}");
    assert_eq!(run["dead"], false);
    let got = app
        .get(
            &format!("/api/v1/integrations/{integration}"),
            &s.access_token,
        )
        .await;
    assert_eq!(got.body["status"], "needs_attention");
}

#[tokio::test]
async fn a_schedule_queues_syncs_and_a_bad_one_is_refused() {
    let app = spawn_app().await;
    let sim = simulator(10).await;
    let s = app.signup("Acme").await;
    for bad in ["every day", "61 * * * *", "* * *"] {
        let res = app
            .post(
                "/api/v1/integrations",
                &s.access_token,
                json!({"provider": "bamboohr", "config": {"subdomain": "acme", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "right-key"}, "schedule": bad}),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(res.error_fields(), vec!["schedule"], "{bad}");
    }
    // Every two seconds (six fields: seconds first).
    let integration = connect(&app, &s, &sim, json!({"schedule": "*/2 * * * * *"})).await;
    let got = app
        .get(
            &format!("/api/v1/integrations/{integration}"),
            &s.access_token,
        )
        .await;
    assert!(got.body["next_sync_at"].is_string(), "{}", got.body);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let runs = loop {
        let runs = app
            .get(
                &format!("/api/v1/sync-runs?integration_id={integration}"),
                &s.access_token,
            )
            .await
            .body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let done = runs.iter().filter(|r| r["status"] == "succeeded").count();
        if done >= 2 || tokio::time::Instant::now() > deadline {
            break runs;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let succeeded: Vec<&Value> = runs.iter().filter(|r| r["status"] == "succeeded").collect();
    assert!(succeeded.len() >= 2, "{runs:?}");
    assert!(runs.iter().all(|r| r["trigger"] == "schedule"));
    // The first scheduled run created everyone; later ones found nothing new.
    let created: i64 = succeeded
        .iter()
        .map(|r| r["stats"]["created"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(created, 10);
    // Never two runs of one integration at once.
    let active = runs
        .iter()
        .filter(|r| matches!(r["status"].as_str(), Some("queued" | "running")))
        .count();
    assert!(active <= 1, "{runs:?}");
}

/// A server that performs no jobs itself, with a fixed credentials key that worker processes
/// share.
async fn app_without_workers() -> TestApp {
    spawn_app_with(|s| {
        s.run_workers = false;
        s.secrets_key = Some(assetronics::platform::secrets::Secret::new(
            SECRETS_KEY.into(),
        ));
    })
    .await
}

/// Waits until a worker has started the run.
async fn until_running(app: &TestApp, s: &Session, run_id: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let run = app
            .get(&format!("/api/v1/sync-runs/{run_id}"), &s.access_token)
            .await
            .body;
        if run["status"] == "running" {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "never ran: {run}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts `assetronics worker` against the app's database.
async fn start_worker(app: &TestApp) -> tokio::process::Child {
    let dir = std::env::temp_dir().join(format!("assetronics-worker-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut child = tokio::process::Command::new(process::server_binary())
        .arg("worker")
        .env("ASSETRONICS_DATA_DIR", &dir)
        .env("DATABASE_URL", &app.database_url)
        .env("ASSETRONICS_JWT_SECRET", TEST_SIGNING_KEY)
        .env("ASSETRONICS_SECRETS_KEY", SECRETS_KEY)
        .env("ASSETRONICS_JOB_HEARTBEAT_SECS", "1")
        .env("ASSETRONICS_JOB_RETRY_BASE_MS", "50")
        .env("ASSETRONICS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start worker");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("assetronics worker running") {
                return;
            }
        }
        panic!("worker exited before it was ready");
    })
    .await
    .expect("worker ready in time");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    child
}

/// A worker killed with SIGKILL mid-sync: another worker takes the job over once the dead one
/// misses its heartbeats, and the sync completes exactly once.
#[tokio::test]
async fn a_sync_survives_its_worker_being_killed_and_completes_once() {
    let app = app_without_workers().await;
    let sim = simulator(120).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    // The vendor answers the first request only after four seconds: the worker is mid-job.
    sim.bamboohr().set_faults(
        "acme",
        Faults {
            slow_next: 1,
            slow_ms: 4000,
            ..Faults::default()
        },
    );
    let mut first = start_worker(&app).await;
    let run_id = sync_now(&app, &s, &integration).await;
    until_running(&app, &s, &run_id).await;
    first.start_kill().expect("kill -9");
    first.wait().await.expect("reaped");
    assert_eq!(employee_count(&app, &s).await, 0);

    let _second = start_worker(&app).await;
    let run = finished_run(&app, &s, &run_id, Duration::from_secs(60)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 2, "{run}");
    assert_eq!(run["stats"]["created"], 120);
    assert_eq!(employee_count(&app, &s).await, 120);
    let created = app
        .get(
            "/api/v1/audit-events?limit=500&action=employee.created",
            &s.access_token,
        )
        .await;
    assert_eq!(created.body["data"].as_array().map(Vec::len), Some(120));
    let runs = app
        .get(
            &format!("/api/v1/sync-runs?integration_id={integration}"),
            &s.access_token,
        )
        .await;
    assert_eq!(runs.body["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn job_metrics_are_exported() {
    let app = spawn_app().await;
    let sim = simulator(3).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    let run_id = sync_now(&app, &s, &integration).await;
    let run = finished_run(&app, &s, &run_id, Duration::from_secs(30)).await;
    assert_eq!(run["status"], "succeeded");
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("assetronics_jobs_total{kind=\"sync_integration\",outcome=\"succeeded\"} 1"),
        "{text}"
    );
    assert!(text.contains("assetronics_job_duration_seconds_count{kind=\"sync_integration\"} 1"));
    assert!(
        text.contains("assetronics_syncs_total{outcome=\"succeeded\"} 1"),
        "{text}"
    );
    // Nothing is left in the queue.
    assert!(
        text.contains("assetronics_job_queue{state=\"Pending\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("assetronics_job_queue{state=\"Running\"} 0"),
        "{text}"
    );
}

/// SIGTERM while a sync runs: the worker lets it finish before it exits.
#[tokio::test]
async fn a_worker_stopped_with_sigterm_finishes_its_running_sync_first() {
    let app = app_without_workers().await;
    let sim = simulator(40).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    sim.bamboohr().set_faults(
        "acme",
        Faults {
            slow_next: 1,
            slow_ms: 2500,
            ..Faults::default()
        },
    );
    let mut worker = start_worker(&app).await;
    let run_id = sync_now(&app, &s, &integration).await;
    until_running(&app, &s, &run_id).await;
    let pid = worker.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(30), worker.wait())
        .await
        .expect("the worker exits within its grace period")
        .expect("exit status");
    assert!(exit.success(), "{exit:?}");
    // By the time it exited, the run it had started was done — once, not handed back.
    let run = app
        .get(&format!("/api/v1/sync-runs/{run_id}"), &s.access_token)
        .await
        .body;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 1);
    assert_eq!(employee_count(&app, &s).await, 40);
}
