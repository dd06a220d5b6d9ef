//! Rows of the assets context.

pub mod asset {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "assets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub tag: String,
        pub name: String,
        pub serial_number: Option<String>,
        pub status: String,
        pub category_id: Option<Uuid>,
        pub model_id: Option<Uuid>,
        pub location_id: Option<Uuid>,
        pub assigned_employee_id: Option<Uuid>,
        pub assigned_at: Option<DateTimeUtc>,
        pub due_at: Option<DateTimeUtc>,
        pub purchase_date: Option<Date>,
        pub cost_minor: Option<i64>,
        pub cost_currency: Option<String>,
        pub supplier: Option<String>,
        pub order_number: Option<String>,
        pub warranty_end: Option<Date>,
        pub custom_fields: Json,
        pub notes: Option<String>,
        pub search_text: String,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub deleted_at: Option<DateTimeUtc>,
        /// What the MDM last reported (see `assets::service::apply_device_facts`).
        pub os_name: Option<String>,
        pub os_version: Option<String>,
        pub last_check_in_at: Option<DateTimeUtc>,
        pub mdm_user_email: Option<String>,
        /// The MDM integration and its id for the enrolment: what a remote wipe addresses.
        pub mdm_integration_id: Option<Uuid>,
        pub mdm_device_id: Option<String>,
        pub mdm_synced_at: Option<DateTimeUtc>,
        /// The finance integration and purchase line the asset's cost came from.
        pub finance_integration_id: Option<Uuid>,
        pub finance_line_id: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod discrepancy {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "asset_discrepancies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub asset_id: Uuid,
        /// `assignee_mismatch`.
        pub kind: String,
        /// `open`, `resolved` (the sources agree again) or `dismissed` (an admin said so).
        pub status: String,
        pub detail: String,
        pub facts: Json,
        pub integration_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub resolved_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod category {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "asset_categories")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub name: String,
        pub depreciation_months: Option<i32>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod asset_model {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "asset_models")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub category_id: Option<Uuid>,
        pub manufacturer: String,
        pub name: String,
        pub model_number: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod assignment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "assignments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub asset_id: Uuid,
        pub employee_id: Uuid,
        pub checked_out_at: DateTimeUtc,
        pub checked_out_by: Option<Uuid>,
        pub due_at: Option<DateTimeUtc>,
        pub checkout_note: Option<String>,
        pub checked_in_at: Option<DateTimeUtc>,
        pub checked_in_by: Option<Uuid>,
        pub checkin_condition: Option<String>,
        pub checkin_note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
