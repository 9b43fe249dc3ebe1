//! The root of the queries: one part per bounded context
//! (`municipality`, `consortium`, `strategy`, `project`, `application`, each
//! in its folder's `query.rs`) and per report (`reports/`), merged into
//! [`Query`] in the order the schema lists the fields; and what their
//! resolvers share (pages stamped with their time axes, `NOT_FOUND`).
//!
//! Every query takes `asOf` (recording time: answer as the read models stood
//! at that instant; default: now) and `atLeastPosition` (first wait up to 2 s
//! until the read models include that log position, else `NOT_READY`), and
//! `validAt` (business time: the world on that calendar day by the decisions'
//! own dates; default: today). Lookups of one entity answer
//! `NOT_FOUND` when it does not exist (as of `asOf`, on `validAt`).

use async_graphql::{Context, MergedObject, Result};

use crate::application::query::ApplicationQuery;
use crate::consortium::query::ConsortiumQuery;
use crate::context::state;
use crate::error::ApiError;
use crate::municipality::query::MunicipalityQuery;
use crate::pagination::{page, stamped, Page, PageArgs};
use crate::project::query::ProjectQuery;
use crate::reports::dashboard::DashboardQuery;
use crate::reports::follow_up::FollowUpQuery;
use crate::reports::overview::OverviewQuery;
use crate::reports::timeline::TimelineQuery;
use crate::strategy::query::StrategyQuery;

/// Queries of the read models. Every query takes `validAt`
/// (business time: the world on that calendar day, by the decisions' own
/// dates; default today). Every query takes `asOf` (recording time: answer as
/// the read models stood at that instant; default now) and `atLeastPosition` (first
/// wait up to 2 s until the read models include that log position, else the
/// error `NOT_READY`). Lists are cursor connections (`first`/`after`,
/// `last`/`before`; 50 per page by default, at most 500). One-entity lookups
/// answer `NOT_FOUND` for unknown ids.
#[derive(MergedObject, Default)]
pub struct Query(
    MunicipalityQuery,
    DashboardQuery,
    ConsortiumQuery,
    OverviewQuery,
    StrategyQuery,
    ProjectQuery,
    ApplicationQuery,
    FollowUpQuery,
    TimelineQuery,
);

pub(crate) fn max_page(ctx: &Context<'_>) -> Result<usize, ApiError> {
    Ok(state(ctx)?.limits.max_page_size)
}

/// One page of `items`, saying which `validAt` and `asOf` it answers for.
pub(crate) fn stamped_page<T: async_graphql::OutputType>(
    ctx: &Context<'_>,
    items: Vec<(String, T)>,
    args: PageArgs,
    valid: Option<chrono::NaiveDate>,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Page<T>> {
    Ok(stamped(page(items, args, max_page(ctx)?)?, valid, as_of))
}

pub(crate) fn not_found(what: &str, id: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(format!("{what} `{id}` does not exist"))
}

/// `NOT_FOUND`, saying the business date when one was asked about.
pub(crate) fn not_found_on(what: &str, id: impl std::fmt::Display, valid_at: Option<chrono::NaiveDate>) -> ApiError {
    match valid_at {
        Some(day) => ApiError::not_found(format!("{what} `{id}` did not exist on {day} (validAt)")),
        None => not_found(what, id),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn as_of_now_has_no_instant() {
        assert!(crate::context::as_of(None).at.is_none());
    }
}
