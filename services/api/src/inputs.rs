//! The query filters (inputs of the list queries). Command inputs live in
//! their context's folder (`<context>/inputs.rs`); shared values in
//! `shared/inputs.rs`.

use async_graphql::InputObject;

use crate::scalars::{ConsortiumCode, Date, MunicipalityCode};
pub use crate::shared::inputs::DateRange;
use crate::types::{ApplicationStatus, ConsortiumKind, DocumentKind, ProgrammeKind, ProjectStatus, StrategyStatus};

/// Filters for `projects`. All given filters must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProjectFilter {
    /// Projects the municipality leads or is a current partner of.
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<ProjectStatus>,
    /// Projects whose period overlaps the range.
    pub active_during: Option<DateRange>,
}

/// Filters for `applications`. All given filters must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ApplicationFilter {
    /// Applications the municipality leads or is invited to.
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<ApplicationStatus>,
    /// Applications drafted (recorded) within the range.
    pub drafted_during: Option<DateRange>,
}

/// Filters for `strategies`. All given filters must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StrategyFilter {
    pub municipality: Option<MunicipalityCode>,
    pub status: Option<StrategyStatus>,
    pub kind: Option<DocumentKind>,
    /// Documents in force (adopted and valid) on this day.
    pub in_force_on: Option<Date>,
    /// Documents whose validity overlaps the range.
    pub valid_during: Option<DateRange>,
}

/// Filters for `consortia`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ConsortiumFilter {
    /// Consortia the municipality currently belongs to.
    pub member: Option<MunicipalityCode>,
    pub kind: Option<ConsortiumKind>,
    /// Include dissolved consortia (default true).
    pub include_dissolved: Option<bool>,
}
