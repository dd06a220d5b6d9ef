//! Vendor clients for Assetronics: each speaks one vendor's HTTP and JSON and returns the
//! normalized records of [`hris`], [`mdm`], [`itsm`] or [`finance`]; none of them touches the database —
//! `backend` decides what a normalized record means for a tenant.
//!
//! - [`http`]: the plumbing every vendor client shares (timeouts, retries honoring
//!   `Retry-After`, a per-integration rate limit, a circuit breaker, failure classification).
//! - [`bamboohr`], [`hibob`]: the HR-system clients, each with its vendor's webhook signature
//!   check and payload reader.
//! - [`jamf`], [`intune`], [`kandji`]: the device-management (MDM) clients: the device inventory and
//!   remote wipe, in the normalized form of [`mdm`].
//! - [`jira`], [`servicenow`], [`freshservice`]: the IT service management (ITSM) clients:
//!   open a ticket, and read the current state of many tickets at once (what a polling job
//!   calls), in the normalized form of [`itsm`].
//! - [`slack`]: the Slack client (post messages, find users, answer response URLs), the check of
//!   Slack's request signatures, readers for slash commands, button clicks and Events API
//!   deliveries, and Block Kit layouts for approvals and assets.
//! - [`quickbooks`], [`netsuite`]: the finance clients (QuickBooks Online, NetSuite): purchase
//!   lines of bills, expenses and purchase orders, money in integer cents, in the normalized
//!   form of [`finance`].
//! - [`oauth`]: OAuth 2.0 access tokens: the client-credentials grant Jamf Pro and Microsoft
//!   Graph want, and the rotating refresh-token grant of QuickBooks Online.
//! - [`oauth1`]: OAuth 1.0a request signing (HMAC-SHA256), NetSuite's token-based
//!   authentication.
//! - [`webhooks`]: what inbound webhooks share (refusal reasons, signing, delivery keys).
//! - [`sandbox`]: local simulators of the vendors' APIs (binary `assetronics-sandbox`), for
//!   development and tests.

pub mod bamboohr;
pub mod finance;
pub mod freshservice;
pub mod hibob;
pub mod hris;
pub mod http;
pub mod intune;
pub mod itsm;
pub mod jamf;
pub mod jira;
pub mod kandji;
pub mod mdm;
pub mod netsuite;
pub mod oauth;
pub mod oauth1;
pub mod quickbooks;
pub mod sandbox;
pub mod servicenow;
pub mod slack;
pub mod webhooks;
