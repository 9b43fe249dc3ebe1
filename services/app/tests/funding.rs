//! Funding figures that agree: the dashboard's funding lines, the follow-up
//! report's "funding obtained" and the consortium overview's granted totals,
//! against a straightforward recomputation from the stored events. Real
//! commands through the real embedded store, projection runner and process
//! manager. The rule is in `docs/domain.md`, "Which date and whose money".
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, Utc};
use proptest::prelude::*;
use samverkan_app::projections::queries::FundingLine;
use samverkan_app::projections::AsOf;
use samverkan_app::projections::Unrestricted;
use samverkan_app::Commands;
use samverkan_domain::application::{
    project_id_for, Application, ApplicationCommand, ApplicationEvent, DraftApplication,
};
use samverkan_domain::project::{Financing, Participant, Project, ProjectCommand, ProjectEvent, RegisterProject};
use samverkan_domain::testing::fixtures::{decision, m, sek};
use samverkan_domain::*;
use samverkan_eventstore::{EventStore, SqliteStore};
use uuid::Uuid;

mod support;
use support::{ctx, v6, World};

const CODES: [&str; 4] = ["SE-1494", "SE-1495", "SE-1470", "SE-1487"];

impl World {
    /// The shared world with [`World::setup`] done.
    async fn with_v6() -> World {
        let w = World::new().await;
        w.setup().await;
        w
    }

    /// Four municipalities, all members of V6 since 2000.
    async fn setup(&self) {
        for code in CODES {
            self.register(code, &format!("Kommun {code}")).await;
        }
        self.form_v6("Tourism", d(2000, 0)).await;
        for code in CODES {
            self.join_v6(code, d(2000, 0)).await;
        }
    }

    async fn app(&self, id: ApplicationId, c: ApplicationCommand) {
        self.commands.execute::<Application>(&id, c, &ctx()).await.unwrap();
    }

