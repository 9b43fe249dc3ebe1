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
use chrono::{NaiveDate, Utc};
use samverkan_app::projections::{AsOf, ListFilter, Visible};
use samverkan_app::ReadModels;

use crate::application::query::ApplicationQuery;
use crate::consortium::query::ConsortiumQuery;
use crate::context::{read, read_seen, state};
use crate::error::ApiError;
use crate::inputs::DateRange;
use crate::municipality::query::MunicipalityQuery;
use crate::pagination::{page, stamped, Page, PageArgs};
use crate::programme::query::ProgrammeQuery;
use crate::project::query::ProjectQuery;
use crate::proof::ProofQuery;
use crate::reports::dashboard::DashboardQuery;
use crate::reports::follow_up::FollowUpQuery;
use crate::reports::overview::OverviewQuery;
use crate::reports::register::RegisterQuery;
use crate::reports::timeline::TimelineQuery;
use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode, Position};
use crate::strategy::query::StrategyQuery;
use crate::types::ProgrammeKind;

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
    ProgrammeQuery,
    FollowUpQuery,
    TimelineQuery,
    RegisterQuery,
    ProofQuery,
);

pub(crate) fn max_page(ctx: &Context<'_>) -> Result<usize, ApiError> {
    Ok(state(ctx)?.limits.max_page_size)
}

/// What a read field asks about: its `validAt` (business day), `asOf`
/// (recording instant) and `atLeastPosition` (the position to wait for).
pub(crate) struct At {
    pub valid: Option<NaiveDate>,
    pub as_of: Option<chrono::DateTime<Utc>>,
    pub at_least: Option<Position>,
    /// The server clock's now, read once for the field.
    pub now: chrono::DateTime<Utc>,
}

impl At {
    pub(crate) fn new(
        ctx: &Context<'_>,
        valid_at: Option<Date>,
        as_of: Option<DateTime>,
        at_least: Option<Position>,
    ) -> Result<Self, ApiError> {
        Ok(At {
            valid: valid_at.map(|d| d.0),
            as_of: as_of.map(|t| t.0),
            at_least,
            now: crate::context::now(ctx)?,
        })
    }

    /// The recording time as the reports take it (a past instant, or now).
    pub(crate) fn when(&self) -> AsOf {
        crate::context::as_of(self.as_of, self.now)
    }

    /// Run `f` on the read models once they include `atLeastPosition`.
    pub(crate) async fn read<R>(&self, ctx: &Context<'_>, f: impl FnOnce(&ReadModels) -> R) -> Result<R, ApiError> {
        read(ctx, self.at_least, f).await
    }

    /// The business day and recording instant together: [`At::when`] on
    /// `validAt` when one was asked about (what nested fields such as an
    /// application's `warnings` are judged on).
    pub(crate) fn day(&self) -> AsOf {
        AsOf {
            today: self.valid.unwrap_or(self.when().today),
            ..self.when()
        }
    }

