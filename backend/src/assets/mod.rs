//! Assets: the catalog (categories, models), the inventory, its lifecycle, check-out/in and
//! history.

pub mod devices;
pub mod entity;
pub mod error;
pub mod finance;
pub mod graphql;
pub mod http;
pub mod model;
pub mod published;
pub mod service;
