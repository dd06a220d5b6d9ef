//! Integrations: a connection per provider per tenant, with encrypted credentials.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("integrations")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("provider"))
                .col(string("name"))
                .col(json_binary("config"))
                .col(text("credentials"))
                .col(string("status"))
                .col(text_null("status_detail"))
                .col(string_null("schedule"))
                .col(timestamp_with_time_zone_null("last_tested_at"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("integrations", "tenant_id")
                        .to("tenants", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_integrations_tenant")
                .table("integrations")
                .col("tenant_id")
                .col("id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("integrations").if_exists().to_owned())
            .await
    }
}
