//! HRIS sync bench: a BambooHR company of N people in the simulator, synced into a fresh
//! tenant through the same code a sync job runs (vendor HTTP, batched upserts with audit and
//! events, manager links). Prints employees per second for the first sync (everyone created)
//! and for a second one (nothing changed, nothing written).
//!
//! cargo bench -p assetronics-tests --bench hris_sync -- 50000
//! ASSETRONICS_TEST_DATABASE=postgres cargo bench -p assetronics-tests --bench hris_sync -- 50000

use std::time::Instant;

use assetronics_tests::{bamboohr_connection, bamboohr_simulator, spawn_app};

#[tokio::main]
async fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let sim = bamboohr_simulator(n).await;
    let app = spawn_app().await;
    let s = app.signup("Bench").await;
    let integration = app.connect(&s, bamboohr_connection(&sim)).await;
    let database = if assetronics_tests::on_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("hris_sync: {n} employees from the BambooHR simulator into {database}");
    for label in ["first sync (all created)", "second sync (unchanged)"] {
        let statements = app.state.statements.get();
        let started = Instant::now();
        let out = app.run_sync(&s, &integration).await;
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
