//! Subscriptions (websocket, `graphql-transport-ws` or `graphql-ws`), fed by
//! the projections' broadcast of applied events. The read rules apply to
//! every item sent (entries of hidden draft applications are left out), and a
//! connection holds at most [`Limits::ws_max_subscriptions`](crate::Limits)
//! subscriptions at once.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Result, Subscription};
use samverkan_app::projections::{consortium_subject, municipality_subject, AsOf, TimelineEntry as Applied};
use samverkan_app::Projections;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::broadcast::Receiver;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::Principal;
use crate::context::{principal, state};
use crate::error::{ApiError, ErrorCode};
use crate::scalars::{ConsortiumCode, MunicipalityCode};
use crate::types::{Dashboard, TimelineEntry};
use crate::visibility::Viewer;

pub struct Subscription;

/// The subscription slots of one websocket connection (put in the
/// connection's data when it is initialised).
#[derive(Clone)]
pub(crate) struct SubscriptionSlots {
    slots: Arc<Semaphore>,
    max: usize,
}

impl SubscriptionSlots {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max)),
            max,
        }
    }
}

/// Take a slot for a new subscription; it is given back when the
/// subscription's stream is dropped (completed by the client or the server).
fn take_slot(ctx: &Context<'_>) -> Result<Option<OwnedSemaphorePermit>, ApiError> {
    let Some(s) = ctx.data_opt::<SubscriptionSlots>() else {
        return Ok(None);
    };
    s.slots.clone().try_acquire_owned().map(Some).map_err(|_| {
        ApiError::validation(
            "too_many_subscriptions",
            format!(
                "this connection already has {} subscriptions (the most allowed); complete one first",
                s.max
            ),
        )
    })
}

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
        let who = principal(ctx)?.clone();
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
        let slot = take_slot(ctx)?;
        let projections = state(ctx)?.projections.clone();
        let rx = projections.subscribe();
        let feed = Feed {
            rx,
            projections,
            who,
            clock: state(ctx)?.clock.clone(),
            _slot: slot,
        };
        Ok(stream::unfold((feed, subjects), |(mut feed, subjects)| async move {
            loop {
                match feed.rx.recv().await {
                    Ok(entry) if entry.subjects.iter().any(|s| subjects.contains(s)) => {
                        let visible = {
                            let models = feed.projections.read();
                            models.seen_by(&Viewer::new(&feed.who)).may_see_entry(&entry)
                        };
                        if visible {
                            return Some((Ok(TimelineEntry::from(entry.as_ref())), (feed, subjects)));
                        }
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(n)) => return Some((Err(lagged(n)), (feed, subjects))),
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
        let who = principal(ctx)?.clone();
        let slot = take_slot(ctx)?;
        let projections = state(ctx)?.projections.clone();
        let rx = projections.subscribe();
        let subject = municipality_subject(&municipality.0);
        let code = municipality.0;
        let feed = Feed {
            rx,
            projections,
            who,
            clock: state(ctx)?.clock.clone(),
            _slot: slot,
        };
        // What this subscriber saw last: an event it may not see (a draft of
        // another's) leaves its dashboard as it was, and must not show as a push.
        // It starts with the dashboard as it is when the subscription starts.
        let last: Option<Vec<u8>> = dashboard_now(&feed, &code).map(|(seen, _)| seen);
        Ok(stream::unfold((feed, last), move |(mut feed, mut last)| {
            let subject = subject.clone();
            async move {
                loop {
                    if !next_concerning(&mut feed.rx, &subject).await {
                        return None;
                    }
                    let Some((seen, dashboard)) = dashboard_now(&feed, &code) else {
                        continue;
                    };
                    if last.as_ref() == Some(&seen) {
                        continue;
                    }
                    last = Some(seen);
                    return Some((Ok(dashboard), (feed, last)));
                }
            }
        }))
    }
}

/// What a subscription's stream holds: the feed, the caller (read rules are
/// applied per item) and its connection slot.
struct Feed {
    rx: Receiver<Arc<Applied>>,
    projections: Arc<Projections>,
    who: Principal,
    /// The server's clock: "now" for each dashboard sent.
    clock: crate::Clock,
    _slot: Option<OwnedSemaphorePermit>,
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

/// The dashboard as `who` may see it now, with its serialized form (to tell
/// whether it changed for this viewer).
fn dashboard_now(feed: &Feed, code: &samverkan_domain::MunicipalityCode) -> Option<(Vec<u8>, Dashboard)> {
    let models = feed.projections.read();
    let viewer = Viewer::new(&feed.who);
    models
        .seen_by(&viewer)
        .dashboard(code, AsOf::now((feed.clock)()))
        .map(|d| {
            let seen = serde_json::to_vec(&d).unwrap_or_default();
            (seen, Dashboard::from(&d))
        })
}
