//! The append-only, hash-chained audit log: who did what, when, from where, with the
//! field-level before/after of every write.

pub mod entity;
pub mod graphql;
pub mod http;
pub mod model;
pub mod published;
pub mod service;
