//! Tests of the `samverkan` binary: the real executable started on port 0
//! with its own data directory, and `Application::build` in process.

mod helpers;

mod cli;
mod files;
mod follow_up_script;
mod in_process;
mod jwks;
mod replicas;
mod security;
mod serve;
mod slow_clients;
mod subscriptions;
mod telemetry;
mod v6_flow;
mod valid_at;
