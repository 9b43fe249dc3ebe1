//! The read models: entity views with their histories (for as-of answers),
//! indices per municipality and consortium, and the timeline.

use std::collections::BTreeSet;

/// Hash maps with a fast non-cryptographic hasher: keys are our own ids, not attacker-chosen strings.
pub type HashMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;
use chrono::{DateTime, Utc};
use samverkan_domain::consortium::{ConsortiumEvent, Coordinator};
use samverkan_domain::municipality::MunicipalityEvent;
use samverkan_domain::programme::ProgrammeCode;
use samverkan_domain::project::ProjectEvent;
use samverkan_domain::strategy::StrategyEvent;
use samverkan_domain::{AnyEvent, ApplicationId, ConsortiumCode, MunicipalityCode, ProjectId, StrategyId};
use serde::{Deserialize, Serialize};

use super::log::{consortium_key, municipality_key, strategy_keys};
use super::log::{Append, Log, Stored, Subject};
use super::views::*;

/// A view folded from events, able to answer "as of" by refolding its history.
pub trait View: Sized + Clone {
    fn apply_any(view: Option<Self>, stored: &Stored) -> Option<Self>;
}

impl View for MunicipalityView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Municipality(e) => MunicipalityView::apply(view, e),
            _ => view,
        }
    }
}
impl View for ConsortiumView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Consortium(e) => ConsortiumView::apply(view, e),
            _ => view,
        }
    }
}
impl View for StrategyView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Strategy(e) => StrategyView::apply(view, e),
            _ => view,
        }
    }
}
impl View for ProjectView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Project(e) => ProjectView::apply(view, e, &s.at),
            _ => view,
        }
    }
}
impl View for crate::projections::views::ApplicationView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Application(e) => ApplicationView::apply(view, e, &s.at),
            _ => view,
        }
    }
}

impl View for ProgrammeView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Programme(e) => ProgrammeView::apply(view, e),
            _ => view,
        }
    }
}
impl View for CalendarView {
    fn apply_any(view: Option<Self>, s: &Stored) -> Option<Self> {
        match &s.event {
            AnyEvent::Calendar(e) => CalendarView::apply(view, e),
            _ => view,
        }
    }
}

/// One entity: its current view and the log entries that made it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity<V> {
    /// The current view (always `Some` once created; an `Option` so it can be folded in place).
    pub current: Option<V>,
    pub created_at: DateTime<Utc>,
    /// Indices into [`ReadModels::log`], in order.
    pub history: Vec<u32>,
}

impl<V: View> Entity<V> {
    /// The view as of `at` (all events recorded up to and including then),
    /// `None` if the entity did not exist yet. Refolds only this entity's events.
    /// The entity's events are decoded again from the log for this.
    pub fn at(&self, at: Option<DateTime<Utc>>, log: &Log) -> Option<V> {
        let Some(t) = at else { return self.current.clone() };
        let recorded = |i: &u32| log.get(*i).map(|e| e.at().recorded_at);
        if self.history.last().and_then(recorded).is_some_and(|r| r <= t) {
            return self.current.clone();
        }
        let mut view = None;
        for &i in &self.history {
            if log.get(i).is_some_and(|e| e.at().recorded_at <= t) {
                if let Some(stored) = log.stored(i) {
                    view = V::apply_any(view, &stored);
                }
            }
        }
        view
    }
}

fn upsert<K: std::hash::Hash + Eq, V: View>(map: &mut HashMap<K, Entity<V>>, key: K, stored: &Stored, index: u32) {
    match map.get_mut(&key) {
        Some(e) => {
            // Fold in place: move the view out, apply, put it back (no clone).
            e.current = V::apply_any(e.current.take(), stored);
            e.history.push(index);
        }
        None => {
            if let Some(current) = V::apply_any(None, stored) {
                map.insert(
                    key,
                    Entity {
                        current: Some(current),
                        created_at: stored.at.recorded_at,
                        history: vec![index],
                    },
                );
            }
        }
    }
}

/// What a municipality or consortium is linked to (links only grow; as-of
/// answers filter by what existed then).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Related {
    pub strategies: BTreeSet<StrategyId>,
    pub projects: BTreeSet<ProjectId>,
    pub consortia: BTreeSet<ConsortiumCode>,
    pub applications: BTreeSet<ApplicationId>,
}

