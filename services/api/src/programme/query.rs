//! Programmes, the check of an application against its call, and meeting calendars.

use samverkan_domain as d;
use samverkan_domain::programme::ProgrammeCode;
use uuid::Uuid;

use super::types::*;
use crate::error::ApiError;
use crate::scalars::MunicipalityCode;
use crate::shared::all;

crate::query::read_fields! {
    ProgrammeQuery {
        /// One funding programme with its rule sets and calls.
        one fn programme(ctx, at, code: String) -> FundingProgramme {
            let parsed = ProgrammeCode::parse(&code).map_err(ApiError::from)?;
            at.find(ctx, "programme", &code, |m| {
                m.programme(&parsed, at.as_of).as_ref().and_then(FundingProgramme::from_state)
            })
            .await
        }

        /// Every funding programme, ordered by code.
        list fn programmes(ctx, at) -> FundingProgramme {
            at.read(ctx, |m| {
                m.programme_codes()
                    .iter()
                    .filter_map(|c| m.programme(c, at.as_of))
                    .filter_map(|s| FundingProgramme::from_state(&s))
                    .map(|p| (p.code.clone(), p))
                    .collect()
            })
            .await?
        }

        /// An application checked against its call's rule set: every rule
        /// with pass, fail or warning and the numbers behind it (on its
        /// submission day, else `validAt` or today; the call's own rule set).
        one fn check_application(ctx, at, id: Uuid) -> ApplicationCheck {
            let when = at.when();
            let found = at
                .read_seen(ctx, |seen| {
                    seen.application_on(&d::ApplicationId(id), at.as_of, at.valid).map(|v| {
                        v.ok().map(|v| {
                            let when = samverkan_app::projections::AsOf {
                                today: at.valid.unwrap_or(when.today),
                                ..when
                            };
                            ApplicationCheck::from(&seen.models().check_application(&v, when))
                        })
                    })
                })
                .await?;
            match found {
                None => Err(at.not_found("application", id).into()),
                Some(None) => Err(ApiError::forbidden(format!(
                    "application `{id}` is a draft: until it is submitted only its consortium's coordinator, \
                     the lead applicant and the invited co-applicants see it"
                ))
                .into()),
                Some(Some(c)) => Ok(c),
            }
        }

        /// A municipality's planned meetings.
        one fn meeting_calendar(ctx, at, municipality: MunicipalityCode) -> MeetingCalendar {
            at.read(ctx, |m| MeetingCalendar {
                municipality: municipality.clone(),
                meetings: all::<_, Meeting>(&m.calendar(&municipality.0, at.as_of).meetings),
            })
            .await
            .map_err(Into::into)
        }
    }
}
