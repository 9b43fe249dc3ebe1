//! Subscriptions (websocket, `graphql-transport-ws` or `graphql-ws`), fed by
//! the projections' broadcast of applied events.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Result, Subscription};
use chrono::Utc;
use samverkan_app::projections::{consortium_subject, municipality_subject, AsOf, TimelineEntry as Applied};
use samverkan_app::Projections;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::broadcast::Receiver;

use crate::context::{principal, state};
use crate::error::{ApiError, ErrorCode};
use crate::scalars::{ConsortiumCode, MunicipalityCode};
use crate::types::{Dashboard, TimelineEntry};

pub struct Subscription;

fn lagged(skipped: u64) -> async_graphql::Error {
    ApiError::new(
        ErrorCode::Internal,
        format!("this subscriber fell behind and missed {skipped} events; catch up with the `timeline` query"),
    )
    .with("rule", "subscriber_lagged")
    .into()
}

/// Live updates over websockets (`graphql-transport-ws`).
#[Subscription]
impl Subscription {
    /// Timeline entries as the read models apply them, for a municipality,
    /// a consortium, or both (an entry concerning either is sent).
    async fn events(
        &self,
        ctx: &Context<'_>,
        municipality: Option<MunicipalityCode>,
        consortium: Option<ConsortiumCode>,
    ) -> Result<impl Stream<Item = Result<TimelineEntry>>> {
        principal(ctx)?;
        let mut subjects = HashSet::new();
        if let Some(m) = &municipality {
            subjects.insert(municipality_subject(&m.0));
        }
        if let Some(c) = &consortium {
            subjects.insert(consortium_subject(&c.0));
        }
        if subjects.is_empty() {
            return Err(
                ApiError::validation("one_subject_required", "give `municipality`, `consortium` or both").into(),
            );
        }
        let rx = state(ctx)?.projections.subscribe();
        Ok(stream::unfold((rx, subjects), |(mut rx, subjects)| async move {
            loop {
                match rx.recv().await {
                    Ok(entry) if entry.subjects.iter().any(|s| subjects.contains(s)) => {
                        return Some((Ok(TimelineEntry::from(entry.as_ref())), (rx, subjects)))
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(n)) => return Some((Err(lagged(n)), (rx, subjects))),
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }

    /// The municipality's dashboard, sent again whenever an event concerning
    /// the municipality is applied (events arriving together are coalesced
    /// into one update). Nothing is sent on subscribing: query `dashboard`.
    async fn dashboard_changed(
        &self,
        ctx: &Context<'_>,
        municipality: MunicipalityCode,
    ) -> Result<impl Stream<Item = Result<Dashboard>>> {
        principal(ctx)?;
        let state = state(ctx)?;
        let projections = state.projections.clone();
        let rx = projections.subscribe();
        let subject = municipality_subject(&municipality.0);
        let code = municipality.0;
        Ok(stream::unfold((rx, projections), move |(mut rx, projections)| {
            let subject = subject.clone();
            async move {
                loop {
                    if !next_concerning(&mut rx, &subject).await {
                        return None;
                    }
                    let dashboard = dashboard_now(&projections, &code);
                    if let Some(d) = dashboard {
                        return Some((Ok(d), (rx, projections)));
                    }
                }
            }
        }))
    }
}

/// Wait for an entry concerning `subject` (a lag counts: something may have
/// changed), then drain what is already queued. `false` when the feed ends.
async fn next_concerning(rx: &mut Receiver<Arc<Applied>>, subject: &str) -> bool {
    loop {
        match rx.recv().await {
            Ok(e) if e.subjects.iter().any(|s| s == subject) => break,
            Ok(_) => continue,
            Err(RecvError::Lagged(_)) => break,
            Err(RecvError::Closed) => return false,
        }
    }
    loop {
        match rx.try_recv() {
            Ok(_) | Err(TryRecvError::Lagged(_)) => continue,
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Closed) => return false,
        }
    }
}

fn dashboard_now(projections: &Projections, code: &samverkan_domain::MunicipalityCode) -> Option<Dashboard> {
    let models = projections.read();
    models
        .dashboard(code, AsOf::now(Utc::now()))
        .map(|d| Dashboard::from(&d))
}