    /// [`At::read`] on the read models as the caller sees them.
    pub(crate) async fn read_seen<R>(
        &self,
        ctx: &Context<'_>,
        f: impl FnOnce(Visible<'_>) -> R,
    ) -> Result<R, ApiError> {
        read_seen(ctx, self.at_least, f).await
    }

    /// The one `what` called `id` that `f` finds, else `NOT_FOUND` (on `validAt`).
    pub(crate) async fn find<T>(
        &self,
        ctx: &Context<'_>,
        what: &str,
        id: impl std::fmt::Display,
        f: impl FnOnce(&ReadModels) -> Option<T>,
    ) -> Result<T> {
        Ok(self.read(ctx, f).await?.ok_or_else(|| self.not_found(what, id))?)
    }

    /// [`At::find`] on the read models as the caller sees them.
    pub(crate) async fn find_seen<T>(
        &self,
        ctx: &Context<'_>,
        what: &str,
        id: impl std::fmt::Display,
        f: impl FnOnce(Visible<'_>) -> Option<T>,
    ) -> Result<T> {
        Ok(self.read_seen(ctx, f).await?.ok_or_else(|| self.not_found(what, id))?)
    }

    /// `NOT_FOUND` for the `what` called `id`, saying the business date when one was asked about.
    pub(crate) fn not_found(&self, what: &str, id: impl std::fmt::Display) -> ApiError {
        not_found_on(what, id, self.valid)
    }

    /// One page of `items`, saying which `validAt` and `asOf` it answers for.
    pub(crate) fn page<T: async_graphql::OutputType>(
        &self,
        ctx: &Context<'_>,
        items: Vec<(String, T)>,
        args: PageArgs,
    ) -> Result<Page<T>> {
        let valid_at = self.valid.unwrap_or_else(|| self.now.date_naive());
        Ok(stamped(page(items, args, max_page(ctx)?, valid_at)?, self.as_of))
    }
}

/// The read models' filter of a list of projects or applications, from
/// the GraphQL filter's fields (`period`: its `activeDuring` or `draftedDuring`).
pub(crate) fn list_filter<S>(
    municipality: Option<MunicipalityCode>,
    consortium: Option<ConsortiumCode>,
    programme: Option<ProgrammeKind>,
    status: Option<impl Into<S>>,
    period: Option<&DateRange>,
) -> Result<ListFilter<S>, ApiError> {
    Ok(ListFilter {
        municipality: municipality.map(|x| x.0),
        consortium: consortium.map(|x| x.0),
        programme: programme.map(Into::into),
        status: status.map(Into::into),
        period: period.map(DateRange::bounds).transpose()?,
    })
}

/// The `#[Object]` of one context's read fields, each written as its name,
/// its own arguments and a body; the arguments every read field takes
/// (`validAt`, `asOf`, `atLeastPosition`) and, for a list, the paging ones
/// (`first`, `after`, `last`, `before`) are added here, in that order after
/// the field's own, with their descriptions.
///
/// - `one fn name(ctx, at, own args…) -> T { … }`: the body answers
///   `Result<T>`; `at` is the field's [`At`].
/// - `list fn name(ctx, at, own args…) -> T { … }`: the body answers the
///   items as `(sort key, T)` (any order); the field answers one page of
///   them, a `Page<T>` stamped with `validAt` and `asOf`.
macro_rules! read_fields {
    ($(#[$meta:meta])* $query:ident { $($fields:tt)* }) => {
        $crate::query::read_fields!(@munch [$(#[$meta])* $query] [] $($fields)*);
    };
    (@munch [$(#[$meta:meta])* $query:ident] [$($done:tt)*]) => {
        $(#[$meta])*
        #[derive(Default)]
        pub struct $query;

        #[async_graphql::Object]
        impl $query {
            $($done)*
        }
    };
    (@munch $head:tt $done:tt
        $(#[$doc:meta])*
        $kind:ident fn $name:ident($ctx:ident, $at:ident $(, $(#[$arg_doc:meta])* $arg:ident: $ty:ty)* $(,)?) -> $out:ty
        $body:block
        $($rest:tt)*
    ) => {
        $crate::query::read_fields!(@$kind $ctx $at
            [$head $done [$(#[$doc])*] $name $ctx $at [$($(#[$arg_doc])* $arg: $ty,)*]] $out, $body, $($rest)*);
    };
    (@one $ctx:ident $at:ident [$($field:tt)*] $out:ty, $body:block, $($rest:tt)*) => {
        $crate::query::read_fields!(@field $($field)* [] -> ($out) $body $($rest)*);
    };
    (@list $ctx:ident $at:ident [$($field:tt)*] $node:ty, $body:block, $($rest:tt)*) => {
        $crate::query::read_fields!(@field $($field)*
            [first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>]
            -> ($crate::pagination::Page<$node>) {
                let items: Vec<(String, $node)> = $body;
                $at.page($ctx, items, $crate::pagination::PageArgs { first, after, last, before })
            }
            $($rest)*);
    };
    // One field: its own arguments, the three every read field takes, then
    // `$more` (the paging arguments of a list).
    (@field $head:tt [$($done:tt)*] [$($doc:tt)*] $name:ident $ctx:ident $at:ident [$($own:tt)*] [$($more:tt)*]
        -> ($out:ty) $body:block
        $($rest:tt)*
    ) => {
        $crate::query::read_fields!(@munch $head [$($done)*
            $($doc)*
            #[allow(clippy::too_many_arguments)]
            async fn $name(
                &self,
                $ctx: &async_graphql::Context<'_>,
                $($own)*
                #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
                valid_at: Option<$crate::scalars::Date>,
                #[graphql(desc = "Recording time: only what had been recorded by this instant.")]
                as_of: Option<$crate::scalars::DateTime>,
                at_least_position: Option<$crate::scalars::Position>,
                $($more)*
            ) -> async_graphql::Result<$out> {
                let $at = $crate::query::At::new($ctx, valid_at, as_of, at_least_position)?;
                $body
            }
        ] $($rest)*);
    };
}
pub(crate) use read_fields;

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
        assert!(crate::context::as_of(None, chrono::Utc::now()).at.is_none());
    }
}
