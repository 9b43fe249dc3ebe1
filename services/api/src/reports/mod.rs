//! The reports: a municipality's dashboard, a consortium's overview, the
//! yearly follow-up and timelines. Each asks the read models as the caller
//! sees them (`ReadModels::seen_by` with the caller's [`Viewer`]), so hidden
//! drafts are left out before anything is summed.
//!
//! [`Viewer`]: crate::visibility::Viewer

pub mod dashboard;
pub mod follow_up;
pub mod overview;
pub mod register;
pub mod timeline;
