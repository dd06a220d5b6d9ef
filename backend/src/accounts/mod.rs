//! Tenants, users, roles, sessions (access + refresh tokens) and API tokens.

pub mod entity;
pub mod graphql;
pub mod http;
pub mod model;
pub mod published;
pub mod service;
