//! Lookups and the list of municipalities (codes resolved on `validAt`).

use samverkan_app::projections::CodeResolution;

use crate::error::ApiError;
use crate::scalars::{CountryCode, MunicipalityCode};
use crate::types::*;

crate::query::read_fields! {
    MunicipalityQuery {
        /// One municipality.
        one fn municipality(ctx, at, code: MunicipalityCode) -> Municipality {
            // The code is resolved as of `validAt` (default: today) through the
            // code index; an old code answers for its own period only.
            let found = at
                .read(ctx, |m| match m.resolve_code(&code.0, at.as_of, Some(at.valid.unwrap_or(at.now.date_naive()))) {
                    CodeResolution::Found(identity) => m
                        .municipality_on(&identity, at.as_of, at.valid)
                        .map(|v| Municipality::from(&v))
                        .ok_or_else(|| at.not_found("municipality", code.0)),
                    miss @ CodeResolution::NotValidOn { .. } => Err(ApiError::not_found(miss.message(&code.0))),
                    CodeResolution::Unknown => Err(at.not_found("municipality", code.0)),
                })
                .await?;
            Ok(found?)
        }

        /// All municipalities, ordered by code.
        list fn municipalities(
            ctx,
            at,
            #[graphql(desc = "Only municipalities of this country.")] country: Option<CountryCode>,
        ) -> Municipality {
            at.read(ctx, |m| {
                m.municipality_codes()
                    .iter()
                    .filter(|c| country.as_ref().is_none_or(|k| c.country() == k.0))
                    .filter_map(|c| m.municipality_on(c, at.as_of, at.valid))
                    .map(|v| (v.code.to_string(), Municipality::from(&v)))
                    .collect()
            })
            .await?
        }
    }
}
