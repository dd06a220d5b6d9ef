//! Sync runs: one row per sync of an integration, with its status, counts and error.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sync_runs")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("integration_id"))
                .col(string("trigger"))
                .col(string("status"))
                .col(json_binary("stats"))
                .col(text_null("error"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("sync_runs", "tenant_id")
                        .to("tenants", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("sync_runs", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sync_runs_integration")
                .table("sync_runs")
                .col("tenant_id")
                .col("integration_id")
                .col("id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("sync_runs").if_exists().to_owned())
            .await
    }
}
