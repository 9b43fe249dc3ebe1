//! Chapter 8: ARKO's real cross-border project ecoINSIDE 2 (Interreg
//! Sverige–Norge 2014–2020), one application with two budget sides — the
//! Swedish side's ERDF and the Norwegian side's IR funds — each decided by its
//! own funder, approved into one project (the process manager registers it).
//! Every figure names its source; what no source gives is marked illustrative.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::{Application, ApplicationCommand, DraftApplication, RecordFunderDecision};
use samverkan_domain::programme::{CallRef, ProgrammeCode, SideBudget};
use samverkan_domain::{
    ApplicationId, ConsortiumCode, CountryCode, Currency, DomainError, Money, MunicipalityCode, Period, Programme,
    ProgrammeKind,
};

use super::codes::{ARKO, ARVIKA};
use super::loader::Loader;
use super::programmes::SVERIGE_NORGE;
use super::{ids, DemoEntity};
use crate::AppError;

/// arvika.se, "Miljoner euro i Interregstöd" (2018-05-23).
pub const ARVIKA_NEWS: &str = "arvika.se, \"Miljoner euro i Interregstöd\" (2018-05-23): ecoINSIDE 2, led by Arvika with Kunnskapsbyen Lillestrøm, total EUR 2 983 100, of which EUR 904 675 EU (ERDF) and EUR 375 000 IR, three years";
/// keep.eu, project 20432.
pub const KEEP_EU: &str = "keep.eu, project 20432 ecoINSIDE2 (2014–2020 Interreg V-A Sweden–Norway): lead partners Arvika kommun and Kunnskapsbyen Lillestrøm; 2018-07-01 – 2021-06-30; Swedish budget EUR 1 809 351, ERDF EUR 904 675; Norway EUR 375 000";
/// tretorget.no on who funded the Norwegian side.
pub const TRETORGET: &str = "tretorget.no, \"eco INSIDE2\": funded with Interreg funds by Hedmark and Akershus fylkeskommune; Norwegian project owner Kunnskapsbyen Lillestrøm";
/// The Norwegian side's total is not published as such: the project's total less the Swedish side.
pub const NO_SIDE_TOTAL: &str =
    "derived: EUR 2 983 100 total (arvika.se) less the Swedish budget EUR 1 809 351 (keep.eu) = EUR 1 173 749";

fn day(s: &str) -> Result<NaiveDate, DomainError> {
    s.parse().map_err(|_| DomainError::InvalidId { value: s.into() })
}

fn at(s: &str) -> Result<DateTime<Utc>, DomainError> {
    s.parse().map_err(|_| DomainError::InvalidId { value: s.into() })
}

fn eur(units: i64) -> Result<Money, DomainError> {
    Money::major(units, Currency::EUR)
}

fn side(country: &str, fund: &str, total: i64, requested: i64) -> Result<SideBudget, DomainError> {
    Ok(SideBudget {
        country: CountryCode::parse(country)?,
        fund: fund.into(),
        total: eur(total)?,
        requested: eur(requested)?,
        conversion: None,
        converted_total: None,
        converted_requested: None,
    })
}

