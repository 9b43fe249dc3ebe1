//! In-process API tests: the real router (`samverkan_api::router`) called
//! with `oneshot`, over a real SQLite store in a temporary directory, real
//! command handling, read models and process manager.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod helpers;
#[path = "../support/test_keys.rs"]
mod test_keys;

mod hostile;

mod auth;
mod codes;
mod command_docs;
mod errors;
mod graphiql;
mod mutations;
mod over_http;
mod plain_path;
mod queries;
mod response_cache;
mod schema;
mod security;
mod store_reads;
mod terms;
