//! What other contexts may use of assets: the asset view and its status, what an employee
//! holds, reserving, checking out and in (workflows), device facts and MDM enrolments
//! (integrations), purchase lines (finance integrations), lookups and lists (Slack), the
//! use-cases the demo tenant is built with, and the GraphQL loaders other contexts' types nest
//! assets through. Everything else in this context is its own.

pub use super::devices::{
    DeviceFacts, DeviceStats, apply_device_facts, ids_by_mdm_user, managed_devices,
};
pub use super::finance::{PurchaseStats, apply_purchase_lines};
pub use super::graphql::{AssetLoader, HeldAssetsLoader};
pub use super::model::{
    AssetStatus, AssetView, CategoryInput, CheckinRequest, CheckoutRequest, CreateAsset, HolderRef,
    ModelInput, MoneyView, NamedRef, UpdateAsset,
};
pub use super::service::{
    AssetFilter, Sort, brief, checkin, checkout, create, create_category, create_model, held_by,
    list, lookup, reservable, update,
};
