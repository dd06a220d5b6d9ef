//! The calls tests make into the backend itself rather than over HTTP: a sync run here and now
//! (so a test holds the outcome without waiting for a worker) and the demo tenant. Tests go
//! through these, so a change of the backend's signatures is adapted here once.

use std::fmt::Display;

use assetronics::demo::{DemoLogin, Scale};
use assetronics::integrations::service::SyncOutcome;
use assetronics::platform::auth::Principal;
use uuid::Uuid;

use crate::{Session, TestApp};

/// The system principal a sync job acts as, in the session's tenant.
pub fn system(tenant: &Session, name: &str) -> Principal {
    let tenant: Uuid = tenant.tenant_id.parse().expect("tenant id");
    Principal::system(tenant.into(), name)
}

impl TestApp {
    /// Runs the integration's sync in this process, as the system principal a sync job uses,
    /// and answers its outcome (the run is recorded as a job's would be).
    pub async fn run_sync(&self, tenant: &Session, integration: impl Display) -> SyncOutcome {
        let id: Uuid = integration
            .to_string()
            .parse()
            .unwrap_or_else(|e| panic!("integration id {integration}: {e}"));
        assetronics::integrations::service::run_sync(
            &self.state,
            &system(tenant, "sync"),
            id.into(),
        )
        .await
        .unwrap_or_else(|e| panic!("sync of integration {id}: {e:?}"))
    }

    /// Seeds the demo tenant with `employees` people and `assets` assets; how to sign in.
    pub async fn seed_demo(&self, employees: usize, assets: usize) -> DemoLogin {
        assetronics::demo::seed_with(&self.state, Scale { employees, assets })
            .await
            .unwrap_or_else(|e| panic!("seed the demo tenant: {e:?}"))
    }

    /// Connects the demo tenant to an HR simulator of its own, as the server does at start-up.
    pub async fn connect_demo_simulator(&self) {
        assetronics::demo::connect_simulator(&self.state, &self.address)
            .await
            .unwrap_or_else(|e| panic!("connect the demo simulator: {e:?}"));
    }
}
