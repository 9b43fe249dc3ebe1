//! Projection benchmark: a generated history of realistic shape (all ~650
//! Swedish and Norwegian municipalities, 60 consortia, 20,000 projects, about
//! 1 million events) written to the embedded store, then
//! - rebuild speed (events/s into all read models, reading from the store),
//! - apply-only speed (events already in memory),
//! - dashboard read latency now and as of the middle of the history,
//! - memory (peak resident set),
//! - the snapshot: its size against the store's files, write time, load time
//!   against the rebuild, the same models as JSON (the format before 3) as a
//!   yardstick, and the longest pause of the projection's apply while a
//!   snapshot is written (events keep arriving).
//!
//! Run: `cargo bench -p samverkan-app --bench projections`
//! Scale: `SAMVERKAN_BENCH_PROJECTS=2000 cargo bench -p samverkan-app --bench projections`
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use samverkan_app::projections::Unrestricted;
use samverkan_app::projections::{apply_recorded, rebuild, AsOf, ReadModels};
use samverkan_domain::application::*;
use samverkan_domain::consortium::*;
use samverkan_domain::municipality::*;
use samverkan_domain::project::*;
use samverkan_domain::strategy::*;
use samverkan_domain::*;
use samverkan_eventstore::{EventMetadata, EventStore, ExpectedVersion, NewEvent, SqliteStore};
use uuid::Uuid;

#[path = "projections/snapshots.rs"]
mod snapshots;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
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
struct History {
    streams: Vec<(String, Vec<AnyEvent>)>,
}

impl History {
    fn push(&mut self, stream: String, events: Vec<AnyEvent>) {
        self.streams.push((stream, events));
    }
    fn len(&self) -> usize {
        self.streams.iter().map(|(_, e)| e.len()).sum()
    }
}

fn generate(projects: usize, rng: &mut Rng) -> (History, Vec<MunicipalityCode>) {
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

fn encode(e: &AnyEvent) -> (String, u32, Vec<u8>) {
    let (t, v, json) = match e {
        AnyEvent::Municipality(e) => (e.event_type(), e.schema_version(), e.to_json()),
        AnyEvent::Consortium(e) => (e.event_type(), e.schema_version(), e.to_json()),
        AnyEvent::Strategy(e) => (e.event_type(), e.schema_version(), e.to_json()),
        AnyEvent::Project(e) => (e.event_type(), e.schema_version(), e.to_json()),
        AnyEvent::Application(e) => (e.event_type(), e.schema_version(), e.to_json()),
        AnyEvent::Programme(e) => (e.event_type(), e.schema_version(), e.to_json()),
        AnyEvent::Calendar(e) => (e.event_type(), e.schema_version(), e.to_json()),
    };
    (t.to_string(), v, serde_json::to_vec(&json).expect("json"))
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn time_dashboards(
    models: &ReadModels,
    codes: &[MunicipalityCode],
    when: AsOf,
    rng: &mut Rng,
    n: usize,
) -> (f64, f64, f64) {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let code = &codes[rng.below(codes.len())];
        let t = Instant::now();
        // As of mid-log, a municipality may not be registered yet: that answer counts too.
        let d = models.seen_by(&Unrestricted).dashboard(code, when);
        std::hint::black_box(&d);
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    (mean, percentile(samples.clone(), 0.5), percentile(samples, 0.99))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; nothing to list.
    }
    let projects = env("SAMVERKAN_BENCH_PROJECTS", 20_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path().join("events.sqlite")).expect("open store"));
    let mut rng = Rng(0x5eed_cafe_f00d);

    let t = Instant::now();
    let (history, codes) = generate(projects, &mut rng);
    let total = history.len();
    println!(
        "generated {total} events ({} streams) in {:.1?}",
        history.streams.len(),
        t.elapsed()
    );

    // Write with many concurrent appenders (group commit), one append per stream.
    let t = Instant::now();
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
                            let (t, v, data) = encode(e);
                            NewEvent {
                                id: Uuid::new_v4(),
                                event_type: t,
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
    let write = t.elapsed();
    println!(
        "wrote {total} events in {write:.1?} ({:.0} events/s, durable, group commit)",
        total as f64 / write.as_secs_f64()
    );

    let rss_before = rss_kib("VmRSS:");
    let t = Instant::now();
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let rebuild_time = t.elapsed();
    let rss_after = rss_kib("VmRSS:");
    println!(
        "rebuild from the store: {} events in {rebuild_time:.2?} = {:.0} events/s into all read models (skipped {})",
        models.applied(),
        models.applied() as f64 / rebuild_time.as_secs_f64(),
        models.skipped()
    );

    // Apply only: events already read into memory.
    let t = Instant::now();
    let mut all = vec![];
    let mut after = None;
    loop {
        let batch = store.read_all(after, 8192).await.expect("read");
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        all.extend(batch);
    }
    println!(
        "read only (store, global log): {:.0} events/s",
        all.len() as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut decoded = 0usize;
    for e in &all {
        decoded += usize::from(AnyEvent::decode(&e.event_type, e.schema_version, &e.data).is_ok());
    }
    println!(
        "decode only: {:.0} events/s ({decoded} decoded)",
        all.len() as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut fresh = ReadModels::default();
    for e in &all {
        apply_recorded(&mut fresh, e);
    }
    let apply_time = t.elapsed();
    println!(
        "apply only (events in memory): {:.0} events/s",
        all.len() as f64 / apply_time.as_secs_f64()
    );
    drop(fresh);
    drop(all);

    let (mean, p50, p99) = time_dashboards(&models, &codes, AsOf::now(Utc::now()), &mut rng, 2000);
    println!("dashboard read (now):            mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms");
    let mid = midpoint.expect("midpoint");
    let (mean, p50, p99) = time_dashboards(&models, &codes, AsOf::past(mid), &mut rng, 500);
    println!("dashboard read (as of mid-log):  mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms");
    let (mean, p50, p99) = {
        let mut samples = vec![];
        for _ in 0..200 {
            let code = &codes[rng.below(codes.len())];
            let t = Instant::now();
            std::hint::black_box(
                models
                    .seen_by(&Unrestricted)
                    .follow_up_report(code, 2022, AsOf::now(Utc::now())),
            );
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        (
            samples.iter().sum::<f64>() / samples.len() as f64,
            percentile(samples.clone(), 0.5),
            percentile(samples, 0.99),
        )
    };
    println!("yearly follow-up report:         mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms");
    println!(
        "memory: read models for {total} events ≈ {} MiB resident (RSS {} → {} MiB), peak RSS {} MiB",
        (rss_after.saturating_sub(rss_before)) / 1024,
        rss_before / 1024,
        rss_after / 1024,
        rss_kib("VmHWM:") / 1024
    );
    snapshots::snapshots(dir.path(), store.as_ref(), models, rebuild_time).await;
}
