//! A municipality's register of decisions (postlista-style, diarium): every
//! formal decision Samverkan holds that the municipality took or received,
//! oldest first, one line each with its date, case number (diarienummer),
//! paragraph, deciding body, kind and a short description.
//!
//! Its own decisions: strategies adopted, revised and repealed; twin-town
//! agreements signed and ended; a national code change made by decision;
//! co-financing committed (medfinansieringsintyg). Decisions it received:
//! the funders' decisions on the joint applications it is a party to (each
//! side's decision of a cross-border application, or the approval or
//! rejection of a single-budget one). Drafts the viewer may not read are left
//! out, as everywhere.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::ApplicationEvent as A;
use samverkan_domain::municipality::MunicipalityEvent as M;
use samverkan_domain::strategy::StrategyEvent as S;
use samverkan_domain::{AnyEvent, ApplicationId, Decision, DecisionBody, MunicipalityCode};

use crate::projections::log::summarize;
use crate::projections::{LogEntry, Subject, Visible};

/// Who took a decision in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecidedBy {
    /// The municipality's own body (council, executive board, …).
    Municipality { code: MunicipalityCode, body: DecisionBody },
    /// A funder (managing authority, fylkeskommune, national agency).
    Funder { name: String },
}

/// One line of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The decision's own date (business time).
    pub date: NaiveDate,
    /// Diarienummer (the municipality's or the funder's case number), when recorded.
    pub case_number: Option<String>,
    /// The paragraph in the minutes (`§ 12`), when recorded.
    pub paragraph: Option<String>,
    pub decided_by: DecidedBy,
    /// The event that records the decision, e.g. `StrategyAdopted`.
    pub kind: &'static str,
    /// A short human line (the timeline's).
    pub description: String,
    /// The recording event's global log position (for `eventProof`).
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
    /// The application the decision belongs to, if any.
    pub application: Option<ApplicationId>,
}

impl Visible<'_> {
    /// The register of `municipality`: decisions dated `from..=to` (business
    /// time; both optional) among the events recorded by `at` (recording
    /// time; `None`: everything), oldest decision first (ties in log order).
    pub fn register(
        &self,
        municipality: &MunicipalityCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        at: Option<DateTime<Utc>>,
    ) -> Vec<RegisterEntry> {
        let models = self.models;
        let Some(indices) = models.by_subject.get(&Subject::Municipality(*municipality)) else {
            return vec![];
        };
        let mut seen: std::collections::HashMap<ApplicationId, bool> = std::collections::HashMap::new();
        let mut sided: HashSet<ApplicationId> = HashSet::new();
        let mut out = vec![];
        for &i in indices {
            let Some(e) = models.log.get(i) else { continue };
            // Only decisions make lines: other events are not decoded.
            let event_type = models.log.event_type(e);
            if at.is_some_and(|t| e.at().recorded_at > t) || !DECISIONS.contains(&event_type) {
                continue;
            }
            if let Some(id) = models.log.application(e) {
                if !*seen.entry(id).or_insert_with(|| self.may_see_id(&id)) {
                    continue;
                }
                if event_type == "FunderDecisionRecorded" {
                    sided.insert(id);
                }
            }
            let Some(event) = models.log.event(e) else { continue };
            let Some(entry) = line(self, e, &event, municipality, &sided) else {
                continue;
            };
            if from.is_some_and(|f| entry.date < f) || to.is_some_and(|t| entry.date > t) {
                continue;
            }
            out.push(entry);
        }
        out.sort_by_key(|e| (e.date, e.position));
        out
    }
}

/// The event types [`line`] makes lines of.
const DECISIONS: &[&str] = &[
    "StrategyAdopted",
    "StrategyRevised",
    "StrategyRepealed",
    "TwinTownAgreementSigned",
    "TwinTownAgreementEnded",
    "MunicipalityCodeChanged",
    "CoFinancingCommitted",
    "FunderDecisionRecorded",
    "ApplicationApproved",
    "ApplicationRejected",
];

/// The register line of `e` (decoded: `event`) for `m`, if it records a decision `m` took or received.
fn line(
    seen: &Visible<'_>,
    e: &LogEntry,
    event: &AnyEvent,
    m: &MunicipalityCode,
    sided: &HashSet<ApplicationId>,
) -> Option<RegisterEntry> {
    let own = |d: &Decision| {
        (
            d.date,
            d.case_number.clone(),
            d.paragraph.clone(),
            DecidedBy::Municipality { code: *m, body: d.body },
        )
    };
    let funder = |name: String, date: NaiveDate, reference: Option<&str>| {
        (date, reference.map(str::to_string), None, DecidedBy::Funder { name })
    };
    let programme_of = |id: &ApplicationId| {
        seen.models()
            .applications
            .get(id)
            .and_then(|a| a.current.as_ref())
            .map_or_else(|| "the funder".to_string(), |a| a.programme.name.clone())
    };
    let (date, case_number, paragraph, decided_by) = match event {
        AnyEvent::Strategy(S::StrategyAdopted(x)) if x.municipality == *m => own(&x.decision),
        AnyEvent::Strategy(S::StrategyRevised(x)) if x.municipality == *m => own(&x.decision),
        AnyEvent::Strategy(S::StrategyRepealed(x)) if x.municipality == *m => own(&x.decision),
        AnyEvent::Municipality(M::TwinTownAgreementSigned(x)) if x.municipality == *m => own(&x.decision),
        AnyEvent::Municipality(M::TwinTownAgreementEnded(x)) if x.municipality == *m => own(&x.decision),
        AnyEvent::Municipality(M::MunicipalityCodeChanged(x)) if x.municipality == *m => own(x.decision.as_ref()?),
        AnyEvent::Application(A::CoFinancingCommitted(x)) if x.municipality == *m => own(&x.decision),
        AnyEvent::Application(A::FunderDecisionRecorded(x)) => funder(
            x.decision.funder.clone(),
            x.decision.decided_on,
            Some(&x.decision.decision_reference),
        ),
        // A cross-border application's outcome follows its sides' decisions,
        // which are listed themselves.
        AnyEvent::Application(A::ApplicationApproved(x)) if !sided.contains(&x.application) => {
            funder(programme_of(&x.application), x.decided_on, Some(&x.decision_reference))
        }
        AnyEvent::Application(A::ApplicationRejected(x)) if !sided.contains(&x.application) => {
            funder(programme_of(&x.application), x.decided_on, None)
        }
        _ => return None,
    };
    // A strategy's line names the document (the timeline's line does not).
    let title = match event {
        AnyEvent::Strategy(S::StrategyAdopted(x)) => Some(x.strategy),
        AnyEvent::Strategy(S::StrategyRevised(x)) => Some(x.strategy),
        AnyEvent::Strategy(S::StrategyRepealed(x)) => Some(x.strategy),
        _ => None,
    }
    .and_then(|id| seen.models().strategy(&id, None))
    .map(|s| s.title);
    let summary = summarize(event);
    let log = &seen.models().log;
    Some(RegisterEntry {
        date,
        case_number,
        paragraph,
        decided_by,
        kind: log.event_type(e),
        description: title.map_or(summary.clone(), |t| format!("{t}: {summary}")),
        position: e.position(),
        recorded_at: e.at().recorded_at,
        application: log.application(e),
    })
}
