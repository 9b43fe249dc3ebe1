//! The projection benchmark's generated history: all ~650 Swedish and
//! Norwegian municipalities, 60 consortia, projects with their milestones,
//! partners and applications, in append order.

use chrono::{Duration, NaiveDate, Utc};
use samverkan_domain::application::*;
use samverkan_domain::consortium::*;
use samverkan_domain::municipality::*;
use samverkan_domain::project::*;
use samverkan_domain::strategy::*;
use samverkan_domain::*;

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn money(units: i64, c: Currency) -> Money {
    Money::major(units, c).expect("valid money")
}

fn decision(day: NaiveDate) -> Decision {
    Decision {
        body: DecisionBody::Council,
        date: day,
        paragraph: Some("§ 42".into()),
        case_number: Some("KS 2024/123".into()),
    }
}

/// Streams of events to append, in order.
pub struct History {
    pub streams: Vec<(String, Vec<AnyEvent>)>,
}

impl History {
    fn push(&mut self, stream: String, events: Vec<AnyEvent>) {
        self.streams.push((stream, events));
    }
    pub fn len(&self) -> usize {
        self.streams.iter().map(|(_, e)| e.len()).sum()
    }
}

pub fn generate(projects: usize, rng: &mut Rng) -> (History, Vec<MunicipalityCode>) {
    let mut h = History { streams: vec![] };
    let mut municipalities = vec![];
    for i in 0..650 {
        let code = if i < 290 {
            format!("SE-{:04}", 114 + i * 3)
        } else {
            format!("NO-{:04}", 301 + (i - 290) * 4)
        };
        let code = MunicipalityCode::parse(&code).expect("code");
        let mut ev: Vec<AnyEvent> = vec![AnyEvent::Municipality(
            MunicipalityRegistered {
                code,
                name: format!("Kommun {i}"),
                code_valid_from: None,
            }
            .into(),
        )];
        for t in 0..2 {
            let partner = TwinTownPartner {
                name: format!("Twin {i}-{t}"),
                country: CountryCode::parse("DK").expect("dk"),
                code: None,
            };
            ev.push(AnyEvent::Municipality(
                TwinTownAgreementSigned {
                    municipality: code,
                    partner,
                    since: date(1950 + t, 1, 1),
                    decision: decision(date(1950 + t, 1, 1)),
                }
                .into(),
            ));
        }
        h.push(format!("municipality-{code}"), ev);
        municipalities.push(code);
    }
    let mut consortia = vec![];
    for c in 0..60 {
        let code = ConsortiumCode::parse(&format!("C{c}")).expect("code");
        let mut ev: Vec<AnyEvent> = vec![AnyEvent::Consortium(
            ConsortiumFormed {
                code: code.clone(),
                name: format!("Consortium {c}"),
                kind: ConsortiumKind::RegionalCooperation,
                purpose: "Cooperation".into(),
                formed_on: date(2000, 1, 1),
            }
            .into(),
        )];
        let mut members = vec![];
        for k in 0..11 {
            let m = municipalities[(c * 11 + k) % municipalities.len()];
            ev.push(AnyEvent::Consortium(
                MemberJoined {
                    consortium: code.clone(),
                    municipality: m,
                    joined_on: date(2000, 1, 1),
                }
                .into(),
            ));
            members.push(m);
        }
        ev.push(AnyEvent::Consortium(
            CoordinatorAppointed {
                consortium: code.clone(),
                coordinator: Coordinator::Member {
                    municipality: members[0],
                },
                from: date(2000, 1, 1),
            }
            .into(),
        ));
        h.push(format!("consortium-{code}"), ev);
        consortia.push((code, members));
    }
    let mut goals = vec![];
    for (i, m) in municipalities.iter().enumerate() {
        for s in 0..2 {
            let id = StrategyId::from_name(&format!("bench-strategy-{i}-{s}"));
            let content = StrategyContent {
                focus_areas: vec!["Growth".into(), "Learning".into()],
                goals: (0..4)
                    .map(|g| Goal {
                        id: GoalId::parse(&format!("G{g}")).expect("goal"),
                        title: format!("Goal {g}"),
                        focus_area: Some(if g % 2 == 0 { "Growth" } else { "Learning" }.into()),
                        activities: vec!["Activity".into()],
                    })
                    .collect(),
                topics: vec!["EU".into()],
            };
            let mut ev: Vec<AnyEvent> = vec![
                AnyEvent::Strategy(
                    StrategyDrafted {
                        strategy: id,
                        municipality: *m,
                        title: format!("Strategy {i}-{s}"),
                        kind: DocumentKind::Strategy,
                        owner: "Kommunstyrelsen".into(),
                        responsible_role: "Chef".into(),
                        follow_up: FollowUpCadence::Yearly,
                        content,
                    }
                    .into(),
                ),
                AnyEvent::Strategy(
                    StrategyAdopted {
                        strategy: id,
                        municipality: *m,
                        decision: decision(date(2020 + s, 3, 1)),
                        validity: Period::new(date(2020 + s, 3, 1), Some(date(2028, 12, 31))).expect("period"),
                    }
                    .into(),
                ),
            ];
            for y in 2021..2025 {
                ev.push(AnyEvent::Strategy(
                    FollowUpReported {
                        strategy: id,
                        municipality: *m,
                        period: Period::new(date(y, 1, 1), Some(date(y, 12, 31))).expect("p"),
                        reported_on: date(y + 1, 3, 1),
                        reported_to: DecisionBody::ExecutiveBoard,
                        summary: "Uppföljning".into(),
                    }
                    .into(),
                ));
            }
            h.push(format!("strategy-{id}"), ev);
            goals.push((i, id));
        }
    }
    // Projects and applications, interleaved.
    for p in 0..projects {
        let (ccode, members) = &consortia[rng.below(consortia.len())];
        let lead = members[rng.below(members.len())];
        let partners: Vec<Participant> = (0..3)
            .map(|k| members[(k + 1 + rng.below(5)) % members.len()])
            .filter(|m| *m != lead)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|code| Participant::Municipality { code })
            .collect();
        let year = 2018 + rng.below(8) as i32;
        let period = Period::new(date(year, 1, 1), Some(date(year + 2, 12, 31))).expect("period");
        let currency = if lead.country().as_str() == "NO" {
            Currency::NOK
        } else {
            Currency::SEK
        };
        let budget = 1_000_000 + rng.below(5_000_000) as i64;
        let programme = Programme {
            kind: [
                ProgrammeKind::Interreg,
                ProgrammeKind::ErasmusPlus,
                ProgrammeKind::EsfPlus,
                ProgrammeKind::Icld,
            ][p % 4],
            name: "Programme".into(),
        };
        // Every second project comes from a joint application.
        if p % 2 == 0 {
            let aid = ApplicationId::from_name(&format!("bench-app-{p}"));
            let mut ev: Vec<AnyEvent> = vec![AnyEvent::Application(
                ApplicationDrafted {
                    application: aid,
                    consortium: ccode.clone(),
                    title: format!("Application {p}"),
                    programme: programme.clone(),
                    call: "Call".into(),
                    lead_applicant: lead,
                    deadline: Utc::now(),
                    total_budget: money(budget, currency),
                    requested: money(budget / 2, currency),
                    project_period: period,
                    serves_goals: vec![],
                    eu_priorities: vec![EuPriority::Green],
                    drafted_at: Utc::now(),
                    call_rules: None,
                    sides: vec![],
                }
                .into(),
            )];
            for partner in &partners {
                if let Participant::Municipality { code } = partner {
                    ev.push(AnyEvent::Application(
                        CoApplicantInvited {
                            application: aid,
                            municipality: *code,
                            asked: None,
                        }
                        .into(),
                    ));
                    ev.push(AnyEvent::Application(
                        CoFinancingCommitted {
                            application: aid,
                            municipality: *code,
                            amount: money(50_000, currency),
                            decision: decision(date(year - 1, 5, 1)),
                            terms: None,
                        }
                        .into(),
                    ));
                }
            }
            ev.push(AnyEvent::Application(
                RiskAssessmentRecorded {
                    application: aid,
                    benefits: "b".into(),
                    risks: "r".into(),
                    democracy_and_human_rights: "d".into(),
                    assessed_on: date(year - 1, 6, 1),
                }
                .into(),
            ));
            ev.push(AnyEvent::Application(
                ApplicationSubmitted {
                    application: aid,
                    submitted_at: Utc::now(),
                    co_financing: money(150_000, currency),
                }
                .into(),
            ));
            ev.push(AnyEvent::Application(
                ApplicationApproved {
                    application: aid,
                    granted: money(budget / 2, currency),
                    decided_on: date(year - 1, 11, 1),
                    decision_reference: "R".into(),
                    project: project_id_for(aid),
                }
                .into(),
            ));
            h.push(format!("application-{aid}"), ev);
        }
        let id = ProjectId::from_name(&format!("bench-project-{p}"));
        let (gi, sid) = goals[rng.below(goals.len())];
        let _ = gi;
        let mut ev: Vec<AnyEvent> = vec![AnyEvent::Project(
            ProjectRegistered {
                project: id,
                title: format!("Project {p}"),
                lead: Participant::Municipality { code: lead },
                partners: partners.clone(),
                programme,
                financing: Financing {
                    budget: money(budget, currency),
                    grant: money(budget / 2, currency),
                    co_financing: money(budget / 4, currency),
                },
                period,
                serves_goals: vec![GoalRef {
                    strategy: sid,
                    goal: GoalId::parse("G1").expect("goal"),
                }],
                eu_priorities: vec![EuPriority::Green, EuPriority::Digital],
                from_application: None,
                consortium: Some(ccode.clone()),
                sides: Box::default(),
            }
            .into(),
        )];
        for k in 0..19u32 {
            let mid = MilestoneId::parse(&format!("M{k}")).expect("m");
            let due = date(year + (k / 12) as i32, 1 + k % 12, 15);
            ev.push(AnyEvent::Project(
                MilestonePlanned {
                    project: id,
                    milestone: mid.clone(),
                    title: format!("Milestone {k}"),
                    due,
                }
                .into(),
            ));
            if k % 3 == 0 {
                ev.push(AnyEvent::Project(
                    MilestoneRescheduled {
                        project: id,
                        milestone: mid.clone(),
                        previous_due: due,
                        new_due: due + Duration::days(30),
                        reason: "Delayed".into(),
                    }
                    .into(),
                ));
            }
            if k % 6 == 5 {
                ev.push(AnyEvent::Project(
                    MilestoneCancelled {
                        project: id,
                        milestone: mid.clone(),
                        reason: "Dropped".into(),
                    }
                    .into(),
                ));
            } else if k < 16 {
                ev.push(AnyEvent::Project(
                    MilestoneAchieved {
                        project: id,
                        milestone: mid,
                        achieved_on: due + Duration::days(3),
                    }
                    .into(),
                ));
            }
        }
        ev.push(AnyEvent::Project(
            BudgetAmended {
                project: id,
                financing: Financing {
                    budget: money(budget + 1000, currency),
                    grant: money(budget / 2, currency),
                    co_financing: money(budget / 4, currency),
                },
                reason: "Extra".into(),
            }
            .into(),
        ));
        h.push(format!("project-{id}"), ev);
    }
    (h, municipalities)
}

