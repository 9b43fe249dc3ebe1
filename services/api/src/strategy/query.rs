//! Lookups and the list of strategy documents.

use samverkan_app::projections::views::ValidOn;
use samverkan_domain as d;
use uuid::Uuid;

use crate::inputs::StrategyFilter;
use crate::types::*;

crate::query::read_fields! {
    StrategyQuery {
        /// One strategy document.
        one fn strategy(ctx, at, id: Uuid) -> Strategy {
            at.find(ctx, "strategy", id, |m| {
                m.strategy_on(&d::StrategyId(id), at.as_of, at.valid).map(|v| Strategy::from(&v))
            })
            .await
        }

        /// Strategy documents, ordered by municipality, title and id.
        list fn strategies(ctx, at, filter: Option<StrategyFilter>) -> Strategy {
            let f = filter.unwrap_or_default();
            let range = f.valid_during.as_ref().map(|r| r.bounds()).transpose()?;
            let status: Option<d::strategy::StrategyStatus> = f.status.map(Into::into);
            let kind: Option<d::strategy::DocumentKind> = f.kind.map(Into::into);
            at.read(ctx, |m| {
                m.strategies_list_on(f.municipality.as_ref().map(|x| &x.0), at.as_of, at.valid)
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
                    .map(|s| (format!("{}\u{1f}{}\u{1f}{}", s.municipality, s.title, s.id), Strategy::from(&s)))
                    .collect()
            })
            .await?
        }
    }
}
