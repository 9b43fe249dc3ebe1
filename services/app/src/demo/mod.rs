//! Demo data made from the seeds: the international strategies of Vänersborg,
//! Lidköping and Arvika (`/work/shared/seeds/`) and the domain facts gathered
//! from public sources (V6, ARKO, twin towns, the ICLD partnership with Chobe
//! District Council).
//!
//! The story is told in chapters, one file each (`municipalities`, `consortia`,
//! `twin_towns`, `strategies`, `projects`, `applications`): tables of facts
//! that one loader turns into commands. [`load`] sends the whole story as
//! ordinary commands through [`Commands`],
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

use std::fmt;

use samverkan_domain::{ApplicationId, ConsortiumCode, MunicipalityCode, ProjectId, StrategyId};
use uuid::Uuid;

use crate::{AppError, Commands};
use loader::Loader;

// The chapters of the story, each a table of facts; `facts` says what a fact
// is, `loader` turns facts into commands.
mod applications;
mod consortia;
mod ecoinside;
mod erdf_versions;
mod facts;
mod loader;
mod municipalities;
mod programmes;
mod projects;
mod sides;
mod strategies;
mod twin_towns;

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
    /// ARKO, Interreg Sverige–Norge: "Gränslös kompetens", one cross-border
    /// project with a Swedish side (SEK, ERDF) and a Norwegian side (NOK, IR).
    pub fn arko_project() -> ProjectId {
        ProjectId::from_name("arko-interreg-granslos-kompetens")
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
    /// ARKO, Interreg Sverige–Norge 2014–2020: ecoINSIDE 2, two budget sides, two funder decisions.
    pub fn ecoinside2_application() -> ApplicationId {
        ApplicationId::from_name("arko-interreg-ecoinside-2")
    }
    /// The one cross-border project the process manager registers from ecoINSIDE 2.
    pub fn ecoinside2_project() -> ProjectId {
        project_id_for(ecoinside2_application())
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

/// Load the demo history, chapter by chapter. Idempotent: a second call appends nothing.
pub async fn load(commands: &Commands) -> Result<DemoSummary, AppError> {
    let mut loader = Loader::new(commands);
    loader.municipalities(municipalities::MUNICIPALITIES).await?;
    loader.code_changes(municipalities::CODE_CHANGES).await?;
    loader.consortia(consortia::CONSORTIA).await?;
    loader.twin_towns(twin_towns::TWIN_TOWNS).await?;
    loader.strategies(strategies::STRATEGIES).await?;
    loader.projects(projects::PROJECTS).await?;
    loader.applications(applications::APPLICATIONS).await?;
    // Chapter 7, after the earlier chapters so that their log stays as it was.
    loader.programmes().await?;
    loader.meetings().await?;
    // Chapter 8: one project across the border (ecoINSIDE 2).
    loader.ecoinside().await?;
    // Chapter 9: Tillväxtverket's 10 vs 4 weeks for confirming commitments, two dated versions.
    loader.erdf_versions().await?;
    Ok(loader.summary)
}
