//! The Slack outbox: messages to post, written in the same transaction as the change that
//! causes them and sent by a job, once each.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("slack_messages")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("integration_id"))
                // Unique per tenant: what the message is about (`approval:{step_id}`), so a
                // change that happens twice queues it once.
                .col(string("dedupe_key"))
                // A channel id, or `email:{address}` for a DM to that person.
                .col(string("recipient"))
                .col(text("text"))
                .col(json_binary_null("blocks"))
                // `queued`, `sent` or `failed`.
                .col(string("status"))
                .col(integer("attempts"))
                .col(text_null("error"))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("slack_messages", "tenant_id")
                        .to("tenants", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("slack_messages", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_slack_messages_dedupe")
                .table("slack_messages")
                .col("tenant_id")
                .col("dedupe_key")
                .unique()
                .to_owned(),
        )
        .await?;
        // What the dispatcher looks for across tenants: queued messages that are due.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_slack_messages_due ON slack_messages (next_attempt_at) \
                 WHERE status = 'queued'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("slack_messages").if_exists().to_owned())
            .await?;
        Ok(())
    }
}