#[derive(Debug, Default, Serialize)]
pub struct ReadModels {
    /// Global position of the last event applied.
    pub(crate) checkpoint: Option<u64>,
    pub(crate) municipalities: HashMap<MunicipalityCode, Entity<MunicipalityView>>,
    pub(crate) consortia: HashMap<ConsortiumCode, Entity<ConsortiumView>>,
    pub(crate) strategies: HashMap<StrategyId, Entity<StrategyView>>,
    pub(crate) projects: HashMap<ProjectId, Entity<ProjectView>>,
    pub(crate) applications: HashMap<ApplicationId, Entity<ApplicationView>>,
    pub(crate) by_municipality: HashMap<MunicipalityCode, Related>,
    /// Code index: every code a municipality has had → the identities that
    /// had it (validity is read from the identity's view, as of `at`).
    pub(crate) code_index: HashMap<MunicipalityCode, std::collections::BTreeSet<MunicipalityCode>>,
    pub(crate) by_consortium: HashMap<ConsortiumCode, Related>,
    /// Funding programmes with their rule sets and calls.
    pub(crate) programmes: HashMap<ProgrammeCode, Entity<ProgrammeView>>,
    /// Meeting calendars per municipality.
    pub(crate) calendars: HashMap<MunicipalityCode, Entity<CalendarView>>,
    /// Every applied event, in log order, compact.
    pub(crate) log: Log,
    /// Log indices per subject.
    #[serde(skip)]
    pub(crate) by_subject: HashMap<Subject, Vec<u32>>,
    /// Events skipped because this build does not know their type or version.
    pub(crate) skipped: u64,
    pub(crate) applied: u64,
}

/// Envelope facts the read models need besides the event itself.
pub struct Envelope<'a> {
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
    pub actor: Option<&'a str>,
    pub actor_role: Option<&'a str>,
    /// The event's compact form when it was read from a snapshot (the log
    /// keeps it as it is); `None` for an event read from the store (the log
    /// encodes the decoded event).
    pub compact: Option<&'a [u8]>,
}

impl ReadModels {
    /// Global position of the last event applied (or skipped).
    pub fn checkpoint(&self) -> Option<u64> {
        self.checkpoint
    }

    /// Events applied.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// Events skipped because this build does not know their type or version.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The log the models were folded from.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// Apply one decoded event. Returns its index in the log.
    pub fn apply(&mut self, env: &Envelope<'_>, event: AnyEvent) -> u32 {
        let index = self.log.len() as u32;
        let stored = Stored {
            at: Recorded {
                position: env.position,
                recorded_at: env.recorded_at,
            },
            event,
        };
        let mut subjects: Vec<Subject> = Vec::with_capacity(4);
        let mut add = |s: Subject| {
            if !subjects.contains(&s) {
                subjects.push(s);
            }
        };
        match &stored.event {
            AnyEvent::Municipality(e) => {
                let code = municipality_key(e);
                add(Subject::Municipality(code));
                if let MunicipalityEvent::TwinTownAgreementSigned(s) = e {
                    if let Some(c) = s.partner.code {
                        add(Subject::Municipality(c));
                    }
                }
                if let MunicipalityEvent::MunicipalityCodeChanged(c) = e {
                    self.code_index.entry(c.new_code).or_default().insert(code);
                }
                self.code_index.entry(code).or_default().insert(code);
                upsert(&mut self.municipalities, code, &stored, index);
            }
            AnyEvent::Consortium(e) => {
                let code = consortium_key(e).clone();
                let member = match e {
                    ConsortiumEvent::MemberJoined(j) => Some(j.municipality),
                    ConsortiumEvent::MemberLeft(l) => Some(l.municipality),
                    ConsortiumEvent::CoordinatorAppointed(c) => match &c.coordinator {
                        Coordinator::Member { municipality } => Some(*municipality),
                        Coordinator::Office { .. } => None,
                    },
                    _ => None,
                };
                if let Some(m) = member {
                    add(Subject::Municipality(m));
                    self.by_municipality
                        .entry(m)
                        .or_default()
                        .consortia
                        .insert(code.clone());
                }
                add(Subject::Consortium(code.clone()));
                upsert(&mut self.consortia, code, &stored, index);
            }
            AnyEvent::Strategy(e) => {
                let (id, m) = strategy_keys(e);
                add(Subject::Municipality(m));
                if matches!(e, StrategyEvent::StrategyDrafted(_)) {
                    self.by_municipality.entry(m).or_default().strategies.insert(id);
                }
                upsert(&mut self.strategies, id, &stored, index);
            }
            AnyEvent::Project(e) => {
                let id = e.project();
                upsert(&mut self.projects, id, &stored, index);
                if let Some(p) = self.projects.get(&id).and_then(|p| p.current.as_ref()) {
                    for m in p.municipalities() {
                        add(Subject::Municipality(*m));
                    }
                    if let Some(c) = &p.consortium {
                        add(Subject::Consortium(c.clone()));
                    }
                }
                if matches!(e, ProjectEvent::ProjectRegistered(_) | ProjectEvent::PartnerAdded(_)) {
                    for s in &subjects {
                        match s {
                            Subject::Municipality(m) => {
                                self.by_municipality.entry(*m).or_default().projects.insert(id);
                            }
                            Subject::Consortium(c) => {
                                self.by_consortium.entry(c.clone()).or_default().projects.insert(id);
                            }
                        }
                    }
                }
            }
            AnyEvent::Application(e) => {
                let id = e.application();
                upsert(&mut self.applications, id, &stored, index);
                if let Some(a) = self.applications.get(&id).and_then(|a| a.current.as_ref()) {
                    add(Subject::Consortium(a.consortium.clone()));
                    add(Subject::Municipality(a.lead_applicant));
                    for c in &a.co_applicants {
                        add(Subject::Municipality(c.municipality));
                    }
                }
                if matches!(
                    e,
                    samverkan_domain::application::ApplicationEvent::ApplicationDrafted(_)
                        | samverkan_domain::application::ApplicationEvent::CoApplicantInvited(_)
                ) {
                    for s in &subjects {
                        match s {
                            Subject::Municipality(m) => {
                                self.by_municipality.entry(*m).or_default().applications.insert(id);
                            }
                            Subject::Consortium(c) => {
                                self.by_consortium.entry(c.clone()).or_default().applications.insert(id);
                            }
                        }
                    }
                }
            }
            AnyEvent::Programme(e) => {
                upsert(&mut self.programmes, e.programme().clone(), &stored, index);
            }
            AnyEvent::Calendar(e) => {
                let code = e.municipality();
                add(Subject::Municipality(code));
                upsert(&mut self.calendars, code, &stored, index);
            }
        }
        for s in &subjects {
            match self.by_subject.get_mut(s) {
                Some(v) => v.push(index),
                None => {
                    self.by_subject.insert(s.clone(), vec![index]);
                }
            }
        }
        self.log.push(Append {
            at: stored.at,
            event: &stored.event,
            compact: env.compact,
            actor: env.actor,
            actor_role: env.actor_role,
            subjects: &subjects,
        });
        self.checkpoint = Some(env.position);
        self.applied += 1;
        index
    }

