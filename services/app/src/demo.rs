//! Demo data made from the seeds: the international strategies of Vänersborg,
//! Lidköping and Arvika (`/work/shared/seeds/`) and the domain facts gathered
//! from public sources (V6, ARKO, twin towns, the ICLD partnership with Chobe
//! District Council).
//!
//! [`load`] sends the whole story as ordinary commands through [`Commands`],
//! so every invariant is checked and every event carries metadata (actor
//! `demo-loader`, role `admin`, one correlation id for the whole load).
//!
//! **Idempotent**: every command has a deterministic id (UUID v5 of
//! `demo:<stream>:<step>` in [`NAMESPACE`]) and every entity a deterministic id
//! ([`StrategyId::from_name`], …), so a second load finds each command already
//! applied and appends nothing ([`DemoSummary::events_appended`] is 0).
//!
//! What is fact and what is illustration:
//! - Fact (seeds, DOMAIN-FACTS, public pages): municipality codes, consortium
//!   members and purposes, ARKO since 1967 and Våler's membership, twin towns
//!   and their years, the strategies' titles, adoption decisions (body, date,
//!   paragraph, case number), owners, responsible roles, validity, follow-up
//!   cadence, focus areas, goals, activities and topics; the Chobe projects
//!   (Sustainable Shoreline Development 2016–2018, a waste-management project
//!   granted 2018); programme rules (Interreg Sverige–Norge deadlines 15
//!   February / 15 September, Erasmus+ KA220 lump sums, ERDF 80 % in Interreg
//!   Europe).
//! - Illustration (marked in comments): amounts, milestones, the ARKO, V6 and
//!   Erasmus+ projects and applications, follow-up report dates, co-financing
//!   decisions. Where only a year is known, 1 January of that year is used.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::{Application, ApplicationCommand, DraftApplication};
use samverkan_domain::consortium::{Consortium, ConsortiumCommand, ConsortiumKind, Coordinator};
use samverkan_domain::municipality::{Municipality, MunicipalityCommand, TwinTownPartner};
use samverkan_domain::project::{
    EuPriority, Financing, GoalRef, Participant, Project, ProjectCommand, RegisterProject,
};
use samverkan_domain::strategy::{DocumentKind, FollowUpCadence, Goal, Strategy, StrategyCommand, StrategyContent};
use samverkan_domain::{
    Aggregate, ApplicationId, ConsortiumCode, CountryCode, Currency, Decision, DecisionBody, GoalId, MilestoneId,
    Money, MunicipalityCode, Period, Programme, ProgrammeKind, ProjectId, StrategyId,
};
use uuid::Uuid;

use crate::{AppError, CommandContext, CommandOutcome, Commands};

/// Namespace of the demo's command ids (UUID v5).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x79a6_4b77_4ba7_44de_9ca2_07ac_ce43_5f9a);
/// The actor recorded in the demo events' metadata.
pub const ACTOR: &str = "demo-loader";
/// The role recorded in the demo events' metadata (`Role::Admin`).
pub const ROLE: &str = "admin";

/// Municipality codes used by the demo.
pub mod codes {
    pub const VANERSBORG: &str = "SE-1487";
    pub const LIDKOPING: &str = "SE-1494";
    pub const ARVIKA: &str = "SE-1784";
    pub const ESSUNGA: &str = "SE-1445";
    pub const GRASTORP: &str = "SE-1444";
    pub const GOTENE: &str = "SE-1471";
    pub const SKARA: &str = "SE-1495";
    pub const VARA: &str = "SE-1470";
    pub const EDA: &str = "SE-1730";
    pub const TORSBY: &str = "SE-1737";
    pub const SUNNE: &str = "SE-1766";
    pub const KONGSVINGER: &str = "NO-3401";
    pub const NORD_ODAL: &str = "NO-3414";
    pub const SOR_ODAL: &str = "NO-3415";
    pub const EIDSKOG: &str = "NO-3416";
    pub const GRUE: &str = "NO-3417";
    pub const ASNES: &str = "NO-3418";
    pub const VALER: &str = "NO-3419";

    /// Consortium codes.
    pub const V6: &str = "V6";
    pub const ARKO: &str = "ARKO";
    pub const ARVIKA_RING: &str = "ARVIKA-RING";
    pub const ICLD_VBG_CHOBE: &str = "ICLD-VBG-CHOBE";
}

/// The deterministic ids of the demo's strategies, projects and applications.
pub mod ids {
    use samverkan_domain::application::project_id_for;
    use samverkan_domain::{ApplicationId, ProjectId, StrategyId};

    /// Vänersborg: *Strategi för Vänersborgs kommuns internationella arbete 2024–2028*.
    pub fn vanersborg_strategy_2024() -> StrategyId {
        StrategyId::from_name("vanersborg-strategi-internationellt-arbete-2024-2028")
    }
    /// Vänersborg: the older *Internationell policy* (superseded 2024-02-12).
    pub fn vanersborg_policy() -> StrategyId {
        StrategyId::from_name("vanersborg-internationell-policy")
    }
    /// Lidköping: *Internationell strategi* (KF 2020-09-28).
    pub fn lidkoping_strategy_2020() -> StrategyId {
        StrategyId::from_name("lidkoping-internationell-strategi-2020")
    }
    /// Arvika: *Internationell strategi* (KS 2012-11-12 § 258).
    pub fn arvika_strategy_2012() -> StrategyId {
        StrategyId::from_name("arvika-internationell-strategi-2012")
    }

    /// ICLD: Sustainable Shoreline Development, Vänersborg–Chobe (2016–2018).
    pub fn shoreline_project() -> ProjectId {
        ProjectId::from_name("icld-vanersborg-chobe-sustainable-shoreline-development")
    }
    /// ICLD: waste management, Vänersborg–Chobe (granted 2018).
    pub fn waste_project() -> ProjectId {
        ProjectId::from_name("icld-vanersborg-chobe-waste-management")
    }
    /// ARKO, Interreg Sverige–Norge: the Swedish part (SEK budget).
    pub fn arko_project_se() -> ProjectId {
        ProjectId::from_name("arko-interreg-granslos-kompetens-svensk-del")
    }
    /// ARKO, Interreg Sverige–Norge: the Norwegian part (NOK budget).
    pub fn arko_project_no() -> ProjectId {
        ProjectId::from_name("arko-interreg-granslos-kompetens-norsk-del")
    }
    /// Vänersborg, Erasmus+ KA220 with Herning and Lich (EUR lump sum).
    pub fn v6_skills_project() -> ProjectId {
        ProjectId::from_name("v6-esf-kompetensforsorjning")
    }

    pub fn erasmus_project() -> ProjectId {
        ProjectId::from_name("vanersborg-erasmus-ka220-digital-inkludering")
    }

    /// V6, ERDF: drafted, one co-applicant (Skara) still to answer.
    pub fn v6_draft_application() -> ApplicationId {
        ApplicationId::from_name("v6-erdf-hallbar-besoksnaring-2027")
    }
    /// V6, ESF+: submitted, awaiting the funder's decision.
    pub fn v6_submitted_application() -> ApplicationId {
        ApplicationId::from_name("v6-esf-kompetensforsorjning-valfarden-2026")
    }
    /// V6, Interreg Europe: withdrawn.
    pub fn v6_withdrawn_application() -> ApplicationId {
        ApplicationId::from_name("v6-interreg-europe-cirkulara-inkop-2024")
    }
    /// ARKO, Interreg Sverige–Norge, February 2025 call: rejected.
    pub fn arko_rejected_application() -> ApplicationId {
        ApplicationId::from_name("arko-interreg-granslos-mobilitet-2025-02")
    }
    /// ARKO, Interreg Sverige–Norge, September 2025 call: approved.
    pub fn arko_approved_application() -> ApplicationId {
        ApplicationId::from_name("arko-interreg-granslos-mobilitet-2025-09")
    }
    /// The project the process manager registers from the approved ARKO application.
    pub fn arko_approved_project() -> ProjectId {
        project_id_for(arko_approved_application())
    }
}

/// One entity the demo created, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEntity<I> {
    pub id: I,
    pub name: String,
    /// Where the story leaves it, e.g. `adopted`, `draft, Skara to answer`.
    pub note: String,
}

/// What [`load`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Commands sent (the same on every load).
    pub commands: usize,
    /// Events appended by this load (0 when the demo was already loaded).
    pub events_appended: usize,
    /// Global position of the last demo event (ask read models for at least this).
    pub last_position: u64,
    pub municipalities: Vec<DemoEntity<MunicipalityCode>>,
    pub consortia: Vec<DemoEntity<ConsortiumCode>>,
    pub strategies: Vec<DemoEntity<StrategyId>>,
    pub projects: Vec<DemoEntity<ProjectId>>,
    pub applications: Vec<DemoEntity<ApplicationId>>,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "demo data: {} commands, {} events appended (last position {})",
            self.commands, self.events_appended, self.last_position
        )?;
        fn section<I: fmt::Display>(f: &mut fmt::Formatter<'_>, title: &str, items: &[DemoEntity<I>]) -> fmt::Result {
            writeln!(f, "{title}:")?;
            for e in items {
                writeln!(f, "  {}  {} ({})", e.id, e.name, e.note)?;
            }
            Ok(())
        }
        section(f, "municipalities", &self.municipalities)?;
        section(f, "consortia", &self.consortia)?;
        section(f, "strategies", &self.strategies)?;
        section(f, "projects", &self.projects)?;
        section(f, "applications", &self.applications)
    }
}