    async fn settle_projects(&self, projects: &[ProjectId]) {
        for id in projects {
            let mut found = false;
            for _ in 0..400 {
                if self.projections.read().project(id, None).is_some() {
                    found = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert!(found, "project {id} never appeared");
        }
        self.settle().await;
    }
}

/// Day `day` (0-based) of `year`.
fn d(year: i32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap() + chrono::Duration::days(i64::from(day))
}
fn board(date: NaiveDate) -> Decision {
    decision(DecisionBody::ExecutiveBoard, date, "§ 5", "KS 1/1")
}
fn programme(kind: ProgrammeKind) -> Programme {
    Programme {
        kind,
        name: format!("{kind:?}"),
    }
}

/// What happens to a generated application.
#[derive(Debug, Clone)]
enum Outcome {
    Draft,
    Submitted,
    Approved { granted: i64, year: i32, day: u32 },
    Rejected { year: i32, day: u32 },
    Withdrawn { submitted: bool },
}

/// A commitment: (amount in SEK, decision year, day of the year).
type Dated = (i64, i32, u32);

#[derive(Debug, Clone)]
struct AppSpec {
    lead: usize,
    kind: ProgrammeKind,
    /// The lead's own commitment: (amount, year, day).
    lead_commitment: Option<Dated>,
    /// Co-applicants (never the lead) and their answers: `Some` commits.
    co_applicants: Vec<(usize, Option<Dated>)>,
    period_start: i32,
    outcome: Outcome,
}

#[derive(Debug, Clone)]
struct ProjectSpec {
    lead: usize,
    partners: Vec<usize>,
    kind: ProgrammeKind,
    grant: i64,
    co_financing: i64,
    start_year: i32,
    start_day: u32,
}

const YEARS: std::ops::RangeInclusive<i32> = 2023..=2028;

fn kind() -> impl Strategy<Value = ProgrammeKind> {
    prop_oneof![Just(ProgrammeKind::Interreg), Just(ProgrammeKind::ErasmusPlus)]
}
fn dated(max: i64) -> impl Strategy<Value = Dated> {
    (1..=max, YEARS, 0u32..365)
}

fn app_spec() -> impl Strategy<Value = AppSpec> {
    (
        0..CODES.len(),
        kind(),
        proptest::option::of(dated(50_000)),
        proptest::collection::btree_map(0..CODES.len(), proptest::option::of(dated(50_000)), 0..3),
        YEARS,
        prop_oneof![
            Just(Outcome::Draft),
            Just(Outcome::Submitted),
            (1i64..=800_000, YEARS, 0u32..365).prop_map(|(granted, year, day)| Outcome::Approved {
                granted,
                year,
                day
            }),
            (1i64..=800_000, YEARS, 0u32..365).prop_map(|(granted, year, day)| Outcome::Approved {
                granted,
                year,
                day
            }),
            (YEARS, 0u32..365).prop_map(|(year, day)| Outcome::Rejected { year, day }),
            any::<bool>().prop_map(|submitted| Outcome::Withdrawn { submitted }),
        ],
    )
        .prop_map(|(lead, kind, lead_commitment, co, period_start, outcome)| AppSpec {
            lead,
            kind,
            lead_commitment,
            co_applicants: co.into_iter().filter(|(i, _)| *i != lead).collect(),
            period_start,
            outcome,
        })
}

fn project_spec() -> impl Strategy<Value = ProjectSpec> {
    (
        0..CODES.len(),
        proptest::collection::btree_set(0..CODES.len(), 0..3),
        kind(),
        1i64..=900_000,
        0i64..=100_000,
        YEARS,
        0u32..365,
    )
        .prop_map(
            |(lead, partners, kind, grant, co_financing, start_year, start_day)| ProjectSpec {
                lead,
                partners: partners.into_iter().filter(|i| *i != lead).collect(),
                kind,
                grant,
                co_financing,
                start_year,
                start_day,
            },
        )
}

/// Run the history through the real command handler; the ids of the projects to wait for.
async fn play(w: &World, apps: &[AppSpec], projects: &[ProjectSpec]) -> Vec<ProjectId> {
    let mut expect_projects = vec![];
    for (n, a) in apps.iter().enumerate() {
        let id = ApplicationId::new(Uuid::new_v4());
        w.app(
            id,
            ApplicationCommand::Draft(Box::new(DraftApplication {
                application: id,
                consortium: v6(),
                consortium_members: BTreeSet::new(),
                title: format!("Ansökan {n}"),
                programme: programme(a.kind),
                call: "Call 1".into(),
                lead_applicant: m(CODES[a.lead]),
                deadline: "2099-01-01T00:00:00Z".parse().unwrap(),
                total_budget: sek(1_000_000),
                requested: sek(800_000),
                project_period: Period::new(d(a.period_start, 0), Some(d(a.period_start + 2, 364))).unwrap(),
                serves_goals: vec![],
                eu_priorities: vec![],
                now: Utc::now(),
                call_ref: None,
                sides: vec![],
                call_rules: None,
            })),
        )
        .await;
        for (i, _) in &a.co_applicants {
            w.app(
                id,
                ApplicationCommand::Invite {
                    municipality: m(CODES[*i]),
                    consortium_members: BTreeSet::new(),
                },
            )
            .await;
        }
        for (i, answer) in &a.co_applicants {
            let municipality = m(CODES[*i]);
            let c = match answer {
                Some((amount, year, day)) => ApplicationCommand::CommitCoFinancing {
                    municipality,
                    amount: sek(*amount),
                    decision: board(d(*year, *day)),
                },
                None => ApplicationCommand::DeclineCoFinancing {
                    municipality,
                    reason: "Ingen budget".into(),
                },
            };
            w.app(id, c).await;
        }
        if let Some((amount, year, day)) = a.lead_commitment {
            w.app(
                id,
                ApplicationCommand::CommitCoFinancing {
                    municipality: m(CODES[a.lead]),
                    amount: sek(amount),
                    decision: board(d(year, day)),
                },
            )
            .await;
        }
        let submit = !matches!(a.outcome, Outcome::Draft | Outcome::Withdrawn { submitted: false });
        if submit {
            w.app(
                id,
                ApplicationCommand::RecordRiskAssessment {
                    benefits: "Nytta".into(),
                    risks: "Risk".into(),
                    democracy_and_human_rights: "Inga".into(),
                    assessed_on: d(2023, 0),
                },
            )
            .await;
            w.app(id, ApplicationCommand::Submit { now: Utc::now() }).await;
        }
        match a.outcome {
            Outcome::Draft | Outcome::Submitted => {}
            Outcome::Approved { granted, year, day } => {
                w.app(
                    id,
                    ApplicationCommand::Approve {
                        granted: sek(granted),
                        decided_on: d(year, day),
                        decision_reference: "JEMS-1".into(),
                    },
                )
                .await;
                expect_projects.push(project_id_for(id));
            }
            Outcome::Rejected { year, day } => {
                w.app(
                    id,
                    ApplicationCommand::Reject {
                        decided_on: d(year, day),
                        reason: "Låg poäng".into(),
                    },
                )
                .await;
            }
            Outcome::Withdrawn { .. } => {
                w.app(
                    id,
                    ApplicationCommand::Withdraw {
                        withdrawn_on: d(2024, 0),
                        reason: "Drog tillbaka".into(),
                    },
                )
                .await;
            }
        }
    }
    for (n, p) in projects.iter().enumerate() {
        let id = ProjectId::new(Uuid::new_v4());
        let register = RegisterProject {
            project: id,
            title: format!("Projekt {n}"),
            lead: Participant::Municipality { code: m(CODES[p.lead]) },
            partners: p
                .partners
                .iter()
                .map(|i| Participant::Municipality { code: m(CODES[*i]) })
                .collect(),
            programme: programme(p.kind),
            financing: Financing {
                budget: sek(p.grant + p.co_financing),
                grant: sek(p.grant),
                co_financing: sek(p.co_financing),
            },
            period: Period::new(d(p.start_year, p.start_day), Some(d(p.start_year + 2, 0))).unwrap(),
            serves_goals: vec![],
            eu_priorities: vec![],
            from_application: None,
            consortium: None,
            sides: vec![],
        };
        w.commands
            .execute::<Project>(&id, ProjectCommand::Register(Box::new(register)), &ctx())
            .await
            .unwrap();
    }
    expect_projects
}

type Expected = BTreeMap<(MunicipalityCode, i32, ProgrammeKind, Currency), (i128, i128)>;

/// The rule, recomputed straight from the stored events: a grant is the
/// lead's, in the year of the funder's decision (a directly registered
/// project: its period start); co-financing is each municipality's own
/// commitment, in the year of its own decision, unless the application was
/// withdrawn. Also the granted total per currency.
async fn recompute(store: &Arc<dyn EventStore>) -> (Expected, BTreeMap<Currency, i128>) {
    let mut events = vec![];
    let mut after = None;
    loop {
        let batch = store.read_all(after, 500).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        events.extend(batch);
    }
    let mut apps: BTreeMap<ApplicationId, (MunicipalityCode, ProgrammeKind)> = BTreeMap::new();
    let mut commitments: BTreeMap<(ApplicationId, MunicipalityCode), Money> = BTreeMap::new();
    let mut commitment_dates: BTreeMap<(ApplicationId, MunicipalityCode), NaiveDate> = BTreeMap::new();
    let mut withdrawn = BTreeSet::new();
    let mut grants: Vec<(MunicipalityCode, NaiveDate, ProgrammeKind, Money)> = vec![];
    let mut total_granted: BTreeMap<Currency, i128> = BTreeMap::new();
    for e in &events {
        match AnyEvent::decode(&e.event_type, e.schema_version, &e.data).unwrap() {
            AnyEvent::Application(ApplicationEvent::ApplicationDrafted(x)) => {
                apps.insert(x.application, (x.lead_applicant, x.programme.kind));
            }
            AnyEvent::Application(ApplicationEvent::CoFinancingCommitted(x)) => {
                commitments.insert((x.application, x.municipality), x.amount);
                commitment_dates.insert((x.application, x.municipality), x.decision.date);
            }
            AnyEvent::Application(ApplicationEvent::ApplicationWithdrawn(x)) => {
                withdrawn.insert(x.application);
            }
            AnyEvent::Application(ApplicationEvent::ApplicationApproved(x)) => {
                let (lead, kind) = apps[&x.application];
                grants.push((lead, x.decided_on, kind, x.granted));
                *total_granted.entry(x.granted.currency).or_default() += i128::from(x.granted.amount_minor);
            }
            AnyEvent::Project(ProjectEvent::ProjectRegistered(x)) if x.from_application.is_none() => {
                if let Some(lead) = x.lead.municipality() {
                    grants.push((*lead, x.period.start, x.programme.kind, x.financing.grant));
                }
            }
            _ => {}
        }
    }
    let mut out = Expected::new();
    for (lead, date, kind, g) in grants {
        out.entry((lead, date.year(), kind, g.currency)).or_default().0 += i128::from(g.amount_minor);
    }
    for ((a, muni), money) in commitments {
        if withdrawn.contains(&a) {
            continue;
        }
        let year = commitment_dates[&(a, muni)].year();
        out.entry((muni, year, apps[&a].1, money.currency)).or_default().1 += i128::from(money.amount_minor);
    }
    (out, total_granted)
}

fn expected_lines(expected: &Expected, code: &MunicipalityCode, year: i32) -> Vec<FundingLine> {
    expected
        .iter()
        .filter(|((m, y, _, _), _)| m == code && *y == year)
        .map(|((_, year, programme, currency), (g, c))| FundingLine {
            year: *year,
            programme: *programme,
            currency: *currency,
            granted_minor: *g,
            co_financing_minor: *c,
        })
        .collect()
}

async fn check(apps: Vec<AppSpec>, projects: Vec<ProjectSpec>) {
    let w = World::with_v6().await;
    let wait = play(&w, &apps, &projects).await;
    w.settle_projects(&wait).await;
    let (expected, total_granted) = recompute(&w.store).await;
    let models = w.projections.read();
    let now = AsOf::now(Utc::now());
    for code in CODES.map(m) {
        let dashboard = models.seen_by(&Unrestricted).dashboard(&code, now).unwrap();
        let all_years = models.seen_by(&Unrestricted).funding_on(&code, None, None, None);
        assert_eq!(dashboard.funding, all_years, "{code}: dashboard and funding_on");
        for year in YEARS {
            let want = expected_lines(&expected, &code, year);
            let dash: Vec<FundingLine> = dashboard.funding.iter().filter(|l| l.year == year).cloned().collect();
            assert_eq!(dash, want, "{code} {year}: dashboard against the events");
            let report = models
                .seen_by(&Unrestricted)
                .follow_up_report(&code, year, now)
                .unwrap();
            assert_eq!(
                report.funding_obtained, want,
                "{code} {year}: follow-up report against the events"
            );
            let visible = models.seen_by(&Unrestricted).funding_on(&code, None, None, Some(year));
            assert_eq!(
                visible, want,
                "{code} {year}: the API's recomputation against the events"
            );
        }
        // Nothing outside the generated years.
        assert!(dashboard.funding.iter().all(|l| YEARS.contains(&l.year)), "{code}");
    }
    let overview = models.seen_by(&Unrestricted).consortium_overview(&v6(), now).unwrap();
    assert_eq!(
        overview.granted, total_granted,
        "consortium overview: granted = sum of approvals"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn funding_figures_agree_with_each_other_and_with_the_events(
        apps in proptest::collection::vec(app_spec(), 0..4),
        projects in proptest::collection::vec(project_spec(), 0..3),
    ) {
        runtime().block_on(check(apps, projects));
    }
}

/// A project led by Lidköping with Skara and Vara as partners: the grant is
/// Lidköping's, in the year the funder decided (2025), although the project
/// starts in 2026; each partner sees only its own co-financing.
#[test]
fn a_partner_is_not_credited_with_the_lead_grant_and_the_grant_lands_in_the_decision_year() {
    let lead = 0;
    let app = AppSpec {
        lead,
        kind: ProgrammeKind::Interreg,
        lead_commitment: Some((100_000, 2025, 10)),
        co_applicants: vec![(1, Some((50_000, 2025, 20))), (2, Some((25_000, 2024, 300)))],
        period_start: 2026,
        outcome: Outcome::Approved {
            granted: 700_000,
            year: 2025,
            day: 330,
        },
    };
    // Directly registered, led by Vänersborg with Lidköping as a partner: Vänersborg's grant, by the period start.
    let direct = ProjectSpec {
        lead: 3,
        partners: vec![0],
        kind: ProgrammeKind::Interreg,
        grant: 300_000,
        co_financing: 10_000,
        start_year: 2027,
        start_day: 0,
    };
    runtime().block_on(async {
        let w = World::with_v6().await;
        let wait = play(&w, &[app], &[direct]).await;
        w.settle_projects(&wait).await;
        let models = w.projections.read();
        let now = AsOf::now(Utc::now());
        let line = |lines: &[FundingLine], year: i32| {
            lines
                .iter()
                .find(|l| l.year == year && l.programme == ProgrammeKind::Interreg && l.currency == Currency::SEK)
                .cloned()
        };
        let lidkoping = models.seen_by(&Unrestricted).dashboard(&m(CODES[0]), now).unwrap();
        let skara = models.seen_by(&Unrestricted).dashboard(&m(CODES[1]), now).unwrap();
        let vara = models.seen_by(&Unrestricted).dashboard(&m(CODES[2]), now).unwrap();
        let vanersborg = models.seen_by(&Unrestricted).dashboard(&m(CODES[3]), now).unwrap();
        assert!(skara.projects.iter().any(|l| l.role == "partner"), "Skara is a partner");
        assert!(
            lidkoping.projects.iter().any(|l| l.role == "partner"),
            "Lidköping partners Vänersborg"
        );

        // The grant: Lidköping's, in 2025 (the decision), not 2026 (the project start).
        let l2025 = line(&lidkoping.funding, 2025).unwrap();
        assert_eq!(l2025.granted_minor, 700_000 * 100);
        assert_eq!(l2025.co_financing_minor, 100_000 * 100);
        assert_eq!(line(&lidkoping.funding, 2026), None);
        // Lidköping is a partner of Vänersborg's directly registered project: none of its grant.
        assert_eq!(line(&lidkoping.funding, 2027), None);
        // The same grant in the same year in the follow-up report.
        let report = models
            .seen_by(&Unrestricted)
            .follow_up_report(&m(CODES[0]), 2025, now)
            .unwrap();
        assert_eq!(report.funding_obtained, vec![l2025]);
        assert!(models
            .seen_by(&Unrestricted)
            .follow_up_report(&m(CODES[0]), 2026, now)
            .unwrap()
            .funding_obtained
            .is_empty());

        // Partners: their own co-financing only, never the project's grant.
        assert_eq!(
            skara.funding,
            vec![FundingLine {
                year: 2025,
                programme: ProgrammeKind::Interreg,
                currency: Currency::SEK,
                granted_minor: 0,
                co_financing_minor: 50_000 * 100,
            }]
        );
        assert_eq!(vara.funding.len(), 1);
        assert_eq!(vara.funding[0].year, 2024);
        assert_eq!(vara.funding[0].granted_minor, 0);
        assert_eq!(
            models
                .seen_by(&Unrestricted)
                .follow_up_report(&m(CODES[1]), 2025, now)
                .unwrap()
                .funding_obtained,
            skara.funding
        );

        // Vänersborg leads the direct project: its grant by the period start, 2027.
        let v2027 = line(&vanersborg.funding, 2027).unwrap();
        assert_eq!(v2027.granted_minor, 300_000 * 100);
        assert_eq!(
            models
                .seen_by(&Unrestricted)
                .follow_up_report(&m(CODES[3]), 2027, now)
                .unwrap()
                .funding_obtained,
            vec![v2027]
        );

        let overview = models.seen_by(&Unrestricted).consortium_overview(&v6(), now).unwrap();
        assert_eq!(overview.granted.get(&Currency::SEK), Some(&(700_000 * 100)));
    });
}

/// The demo's Eda is a partner of Arvika's ARKO project (grant 3,000,000 SEK)
/// and co-applicant of Arvika's approved ARKO application (2,450,000 SEK):
/// neither grant is Eda's; both are Arvika's, in the funder's decision year.
#[test]
fn the_demo_credits_eda_its_own_co_financing_and_arvika_the_grants() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.sqlite")).unwrap());
        samverkan_app::demo::load(&Commands::new(store.clone())).await.unwrap();
        let models = samverkan_app::projections::rebuild(store.as_ref()).await.unwrap();
        let now = AsOf::now(Utc::now());
        let granted = |code: &str| -> BTreeMap<i32, i128> {
            let mut by_year = BTreeMap::new();
            for l in models.seen_by(&Unrestricted).dashboard(&m(code), now).unwrap().funding {
                if l.currency == Currency::SEK && l.granted_minor != 0 {
                    *by_year.entry(l.year).or_default() += l.granted_minor;
                }
            }
            by_year
        };
        let eda = samverkan_app::demo::codes::EDA;
        assert!(granted(eda).is_empty(), "Eda: {:?}", granted(eda));
        let eda_dashboard = models.seen_by(&Unrestricted).dashboard(&m(eda), now).unwrap();
        assert!(
            eda_dashboard.funding.iter().any(|l| l.co_financing_minor > 0),
            "Eda's own co-financing counts"
        );
        let arvika = granted(samverkan_app::demo::codes::ARVIKA);
        assert_eq!(arvika.get(&2024), Some(&(3_000_000 * 100)), "{arvika:?}");
        assert_eq!(arvika.get(&2025), Some(&(2_450_000 * 100)), "{arvika:?}");
        for year in [2024, 2025] {
            let report = models
                .seen_by(&Unrestricted)
                .follow_up_report(&m(samverkan_app::demo::codes::ARVIKA), year, now)
                .unwrap();
            let sum: i128 = report
                .funding_obtained
                .iter()
                .filter(|l| l.currency == Currency::SEK)
                .map(|l| l.granted_minor)
                .sum();
            assert_eq!(Some(&sum), arvika.get(&year), "Arvika's {year} report and dashboard");
        }
    });
}
