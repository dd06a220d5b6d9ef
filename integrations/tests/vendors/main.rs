//! The vendor clients (HR systems, MDMs, finance systems) against the in-process simulators,
//! and the simulators' webhooks against the clients' verifiers. One test binary: it links once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod bamboohr;
mod devices;
mod failures;
mod hibob;
mod intune;
mod jamf;
mod kandji;
mod netsuite;
mod purchases;
mod quickbooks;
mod support;
mod webhooks;
