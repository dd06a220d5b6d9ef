//! The vendor clients (HR systems, MDMs, ITSMs, finance systems, Slack) against the in-process
//! simulators, and the simulators' webhooks (and Slack's signed requests) against the clients'
//! verifiers. One test binary: it links once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod bamboohr;
mod devices;
mod failures;
mod freshservice;
mod hibob;
mod intune;
mod jamf;
mod jira;
mod kandji;
mod netsuite;
mod purchases;
mod quickbooks;
mod servicenow;
mod slack;
mod support;
mod tickets;
mod webhooks;
