//! What the device-management, finance and ITSM connectors record: the device facts an MDM
//! reports on an asset (and which MDM enrolment it is, for a remote wipe), the purchase line an
//! asset came from, and the discrepancies between the MDM and our own assignments.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            string_null("os_name"),
            string_null("os_version"),
            timestamp_with_time_zone_null("last_check_in_at"),
            string_null("mdm_user_email"),
            uuid_null("mdm_integration_id"),
            string_null("mdm_device_id"),
            timestamp_with_time_zone_null("mdm_synced_at"),
            uuid_null("finance_integration_id"),
            string_null("finance_line_id"),
        ];
        for mut c in columns {
            m.alter_table(Table::alter().table("assets").add_column(&mut c).to_owned())
                .await?;
        }
        m.create_index(
            Index::create()
                .name("ix_assets_tenant_finance_line")
                .table("assets")
                .col("tenant_id")
                .col("finance_line_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("asset_discrepancies")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("asset_id"))
                .col(string("kind"))
                .col(string("status"))
                .col(text("detail"))
                .col(json_binary("facts"))
                .col(uuid_null("integration_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("asset_discrepancies", "tenant_id")
                        .to("tenants", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("asset_discrepancies", "asset_id")
                        .to("assets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_asset_discrepancies_status")
                .table("asset_discrepancies")
                .col("tenant_id")
                .col("status")
                .col("id")
                .to_owned(),
        )
        .await?;
        // At most one open discrepancy of a kind per asset (both databases support partial
        // indexes).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_asset_discrepancies_open ON asset_discrepancies \
                 (tenant_id, asset_id, kind) WHERE status = 'open'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("asset_discrepancies").to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("ix_assets_tenant_finance_line")
                .table("assets")
                .to_owned(),
        )
        .await?;
        for c in [
            "finance_line_id",
            "finance_integration_id",
            "mdm_synced_at",
            "mdm_device_id",
            "mdm_integration_id",
            "mdm_user_email",
            "last_check_in_at",
            "os_version",
            "os_name",
        ] {
            m.alter_table(Table::alter().table("assets").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
