//! Rows of the audit log.

pub mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub seq: i64,
        pub occurred_at: DateTimeUtc,
        pub actor_type: String,
        pub actor_id: Option<Uuid>,
        pub actor_name: Option<String>,
        pub action: String,
        pub entity_type: String,
        pub entity_id: Option<Uuid>,
        pub changes: Json,
        pub ip: Option<String>,
        pub request_id: Option<String>,
        pub prev_hash: String,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