    /// Note an event this build cannot decode: skipped, but the checkpoint moves on.
    pub fn skip(&mut self, position: u64) {
        self.skipped += 1;
        self.checkpoint = Some(position);
    }
}

impl ReadModels {
    /// Drop the models part by part and say how much the heap in use fell
    /// with each (`live`: bytes allocated and not yet freed, as a counting
    /// allocator reports them). For the memory benchmark.
    #[doc(hidden)]
    pub fn drop_by_part(mut self, live: impl Fn() -> usize) -> Vec<(&'static str, usize)> {
        let mut out = vec![];
        let mut part = |name: &'static str, take: &mut dyn FnMut()| {
            let before = live();
            take();
            out.push((name, before.saturating_sub(live())));
        };
        part("the log: entries and compact events", &mut || {
            drop(std::mem::take(&mut self.log))
        });
        part("log indices per subject", &mut || {
            drop(std::mem::take(&mut self.by_subject))
        });
        part("histories (log indices per entity)", &mut || {
            self.projects
                .values_mut()
                .for_each(|e| drop(std::mem::take(&mut e.history)));
            self.applications
                .values_mut()
                .for_each(|e| drop(std::mem::take(&mut e.history)));
            self.strategies
                .values_mut()
                .for_each(|e| drop(std::mem::take(&mut e.history)));
            self.municipalities
                .values_mut()
                .for_each(|e| drop(std::mem::take(&mut e.history)));
            self.consortia
                .values_mut()
                .for_each(|e| drop(std::mem::take(&mut e.history)));
        });
        part("projects", &mut || drop(std::mem::take(&mut self.projects)));
        part("applications", &mut || drop(std::mem::take(&mut self.applications)));
        part("strategies", &mut || drop(std::mem::take(&mut self.strategies)));
        part("municipalities and consortia", &mut || {
            drop(std::mem::take(&mut self.municipalities));
            drop(std::mem::take(&mut self.consortia));
        });
        part("links per municipality and consortium", &mut || {
            drop(std::mem::take(&mut self.by_municipality));
            drop(std::mem::take(&mut self.by_consortium));
            drop(std::mem::take(&mut self.code_index));
        });
        part("the rest (programmes, calendars)", &mut || {
            drop(std::mem::take(&mut self))
        });
        out
    }
}
