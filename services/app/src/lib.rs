//! The application layer between the API and the store: command handling
//! (load → decide → append with the expected version, idempotent, retried on
//! conflicts), the projections that feed every read model, and the process
//! manager that turns approved applications into projects.

mod commands;
pub mod demo;
mod files;
mod follow;
pub mod personal;
mod process;
pub mod projections;

pub use commands::{event_id, fingerprint, AppError, CommandContext, CommandOutcome, Commands};
pub use personal::{Keyring, Opened, PersonalError};
pub use process::ProcessManager;
pub use projections::{Projections, ReadModels};
