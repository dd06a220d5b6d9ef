//! Inbound webhook deliveries, onboarding/offboarding workflows with their templates and
//! steps, and what scheduled syncs and job retries need on integrations and sync runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tenant_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "tenant_id")
        .to("tenants", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // When a scheduled integration is next due; claimed with a conditional update so that
        // one scheduler among many processes enqueues each tick.
        m.alter_table(
            Table::alter()
                .table("integrations")
                .add_column(timestamp_with_time_zone_null("next_sync_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sync_runs")
                .add_column(timestamp_with_time_zone_null("next_attempt_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sync_runs")
                .add_column(boolean("dead").default(false))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("integration_id"))
                .col(string("provider"))
                .col(string("dedupe_key"))
                .col(string("event_type"))
                .col(text("body"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(text_null("error"))
                .col(json_binary("result"))
                .col(timestamp_with_time_zone("received_at"))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(timestamp_with_time_zone_null("processed_at"))
                .foreign_key(&mut tenant_fk("webhook_deliveries"))
                .foreign_key(
                    ForeignKey::create()
                        .from("webhook_deliveries", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_webhook_deliveries_dedupe")
                .table("webhook_deliveries")
                .col("tenant_id")
                .col("integration_id")
                .col("dedupe_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_integration")
                .table("webhook_deliveries")
                .col("tenant_id")
                .col("integration_id")
                .col("id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("workflow_templates")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("kind"))
                .col(string("name"))
                .col(json_binary("steps"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("workflow_templates"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_workflow_templates_kind")
                .table("workflow_templates")
                .col("tenant_id")
                .col("kind")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("workflows")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("kind"))
                .col(uuid("employee_id"))
                .col(string("status"))
                .col(string("trigger"))
                .col(date_null("due_date"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .foreign_key(&mut tenant_fk("workflows"))
                .foreign_key(
                    ForeignKey::create()
                        .from("workflows", "employee_id")
                        .to("employees", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_workflows_status")
                .table("workflows")
                .col("tenant_id")
                .col("status")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_workflows_employee")
                .table("workflows")
                .col("tenant_id")
                .col("employee_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("workflow_steps")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("workflow_id"))
                .col(integer("position"))
                .col(string("kind"))
                .col(string("name"))
                .col(string("status"))
                .col(string("assignee_role"))
                .col(uuid_null("assignee_user_id"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(json_binary("params"))
                .col(uuid_null("asset_id"))
                .col(text_null("detail"))
                .col(uuid_null("decided_by"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut tenant_fk("workflow_steps"))
                .foreign_key(
                    ForeignKey::create()
                        .from("workflow_steps", "workflow_id")
                        .to("workflows", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_workflow_steps_workflow")
                .table("workflow_steps")
                .col("tenant_id")
                .col("workflow_id")
                .col("position")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_workflow_steps_status")
                .table("workflow_steps")
                .col("tenant_id")
                .col("status")
                .col("kind")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "workflow_steps",
            "workflows",
            "workflow_templates",
            "webhook_deliveries",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
