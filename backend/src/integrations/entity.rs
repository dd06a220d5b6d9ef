//! Rows of the integrations context.

pub mod integration {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "integrations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub provider: String,
        pub name: String,
        pub config: Json,
        /// AES-256-GCM ciphertext of the credentials JSON (see `platform::secrets::SecretBox`).
        pub credentials: String,
        pub status: String,
        pub status_detail: Option<String>,
        pub schedule: Option<String>,
        pub last_tested_at: Option<DateTimeUtc>,
        /// When the schedule next fires (see `jobs::schedule`).
        pub next_sync_at: Option<DateTimeUtc>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