/// The deterministic id of a demo command.
pub fn command_id(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

/// Load the demo history. Idempotent: a second call appends nothing.
pub async fn load(commands: &Commands) -> Result<DemoSummary, AppError> {
    let mut loader = Loader {
        commands,
        summary: DemoSummary::default(),
        keys: BTreeSet::new(),
    };
    loader.municipalities().await?;
    loader.consortia().await?;
    loader.twin_towns().await?;
    loader.strategies().await?;
    loader.projects().await?;
    loader.applications().await?;
    Ok(loader.summary)
}

// ---------------------------------------------------------------------------
// Values. Dates are checked at compile time (`const` blocks), so building
// them cannot fail at run time; everything else goes through the domain's
// parsers and `?`.

/// The number written by the ASCII digits `text[from..to]`.
const fn number(text: &[u8], from: usize, to: usize) -> u32 {
    let mut n = 0;
    let mut i = from;
    while i < to {
        if !text[i].is_ascii_digit() {
            panic!("demo dates are written YYYY-MM-DD and instants YYYY-MM-DD HH:MM");
        }
        n = n * 10 + (text[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// `YYYY-MM-DD` as a date; evaluated at compile time by [`day!`].
const fn date(text: &str) -> NaiveDate {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        panic!("demo dates are written YYYY-MM-DD");
    }
    match NaiveDate::from_ymd_opt(number(b, 0, 4) as i32, number(b, 5, 7), number(b, 8, 10)) {
        Some(date) => date,
        None => panic!("invalid date in the demo data"),
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) as an instant; evaluated at compile time by [`at!`].
const fn instant(text: &str) -> DateTime<Utc> {
    let b = text.as_bytes();
    if b.len() != 16 || b[10] != b' ' || b[13] != b':' {
        panic!("demo instants are written YYYY-MM-DD HH:MM");
    }
    match date(text).and_hms_opt(number(b, 11, 13), number(b, 14, 16), 0) {
        Some(t) => t.and_utc(),
        None => panic!("invalid time in the demo data"),
    }
}

/// `day!("2024-02-12")`: a date checked at compile time (a `const` block), so
/// a typo is a build error, never a run-time panic.
macro_rules! day {
    ($text:literal) => {
        const { date($text) }
    };
}

/// `at!("2025-02-15 22:59")`: a UTC instant checked at compile time.
macro_rules! at {
    ($text:literal) => {
        const { instant($text) }
    };
}

fn code(s: &str) -> Result<MunicipalityCode, AppError> {
    Ok(MunicipalityCode::parse(s)?)
}

fn consortium(s: &str) -> Result<ConsortiumCode, AppError> {
    Ok(ConsortiumCode::parse(s)?)
}

fn country(s: &str) -> Result<CountryCode, AppError> {
    Ok(CountryCode::parse(s)?)
}

fn member(s: &str) -> Result<Participant, AppError> {
    Ok(Participant::Municipality { code: code(s)? })
}

fn external(name: &str, country_code: &str) -> Result<Participant, AppError> {
    Ok(Participant::External {
        name: name.into(),
        country: country(country_code)?,
    })
}

fn money(units: i64, currency: Currency) -> Result<Money, AppError> {
    Ok(Money::major(units, currency)?)
}

fn period(start: NaiveDate, end: NaiveDate) -> Result<Period, AppError> {
    Ok(Period::new(start, Some(end))?)
}

fn until_further_notice(start: NaiveDate) -> Result<Period, AppError> {
    Ok(Period::new(start, None)?)
}

fn goal(id: &str, title: &str, focus_area: Option<&str>, activities: &[&str]) -> Result<Goal, AppError> {
    Ok(Goal {
        id: GoalId::parse(id)?,
        title: title.into(),
        focus_area: focus_area.map(Into::into),
        activities: activities.iter().map(|a| (*a).into()).collect(),
    })
}

fn goal_ref(strategy: StrategyId, goal: &str) -> Result<GoalRef, AppError> {
    Ok(GoalRef {
        strategy,
        goal: GoalId::parse(goal)?,
    })
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).into()).collect()
}

fn decision(body: DecisionBody, date: NaiveDate, paragraph: Option<&str>, case_number: Option<&str>) -> Decision {
    Decision {
        body,
        date,
        paragraph: paragraph.map(Into::into),
        case_number: case_number.map(Into::into),
    }
}

/// A council decision known only by its date (twin towns: the year).
fn council(date: NaiveDate) -> Decision {
    decision(DecisionBody::Council, date, None, None)
}

/// A co-financing decision (illustrative: body and date only, no invented
/// paragraph or case number).
fn board(date: NaiveDate) -> Decision {
    decision(DecisionBody::ExecutiveBoard, date, None, None)
}

/// One step in a project's life after registration.
enum Step {
    Plan(&'static str, &'static str, NaiveDate),
    Reschedule(&'static str, NaiveDate, &'static str),
    Achieve(&'static str, NaiveDate),
    Cancel(&'static str, &'static str),
    Complete(NaiveDate),
}

// ---------------------------------------------------------------------------
// The loader: runs commands with deterministic ids and counts what happened.

struct Loader<'a> {
    commands: &'a Commands,
    summary: DemoSummary,
    /// Command keys used so far: a key used twice would silently skip a step.
    keys: BTreeSet<String>,
}

impl Loader<'_> {
    fn context(&mut self, stream: &str, step: &str) -> Result<CommandContext, AppError> {
        let key = format!("demo:{stream}:{step}");
        let id = command_id(&key);
        if !self.keys.insert(key.clone()) {
            return Err(AppError::Conflict(format!("demo command key `{key}` is used twice")));
        }
        let mut ctx = CommandContext::new(id).by(ACTOR, samverkan_domain::Role::Admin);
        ctx.correlation_id = Some(command_id("demo:load"));
        Ok(ctx)
    }

    fn count(&mut self, outcome: &CommandOutcome) {
        self.summary.commands += 1;
        self.summary.events_appended += outcome.appended;
        self.summary.last_position = self.summary.last_position.max(outcome.position);
    }

    async fn run<A: Aggregate>(
        &mut self,
        id: &A::Id,
        step: &str,
        command: A::Command,
    ) -> Result<CommandOutcome, AppError> {
        let ctx = self.context(&A::stream_name(id), step)?;
        let outcome = self.commands.execute::<A>(id, command, &ctx).await?;
        self.count(&outcome);
        Ok(outcome)
    }

    async fn application(
        &mut self,
        id: &ApplicationId,
        step: &str,
        command: ApplicationCommand,
    ) -> Result<CommandOutcome, AppError> {
        let ctx = self.context(&Application::stream_name(id), step)?;
        let outcome = self.commands.execute::<Application>(id, command, &ctx).await?;
        self.count(&outcome);
        Ok(outcome)
    }

    // --- municipalities --------------------------------------------------

    async fn municipalities(&mut self) -> Result<(), AppError> {
        // Norwegian kommunenummer changed in the 2020 county reform (Hedmark
        // 04xx became Innlandet 34xx): the codes used here hold from 2020-01-01.
        let reform = Some(day!("2020-01-01"));
        let all: [(&str, &str, Option<NaiveDate>, &str); 18] = [
            (
                codes::VANERSBORG,
                "Vänersborg",
                None,
                "seed: strategy 2024–2028, policy, ICLD partnership with Chobe",
            ),
            (codes::LIDKOPING, "Lidköping", None, "seed: strategy 2020; V6"),
            (
                codes::ARVIKA,
                "Arvika",
                None,
                "seed: strategy 2012; ARKO, twin-town ring",
            ),
            (codes::ESSUNGA, "Essunga", None, "V6"),
            (codes::GRASTORP, "Grästorp", None, "V6"),
            (codes::GOTENE, "Götene", None, "V6"),
            (codes::SKARA, "Skara", None, "V6"),
            (codes::VARA, "Vara", None, "V6"),
            (codes::EDA, "Eda", None, "ARKO"),
            (codes::TORSBY, "Torsby", None, "ARKO"),
            (codes::SUNNE, "Sunne", None, "ARKO"),
            (codes::KONGSVINGER, "Kongsvinger", reform, "ARKO, twin town of Arvika"),
            (codes::NORD_ODAL, "Nord-Odal", reform, "ARKO"),
            (codes::SOR_ODAL, "Sør-Odal", reform, "ARKO"),
            (codes::EIDSKOG, "Eidskog", reform, "ARKO"),
            (codes::GRUE, "Grue", reform, "ARKO"),
            (codes::ASNES, "Åsnes", reform, "ARKO"),
            (codes::VALER, "Våler", reform, "former ARKO member"),
        ];
        for (c, name, code_valid_from, note) in all {
            let id = code(c)?;
            self.run::<Municipality>(
                &id,
                "register",
                MunicipalityCommand::Register {
                    code: id,
                    name: name.into(),
                    code_valid_from,
                },
            )
            .await?;
            self.summary.municipalities.push(DemoEntity {
                id,
                name: name.into(),
                note: note.into(),
            });
        }
        self.code_changes().await
    }

    /// Codes that changed without a merger: Heby (county change, SCB) and
    /// Bærum (the Norwegian renumberings of 2020 and 2024, SSB). Each keeps
    /// its first code as its identity.
    async fn code_changes(&mut self) -> Result<(), AppError> {
        let scb = "SCB, Kommunkoder: Heby moved from Västmanland to Uppsala län on 2007-01-01, 1917 → 0331";
        let ssb = "SSB, Kommunenummer: the 2020 and 2024 regional reforms renumbered Bærum 0219 → 3024 → 3201";
        type Step = (&'static str, &'static str, &'static str);
        let changes: [(&str, &str, &str, &[Step]); 2] = [
            (
                "SE-1917",
                "Heby",
                "code change without merger (SE-1917 → SE-0331)",
                &[("SE-0331", "2007-01-01", scb)],
            ),
            (
                "NO-0219",
                "Bærum",
                "renumbered twice (NO-0219 → NO-3024 → NO-3201)",
                &[("NO-3024", "2020-01-01", ssb), ("NO-3201", "2024-01-01", ssb)],
            ),
        ];
        for (first, name, note, steps) in changes {
            let id = code(first)?;
            self.run::<Municipality>(
                &id,
                "register",
                MunicipalityCommand::Register {
                    code: id,
                    name: name.into(),
                    code_valid_from: None,
                },
            )
            .await?;
            for (new, from, source) in steps {
                let ctx = self.context(&Municipality::stream_name(&id), &format!("code-{new}"))?;
                let command = MunicipalityCommand::ChangeCode {
                    new_code: code(new)?,
                    valid_from: from.parse().expect("demo date"),
                    decision: None,
                    source: (*source).into(),
                    in_use: vec![],
                };
                let outcome = self.commands.execute::<Municipality>(&id, command, &ctx).await?;
                self.count(&outcome);
            }
            self.summary.municipalities.push(DemoEntity {
                id,
                name: name.into(),
                note: note.into(),
            });
        }
        Ok(())
    }

    // --- consortia ---------------------------------------------------------

    async fn form(
        &mut self,
        c: &ConsortiumCode,
        name: &str,
        kind: ConsortiumKind,
        purpose: &str,
        formed_on: NaiveDate,
    ) -> Result<(), AppError> {
        let command = ConsortiumCommand::Form {
            code: c.clone(),
            name: name.into(),
            kind,
            purpose: purpose.into(),
            formed_on,
        };
        self.run::<Consortium>(c, "form", command).await?;
        Ok(())
    }

    async fn join(&mut self, c: &ConsortiumCode, members: &[&str], joined_on: NaiveDate) -> Result<(), AppError> {
        for m in members {
            let municipality = code(m)?;
            self.run::<Consortium>(
                c,
                &format!("join:{municipality}:{joined_on}"),
                ConsortiumCommand::Join {
                    municipality,
                    joined_on,
                },
            )
            .await?;
        }
        Ok(())
    }

    async fn coordinator(
        &mut self,
        c: &ConsortiumCode,
        coordinator: Coordinator,
        from: NaiveDate,
    ) -> Result<(), AppError> {
        self.run::<Consortium>(
            c,
            &format!("coordinator:{from}"),
            ConsortiumCommand::AppointCoordinator { coordinator, from },
        )
        .await?;
        Ok(())
    }

    async fn consortia(&mut self) -> Result<(), AppError> {
        // V6, Västra Skaraborg. The year V6 was formed is not in our sources:
        // 2010-01-01 is a placeholder. Members and purpose: DOMAIN-FACTS and
        // Lidköping's strategy ("en plattform … vars syfte är att öka den
        // externa finansieringen …").
        let v6 = consortium(codes::V6)?;
        self.form(
            &v6,
            "V6 – Västra Skaraborg",
            ConsortiumKind::RegionalCooperation,
            "Samverkan mellan Essunga, Grästorp, Götene, Lidköping, Skara och Vara om besöksnäring, miljö, lön och en gemensam inköpscentral i Lidköping; en plattform för att öka den externa finansieringen för kommunernas utveckling, bidra till ökad kvalitet och service och höjd kompetens inom verksamheterna.",
            day!("2010-01-01"),
        )
        .await?;
        self.join(
            &v6,
            &[
                codes::ESSUNGA,
                codes::GRASTORP,
                codes::GOTENE,
                codes::LIDKOPING,
                codes::SKARA,
                codes::VARA,
            ],
            day!("2010-01-01"),
        )
        .await?;
        self.coordinator(
            &v6,
            Coordinator::Office {
                name: "V6-kansliet".into(),
            },
            day!("2010-01-01"),
        )
        .await?;
        self.summary.consortia.push(DemoEntity {
            id: v6,
            name: "V6 – Västra Skaraborg".into(),
            note: "regional cooperation, 6 members, coordinated by V6-kansliet".into(),
        });

        // ARKO: Swedish–Norwegian border committee since 1967 (exact date
        // unknown: 1 January). All eleven members are recorded as founding
        // members (ARKO: "övriga kommuner kom snabbt med"); Våler is listed in
        // Arvika's 2012 strategy ("elva gränskommuner") and in ARKO's 2014
        // annual report, but not among today's ten: when it left is not in our
        // sources, 2015-12-31 is an assumption.
        let arko = consortium(codes::ARKO)?;
        self.form(
            &arko,
            "ARKO – Gränsregionen Arvika–Kongsvinger",
            ConsortiumKind::CrossBorder,
            "Svensk-norsk gränskommitté sedan 1967, en av de nordiska gränskommittéerna, finansierad av Nordiska ministerrådet och medlemsavgifter: utveckla regionen som mötesplats över gränsen, stärka bosättningen och skapa ökad sysselsättning; initierar projekt i Interreg Sverige–Norge.",
            day!("1967-01-01"),
        )
        .await?;
        self.join(
            &arko,
            &[
                codes::ARVIKA,
                codes::EDA,
                codes::TORSBY,
                codes::SUNNE,
                codes::KONGSVINGER,
                codes::NORD_ODAL,
                codes::SOR_ODAL,
                codes::EIDSKOG,
                codes::GRUE,
                codes::ASNES,
                codes::VALER,
            ],
            day!("1967-01-01"),
        )
        .await?;
        let valer = code(codes::VALER)?;
        let left_on = day!("2015-12-31");
        self.run::<Consortium>(
            &arko,
            &format!("leave:{valer}:{left_on}"),
            ConsortiumCommand::Leave {
                municipality: valer,
                left_on,
            },
        )
        .await?;
        self.coordinator(
            &arko,
            Coordinator::Office {
                name: "ARKO-sekretariatet".into(),
            },
            day!("1967-01-01"),
        )
        .await?;
        self.summary.consortia.push(DemoEntity {
            id: arko,
            name: "ARKO".into(),
            note: "cross-border since 1967, 10 members (Våler left 2015-12-31)".into(),
        });

        // The Nordic twin-town ring of Arvika (Arvika–Ylöjärvi–Skive–
        // Kongsvinger, Arvika's 2012 strategy). Only Swedish and Norwegian
        // municipalities are registered here: Skive (DK) and Ylöjärvi (FI)
        // appear as Arvika's twin towns instead. Since 1947 (1 January).
        let ring = consortium(codes::ARVIKA_RING)?;
        self.form(
            &ring,
            "Vänortsringen Arvika–Ylöjärvi–Skive–Kongsvinger",
            ConsortiumKind::TwinTownRing,
            "Traditionellt vänortsarbete sedan 1940-talet med politikermöten, ungdoms-, kultur- och förvaltningsutbyte; nya vänortskontakter skapas i större utsträckning via samverkansprojekt.",
            day!("1947-01-01"),
        )
        .await?;
        self.join(&ring, &[codes::ARVIKA, codes::KONGSVINGER], day!("1947-01-01"))
            .await?;
        self.coordinator(
            &ring,
            Coordinator::Member {
                municipality: code(codes::ARVIKA)?,
            },
            day!("1947-01-01"),
        )
        .await?;
        self.summary.consortia.push(DemoEntity {
            id: ring,
            name: "Vänortsringen Arvika–Ylöjärvi–Skive–Kongsvinger".into(),
            note: "twin-town ring, Arvika and Kongsvinger registered".into(),
        });

        // ICLD municipal partnership Vänersborg – Chobe District Council
        // (Botswana), from about 2010–2012: 2011-01-01 is an approximation.
        // Chobe District Council is not a Swedish/Norwegian municipality: it
        // appears as an external partner of the projects.
        let icld = consortium(codes::ICLD_VBG_CHOBE)?;
        self.form(
            &icld,
            "ICLD kommunalt partnerskap Vänersborg – Chobe District Council",
            ConsortiumKind::MunicipalPartnership,
            "Kommunalt partnerskap med Chobe District Council (Botswana) för lokal demokrati och hållbar utveckling, helt finansierat av ICLD; två möten om året, växelvis i Vänersborg och Chobe.",
            day!("2011-01-01"),
        )
        .await?;
        self.join(&icld, &[codes::VANERSBORG], day!("2011-01-01")).await?;
        self.coordinator(
            &icld,
            Coordinator::Member {
                municipality: code(codes::VANERSBORG)?,
            },
            day!("2011-01-01"),
        )
        .await?;
        self.summary.consortia.push(DemoEntity {
            id: icld,
            name: "ICLD Vänersborg – Chobe District Council".into(),
            note: "municipal partnership; Chobe District Council (BW) is external".into(),
        });
        Ok(())
    }

    // --- twin towns ----------------------------------------------------------

    async fn twin(
        &mut self,
        of: &str,
        name: &str,
        country_code: &str,
        partner_code: Option<&str>,
        since: NaiveDate,
    ) -> Result<(), AppError> {
        let municipality = code(of)?;
        let partner = TwinTownPartner {
            name: name.into(),
            country: country(country_code)?,
            code: partner_code.map(code).transpose()?,
        };
        let step = format!("twin:{}", partner.key());
        let command = MunicipalityCommand::SignTwinTownAgreement {
            partner,
            since,
            decision: council(since),
        };
        self.run::<Municipality>(&municipality, &step, command).await?;
        Ok(())
    }

    async fn twin_towns(&mut self) -> Result<(), AppError> {
        // Arvika: Kongsvinger and Skive since 1947, Ylöjärvi since 1978
        // (years only: 1 January; decided by the council).
        self.twin(
            codes::ARVIKA,
            "Kongsvinger",
            "NO",
            Some(codes::KONGSVINGER),
            day!("1947-01-01"),
        )
        .await?;
        self.twin(codes::ARVIKA, "Skive", "DK", None, day!("1947-01-01"))
            .await?;
        self.twin(codes::ARVIKA, "Ylöjärvi", "FI", None, day!("1978-01-01"))
            .await?;
        // Vänersborg: Nordens största vänortskedja (started in the 1940s, grew
        // in the 1970s and 1980s) and Lich since 2011. The years are when each
        // town joined the chain (Foreningen Norden Herning's list); 1 January.
        for (name, country_code, since) in [
            ("Herning", "DK", day!("1946-01-01")),
            ("Holmestrand", "NO", day!("1946-01-01")),
            ("Siglufjörður", "IS", day!("1949-01-01")),
            ("Kangasala", "FI", day!("1977-01-01")),
            ("Ålands landskommuner", "AX", day!("1977-01-01")),
            ("Eidi", "FO", day!("1978-01-01")),
            ("Arsuk", "GL", day!("1987-01-01")),
            ("Husby (danska minoriteten i Sydslesvig)", "DE", day!("1988-01-01")),
            ("Lich", "DE", day!("2011-01-01")),
        ] {
            self.twin(codes::VANERSBORG, name, country_code, None, since).await?;
        }
        Ok(())
    }

    // --- strategy documents ----------------------------------------------------

    async fn draft_and_adopt(
        &mut self,
        strategy: StrategyId,
        draft: StrategyCommand,
        adoption: Decision,
        validity: Period,
    ) -> Result<(), AppError> {
        self.run::<Strategy>(&strategy, "draft", draft).await?;
        self.run::<Strategy>(
            &strategy,
            "adopt",
            StrategyCommand::Adopt {
                decision: adoption,
                validity,
            },
        )
        .await?;
        Ok(())
    }

    /// A yearly follow-up of `year` (`[start, end]`), reported to the executive board.
    async fn follow_up(
        &mut self,
        strategy: StrategyId,
        year: [NaiveDate; 2],
        reported_on: NaiveDate,
        summary: &str,
    ) -> Result<(), AppError> {
        let [start, end] = year;
        let command = StrategyCommand::ReportFollowUp {
            period: period(start, end)?,
            reported_on,
            reported_to: DecisionBody::ExecutiveBoard,
            summary: summary.into(),
        };
        self.run::<Strategy>(&strategy, &format!("follow-up:{start}:{end}"), command)
            .await?;
        Ok(())
    }

    async fn strategies(&mut self) -> Result<(), AppError> {
        let vanersborg = code(codes::VANERSBORG)?;

        // Vänersborg's older Internationell policy (seed
        // vanersborg-internationell-policy.txt). The seed gives no adoption
        // facts; it was adopted by Kommunfullmäktige (web page) and cites
        // "Kommunstyrelsen 2012-06-05, § 173", so it is no older than that.
        // 2013-01-01 is a placeholder date, without paragraph or case number.
        let policy = ids::vanersborg_policy();
        let policy_content = StrategyContent {
            focus_areas: strings(&[
                "Goda levnadsvillkor genom boende, näringsliv, turism, natur och kultur",
                "Sysselsättning och hållbar tillväxt",
                "Livslångt lärande",
                "Resurssnåla kretslopp",
                "Ökad jämställdhet och mångfald i samhällslivet",
                "Frivilligorganisationernas humanitära arbete",
            ]),
            goals: vec![
                goal("utveckla-verksamheterna", "Utveckla kommunens egna verksamheter och ge en högre kompetensnivå hos medarbetare och förtroendevalda", None, &[])?,
                goal("mervarde-invanare-foretag", "Ge ett mervärde för kommunens invånare och företag", None, &[])?,
                goal("marknadsfora-profilera", "Marknadsföra och profilera Vänersborgs kommun", None, &[])?,
                goal("hallbar-tillvaxt-naringsliv", "Skapa kontaktytor som öppnar möjligheter till hållbar tillväxt för vårt näringsliv", Some("Sysselsättning och hållbar tillväxt"), &[])?,
                goal(
                    "demokrati-larande",
                    "Bidra till att stödja ett ömsesidigt lärande kring demokratiseringsprocesser med andra länder och motverka antidemokratiska krafter",
                    None,
                    &["Deltagande i transnationella projekt", "Nätverk inom relevanta områden", "Konferenser och utbildningar", "Studiebesök och utbyten"],
                )?,
            ],
            topics: strings(&["Internationellt arbete", "Omvärldsbevakning", "Extern finansiering", "Transnationella projekt", "Europeiska nätverk", "Vänorter"]),
        };
        let draft = StrategyCommand::Draft {
            strategy: policy,
            municipality: vanersborg,
            title: "Internationell policy för Vänersborgs kommun".into(),
            kind: DocumentKind::Policy,
            owner: "Kommunstyrelsen".into(),
            responsible_role: "Utvecklingskontoret, kommunstyrelseförvaltningen (internationell funktion)".into(),
            // The policy: Kommunstyrelsen "ansvarar för uppföljning …
            // Återrapportering sker till Kommunfullmäktige"; no cadence stated.
            follow_up: FollowUpCadence::Yearly,
            content: policy_content,
        };
        let adopted = day!("2013-01-01");
        self.draft_and_adopt(policy, draft, council(adopted), until_further_notice(adopted)?)
            .await?;

        // Vänersborg 2024–2028 (seed vanersborg-strategi-internationellt-arbete-2024-2028.txt).
        let s2024 = ids::vanersborg_strategy_2024();
        let (inkl, digi, gron) = (
            "Inkluderande samhällen",
            "Digitaliserade samhällen",
            "Gröna och hållbara samhällen",
        );
        let content = StrategyContent {
            focus_areas: strings(&[inkl, digi, gron]),
            goals: vec![
                goal(
                    "inkluderande-samhallen",
                    "Minska ojämlikhet och social utestängning i lokalsamhället genom internationellt utvecklingssamarbete",
                    Some(inkl),
                    &["Hjälpa individer och grupper att få utbildning, arbete, delta i lokala beslut och få tillgång till tjänster"],
                )?,
                goal(
                    "digitaliserade-samhallen",
                    "En digital omvandling som skapar fördelar och möjligheter för alla invånare – ingen lämnas utanför",
                    Some(digi),
                    &["Tillämpa Shaping Europe's Digital Future (EU 2021/694) i det internationella utvecklingsarbetet"],
                )?,
                goal(
                    "grona-samhallen",
                    "Minska sårbarheten för klimatförändringarnas effekter och samarbeta regionalt och internationellt för att nå klimatmålen",
                    Some(gron),
                    &[],
                )?,
                goal(
                    "externfinansiering",
                    "Verksamhetsutveckling i projektform via internationella fonder och program som ger extern finansiering och internationell spetskompetens",
                    None,
                    &["Omvärldsbevakning av EU-program och ICLD"],
                )?,
                goal(
                    "natverk-och-vanorter",
                    "Använda och utveckla Nordens vänortsringar och tematiska partnerskap i aktiva samarbeten",
                    None,
                    &["Aktiv bevakning och inventering för att finna nytta och nya möjligheter för Vänersborg"],
                )?,
            ],
            topics: strings(&[
                "Internationellt utvecklingsarbete",
                "Externfinansiering",
                "Verksamhetsutveckling",
                "Omvärldsbevakning",
                "Hållbar utveckling",
                "Nätverk",
                "EU-program",
                "ICLD",
                "Vänorter",
                "Uppföljning",
            ]),
        };
        let draft = StrategyCommand::Draft {
            strategy: s2024,
            municipality: vanersborg,
            title: "Strategi för Vänersborgs kommuns internationella arbete 2024–2028".into(),
            kind: DocumentKind::Strategy,
            owner: "Kommunstyrelsen".into(),
            responsible_role: "Avdelningschef Hållbar utveckling".into(),
            // "Uppföljning: En gång per mandatperiod" and "återrapporteras
            // årligen till kommunstyrelsen" in the ordinary reporting cycle.
            follow_up: FollowUpCadence::YearlyAndOncePerTerm,
            content,
        };
        let kf = decision(
            DecisionBody::Council,
            day!("2024-02-12"),
            Some("§ 12"),
            Some("KS 2023/993"),
        );
        self.draft_and_adopt(s2024, draft, kf, period(day!("2024-02-12"), day!("2028-12-31"))?)
            .await?;
        self.run::<Strategy>(
            &policy,
            "supersede",
            StrategyCommand::Supersede {
                by: s2024,
                effective_on: day!("2024-02-12"),
            },
        )
        .await?;
        // Yearly follow-ups (report dates illustrative).
        self.follow_up(s2024, [day!("2024-01-01"), day!("2024-12-31")], day!("2025-04-09"), "Uppföljning av det internationella arbetet 2024 i ordinarie uppföljningshjul (delårsrapporter, bokslut och årsbokslut), sammanställd av kommunstyrelseförvaltningen.").await?;
        self.follow_up(s2024, [day!("2025-01-01"), day!("2025-12-31")], day!("2026-04-08"), "Uppföljning av det internationella arbetet 2025 i ordinarie uppföljningshjul, sammanställd av kommunstyrelseförvaltningen; Erasmus+-projektet med Herning och Lich har startat.").await?;
        self.summary.strategies.push(DemoEntity {
            id: policy,
            name: "Vänersborg: Internationell policy".into(),
            note: "superseded by the 2024–2028 strategy on 2024-02-12".into(),
        });
        self.summary.strategies.push(DemoEntity {
            id: s2024,
            name: "Vänersborg: Strategi för internationellt arbete 2024–2028".into(),
            note: "adopted KF 2024-02-12 § 12, KS 2023/993, valid until 2028-12-31".into(),
        });

        // Lidköping 2020 (seed lidkoping-internationell-strategi-2020.txt).
        let lidkoping = ids::lidkoping_strategy_2020();
        let (partners, kompetens, finansiering) = (
            "Samarbetsområden, samarbetsorganisationer och partners",
            "Kompetens",
            "Finansiering",
        );
        let content = StrategyContent {
            focus_areas: strings(&[partners, kompetens, finansiering]),
            goals: vec![
                goal(
                    "strategiskt-utvecklingsverktyg",
                    "Lidköpings internationella förbindelser är ett strategiskt utvecklingsverktyg för visionen ”Lidköping - en välkomnande och hållbar kommun”",
                    None,
                    &["Alla förvaltningar utser en representant i kommunens internationella grupp"],
                )?,
                goal(
                    "utveckla-verksamheten",
                    "Använda internationella kontakter och transnationella projekt för att stödja och utveckla den egna kommunala verksamheten",
                    Some(partners),
                    &["Nytto- och riskanalys före varje nytt internationellt samarbete"],
                )?,
                goal(
                    "bevaka-samverkan",
                    "Bevaka och ta tillvara möjligheterna till samverkan lokalt, regionalt, nationellt och internationellt",
                    Some(partners),
                    &["Samarbetet i Västra Skaraborg (V6)", "Nätverk via SKR och EU-programmens aktörer"],
                )?,
                goal(
                    "extern-finansiering",
                    "Uppmuntra till att utnyttja det ekonomiska stöd som finns i internationella program och fonder",
                    Some(finansiering),
                    &["Integrera EU- och internationella projekt i förvaltningarnas budget och verksamhetsplan"],
                )?,
                goal(
                    "hallbart-perspektiv",
                    "Ett miljömässigt, ekonomiskt och socialt hållbart perspektiv i utvecklingsarbetet",
                    None,
                    &["Väga miljöpåverkan, säkerhet och demokratiaspekter mot ekonomiska fördelar vid val av partner"],
                )?,
                goal(
                    "kompetens",
                    "Stärka kommunens internationella kompetens genom att politiker och anställda uppmuntras till engagemang i internationellt samarbete",
                    Some(kompetens),
                    &[],
                )?,
            ],
            topics: strings(&[
                "Internationellt arbete",
                "V6",
                "Extern finansiering",
                "EU-program",
                "Nytto- och riskanalys",
                "Demokrati och mänskliga rättigheter",
                "Hållbar utveckling",
                "Internationella gruppen",
            ]),
        };
        let draft = StrategyCommand::Draft {
            strategy: lidkoping,
            municipality: code(codes::LIDKOPING)?,
            title: "Internationell strategi Lidköpings kommun".into(),
            kind: DocumentKind::Strategy,
            owner: "Kommunstyrelsen".into(),
            responsible_role: "Chef utveckling och kommunikation".into(),
            follow_up: FollowUpCadence::Yearly,
            content,
        };
        // "Fastställt av: Kommunfullmäktige, 2020-09-28"; valid "tills vidare".
        let kf = council(day!("2020-09-28"));
        self.draft_and_adopt(lidkoping, draft, kf, until_further_notice(day!("2020-09-28"))?)
            .await?;
        // "… en uppföljning i form av en sammanställning göras varje år och
        // anmälas till kommunstyrelsen" (report dates illustrative).
        self.follow_up(
            lidkoping,
            [day!("2023-01-01"), day!("2023-12-31")],
            day!("2024-03-20"),
            "Årlig sammanställning av Lidköpings kommuns internationella arbete 2023, anmäld till kommunstyrelsen.",
        )
        .await?;
        self.follow_up(lidkoping, [day!("2024-01-01"), day!("2024-12-31")], day!("2025-03-19"), "Årlig sammanställning av Lidköpings kommuns internationella arbete 2024, anmäld till kommunstyrelsen; V6-samarbetet som plattform för extern finansiering.").await?;
        self.summary.strategies.push(DemoEntity {
            id: lidkoping,
            name: "Lidköping: Internationell strategi".into(),
            note: "adopted KF 2020-09-28, until further notice, yearly follow-up".into(),
        });

        // Arvika 2012 (seed arvika-internationell-strategi-2012.txt): four
        // goals; the activities of the four målområden are attached to the
        // goal they serve.
        let arvika = ids::arvika_strategy_2012();
        let (attraktiv, mangkultur, norge, demokrati) = (
            "Aktivt internationellt arbete bidrar till en attraktiv kommun",
            "Mångkulturellt perspektiv",
            "Norge och vänorterna",
            "Demokratiutveckling",
        );
        let content = StrategyContent {
            focus_areas: strings(&[attraktiv, mangkultur, norge, demokrati]),
            goals: vec![
                goal(
                    "attraktiv-kommun",
                    "Bidra till en attraktiv kommun genom ett aktivt internationellt arbete",
                    Some(attraktiv),
                    &[
                        "Bidra till samarbeten mellan ortens företag gärna via EU-finansiering.",
                        "Marknadsföra Arvika som etableringsort för företag.",
                        "Stödja marknadsföring av besöksnäring.",
                        "Bibehålla och utveckla kontakterna med intresseorganisationer som har EU-kompetens.",
                    ],
                )?,
                goal(
                    "norgesamarbetet",
                    "Utveckla Norgesamarbetet och använda partnerskap",
                    Some(norge),
                    &[
                        "Norgesamarbetet inriktas mot områdena infrastruktur, näringsliv, kompetensförsörjning och kultur.",
                        "Fortsatt samverkan inom ARKO.",
                        "Förbättra och stärka strategiska relationer med regionala företrädare och med intresseorganisationer på båda sidor gränsen, ex Svensk-Norsk Handelskammare.",
                        "Utvärdera vänortssamarbetet och vid behov föreslå förändringar.",
                        "Nya \"vänortskontakter\" kommer framöver att i större utsträckning skapas via samverkansprojekt.",
                        "Aktivt söka EU-stöd i interregionala projekt.",
                    ],
                )?,
                goal(
                    "utveckla-verksamheterna",
                    "Utveckla verksamheterna inom kommunkoncernen. Genom att utveckla ett internationellt perspektiv blir Arvika en mer attraktiv arbetsgivare.",
                    Some(mangkultur),
                    &[
                        "Stimulera samarbeten som ökar kvaliteten i kommunens verksamheter. I verksamhetsplaneringen se möjligheter till kompetensutveckling och finansiering via EU.",
                        "Via internationella kontakter stärka kunskapen om omvärlden.",
                        "Genom aktivt deltagande i internationella nätverk marknadsföra kommunen.",
                        "Söka samarbeten med lokala aktörer både hemma och internationellt.",
                        "Språkutbildning för personal med internationella kontaktytor.",
                    ],
                )?,
                goal(
                    "mangkulturellt-och-lokal-demokrati",
                    "Främja ett mångkulturellt perspektiv, motverka främlingsfientliga krafter samt bidra till utveckling av lokal demokrati internationellt.",
                    Some(demokrati),
                    &["Bidra till resultatinriktade samarbeten mellan kommunen och utvalda samarbetsländer i syfte att stärka demokrati, samt rättvis och hållbar utveckling."],
                )?,
            ],
            topics: strings(&["Internationellt arbete", "EU-program", "Norgesamarbetet", "ARKO", "Vänorter", "ICLD", "Mångkulturellt perspektiv", "Demokratiutveckling"]),
        };
        let draft = StrategyCommand::Draft {
            strategy: arvika,
            municipality: code(codes::ARVIKA)?,
            title: "Internationell strategi".into(),
            kind: DocumentKind::Strategy,
            owner: "Kommunstyrelsen".into(),
            // "Kommunstyrelsen leder det internationella arbetet samt ansvarar
            // för vänortssamarbetet"; the seed names no officer and no
            // follow-up cadence (once per term is an assumption).
            responsible_role: "Kommunstyrelsen (leder det internationella arbetet och vänortssamarbetet)".into(),
            follow_up: FollowUpCadence::OncePerTerm,
            content,
        };
        let ks = decision(DecisionBody::ExecutiveBoard, day!("2012-11-12"), Some("§ 258"), None);
        self.draft_and_adopt(arvika, draft, ks, until_further_notice(day!("2012-11-12"))?)
            .await?;
        self.summary.strategies.push(DemoEntity {
            id: arvika,
            name: "Arvika: Internationell strategi".into(),
            note: "adopted KS 2012-11-12 § 258, until further notice".into(),
        });
        Ok(())
    }

    // --- projects ----------------------------------------------------------------

    async fn project(&mut self, register: RegisterProject, steps: &[Step], note: &str) -> Result<(), AppError> {
        let id = register.project;
        let title = register.title.clone();
        self.run::<Project>(&id, "register", ProjectCommand::Register(Box::new(register)))
            .await?;
        for step in steps {
            let (key, command) = match step {
                Step::Plan(m, title, due) => (
                    format!("plan:{m}"),
                    ProjectCommand::PlanMilestone {
                        milestone: MilestoneId::parse(m)?,
                        title: (*title).into(),
                        due: *due,
                    },
                ),
                Step::Reschedule(m, new_due, reason) => (
                    format!("reschedule:{m}:{new_due}"),
                    ProjectCommand::RescheduleMilestone {
                        milestone: MilestoneId::parse(m)?,
                        new_due: *new_due,
                        reason: (*reason).into(),
                    },
                ),
                Step::Achieve(m, on) => (
                    format!("achieve:{m}"),
                    ProjectCommand::AchieveMilestone {
                        milestone: MilestoneId::parse(m)?,
                        achieved_on: *on,
                    },
                ),
                Step::Cancel(m, reason) => (
                    format!("cancel:{m}"),
                    ProjectCommand::CancelMilestone {
                        milestone: MilestoneId::parse(m)?,
                        reason: (*reason).into(),
                    },
                ),
                Step::Complete(on) => ("complete".to_string(), ProjectCommand::Complete { completed_on: *on }),
            };
            self.run::<Project>(&id, &key, command).await?;
        }
        self.summary.projects.push(DemoEntity {
            id,
            name: title,
            note: note.into(),
        });
        Ok(())
    }

    async fn projects(&mut self) -> Result<(), AppError> {
        let chobe = external("Chobe District Council", "BW")?;
        let icld = Programme {
            kind: ProgrammeKind::Icld,
            name: "ICLD kommunala partnerskap".into(),
        };
        let policy = ids::vanersborg_policy();

        // Sustainable Shoreline Development, 2016–2018 (fact); fully funded by
        // ICLD, so no co-financing. Amount and milestones illustrative; the
        // meetings alternate between Vänersborg and Chobe (Kasane).
        let budget = money(1_200_000, Currency::SEK)?;
        self.project(
            RegisterProject {
                project: ids::shoreline_project(),
                title: "Sustainable Shoreline Development".into(),
                lead: member(codes::VANERSBORG)?,
                partners: vec![chobe.clone()],
                programme: icld.clone(),
                financing: Financing {
                    budget,
                    grant: budget,
                    co_financing: Money::zero(Currency::SEK),
                },
                period: period(day!("2016-01-01"), day!("2018-12-31"))?,
                serves_goals: vec![
                    goal_ref(policy, "demokrati-larande")?,
                    goal_ref(policy, "utveckla-verksamheterna")?,
                ],
                eu_priorities: vec![EuPriority::Green],
                from_application: None,
                consortium: Some(consortium(codes::ICLD_VBG_CHOBE)?),
            },
            &[
                Step::Plan(
                    "m1-partnermote-kasane",
                    "Partnerskapsmöte i Kasane, Chobe",
                    day!("2016-04-15"),
                ),
                Step::Plan(
                    "m2-partnermote-vanersborg",
                    "Partnerskapsmöte i Vänersborg",
                    day!("2016-10-14"),
                ),
                Step::Plan(
                    "m3-strandzonsanalys",
                    "Gemensam analys av strandzonen längs Chobefloden och Vänern",
                    day!("2017-06-30"),
                ),
                Step::Plan("m4-slutrapport", "Slutrapport till ICLD", day!("2018-12-14")),
                Step::Achieve("m1-partnermote-kasane", day!("2016-04-14")),
                Step::Achieve("m2-partnermote-vanersborg", day!("2016-10-13")),
                Step::Achieve("m3-strandzonsanalys", day!("2017-06-21")),
                Step::Achieve("m4-slutrapport", day!("2018-12-10")),
                Step::Complete(day!("2018-12-31")),
            ],
            "ICLD 2016–2018, completed, all milestones achieved",
        )
        .await?;

        // Waste management, granted by ICLD in 2018 (fact); period, amount and
        // milestones illustrative.
        let budget = money(1_500_000, Currency::SEK)?;
        self.project(
            RegisterProject {
                project: ids::waste_project(),
                title: "Waste Management in Chobe and Vänersborg".into(),
                lead: member(codes::VANERSBORG)?,
                partners: vec![chobe],
                programme: icld,
                financing: Financing {
                    budget,
                    grant: budget,
                    co_financing: Money::zero(Currency::SEK),
                },
                period: period(day!("2019-01-01"), day!("2020-12-31"))?,
                serves_goals: vec![goal_ref(policy, "demokrati-larande")?],
                eu_priorities: vec![EuPriority::Green],
                from_application: None,
                consortium: Some(consortium(codes::ICLD_VBG_CHOBE)?),
            },
            &[
                Step::Plan(
                    "m1-partnermote-vanersborg",
                    "Partnerskapsmöte i Vänersborg: avfallshantering och återvinning",
                    day!("2019-05-15"),
                ),
                Step::Plan(
                    "m2-handlingsplan",
                    "Gemensam handlingsplan för avfallshantering i Chobe",
                    day!("2019-11-29"),
                ),
                Step::Plan(
                    "m3-partnermote-kasane",
                    "Partnerskapsmöte i Kasane, Chobe",
                    day!("2020-04-20"),
                ),
                Step::Plan("m4-slutrapport", "Slutrapport till ICLD", day!("2020-12-15")),
                Step::Achieve("m1-partnermote-vanersborg", day!("2019-05-16")),
                Step::Achieve("m2-handlingsplan", day!("2019-12-06")),
                Step::Cancel(
                    "m3-partnermote-kasane",
                    "Resorna ställdes in under covid-19-pandemin; mötet hölls digitalt",
                ),
                Step::Achieve("m4-slutrapport", day!("2020-12-11")),
                Step::Complete(day!("2020-12-31")),
            ],
            "ICLD granted 2018, completed (one meeting cancelled)",
        )
        .await?;

        // ARKO in Interreg Sverige–Norge 2021–27: one joint project, two
        // budgets, one per country (illustrative title, amounts, milestones).
        // Due dates around today (2026-11) give the dashboards an overdue
        // milestone (m4) and upcoming ones (m5, m6).
        let arvika = ids::arvika_strategy_2012();
        let interreg_sn = Programme {
            kind: ProgrammeKind::Interreg,
            name: "Interreg Sverige–Norge 2021–2027".into(),
        };
        let arko = consortium(codes::ARKO)?;
        let project_period = period(day!("2024-01-01"), day!("2027-06-30"))?;
        let (budget, grant) = (money(6_000_000, Currency::SEK)?, money(3_000_000, Currency::SEK)?);
        self.project(
            RegisterProject {
                project: ids::arko_project_se(),
                title: "Gränslös kompetens i ARKO-regionen (svensk del)".into(),
                lead: member(codes::ARVIKA)?,
                partners: vec![member(codes::EDA)?, member(codes::TORSBY)?, member(codes::SUNNE)?],
                programme: interreg_sn.clone(),
                financing: Financing {
                    budget,
                    grant,
                    co_financing: money(3_000_000, Currency::SEK)?,
                },
                period: project_period,
                serves_goals: vec![
                    goal_ref(arvika, "norgesamarbetet")?,
                    goal_ref(arvika, "utveckla-verksamheterna")?,
                ],
                eu_priorities: vec![EuPriority::Inclusive],
                from_application: None,
                consortium: Some(arko.clone()),
            },
            &[
                Step::Plan(
                    "m1-uppstart",
                    "Projektstart och första styrgruppsmöte",
                    day!("2024-02-15"),
                ),
                Step::Plan(
                    "m2-kartlaggning",
                    "Kartläggning av kompetensbehoven på båda sidor gränsen",
                    day!("2024-10-31"),
                ),
                Step::Plan(
                    "m3-konferens",
                    "Gränsregional kompetenskonferens på Morokulien",
                    day!("2025-05-20"),
                ),
                Step::Plan(
                    "m4-pilotutbildning",
                    "Pilotutbildning över gränsen startar",
                    day!("2026-09-30"),
                ),
                Step::Plan(
                    "m5-erfarenhetsseminarium",
                    "Erfarenhetsseminarium med arbetsgivare i Arvika och Kongsvinger",
                    day!("2026-06-16"),
                ),
                Step::Plan(
                    "m6-slutrapport",
                    "Slutrapport till Interreg Sverige–Norge",
                    day!("2027-06-30"),
                ),
                Step::Achieve("m1-uppstart", day!("2024-02-20")),
                Step::Reschedule(
                    "m2-kartlaggning",
                    day!("2025-01-31"),
                    "Kartläggningen utökades till arbetsgivare hos de norska partnerna",
                ),
                Step::Achieve("m2-kartlaggning", day!("2025-01-29")),
                Step::Cancel("m3-konferens", "Ersatt av digitala arbetsmöten för att minska resandet"),
                Step::Reschedule(
                    "m5-erfarenhetsseminarium",
                    day!("2027-01-21"),
                    "Flyttat för att samordnas med den norska delens aktiviteter",
                ),
            ],
            "Interreg Sverige–Norge 2024–2027, SEK part led by Arvika; m4 overdue, m5 next",
        )
        .await?;
        let (budget, grant) = (money(4_000_000, Currency::NOK)?, money(2_000_000, Currency::NOK)?);
        self.project(
            RegisterProject {
                project: ids::arko_project_no(),
                title: "Grenseløs kompetanse i ARKO-regionen (norsk del)".into(),
                lead: member(codes::KONGSVINGER)?,
                partners: vec![
                    member(codes::NORD_ODAL)?,
                    member(codes::SOR_ODAL)?,
                    member(codes::EIDSKOG)?,
                    member(codes::GRUE)?,
                    member(codes::ASNES)?,
                ],
                programme: interreg_sn,
                // Norwegian partners: Interreg funding up to 50 %.
                financing: Financing {
                    budget,
                    grant,
                    co_financing: money(2_000_000, Currency::NOK)?,
                },
                period: project_period,
                serves_goals: vec![goal_ref(arvika, "norgesamarbetet")?],
                eu_priorities: vec![EuPriority::Inclusive],
                from_application: None,
                consortium: Some(arko),
            },
            &[
                Step::Plan("n1-oppstart", "Prosjektoppstart", day!("2024-02-15")),
                Step::Plan(
                    "n2-sluttrapport",
                    "Sluttrapport til Interreg Sverige–Norge",
                    day!("2027-06-30"),
                ),
                Step::Achieve("n1-oppstart", day!("2024-02-20")),
            ],
            "Interreg Sverige–Norge 2024–2027, NOK part led by Kongsvinger",
        )
        .await?;

        // Vänersborg in Erasmus+ KA220 (cooperation partnership: at least three
        // organisations from three countries; lump sum €250k) with its twin
        // towns Herning and Lich. Illustrative; serves the 2024 strategy.
        let s2024 = ids::vanersborg_strategy_2024();
        let lump_sum = money(250_000, Currency::EUR)?;
        self.project(
            RegisterProject {
                project: ids::erasmus_project(),
                title: "Digital inkludering i vuxenutbildningen".into(),
                lead: member(codes::VANERSBORG)?,
                partners: vec![external("Herning Kommune", "DK")?, external("Stadt Lich", "DE")?],
                programme: Programme {
                    kind: ProgrammeKind::ErasmusPlus,
                    name: "Erasmus+ KA220 Cooperation partnerships (adult education)".into(),
                },
                financing: Financing {
                    budget: lump_sum,
                    grant: lump_sum,
                    co_financing: Money::zero(Currency::EUR),
                },
                period: period(day!("2025-09-01"), day!("2027-08-31"))?,
                serves_goals: vec![
                    goal_ref(s2024, "inkluderande-samhallen")?,
                    goal_ref(s2024, "digitaliserade-samhallen")?,
                    goal_ref(s2024, "natverk-och-vanorter")?,
                ],
                eu_priorities: vec![EuPriority::Inclusive, EuPriority::Digital],
                from_application: None,
                consortium: None,
            },
            &[
                Step::Plan("m1-uppstart", "Uppstartsmöte i Vänersborg", day!("2025-10-15")),
                Step::Plan(
                    "m2-partnermote-herning",
                    "Transnationellt partnermöte i Herning",
                    day!("2026-04-22"),
                ),
                Step::Plan(
                    "m3-partnermote-lich",
                    "Transnationellt partnermöte i Lich",
                    day!("2026-11-10"),
                ),
                Step::Plan(
                    "m4-delrapport",
                    "Delrapport till Universitets- och högskolerådet",
                    day!("2026-12-15"),
                ),
                Step::Plan(
                    "m5-slutrapport",
                    "Slutrapport till Universitets- och högskolerådet",
                    day!("2027-08-31"),
                ),
                Step::Achieve("m1-uppstart", day!("2025-10-16")),
                Step::Achieve("m2-partnermote-herning", day!("2026-04-22")),
            ],
            "Erasmus+ KA220 2025–2027 with Herning and Lich; m3 overdue, m4 next",
        )
        .await?;

        // A V6 project led by Lidköping, active 2024–2026, so that Lidköping's
        // and its partners' yearly follow-ups have a running project.
        // Illustrative; serves Lidköping's goal on external funding.
        let lidkoping = ids::lidkoping_strategy_2020();
        self.project(
            RegisterProject {
                project: ids::v6_skills_project(),
                title: "Kompetensförsörjning i Västra Skaraborg".into(),
                lead: member(codes::LIDKOPING)?,
                partners: vec![member(codes::GOTENE)?, member(codes::SKARA)?],
                programme: Programme {
                    kind: ProgrammeKind::EsfPlus,
                    name: "ESF+ Programområde A".into(),
                },
                financing: Financing {
                    budget: money(4_800_000, Currency::SEK)?,
                    grant: money(3_600_000, Currency::SEK)?,
                    co_financing: money(1_200_000, Currency::SEK)?,
                },
                period: period(day!("2024-09-01"), day!("2026-12-31"))?,
                serves_goals: vec![goal_ref(lidkoping, "extern-finansiering")?],
                eu_priorities: vec![EuPriority::Inclusive],
                from_application: None,
                consortium: Some(consortium(codes::V6)?),
            },
            &[
                Step::Plan("m1-kartlaggning", "Kartläggning av kompetensbehov", day!("2025-03-31")),
                Step::Plan("m2-utbildningar", "Första utbildningsomgången", day!("2025-09-30")),
                Step::Plan("m3-slutkonferens", "Slutkonferens i Lidköping", day!("2026-12-10")),
                Step::Achieve("m1-kartlaggning", day!("2025-03-28")),
                Step::Reschedule("m2-utbildningar", day!("2025-11-15"), "Upphandlingen försenad"),
                Step::Achieve("m2-utbildningar", day!("2025-11-14")),
            ],
            "ESF+ 2024–2026 led by Lidköping with Götene and Skara; m3 next",
        )
        .await?;
        Ok(())
    }

    // --- joint applications ----------------------------------------------------------

    async fn draft_application(&mut self, draft: DraftApplication) -> Result<ApplicationId, AppError> {
        let id = draft.application;
        self.application(&id, "draft", ApplicationCommand::Draft(Box::new(draft)))
            .await?;
        Ok(id)
    }

    async fn invite(&mut self, id: ApplicationId, municipalities: &[&str]) -> Result<(), AppError> {
        for m in municipalities {
            let municipality = code(m)?;
            let step = format!("invite:{municipality}");
            self.application(
                &id,
                &step,
                ApplicationCommand::Invite {
                    municipality,
                    consortium_members: BTreeSet::new(),
                },
            )
            .await?;
        }
        Ok(())
    }

    async fn commit(
        &mut self,
        id: ApplicationId,
        municipality: &str,
        amount: Money,
        decided_on: NaiveDate,
    ) -> Result<(), AppError> {
        let municipality = code(municipality)?;
        let step = format!("commit:{municipality}:{decided_on}");
        self.application(
            &id,
            &step,
            ApplicationCommand::CommitCoFinancing {
                municipality,
                amount,
                decision: board(decided_on),
            },
        )
        .await?;
        Ok(())
    }

    async fn decline(&mut self, id: ApplicationId, municipality: &str, reason: &str) -> Result<(), AppError> {
        let municipality = code(municipality)?;
        let step = format!("decline:{municipality}");
        self.application(
            &id,
            &step,
            ApplicationCommand::DeclineCoFinancing {
                municipality,
                reason: reason.into(),
            },
        )
        .await?;
        Ok(())
    }

    async fn assess(
        &mut self,
        id: ApplicationId,
        benefits: &str,
        risks: &str,
        democracy_and_human_rights: &str,
        assessed_on: NaiveDate,
    ) -> Result<(), AppError> {
        let command = ApplicationCommand::RecordRiskAssessment {
            benefits: benefits.into(),
            risks: risks.into(),
            democracy_and_human_rights: democracy_and_human_rights.into(),
            assessed_on,
        };
        self.application(&id, &format!("risk-assessment:{assessed_on}"), command)
            .await?;
        Ok(())
    }

    async fn submit(&mut self, id: ApplicationId, now: DateTime<Utc>) -> Result<(), AppError> {
        self.application(&id, "submit", ApplicationCommand::Submit { now })
            .await?;
        Ok(())
    }

    async fn applications(&mut self) -> Result<(), AppError> {
        // Titles, calls, amounts, co-financing decisions and funder decisions
        // are illustrative; programme rules and deadlines follow DOMAIN-FACTS.
        // Deadlines are 23:59 Swedish time, in UTC.
        let v6 = consortium(codes::V6)?;
        let arko = consortium(codes::ARKO)?;
        let lidkoping = ids::lidkoping_strategy_2020();
        let arvika = ids::arvika_strategy_2012();
        let sek = |units| money(units, Currency::SEK);

        // 1. V6, ERDF (Tillväxtverket): a DRAFT for the February 2027 deadline.
        // Götene has committed, Skara has not answered yet: the application is
        // on Skara's action list.
        let draft = ids::v6_draft_application();
        self.draft_application(DraftApplication {
            application: draft,
            consortium: v6.clone(),
            consortium_members: BTreeSet::new(),
            title: "Hållbar besöksnäring i Västra Skaraborg".into(),
            programme: Programme {
                kind: ProgrammeKind::Erdf,
                name: "Regionala utvecklingsfonden, Västsverige 2021–2027 (Tillväxtverket)".into(),
            },
            call: "Hållbar besöksnäring, sista ansökningsdag 15 februari 2027".into(),
            lead_applicant: code(codes::LIDKOPING)?,
            deadline: at!("2027-02-15 22:59"),
            total_budget: sek(4_000_000)?,
            requested: sek(2_400_000)?,
            project_period: period(day!("2027-06-01"), day!("2029-12-31"))?,
            serves_goals: vec![
                goal_ref(lidkoping, "extern-finansiering")?,
                goal_ref(lidkoping, "hallbart-perspektiv")?,
                goal_ref(lidkoping, "bevaka-samverkan")?,
            ],
            eu_priorities: vec![EuPriority::Green],
            now: at!("2026-10-05 07:30"),
        })
        .await?;
        self.invite(draft, &[codes::GOTENE, codes::SKARA]).await?;
        self.commit(draft, codes::LIDKOPING, sek(1_000_000)?, day!("2026-10-21"))
            .await?;
        self.commit(draft, codes::GOTENE, sek(300_000)?, day!("2026-11-04"))
            .await?;
        self.summary.applications.push(DemoEntity {
            id: draft,
            name: "V6: Hållbar besöksnäring i Västra Skaraborg".into(),
            note: "draft, deadline 2027-02-15; Skara (SE-1495) has not answered".into(),
        });

        // 2. V6, ESF+: SUBMITTED, every co-applicant answered (Vara declined),
        // benefit-and-risk assessment recorded; awaiting the decision.
        let submitted = ids::v6_submitted_application();
        self.draft_application(DraftApplication {
            application: submitted,
            consortium: v6.clone(),
            consortium_members: BTreeSet::new(),
            title: "Kompetensförsörjning i välfärden i V6".into(),
            programme: Programme {
                kind: ProgrammeKind::EsfPlus,
                name: "Europeiska socialfonden+ 2021–2027".into(),
            },
            call: "Kompetensförsörjning i välfärden, sista ansökningsdag 30 september 2026".into(),
            lead_applicant: code(codes::LIDKOPING)?,
            deadline: at!("2026-09-30 21:59"),
            total_budget: sek(3_000_000)?,
            requested: sek(1_800_000)?,
            project_period: period(day!("2027-01-01"), day!("2028-12-31"))?,
            serves_goals: vec![
                goal_ref(lidkoping, "utveckla-verksamheten")?,
                goal_ref(lidkoping, "kompetens")?,
            ],
            eu_priorities: vec![EuPriority::Inclusive],
            now: at!("2026-05-04 08:00"),
        })
        .await?;
        self.invite(submitted, &[codes::ESSUNGA, codes::GRASTORP, codes::VARA])
            .await?;
        self.commit(submitted, codes::LIDKOPING, sek(700_000)?, day!("2026-06-10"))
            .await?;
        self.commit(submitted, codes::ESSUNGA, sek(250_000)?, day!("2026-06-16"))
            .await?;
        self.commit(submitted, codes::GRASTORP, sek(250_000)?, day!("2026-08-25"))
            .await?;
        self.decline(
            submitted,
            codes::VARA,
            "Vara prioriterar andra kompetensinsatser under 2027 och avstår medfinansiering.",
        )
        .await?;
        self.assess(
            submitted,
            "Gemensam rekrytering och kompetensutveckling inom vård och omsorg; extern finansiering via V6 i linje med Lidköpings strategi.",
            "Personalomsättning i projektorganisationen; ojämn medverkan mellan kommunerna sedan Vara avstått.",
            "Alla parter är demokratiskt styrda svenska kommuner; inga risker avseende demokrati, rättsstatens principer eller mänskliga rättigheter. Deltagarnas rätt till likabehandling säkras i rekryteringen.",
            day!("2026-09-15"),
        )
        .await?;
        self.submit(submitted, at!("2026-09-24 13:00")).await?;
        self.summary.applications.push(DemoEntity {
            id: submitted,
            name: "V6: Kompetensförsörjning i välfärden i V6".into(),
            note: "submitted 2026-09-24, awaiting decision".into(),
        });

        // 3. ARKO, Interreg Sverige–Norge, 15 February 2025 call: REJECTED.
        // The Swedish application of the joint project (the Norwegian partners
        // apply with their own budget in NOK).
        let rejected = ids::arko_rejected_application();
        let interreg_sn = Programme {
            kind: ProgrammeKind::Interreg,
            name: "Interreg Sverige–Norge 2021–2027".into(),
        };
        self.draft_application(DraftApplication {
            application: rejected,
            consortium: arko.clone(),
            consortium_members: BTreeSet::new(),
            title: "Gränslös mobilitet i ARKO-regionen".into(),
            programme: interreg_sn.clone(),
            call: "Huvudprojekt, sista ansökningsdag 15 februari 2025".into(),
            lead_applicant: code(codes::ARVIKA)?,
            deadline: at!("2025-02-15 22:59"),
            total_budget: sek(5_000_000)?,
            requested: sek(2_500_000)?,
            project_period: period(day!("2025-09-01"), day!("2028-08-31"))?,
            serves_goals: vec![goal_ref(arvika, "norgesamarbetet")?],
            eu_priorities: vec![EuPriority::Green],
            now: at!("2025-01-10 09:00"),
        })
        .await?;
        self.invite(rejected, &[codes::EDA, codes::TORSBY]).await?;
        self.commit(rejected, codes::ARVIKA, sek(1_500_000)?, day!("2025-01-27"))
            .await?;
        self.commit(rejected, codes::EDA, sek(500_000)?, day!("2025-01-29"))
            .await?;
        self.commit(rejected, codes::TORSBY, sek(500_000)?, day!("2025-02-03"))
            .await?;
        self.assess(
            rejected,
            "Bättre möjligheter att pendla hållbart över gränsen mellan Arvika, Eda, Torsby och Kongsvinger.",
            "Beroende av norsk medfinansiering och av regionala kollektivtrafikbeslut.",
            "Samtliga parter är demokratiskt styrda kommuner i Sverige och Norge; inga risker avseende demokrati eller mänskliga rättigheter har identifierats. Tillgänglighet för personer med funktionsnedsättning beaktas.",
            day!("2025-02-03"),
        )
        .await?;
        self.submit(rejected, at!("2025-02-10 14:00")).await?;
        self.application(
            &rejected,
            "reject",
            ApplicationCommand::Reject {
                decided_on: day!("2025-06-12"),
                reason: "Det gränsöverskridande mervärdet och de norska partnernas roll var otillräckligt beskrivna."
                    .into(),
            },
        )
        .await?;
        self.summary.applications.push(DemoEntity {
            id: rejected,
            name: "ARKO: Gränslös mobilitet i ARKO-regionen".into(),
            note: "rejected 2025-06-12".into(),
        });

        // 4. ARKO, the revised application for the 15 September 2025 call:
        // APPROVED. The process manager registers the project
        // (`ids::arko_approved_project()`); the demo does not.
        let approved = ids::arko_approved_application();
        self.draft_application(DraftApplication {
            application: approved,
            consortium: arko.clone(),
            consortium_members: BTreeSet::new(),
            title: "Gränslös mobilitet i ARKO-regionen – reviderad ansökan".into(),
            programme: interreg_sn,
            call: "Huvudprojekt, sista ansökningsdag 15 september 2025".into(),
            lead_applicant: code(codes::ARVIKA)?,
            deadline: at!("2025-09-15 21:59"),
            total_budget: sek(5_200_000)?,
            requested: sek(2_600_000)?,
            project_period: period(day!("2026-01-01"), day!("2028-12-31"))?,
            serves_goals: vec![
                goal_ref(arvika, "norgesamarbetet")?,
                goal_ref(arvika, "attraktiv-kommun")?,
            ],
            eu_priorities: vec![EuPriority::Green, EuPriority::Inclusive],
            now: at!("2025-06-23 09:00"),
        })
        .await?;
        self.invite(approved, &[codes::EDA, codes::TORSBY, codes::SUNNE])
            .await?;
        self.commit(approved, codes::ARVIKA, sek(1_000_000)?, day!("2025-08-18"))
            .await?;
        self.commit(approved, codes::EDA, sek(600_000)?, day!("2025-08-20"))
            .await?;
        self.commit(approved, codes::TORSBY, sek(500_000)?, day!("2025-08-25"))
            .await?;
        self.commit(approved, codes::SUNNE, sek(500_000)?, day!("2025-08-26"))
            .await?;
        self.assess(
            approved,
            "Hållbar arbetspendling och gemensam arbetsmarknad över gränsen; de norska partnerna deltar med egen budget.",
            "Beroende av regionala kollektivtrafikbeslut på båda sidor gränsen.",
            "Samtliga parter är demokratiskt styrda kommuner i Sverige och Norge; inga risker avseende demokrati, rättsstatens principer eller mänskliga rättigheter. Medborgardialog i båda länderna ingår.",
            day!("2025-08-28"),
        )
        .await?;
        self.submit(approved, at!("2025-09-11 10:30")).await?;
        self.application(
            &approved,
            "approve",
            ApplicationCommand::Approve {
                granted: sek(2_450_000)?,
                decided_on: day!("2025-12-10"),
                decision_reference: "Interreg Sverige–Norge, styrkommitténs beslut 2025-12-10".into(),
            },
        )
        .await?;
        self.summary.applications.push(DemoEntity {
            id: approved,
            name: "ARKO: Gränslös mobilitet i ARKO-regionen – reviderad ansökan".into(),
            note: "approved 2025-12-10, SEK 2 450 000 granted".into(),
        });
        self.summary.projects.push(DemoEntity {
            id: ids::arko_approved_project(),
            name: "Gränslös mobilitet i ARKO-regionen – reviderad ansökan".into(),
            note: "registered by the process manager from the approved ARKO application".into(),
        });

        // 5. V6, Interreg Europe (ERDF 80 % for public bodies, in EUR): WITHDRAWN
        // before the deadline.
        let withdrawn = ids::v6_withdrawn_application();
        self.draft_application(DraftApplication {
            application: withdrawn,
            consortium: v6,
            consortium_members: BTreeSet::new(),
            title: "Cirkulära offentliga inköp i Västra Skaraborg".into(),
            programme: Programme {
                kind: ProgrammeKind::Interreg,
                name: "Interreg Europe 2021–2027".into(),
            },
            call: "Projektutlysning 2024".into(),
            lead_applicant: code(codes::LIDKOPING)?,
            deadline: at!("2024-06-07 10:00"),
            total_budget: money(1_200_000, Currency::EUR)?,
            requested: money(960_000, Currency::EUR)?,
            project_period: period(day!("2025-04-01"), day!("2029-03-31"))?,
            serves_goals: vec![
                goal_ref(lidkoping, "hallbart-perspektiv")?,
                goal_ref(lidkoping, "extern-finansiering")?,
            ],
            eu_priorities: vec![EuPriority::Green],
            now: at!("2024-03-11 08:00"),
        })
        .await?;
        self.invite(withdrawn, &[codes::SKARA, codes::VARA]).await?;
        self.application(
            &withdrawn,
            "withdraw",
            ApplicationCommand::Withdraw {
                withdrawn_on: day!("2024-05-20"),
                reason: "Europeiska projektpartner kunde inte säkras före sista ansökningsdag.".into(),
            },
        )
        .await?;
        self.summary.applications.push(DemoEntity {
            id: withdrawn,
            name: "V6: Cirkulära offentliga inköp i Västra Skaraborg".into(),
            note: "withdrawn 2024-05-20".into(),
        });
        Ok(())
    }
}
