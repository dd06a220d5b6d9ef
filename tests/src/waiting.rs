//! Waiting for the server without sleeping blindly: poll what a user would look at until it
//! reaches a state, with a deadline, and fail saying what was awaited and what was last seen.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::{Session, TestApp};

/// How long a wait lasts unless a test says otherwise: generous for a debug build on a busy
/// machine, since a wait that succeeds returns as soon as it can.
pub const PATIENCE: Duration = Duration::from_secs(30);

const POLL_EVERY: Duration = Duration::from_millis(100);

/// Looks with `look` until `done` holds for what it sees (for up to [`PATIENCE`]); that.
pub async fn until<S, F, Fut>(what: &str, look: F, done: impl FnMut(&S) -> bool) -> S
where
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
    S: Debug + 'static,
{
    until_within(PATIENCE, what, look, done).await
}

/// [`until`] with a deadline of `within`.
pub async fn until_within<S, F, Fut>(
    within: Duration,
    what: &str,
    look: F,
    mut done: impl FnMut(&S) -> bool,
) -> S
where
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
    S: Debug + 'static,
{
    poll(
        within,
        what,
        look,
        |s| if done(&s) { Ok(s) } else { Err(s) },
    )
    .await
}

/// Looks with `look` until `pick` finds something in what it sees (for up to [`PATIENCE`]);
/// what it found.
pub async fn until_found<S, T, F, Fut>(
    what: &str,
    look: F,
    mut pick: impl FnMut(&S) -> Option<T>,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
    S: Debug + 'static,
{
    poll(PATIENCE, what, look, |s| pick(&s).ok_or(s)).await
}

/// Looks until `take` takes what it sees (`Ok`) or the deadline passes with what it gave
/// back (`Err`).
async fn poll<S, T, F, Fut>(
    within: Duration,
    what: &str,
    mut look: F,
    mut take: impl FnMut(S) -> Result<T, S>,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
    S: Debug + 'static,
{
    let deadline = Instant::now() + within;
    loop {
        let seen = match take(look().await) {
            Ok(found) => return found,
            Err(seen) => seen,
        };
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}; last seen: {}",
            shown(&seen)
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Absence cannot be awaited: looks with `look` throughout `window` and fails as soon as `ok`
/// stops holding; the last thing seen.
pub async fn holds_for<S, F, Fut>(
    window: Duration,
    what: &str,
    mut look: F,
    mut ok: impl FnMut(&S) -> bool,
) -> S
where
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
    S: Debug + 'static,
{
    let started = Instant::now();
    loop {
        let seen = look().await;
        assert!(
            ok(&seen),
            "{what} stopped holding after {:?}: {}",
            started.elapsed(),
            shown(&seen)
        );
        if started.elapsed() >= window {
            return seen;
        }
        tokio::time::sleep(POLL_EVERY.min(window)).await;
    }
}

/// JSON as JSON, anything else as its `Debug`.
fn shown<S: Debug + 'static>(seen: &S) -> String {
    let any: &dyn Any = seen;
    if let Some(v) = any.downcast_ref::<Value>() {
        return v.to_string();
    }
    if let Some(v) = any.downcast_ref::<Vec<Value>>() {
        return Value::Array(v.clone()).to_string();
    }
    format!("{seen:?}")
}

/// The waits tests share.
impl TestApp {
    /// The sync run once it has finished (succeeded, partial or failed), for up to `within`.
    pub async fn finished_run(&self, admin: &Session, run_id: &str, within: Duration) -> Value {
        until_within(
            within,
            &format!("sync run {run_id} to finish"),
            || self.sync_run(admin, run_id),
            |run| {
                matches!(
                    run["status"].as_str(),
                    Some("succeeded" | "partial" | "failed")
                )
            },
        )
        .await
    }

    /// The sync run once a worker has started it.
    pub async fn running_run(&self, admin: &Session, run_id: &str) -> Value {
        until(
            &format!("a worker to start sync run {run_id}"),
            || self.sync_run(admin, run_id),
            |run| run["status"] == "running",
        )
        .await
    }

    /// The first workflow `GET /api/v1/workflows?{filter}` lists for which `done` holds, once
    /// there is one.
    pub async fn workflow_when(
        &self,
        token: &str,
        filter: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        until_found(
            &format!("a workflow of {filter} to get there"),
            || async {
                self.get(&format!("/api/v1/workflows?{filter}"), token)
                    .await
                    .body
            },
            |list| list["data"].as_array()?.iter().find(|wf| done(wf)).cloned(),
        )
        .await
    }

    /// The integration's webhook deliveries once at least `expected` are stored and every one
    /// is processed (or dead).
    pub async fn settled_deliveries(
        &self,
        admin: &Session,
        integration: &str,
        expected: usize,
    ) -> Vec<Value> {
        until(
            &format!("{expected} webhook deliveries of {integration} to be processed"),
            || self.webhook_deliveries(admin, integration),
            |d| {
                d.len() >= expected
                    && d.iter()
                        .all(|d| matches!(d["status"].as_str(), Some("processed" | "dead")))
            },
        )
        .await
    }
}
