//! Black-box tests of the REST API. One binary; every test starts its own server and database.

mod assets;
mod audit;
mod auth;
mod clients;
mod cluster;
mod compose;
mod dashboard;
mod demo;
mod devices;
mod errors;
mod finance;
mod graphql;
mod graphql_workflows;
mod hr_data;
mod integrations;
mod jobs;
mod operations;
mod paging;
mod realtime;
mod roles;
mod slack;
mod tenancy;
mod tickets;
mod webhooks;
mod workflows;
