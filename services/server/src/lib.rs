//! The `samverkan` binary's library: command line, wiring of the concrete
//! store, read models, process manager and API, and the server's life cycle.
//! Tests start the real server with [`Application::build`] on port 0.

pub mod cli;
pub mod datadir;
pub mod jwks;
pub mod keys;
pub mod listener;
pub mod loadgen;
pub mod migrate;
pub mod record;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use cli::{AuthArgs, Cli, Command, DataArgs, KeysArgs, LoadgenArgs, MigrateArgs, ServeArgs, TokenArgs, VerifyArgs};
pub use keys::AuthSettings;
pub use listener::ConnectionLimits;
pub use startup::{Application, Settings};
