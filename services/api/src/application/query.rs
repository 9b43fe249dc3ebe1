//! Lookups and the list of joint applications, as the caller may see them
//! (drafts of others are left out; a lookup of one answers `FORBIDDEN`).

use samverkan_domain as d;
use uuid::Uuid;

use crate::error::ApiError;
use crate::inputs::ApplicationFilter;
use crate::query::list_filter;
use crate::types::*;

crate::query::read_fields! {
    ApplicationQuery {
        /// One joint application.
        one fn application(ctx, at, id: Uuid) -> Application {
            let found = at
                .read_seen(ctx, |seen| {
                    seen.application_on(&d::ApplicationId(id), at.as_of, at.valid)
                        .map(|v| v.ok().map(|v| Application::from(&v).on(at.day())))
                })
                .await?;
            match found {
                None => Err(at.not_found("application", id).into()),
                Some(None) => Err(ApiError::forbidden(format!(
                    "application `{id}` is a draft: until it is submitted only its consortium's coordinator, \
                     the lead applicant and the invited co-applicants see it"
                ))
                .into()),
                Some(Some(a)) => Ok(a),
            }
        }

        /// Joint applications, ordered by the time they were drafted, then id.
        list fn applications(ctx, at, filter: Option<ApplicationFilter>) -> Application {
            let f = filter.unwrap_or_default();
            let filter = list_filter(f.municipality, f.consortium, f.programme, f.status, f.drafted_during.as_ref())?;
            at.read_seen(ctx, |seen| {
                seen.applications_list_on(&filter, at.as_of, at.valid)
                    .iter()
                    .map(|a| {
                        let drafted = a.drafted_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
                        (format!("{drafted}\u{1f}{}", a.id), Application::from(a).on(at.day()))
                    })
                    .collect()
            })
            .await?
        }
    }
}