impl Loader<'_> {
    pub(super) async fn ecoinside(&mut self) -> Result<(), AppError> {
        let id: ApplicationId = ids::ecoinside2_application();
        let draft = DraftApplication {
            application: id,
            consortium: ConsortiumCode::parse(ARKO)?,
            consortium_members: BTreeSet::new(),
            title: "ecoINSIDE 2".into(),
            programme: Programme {
                kind: ProgrammeKind::Interreg,
                name: "Interreg Sverige–Norge 2014–2020".into(),
            },
            // The figures' sources, stored with the application as text.
            call: format!("Huvudprojekt 2018, Inre Skandinavien. Sources: {ARVIKA_NEWS}; {KEEP_EU}; Norwegian side: {NO_SIDE_TOTAL}"),
            lead_applicant: MunicipalityCode::parse(ARVIKA)?,
            // The call's deadline (the demo's call 2018-1; illustrative).
            deadline: at("2018-02-15T22:59:00Z")?,
            // ARVIKA_NEWS: EUR 2 983 100 total; EUR 904 675 + 375 000 asked.
            total_budget: eur(2_983_100)?,
            requested: eur(1_279_675)?,
            // KEEP_EU: 2018-07-01 – 2021-06-30.
            project_period: Period::new(day("2018-07-01")?, Some(day("2021-06-30")?))?,
            serves_goals: vec![],
            eu_priorities: vec![samverkan_domain::project::EuPriority::Green],
            // Illustrative: the drafting and submission dates are not published.
            now: at("2018-01-15T09:00:00Z")?,
            call_ref: Some(CallRef {
                programme: ProgrammeCode::parse(SVERIGE_NORGE)?,
                call: "2018-1".into(),
            }),
            // KEEP_EU: the Swedish side; NO_SIDE_TOTAL and ARVIKA_NEWS: the Norwegian side.
            sides: vec![
                side("SE", "ERDF", 1_809_351, 904_675)?,
                side("NO", "IR", 1_173_749, 375_000)?,
            ],
            call_rules: None,
        };
        self.run::<Application>(&id, "draft", ApplicationCommand::Draft(Box::new(draft)))
            .await?;
        let assess = ApplicationCommand::RecordRiskAssessment {
            benefits: "Klimadriven tillväxt och innovation i Inre Skandinavien: solenergi, restresurser och hållbart byggande över gränsen (illustrative summary of the project's aim).".into(),
            risks: "Beroende av båda sidornas finansiering och av partnernas egen medfinansiering (illustrative).".into(),
            democracy_and_human_rights: "Partnerna är kommuner, högskolor och företag i Sverige och Norge; inga risker avseende demokrati eller mänskliga rättigheter har identifierats (illustrative).".into(),
            assessed_on: day("2018-02-05")?,
        };
        self.run::<Application>(&id, "risk-assessment", assess).await?;
        let submit = ApplicationCommand::Submit {
            now: at("2018-02-14T10:00:00Z")?,
        };
        self.run::<Application>(&id, "submit", submit).await?;
        // The steering committee approved the project on 2018-05-18 (the demo's
        // call, from ARVIKA_NEWS); each side's formal decision date and
        // reference are not published, so that day stands in for both.
        let decisions = [
            (
                "SE",
                "Interreg Sverige–Norge 2014–2020, managing authority (förvaltande myndighet), after the Inre Skandinavien steering committee",
                904_675,
                "Styrkommittén Inre Skandinavien 2018-05-18 (decision reference not published)",
            ),
            (
                "NO",
                "Akershus fylkeskommune and Hedmark fylkeskommune (IR funds)",
                375_000,
                "Styringskomiteen Indre Skandinavia 2018-05-18 (decision reference not published)",
            ),
        ];
        for (country, funder, granted, reference) in decisions {
            let command = ApplicationCommand::RecordFunderDecision(Box::new(RecordFunderDecision {
                country: CountryCode::parse(country)?,
                funder: if country == "NO" {
                    format!("{funder}; source: {TRETORGET}")
                } else {
                    funder.into()
                },
                decided_on: day("2018-05-18")?,
                decision_reference: format!("{reference}; source: {ARVIKA_NEWS}"),
                granted: Some(eur(granted)?),
                refusal_reason: None,
            }));
            self.run::<Application>(&id, &format!("funder-decision:{country}"), command)
                .await?;
        }
        self.summary.applications.push(DemoEntity {
            id,
            name: "ARKO: ecoINSIDE 2".into(),
            note: "Interreg Sverige–Norge 2014–2020; SE ERDF EUR 904 675 and NO IR EUR 375 000 granted 2018-05-18"
                .into(),
        });
        self.summary.projects.push(DemoEntity {
            id: ids::ecoinside2_project(),
            name: "ecoINSIDE 2".into(),
            note: "one project, two sides (SE ERDF, NO IR), registered by the process manager".into(),
        });
        Ok(())
    }
}
