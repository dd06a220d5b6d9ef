//! Tenancy, accounts, people, assets, audit, outbox and idempotency.

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

fn idx(name: &str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut s = Index::create();
    s.name(name).table(table);
    for c in cols {
        s.col(*c);
    }
    s.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tenants")
                .col(pk_uuid("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(json_binary("settings"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tenant_sequences")
                .col(uuid("tenant_id"))
                .col(string("name"))
                .col(big_integer("value"))
                .primary_key(Index::create().col("tenant_id").col("name"))
                .foreign_key(&mut tenant_fk("tenant_sequences"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("email"))
                .col(string("name"))
                .col(string("role"))
                .col(string("password_hash"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("last_login_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            idx("ux_users_tenant_email", "users", &["tenant_id", "email"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(idx("ix_users_email", "users", &["email"]))
            .await?;

        m.create_table(
            Table::create()
                .table("refresh_tokens")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("user_id"))
                .col(uuid("family_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut tenant_fk("refresh_tokens"))
                .foreign_key(
                    ForeignKey::create()
                        .from("refresh_tokens", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_refresh_tokens_family",
            "refresh_tokens",
            &["tenant_id", "family_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("name"))
                .col(string("prefix"))
                .col(string_uniq("token_hash"))
                .col(string("role"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut tenant_fk("api_tokens"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_api_tokens_tenant",
            "api_tokens",
            &["tenant_id", "id"],
        ))
        .await?;

        for table in ["departments", "locations", "asset_categories"] {
            let mut t = Table::create();
            t.table(table)
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("name"));
            if table == "locations" {
                t.col(string_null("address"))
                    .col(string_null("city"))
                    .col(string_null("country"));
            }
            if table == "asset_categories" {
                t.col(integer_null("depreciation_months"));
            }
            t.col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk(table));
            m.create_table(t.to_owned()).await?;
            m.create_index(
                idx(
                    &format!("ux_{table}_tenant_name"),
                    table,
                    &["tenant_id", "name"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table("asset_models")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid_null("category_id"))
                .col(string("manufacturer"))
                .col(string("name"))
                .col(string_null("model_number"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("asset_models"))
                .foreign_key(
                    ForeignKey::create()
                        .from("asset_models", "category_id")
                        .to("asset_categories", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            idx(
                "ux_asset_models_tenant_name",
                "asset_models",
                &["tenant_id", "manufacturer", "name"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("employees")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("name"))
                .col(string("email"))
                .col(string_null("employee_number"))
                .col(string_null("title"))
                .col(uuid_null("department_id"))
                .col(uuid_null("location_id"))
                .col(uuid_null("manager_id"))
                .col(string("status"))
                .col(date_null("start_date"))
                .col(date_null("end_date"))
                .col(string_null("external_source"))
                .col(string_null("external_id"))
                .col(string("search_text"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("deleted_at"))
                .foreign_key(&mut tenant_fk("employees"))
                .foreign_key(
                    ForeignKey::create()
                        .from("employees", "department_id")
                        .to("departments", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("employees", "location_id")
                        .to("locations", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_employees_tenant_id",
            "employees",
            &["tenant_id", "id"],
        ))
        .await?;
        m.create_index(idx(
            "ix_employees_tenant_name",
            "employees",
            &["tenant_id", "name", "id"],
        ))
        .await?;
        m.create_index(idx(
            "ix_employees_tenant_department",
            "employees",
            &["tenant_id", "department_id", "id"],
        ))
        .await?;
        m.create_index(idx(
            "ix_employees_tenant_status",
            "employees",
            &["tenant_id", "status", "id"],
        ))
        .await?;
        m.create_index(idx(
            "ix_employees_tenant_external",
            "employees",
            &["tenant_id", "external_source", "external_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("assets")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("tag"))
                .col(string("name"))
                .col(string_null("serial_number"))
                .col(string("status"))
                .col(uuid_null("category_id"))
                .col(uuid_null("model_id"))
                .col(uuid_null("location_id"))
                .col(uuid_null("assigned_employee_id"))
                .col(timestamp_with_time_zone_null("assigned_at"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(date_null("purchase_date"))
                .col(big_integer_null("cost_minor"))
                .col(string_null("cost_currency"))
                .col(string_null("supplier"))
                .col(string_null("order_number"))
                .col(date_null("warranty_end"))
                .col(json_binary("custom_fields"))
                .col(text_null("notes"))
                .col(string("search_text"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("deleted_at"))
                .foreign_key(&mut tenant_fk("assets"))
                .foreign_key(
                    ForeignKey::create()
                        .from("assets", "category_id")
                        .to("asset_categories", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("assets", "model_id")
                        .to("asset_models", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("assets", "location_id")
                        .to("locations", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("assets", "assigned_employee_id")
                        .to("employees", "id"),
                )
                .to_owned(),
        )
        .await?;
        // Every list filter has an index that starts with tenant_id and ends with the keyset column.
        for (name, cols) in [
            ("ix_assets_tenant_id", vec!["tenant_id", "id"]),
            ("ix_assets_tenant_status", vec!["tenant_id", "status", "id"]),
            (
                "ix_assets_tenant_category",
                vec!["tenant_id", "category_id", "id"],
            ),
            (
                "ix_assets_tenant_location",
                vec!["tenant_id", "location_id", "id"],
            ),
            (
                "ix_assets_tenant_assignee",
                vec!["tenant_id", "assigned_employee_id", "id"],
            ),
            (
                "ix_assets_tenant_warranty",
                vec!["tenant_id", "warranty_end", "id"],
            ),
            (
                "ix_assets_tenant_serial",
                vec!["tenant_id", "serial_number"],
            ),
            ("ix_assets_tenant_name", vec!["tenant_id", "name", "id"]),
            ("ix_assets_tenant_tag_sort", vec!["tenant_id", "tag", "id"]),
            (
                "ix_assets_tenant_updated",
                vec!["tenant_id", "updated_at", "id"],
            ),
        ] {
            m.create_index(idx(name, "assets", &cols)).await?;
        }
        let db = m.get_connection();
        // A tag is unique among a tenant's live assets; a deleted asset frees its tag.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_assets_tenant_tag ON assets (tenant_id, tag) WHERE deleted_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_employees_tenant_email ON employees (tenant_id, email) WHERE deleted_at IS NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table("assignments")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(uuid("asset_id"))
                .col(uuid("employee_id"))
                .col(timestamp_with_time_zone("checked_out_at"))
                .col(uuid_null("checked_out_by"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(text_null("checkout_note"))
                .col(timestamp_with_time_zone_null("checked_in_at"))
                .col(uuid_null("checked_in_by"))
                .col(string_null("checkin_condition"))
                .col(text_null("checkin_note"))
                .foreign_key(&mut tenant_fk("assignments"))
                .foreign_key(
                    ForeignKey::create()
                        .from("assignments", "asset_id")
                        .to("assets", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("assignments", "employee_id")
                        .to("employees", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_assignments_asset",
            "assignments",
            &["tenant_id", "asset_id", "checked_out_at"],
        ))
        .await?;
        m.create_index(idx(
            "ix_assignments_employee",
            "assignments",
            &["tenant_id", "employee_id", "checked_out_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(big_integer("seq"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(string("actor_type"))
                .col(uuid_null("actor_id"))
                .col(string_null("actor_name"))
                .col(string("action"))
                .col(string("entity_type"))
                .col(uuid_null("entity_id"))
                .col(json_binary("changes"))
                .col(string_null("ip"))
                .col(string_null("request_id"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .foreign_key(&mut tenant_fk("audit_events"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            idx("ux_audit_tenant_seq", "audit_events", &["tenant_id", "seq"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_audit_tenant_entity",
            "audit_events",
            &["tenant_id", "entity_id", "seq"],
        ))
        .await?;
        m.create_index(idx(
            "ix_audit_tenant_action",
            "audit_events",
            &["tenant_id", "action", "seq"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("outbox_events")
                .col(pk_uuid("id"))
                .col(uuid("tenant_id"))
                .col(string("topic"))
                .col(string("event"))
                .col(json_binary("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .foreign_key(&mut tenant_fk("outbox_events"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_outbox_tenant_id",
            "outbox_events",
            &["tenant_id", "id"],
        ))
        .await?;
        m.create_index(idx(
            "ix_outbox_unpublished",
            "outbox_events",
            &["published_at", "id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("idempotency_keys")
                .col(uuid("tenant_id"))
                .col(string("principal"))
                .col(string("key"))
                .col(string("method"))
                .col(string("path"))
                .col(string("request_hash"))
                .col(integer_null("response_status"))
                .col(text_null("response_body"))
                .col(string_null("response_content_type"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("tenant_id").col("principal").col("key"))
                .foreign_key(&mut tenant_fk("idempotency_keys"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "ix_idempotency_created",
            "idempotency_keys",
            &["created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "idempotency_keys",
            "outbox_events",
            "audit_events",
            "assignments",
            "assets",
            "employees",
            "asset_models",
            "asset_categories",
            "locations",
            "departments",
            "api_tokens",
            "refresh_tokens",
            "users",
            "tenant_sequences",
            "tenants",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
