//! The vendor clients against the in-process simulators, and the simulators' webhooks (and Slack's
//! signed requests) against the clients' verifiers. One test binary: it links once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod bamboohr;
mod devices;
mod failures;
mod hibob;
mod intune;
mod jamf;
mod kandji;
mod slack;
mod support;
mod webhooks;
