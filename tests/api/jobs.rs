//! The job queue as users meet it: syncs that retry vendor outages with backoff and end dead
//! after the last attempt, schedules that queue syncs, and a sync that survives its worker
//! process being killed.

use std::time::Duration;

use assetronics_integrations::sandbox::bamboohr::Faults;
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Connects the simulator's BambooHR company, with `changes` to the usual connection.
async fn connect(
    app: &TestApp,
    s: &Session,
    sim: &assetronics_integrations::sandbox::Sandbox,
    changes: Value,
) -> String {
    app.connect(s, merged(bamboohr_connection(sim), changes))
        .await
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
    let sim = bamboohr_simulator(30).await;
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
    let run_id = app.sync_now(&s, &integration).await;
    let run = app.finished_run(&s, &run_id, Duration::from_secs(30)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 2, "{run}");
    assert_eq!(run["dead"], false);
    assert_eq!(run["stats"]["created"], 30);
    assert_eq!(employee_count(&app, &s).await, 30);
}

#[tokio::test]
async fn a_sync_that_keeps_failing_is_dead_after_its_last_attempt() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(5).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    sim.bamboohr().set_faults(
        "acme",
        Faults {
            fail_next: 1000,
            ..Faults::default()
        },
    );
    let run_id = app.sync_now(&s, &integration).await;
    let run = app.finished_run(&s, &run_id, Duration::from_secs(60)).await;
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
    let sim = bamboohr_simulator(5).await;
    let s = app.signup("Acme").await;
    let integration = connect(
        &app,
        &s,
        &sim,
        json!({"credentials": {"api_key": "wrong-key"}}),
    )
    .await;
    let run_id = app.sync_now(&s, &integration).await;
    let run = app.finished_run(&s, &run_id, Duration::from_secs(30)).await;
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
    let sim = bamboohr_simulator(10).await;
    let s = app.signup("Acme").await;
    for bad in ["every day", "61 * * * *", "* * *"] {
        let res = app
            .post(
                "/api/v1/integrations",
                &s.access_token,
                merged(bamboohr_connection(&sim), json!({"schedule": bad})),
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
    let runs = until(
        "two scheduled runs to succeed",
        || async {
            app.get(
                &format!("/api/v1/sync-runs?integration_id={integration}"),
                &s.access_token,
            )
            .await
            .body["data"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        },
        |runs| runs.iter().filter(|r| r["status"] == "succeeded").count() >= 2,
    )
    .await;
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

/// A worker process that notices a dead colleague within seconds and retries at once.
async fn start_worker(app: &TestApp) -> process::Worker {
    process::start_worker(
        &app.database_url,
        &[
            ("ASSETRONICS_JOB_HEARTBEAT_SECS", "1"),
            ("ASSETRONICS_JOB_RETRY_BASE_MS", "50"),
        ],
    )
    .await
}

/// A worker killed with SIGKILL mid-sync: another worker takes the job over once the dead one
/// misses its heartbeats, and the sync completes exactly once.
#[tokio::test]
async fn a_sync_survives_its_worker_being_killed_and_completes_once() {
    let app = spawn_app_without_workers().await;
    let sim = bamboohr_simulator(120).await;
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
    let run_id = app.sync_now(&s, &integration).await;
    app.running_run(&s, &run_id).await;
    first.child.start_kill().expect("kill -9");
    first.child.wait().await.expect("reaped");
    assert_eq!(employee_count(&app, &s).await, 0);

    let _second = start_worker(&app).await;
    let run = app.finished_run(&s, &run_id, Duration::from_secs(60)).await;
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
    let sim = bamboohr_simulator(3).await;
    let s = app.signup("Acme").await;
    let integration = connect(&app, &s, &sim, json!({})).await;
    let run_id = app.sync_now(&s, &integration).await;
    let run = app.finished_run(&s, &run_id, Duration::from_secs(30)).await;
    assert_eq!(run["status"], "succeeded");
    let text = app.metrics().await;
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
    let app = spawn_app_without_workers().await;
    let sim = bamboohr_simulator(40).await;
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
    let run_id = app.sync_now(&s, &integration).await;
    app.running_run(&s, &run_id).await;
    process::sigterm(worker.child.id().expect("pid"));
    let exit = tokio::time::timeout(Duration::from_secs(30), worker.child.wait())
        .await
        .expect("the worker exits within its grace period")
        .expect("exit status");
    assert!(exit.success(), "{exit:?}");
    // By the time it exited, the run it had started was done — once, not handed back.
    let run = app.sync_run(&s, &run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["attempts"], 1);
    assert_eq!(employee_count(&app, &s).await, 40);
}
