//! Tests of the `samverkan` binary: the real executable started on port 0
//! with its own data directory, and `Application::build` in process.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod helpers;
#[path = "../../services/api/tests/support/test_keys.rs"]
mod test_keys;

mod backup;
mod cli;
mod cross_border;
mod erasure;
mod export;
mod files;
mod follow_up_script;
mod in_process;
mod jwks;
mod loadgen;
mod migrate;
mod open_data;
mod programme_confirmation;
mod programme_lump_sums;
mod programme_overview;
mod programme_payment;
mod programme_rules;
mod record;
mod register;
mod replicas;
mod security;
mod serve;
mod slow_clients;
mod subscriptions;
mod telemetry;
mod v6_flow;
mod valid_at;
