//! Webhook deliveries from the simulated vendors.
//!
//! A simulated company may register one webhook target; each change to its people then POSTs
//! the vendor's signed payload there. Deliveries leave one at a time, in the order the changes
//! were made (as HiBob's v2 webhooks promise), from a task on the tokio runtime that queued the
//! first of them; each is attempted once and its outcome kept, for tests to read or await
//! ([`WebhookDelivery`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc, oneshot};

/// How long the simulator waits for a webhook receiver to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a simulated company's webhooks go, and the secret they are signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

/// A webhook request as the vendor would send it: headers (signature included) and the raw
/// body. Build one with the vendor module's `signed_delivery` to replay or tamper with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDelivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl SignedDelivery {
    /// A JSON body with its headers.
    pub(crate) fn json(body: &serde_json::Value, mut headers: Vec<(String, String)>) -> Self {
        headers.insert(0, ("Content-Type".into(), "application/json".into()));
        SignedDelivery {
            headers,
            body: body.to_string().into_bytes(),
        }
    }

    /// The value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// One delivery the simulator attempted, and how the receiver answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookDelivery {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The raw body, as sent.
    pub body: String,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why no answer came (refused connection, timeout, no runtime to send from).
    pub error: Option<String>,
}

impl WebhookDelivery {
    /// Whether the receiver answered 2xx.
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Deliveries queued by one change; await [`Pending::settled`] to know they were attempted.
#[derive(Debug, Default)]
pub(crate) struct Pending(Vec<oneshot::Receiver<WebhookDelivery>>);

impl Pending {
    /// Waits until every delivery of the change has been attempted.
    pub(crate) async fn settled(self) {
        for receiver in self.0 {
            // A dropped sender means the worker stopped; the log already says so.
            let _ = receiver.await;
        }
    }
}

struct Job {
    company: String,
    url: String,
    delivery: SignedDelivery,
    done: oneshot::Sender<WebhookDelivery>,
}

#[derive(Default)]
struct Inner {
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    log: Mutex<HashMap<String, Vec<WebhookDelivery>>>,
    recorded: Notify,
}

impl Inner {
    fn record(&self, company: &str, delivery: WebhookDelivery) {
        lock(&self.log)
            .entry(company.to_owned())
            .or_default()
            .push(delivery);
        self.recorded.notify_waiters();
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One vendor simulator's webhook sender and delivery log, keyed by company; cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Outbox {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

impl Outbox {
    /// Queues `deliveries` for `target`, in order; nothing when there is no target.
    pub(crate) fn send(
        &self,
        company: &str,
        target: Option<&WebhookTarget>,
        deliveries: Vec<SignedDelivery>,
    ) -> Pending {
        let Some(target) = target else {
            return Pending::default();
        };
        Pending(
            deliveries
                .into_iter()
                .map(|delivery| self.enqueue(company, &target.url, delivery))
                .collect(),
        )
    }

    fn enqueue(
        &self,
        company: &str,
        url: &str,
        delivery: SignedDelivery,
    ) -> oneshot::Receiver<WebhookDelivery> {
        let (done, receiver) = oneshot::channel();
        let job = Job {
            company: company.to_owned(),
            url: url.to_owned(),
            delivery,
            done,
        };
        let refused = match self.queue() {
            Some(queue) => queue
                .send(job)
                .err()
                .map(|e| (e.0, "the delivery task stopped")),
            None => Some((job, "no tokio runtime to send the webhook from")),
        };
        if let Some((job, why)) = refused {
            let outcome = WebhookDelivery {
                error: Some(why.into()),
                ..unsent(&job)
            };
            self.inner.record(&job.company, outcome.clone());
            let _ = job.done.send(outcome);
        }
        receiver
    }

    /// The queue of the running delivery task, starting one on the current runtime when there
    /// is none (or the last one's runtime has gone).
    fn queue(&self) -> Option<mpsc::UnboundedSender<Job>> {
        let mut queue = lock(&self.inner.queue);
        if let Some(sender) = queue.as_ref().filter(|s| !s.is_closed()) {
            return Some(sender.clone());
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (sender, jobs) = mpsc::unbounded_channel();
        runtime.spawn(deliver_in_order(jobs, Arc::downgrade(&self.inner)));
        *queue = Some(sender.clone());
        Some(sender)
    }

    /// Every delivery attempted for `company`, oldest first.
    pub(crate) fn deliveries(&self, company: &str) -> Vec<WebhookDelivery> {
        lock(&self.inner.log)
            .get(company)
            .cloned()
            .unwrap_or_default()
    }

    /// Waits until `count` deliveries for `company` have been attempted, or `timeout` passes;
    /// answers the deliveries attempted by then.
    pub(crate) async fn wait_for(
        &self,
        company: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<WebhookDelivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let recorded = self.inner.recorded.notified();
            tokio::pin!(recorded);
            recorded.as_mut().enable();
            let seen = self.deliveries(company);
            if seen.len() >= count {
                return seen;
            }
            if tokio::time::timeout_at(deadline, recorded).await.is_err() {
                return self.deliveries(company);
            }
        }
    }
}

fn unsent(job: &Job) -> WebhookDelivery {
    WebhookDelivery {
        url: job.url.clone(),
        headers: job.delivery.headers.clone(),
        body: String::from_utf8_lossy(&job.delivery.body).into_owned(),
        status: None,
        error: None,
    }
}

async fn deliver_in_order(mut jobs: mpsc::UnboundedReceiver<Job>, inner: Weak<Inner>) {
    let client = reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .build()
        .map_err(|e| e.to_string());
    while let Some(job) = jobs.recv().await {
        let mut outcome = unsent(&job);
        match &client {
            Ok(client) => {
                let mut request = client.post(&job.url).body(job.delivery.body.clone());
                for (name, value) in &job.delivery.headers {
                    request = request.header(name, value);
                }
                match request.send().await {
                    Ok(response) => outcome.status = Some(response.status().as_u16()),
                    Err(e) => outcome.error = Some(e.to_string()),
                }
            }
            Err(e) => outcome.error = Some(format!("building the HTTP client: {e}")),
        }
        let Some(inner) = inner.upgrade() else {
            return;
        };
        inner.record(&job.company, outcome.clone());
        let _ = job.done.send(outcome);
    }
}
