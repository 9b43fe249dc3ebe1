//! Queries, one part per bounded context, merged into [`Query`].
//!
//! Every query takes `asOf` (recording time: answer as the read models stood
//! at that instant; default: now) and `atLeastPosition` (first wait up to 2 s
//! until the read models include that log position, else `NOT_READY`), and
//! `validAt` (business time: the world on that calendar day by the decisions'
//! own dates; default: today). Lookups of one entity answer
//! `NOT_FOUND` when it does not exist (as of `asOf`, on `validAt`).

use async_graphql::{Context, MergedObject, Object, Result};
use samverkan_app::projections::views::ValidOn;
use samverkan_app::projections::{ApplicationFilter as AppApplicationFilter, ProjectFilter as AppProjectFilter};
use samverkan_domain as d;
use uuid::Uuid;

use crate::context::{principal, read, state};
use crate::error::ApiError;
use crate::inputs::{ApplicationFilter, ConsortiumFilter, ProjectFilter, StrategyFilter};
use crate::pagination::{page, stamped, Page, PageArgs};
use crate::scalars::{ConsortiumCode, CountryCode, Date, DateTime, MunicipalityCode, Position};
use crate::types::{
    Application, Consortium, ConsortiumOverview, Dashboard, FollowUpReport, Municipality, Project, Strategy,
    TimelineEntry,
};
use crate::visibility::Viewer;

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
    ConsortiumQuery,
    StrategyQuery,
    ProjectQuery,
    ApplicationQuery,
    ReportQuery,
);

fn max_page(ctx: &Context<'_>) -> Result<usize, ApiError> {
    Ok(state(ctx)?.limits.max_page_size)
}

/// One page of `items`, saying which `validAt` and `asOf` it answers for.
fn stamped_page<T: async_graphql::OutputType>(
    ctx: &Context<'_>,
    items: Vec<(String, T)>,
    args: PageArgs,
    valid: Option<chrono::NaiveDate>,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Page<T>> {
    Ok(stamped(page(items, args, max_page(ctx)?)?, valid, as_of))
}

fn not_found(what: &str, id: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(format!("{what} `{id}` does not exist"))
}

/// `NOT_FOUND`, saying the business date when one was asked about.
fn not_found_on(what: &str, id: impl std::fmt::Display, valid_at: Option<chrono::NaiveDate>) -> ApiError {
    match valid_at {
        Some(day) => ApiError::not_found(format!("{what} `{id}` did not exist on {day} (validAt)")),
        None => not_found(what, id),
    }
}

#[derive(Default)]
pub struct MunicipalityQuery;

#[Object]
impl MunicipalityQuery {
    /// One municipality.
    async fn municipality(
        &self,
        ctx: &Context<'_>,
        code: MunicipalityCode,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Municipality> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        // The code is resolved as of `validAt` (default: today) through the
        // code index; an old code answers for its own period only.
        let found = read(ctx, at_least_position, |m| {
            match m.resolve_code(&code.0, as_of, valid) {
                samverkan_app::projections::CodeResolution::Found(identity) => m
                    .municipality_on(&identity, as_of, valid)
                    .map(|v| Municipality::from(&v))
                    .ok_or_else(|| not_found_on("municipality", code.0, valid)),
                miss @ samverkan_app::projections::CodeResolution::NotValidOn { .. } => {
                    Err(ApiError::not_found(miss.message(&code.0)))
                }
                samverkan_app::projections::CodeResolution::Unknown => Err(not_found_on("municipality", code.0, valid)),
            }
        })
        .await?;
        Ok(found?)
    }

    /// All municipalities, ordered by code.
    #[allow(clippy::too_many_arguments)]
    async fn municipalities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only municipalities of this country.")] country: Option<CountryCode>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Municipality>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let items = read(ctx, at_least_position, |m| {
            m.municipality_codes()
                .iter()
                .filter(|c| country.as_ref().is_none_or(|k| c.country() == k.0))
                .filter_map(|c| m.municipality_on(c, as_of, valid))
                .map(|v| (v.code.to_string(), Municipality::from(&v)))
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(
            ctx,
            items,
            PageArgs {
                first,
                after,
                last,
                before,
            },
            valid,
            as_of,
        )
    }

    /// A municipality's dashboard: strategies in force and their follow-ups,
    /// memberships, projects with next and overdue milestones, applications
    /// waiting for its co-financing answer, funding, twin towns, goals.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        municipality: MunicipalityCode,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Dashboard> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let when = crate::context::as_of(as_of);
        let viewer = Viewer::new(principal(ctx)?);
        let found = read(ctx, at_least_position, |m| {
            m.dashboard_on(&municipality.0, when, valid).map(|mut x| {
                viewer.dashboard(m, &mut x, when.at);
                Dashboard::from(&x)
            })
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("municipality", municipality.0, valid))?)
    }
}

