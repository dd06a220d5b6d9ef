//! The Assetronics schema. Every tenant-owned table carries `tenant_id`, and every composite
//! index starts with it, so the schema can also be distributed by tenant.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_search_index;
mod m20261125_000003_integrations;
mod m20261125_000004_sync_runs;
mod m20261125_000005_workflows_webhooks;
mod m20261125_000006_connectors;
mod m20261125_000007_slack;

/// All migrations, in order. `assetronics migrate` and server start-up run them.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_search_index::Migration),
            Box::new(m20261125_000003_integrations::Migration),
            Box::new(m20261125_000004_sync_runs::Migration),
            Box::new(m20261125_000005_workflows_webhooks::Migration),
            Box::new(m20261125_000006_connectors::Migration),
            Box::new(m20261125_000007_slack::Migration),
        ]
    }
}