/// Write `history` durably to `store` with 64 concurrent appenders (group
/// commit), one append per stream, in two halves; returns an instant
/// between the halves (the middle of the history, for as-of reads).
pub async fn write(
    store: &std::sync::Arc<samverkan_eventstore::SqliteStore>,
    history: History,
) -> chrono::DateTime<Utc> {
    use samverkan_eventstore::{EventMetadata, EventStore, ExpectedVersion, NewEvent};
    use uuid::Uuid;
    let mut midpoint = None;
    let chunks: Vec<Vec<(String, Vec<AnyEvent>)>> = {
        let mut chunks: Vec<Vec<_>> = (0..64).map(|_| vec![]).collect();
        for (i, s) in history.streams.into_iter().enumerate() {
            chunks[i % 64].push(s);
        }
        chunks
    };
    let half = chunks.len() / 2;
    let mut first_half = vec![];
    let mut second_half = vec![];
    for (i, c) in chunks.into_iter().enumerate() {
        if i < half {
            first_half.push(c)
        } else {
            second_half.push(c)
        }
    }
    for part in [first_half, second_half] {
        let mut tasks = vec![];
        for chunk in part {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for (stream, events) in chunk {
                    let new: Vec<NewEvent> = events
                        .iter()
                        .map(|e| {
                            let (t, v, json) = e.encode();
                            let data = serde_json::to_vec(&json).expect("json");
                            NewEvent {
                                id: Uuid::new_v4(),
                                event_type: t.to_string(),
                                schema_version: v,
                                data,
                                metadata: EventMetadata {
                                    actor: Some("bench".into()),
                                    actor_role: Some("admin".into()),
                                    ..Default::default()
                                },
                            }
                        })
                        .collect();
                    store
                        .append(&stream, ExpectedVersion::NoStream, new)
                        .await
                        .expect("append");
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        if midpoint.is_none() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            midpoint = Some(Utc::now());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    midpoint.expect("two halves written")
}