#[derive(Default)]
pub struct ConsortiumQuery;

#[Object]
impl ConsortiumQuery {
    /// One consortium.
    async fn consortium(
        &self,
        ctx: &Context<'_>,
        code: ConsortiumCode,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Consortium> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read(ctx, at_least_position, |m| {
            m.consortium_on(&code.0, as_of, valid).map(|v| Consortium::from(&v))
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("consortium", &code.0, valid))?)
    }

    /// All consortia, ordered by code.
    #[allow(clippy::too_many_arguments)]
    async fn consortia(
        &self,
        ctx: &Context<'_>,
        filter: Option<ConsortiumFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Consortium>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let kind: Option<d::consortium::ConsortiumKind> = f.kind.map(Into::into);
        let items = read(ctx, at_least_position, |m| {
            m.consortium_codes()
                .iter()
                .filter_map(|c| m.consortium_on(c, as_of, valid))
                .filter(|c| f.member.as_ref().is_none_or(|x| c.is_member(&x.0)))
                .filter(|c| kind.is_none_or(|k| c.kind == k))
                .filter(|c| f.include_dissolved.unwrap_or(true) || c.dissolved_on.is_none())
                .map(|v| (v.code.to_string(), Consortium::from(&v)))
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(
            ctx,
            items,
            PageArgs {
                first,
                after,
                last,
                before,
            },
            valid,
            as_of,
        )
    }

    /// A consortium's overview: members, applications by status, amounts
    /// requested and granted, each member's co-financing, success rate.
    async fn consortium_overview(
        &self,
        ctx: &Context<'_>,
        consortium: ConsortiumCode,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<ConsortiumOverview> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let when = crate::context::as_of(as_of);
        let viewer = Viewer::new(principal(ctx)?);
        let found = read(ctx, at_least_position, |m| {
            m.consortium_overview_on(&consortium.0, when, valid).map(|mut x| {
                viewer.overview(m, &mut x);
                ConsortiumOverview::from(&x)
            })
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("consortium", &consortium.0, valid))?)
    }
}

#[derive(Default)]
pub struct StrategyQuery;

#[Object]
impl StrategyQuery {
    /// One strategy document.
    async fn strategy(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Strategy> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read(ctx, at_least_position, |m| {
            m.strategy_on(&d::StrategyId(id), as_of, valid)
                .map(|v| Strategy::from(&v))
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("strategy", id, valid))?)
    }

    /// Strategy documents, ordered by municipality, title and id.
    #[allow(clippy::too_many_arguments)]
    async fn strategies(
        &self,
        ctx: &Context<'_>,
        filter: Option<StrategyFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Strategy>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let range = f.valid_during.as_ref().map(|r| r.bounds()).transpose()?;
        let status: Option<samverkan_app::projections::views::StrategyStatusView> = f.status.map(Into::into);
        let kind: Option<d::strategy::DocumentKind> = f.kind.map(Into::into);
        let items = read(ctx, at_least_position, |m| {
            m.strategies_list_on(f.municipality.as_ref().map(|x| &x.0), as_of, valid)
                .into_iter()
                .filter(|s| status.is_none_or(|st| s.status == st))
                .filter(|s| kind.is_none_or(|k| s.kind == k))
                .filter(|s| {
                    // In force on that day by the decisions' dates: also a
                    // document superseded or repealed since.
                    f.in_force_on
                        .is_none_or(|day| s.clone().on(day.0).is_some_and(|x| x.in_force_on(day.0)))
                })
                .filter(|s| range.is_none_or(|(from, to)| s.validity.is_some_and(|v| v.overlaps(from, to))))
                .map(|s| {
                    (
                        format!("{}\u{1f}{}\u{1f}{}", s.municipality, s.title, s.id),
                        Strategy::from(&s),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(
            ctx,
            items,
            PageArgs {
                first,
                after,
                last,
                before,
            },
            valid,
            as_of,
        )
    }
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// One project.
    async fn project(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Project> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read(ctx, at_least_position, |m| {
            m.project_on(&d::ProjectId(id), as_of, valid).map(|v| Project::from(&v))
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("project", id, valid))?)
    }

    /// Projects, ordered by start date and id.
    #[allow(clippy::too_many_arguments)]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProjectFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Project>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let app_filter = AppProjectFilter {
            municipality: f.municipality.map(|x| x.0),
            consortium: f.consortium.map(|x| x.0),
            programme: f.programme.map(Into::into),
            status: f.status.map(Into::into),
            period: f.active_during.as_ref().map(|r| r.bounds()).transpose()?,
        };
        let items = read(ctx, at_least_position, |m| {
            m.projects_on(&app_filter, as_of, valid)
                .iter()
                .map(|p| {
                    (
                        format!("{}\u{1f}{}", p.period.start.format("%Y-%m-%d"), p.id),
                        Project::from(p),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(
            ctx,
            items,
            PageArgs {
                first,
                after,
                last,
                before,
            },
            valid,
            as_of,
        )
    }
}

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// One joint application.
    async fn application(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Application> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let viewer = Viewer::new(principal(ctx)?);
        let found = read(ctx, at_least_position, |m| {
            m.application_on(&d::ApplicationId(id), as_of, valid)
                .map(|v| viewer.may_see(m, &v).then(|| Application::from(&v)))
        })
        .await?;
        match found {
            None => Err(not_found_on("application", id, valid).into()),
            Some(None) => Err(ApiError::forbidden(format!(
                "application `{id}` is a draft: until it is submitted only its consortium's coordinator, \
                 the lead applicant and the invited co-applicants see it"
            ))
            .into()),
            Some(Some(a)) => Ok(a),
        }
    }

    /// Joint applications, ordered by the time they were drafted, then id.
    #[allow(clippy::too_many_arguments)]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        filter: Option<ApplicationFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Application>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let app_filter = AppApplicationFilter {
            municipality: f.municipality.map(|x| x.0),
            consortium: f.consortium.map(|x| x.0),
            programme: f.programme.map(Into::into),
            status: f.status.map(Into::into),
            period: f.drafted_during.as_ref().map(|r| r.bounds()).transpose()?,
        };
        let viewer = Viewer::new(principal(ctx)?);
        let items = read(ctx, at_least_position, |m| {
            m.applications_list_on(&app_filter, as_of, valid)
                .iter()
                .filter(|a| viewer.may_see(m, a))
                .map(|a| {
                    (
                        format!(
                            "{}\u{1f}{}",
                            a.drafted_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                            a.id
                        ),
                        Application::from(a),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(
            ctx,
            items,
            PageArgs {
                first,
                after,
                last,
                before,
            },
            valid,
            as_of,
        )
    }
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The yearly follow-up (uppföljning) of a municipality: projects active in
    /// the year, applications, funding obtained, milestones achieved, missed
    /// and rescheduled, strategies adopted, revised, expiring and due for
    /// follow-up. Use `asOf` to reproduce a report as it stood on a date.
    async fn follow_up_report(
        &self,
        ctx: &Context<'_>,
        municipality: MunicipalityCode,
        year: i32,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<FollowUpReport> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        if !(1900..=2200).contains(&year) {
            return Err(
                ApiError::validation("invalid_year", format!("year {year} is out of range (1900–2200)")).into(),
            );
        }
        let when = crate::context::as_of(as_of);
        let viewer = Viewer::new(principal(ctx)?);
        let found = read(ctx, at_least_position, |m| {
            m.follow_up_report_on(&municipality.0, year, when, valid).map(|mut x| {
                viewer.report(m, &mut x, valid);
                FollowUpReport::from(&x)
            })
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("municipality", municipality.0, valid))?)
    }

    /// The history of a municipality or a consortium (give exactly one),
    /// newest first. Pages forward only (`first`/`after`); the cursor is the
    /// entry's log position.
    #[allow(clippy::too_many_arguments)]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        municipality: Option<MunicipalityCode>,
        consortium: Option<ConsortiumCode>,
        #[graphql(
            desc = "Business time: leave out events whose own date (joined on, adopted, decided on, …) \
                          is after this day; events without such a date stay."
        )]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::pagination::ForwardPage<TimelineEntry>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let subject = match (&municipality, &consortium) {
            (Some(m), None) => samverkan_app::projections::municipality_subject(&m.0),
            (None, Some(c)) => samverkan_app::projections::consortium_subject(&c.0),
            _ => {
                return Err(ApiError::validation(
                    "one_subject_required",
                    "give exactly one of `municipality` and `consortium`",
                )
                .into())
            }
        };
        let limit = crate::pagination::page_size(first, max_page(ctx)?)?;
        let before = crate::pagination::position_cursor(after.as_deref())?;
        let viewer = Viewer::new(principal(ctx)?);
        let (entries, has_more) = read(ctx, at_least_position, |m| {
            viewer.timeline(m, &subject, before, limit, as_of, valid)
        })
        .await?;
        let items = entries
            .iter()
            .map(|e| (e.position.to_string(), TimelineEntry::from(e)))
            .collect();
        Ok(crate::pagination::ordered_page(items, before.is_some(), has_more))
    }

    /// The log position the read models have reached (null: nothing applied yet).
    async fn read_model_position(&self, ctx: &Context<'_>) -> Result<Option<Position>> {
        principal(ctx)?;
        Ok(state(ctx)?.projections.position().map(Position))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn as_of_now_has_no_instant() {
        assert!(crate::context::as_of(None).at.is_none());
    }
}
