//! People: employees (from HR or entered by hand), departments and locations.

pub mod entity;
pub mod error;
pub mod graphql;
pub mod http;
pub mod model;
pub mod published;
pub mod service;
