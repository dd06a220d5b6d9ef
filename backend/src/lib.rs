//! Assetronics: multi-tenant hardware-asset management.
//!
//! One bounded context per module; each has `model.rs` (rules and types), `entity.rs` (rows),
//! `service.rs` (use-cases) and `http.rs` (REST). Handlers stay thin; services take a
//! [`platform::auth::Principal`] so every query is tenant-scoped by construction.

pub mod accounts;
pub mod app;
pub mod assets;
pub mod audit;
pub mod config;
pub mod demo;
pub mod graphql;
pub mod integrations;
pub mod jobs;
pub mod openapi;
pub mod people;
pub mod platform;
pub mod realtime;
pub mod workflows;

pub use app::Application;
pub use config::Settings;
