//! Typed ids: one transparent newtype over [`Uuid`] per kind of record, so an asset id cannot
//! be passed where a tenant id belongs. On the wire each is a plain UUID string (serde), in SQL
//! a UUID column value (sea-orm), in OpenAPI `{type: string, format: uuid}` and in GraphQL the
//! `UUID` scalar every client already sends. Entities keep `Uuid` columns; services and views
//! take and return these.

use std::borrow::Cow;

use uuid::Uuid;

/// Defines a typed id for each name, with the conversions listed in the module comment.
macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sea_orm::DeriveValueType,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(Uuid::nil())
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl PartialEq<Uuid> for $name {
            fn eq(&self, other: &Uuid) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for Uuid {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                uuid_schema()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }

        impl async_graphql::InputType for $name {
            type RawValueType = Self;
            fn type_name() -> Cow<'static, str> {
                <Uuid as async_graphql::InputType>::type_name()
            }
            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <Uuid as async_graphql::InputType>::create_type_info(registry)
            }
            fn parse(value: Option<async_graphql::Value>) -> async_graphql::InputValueResult<Self> {
                <Uuid as async_graphql::InputType>::parse(value)
                    .map(Self)
                    .map_err(async_graphql::InputValueError::propagate)
            }
            fn to_value(&self) -> async_graphql::Value {
                async_graphql::InputType::to_value(&self.0)
            }
            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
        }

        impl async_graphql::OutputType for $name {
            fn type_name() -> Cow<'static, str> {
                <Uuid as async_graphql::OutputType>::type_name()
            }
            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <Uuid as async_graphql::OutputType>::create_type_info(registry)
            }
            async fn resolve(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
                field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
            ) -> async_graphql::ServerResult<async_graphql::Value> {
                async_graphql::OutputType::resolve(&self.0, ctx, field).await
            }
        }
    )*};
}

fn uuid_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .into()
}

typed_ids!(
    /// An organization: the unit of isolation.
    TenantId,
    /// A person who signs in.
    UserId,
    /// An API token of an integrator.
    ApiTokenId,
    /// A hardware asset.
    AssetId,
    /// A category of assets.
    CategoryId,
    /// A manufacturer's model of asset.
    AssetModelId,
    /// A place where assets and people are.
    LocationId,
    /// A department of the organization.
    DepartmentId,
    /// A person of the organization (from the HR system or typed in).
    EmployeeId,
    /// An onboarding or offboarding workflow.
    WorkflowId,
    /// One step of a workflow.
    StepId,
    /// A connection to a vendor system.
    IntegrationId,
    /// One run of an integration's sync.
    SyncRunId,
    /// One inbound webhook delivery, stored before it is processed.
    DeliveryId,
    /// A difference between the inventory and a device-management system.
    DiscrepancyId,
    /// One message of the Slack outbox.
    SlackMessageId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_uuid_strings_on_the_wire() {
        let raw = Uuid::now_v7();
        let id = AssetId::from(raw);
        assert_eq!(
            serde_json::to_value(id).unwrap_or_default(),
            serde_json::json!(raw.to_string())
        );
        let back: AssetId =
            serde_json::from_value(serde_json::json!(raw.to_string())).unwrap_or_default();
        assert_eq!(back, raw);
        assert!(serde_json::from_value::<AssetId>(serde_json::json!("not-a-uuid")).is_err());
    }

    #[test]
    fn ids_are_uuid_values_in_sql() {
        let raw = Uuid::now_v7();
        let v: sea_orm::Value = TenantId(raw).into();
        assert_eq!(v, sea_orm::Value::from(raw));
    }
}
