//! HRIS sync bench: a BambooHR company of N people in the simulator, synced into a fresh
//! tenant through the same code a sync job runs (vendor HTTP, batched upserts with audit and
//! events, manager links). Prints employees per second for the first sync (everyone created)
//! and for a second one (nothing changed, nothing written).
//!
//! cargo bench -p assetronics-tests --bench hris_sync -- 50000
//! ASSETRONICS_TEST_DATABASE=postgres cargo bench -p assetronics-tests --bench hris_sync -- 50000

use std::time::Instant;

use assetronics_integrations::sandbox::bamboohr::CompanySeed;
use assetronics_integrations::sandbox::{self, SandboxConfig};
use assetronics_tests::spawn_app;
use serde_json::json;

#[tokio::main]
async fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let sim = sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed {
            subdomain: "bench".into(),
            api_key: "bench-key".into(),
            employees: n,
        }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator");
    let app = spawn_app().await;
    let s = app.signup("Bench").await;
    let created = app
        .post(
            "/api/v1/integrations",
            &s.access_token,
            json!({"provider": "bamboohr", "config": {"subdomain": "bench", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "bench-key"}}),
        )
        .await;
    let integration: uuid::Uuid = created.body["id"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .expect("integration id");
    let who = assetronics::platform::auth::Principal::system(
        s.tenant_id.parse().expect("tenant id"),
        "bench",
    );
    let database = if assetronics_tests::on_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("hris_sync: {n} employees from the BambooHR simulator into {database}");
    for label in ["first sync (all created)", "second sync (unchanged)"] {
        let statements = app.state.statements.get();
        let started = Instant::now();
        let out = assetronics::integrations::service::run_sync(&app.state, &who, integration)
            .await
            .expect("sync");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "  {label}: {secs:.2} s, {:.0} employees/s, {} SQL statements (created {}, updated {}, unchanged {}, failed {})",
            n as f64 / secs,
            app.state.statements.get() - statements,
            out.stats.created,
            out.stats.updated,
            out.stats.unchanged,
            out.stats.failed
        );
    }
}
