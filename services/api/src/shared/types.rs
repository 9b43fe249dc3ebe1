//! Output values and enums every context shares: money, decisions, periods,
//! programmes, currencies, decision bodies, EU priorities and the statuses.
//! Each enum is the GraphQL face of the domain's own enum (`remote`, or the
//! conversions below), so a status exists once in the domain and once here.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views::Amounts;
use samverkan_domain as d;
use samverkan_domain::application::ApplicationStatus as DomainApplicationStatus;
use samverkan_domain::project::ProjectStatus as DomainProjectStatus;
use samverkan_domain::strategy::StrategyStatus as DomainStrategyStatus;

use crate::scalars::{Date, MinorUnits};
use crate::shared::output_from;

// ---------------------------------------------------------------- enums

/// ISO 4217 currencies the consortia work in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::Currency")]
pub enum Currency {
    /// Swedish krona (minor unit: öre).
    SEK,
    /// Norwegian krone (minor unit: øre).
    NOK,
    /// Euro (minor unit: cent).
    EUR,
    /// Danish krone (minor unit: øre).
    DKK,
}

/// Kind of funding programme.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::ProgrammeKind")]
pub enum ProgrammeKind {
    /// Interreg (Sverige–Norge, Aurora, Europe, Öresund–Kattegat–Skagerrak, …).
    Interreg,
    /// Erasmus+.
    ErasmusPlus,
    /// European Social Fund Plus.
    EsfPlus,
    /// European Regional Development Fund.
    Erdf,
    /// ICLD municipal partnerships (Sida-funded).
    Icld,
    /// Nordic Council of Ministers.
    NordicCouncil,
    /// The members' own funds only.
    OwnFunds,
    Other,
}

/// The body that took a decision.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::DecisionBody")]
pub enum DecisionBody {
    /// Kommunfullmäktige / kommunestyret: the municipal council.
    Council,
    /// Kommunstyrelsen / formannskapet: the executive board.
    ExecutiveBoard,
    /// A committee (nämnd / utvalg) under delegation.
    Committee,
    /// An official under delegation (delegationsbeslut).
    Official,
    /// The board of a consortium or a funder.
    Board,
}

/// EU priority tags (2021–2027 policy objectives).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::project::EuPriority")]
pub enum EuPriority {
    Inclusive,
    Digital,
    Green,
}

/// Life-cycle status of a strategy document.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum StrategyStatus {
    Draft,
    Adopted,
    Superseded,
    Repealed,
}

/// Status of a project.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProjectStatus {
    Active,
    Completed,
    Cancelled,
}

/// Status of a milestone.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::project::MilestoneStatus")]
pub enum MilestoneStatus {
    Planned,
    Achieved,
    Cancelled,
}

/// Status of a joint application.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ApplicationStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

/// Both ways between a GraphQL status and the domain's, variant by variant.
/// The domain's `None` (the state before an aggregate's first event) never
/// reaches a view; it reads as the first status.
macro_rules! status_conversions {
    ($graphql:ident, $domain:ident, $first:ident, [$($variant:ident),+ $(,)?]) => {
        impl From<$domain> for $graphql {
            fn from(status: $domain) -> Self {
                match status {
                    $domain::None => $graphql::$first,
                    $($domain::$variant => $graphql::$variant,)+
                }
            }
        }

        impl From<$graphql> for $domain {
            fn from(status: $graphql) -> Self {
                match status {
                    $($graphql::$variant => $domain::$variant,)+
                }
            }
        }
    };
}

status_conversions!(
    StrategyStatus,
    DomainStrategyStatus,
    Draft,
    [Draft, Adopted, Superseded, Repealed]
);
status_conversions!(
    ProjectStatus,
    DomainProjectStatus,
    Active,
    [Active, Completed, Cancelled]
);
status_conversions!(
    ApplicationStatus,
    DomainApplicationStatus,
    Draft,
    [Draft, Submitted, Approved, Rejected, Withdrawn]
);

// ---------------------------------------------------------------- values

output_from! {
    /// An amount of money: integer minor units and a currency. Never a float.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Money from m: &d::Money {
        /// Amount in minor units (1 SEK = 100 öre).
        pub amount_minor: MinorUnits = MinorUnits(i128::from(m.amount_minor)),
        pub currency: Currency = m.currency.into(),
        /// Human-readable, e.g. `1500.50 SEK`.
        pub formatted: String = m.to_string(),
    }
}

/// A total of one currency (128-bit, never wrapped).
pub(crate) fn money(total_minor: i128, currency: d::Currency) -> Money {
    Money {
        amount_minor: MinorUnits(total_minor),
        currency: currency.into(),
        formatted: d::format_total(total_minor, currency),
    }
}

pub(crate) fn amounts(a: &Amounts) -> Vec<Money> {
    a.iter().map(|(c, m)| money(*m, *c)).collect()
}

output_from! {
    /// A formal decision: body, date, paragraph and case number (diarienummer).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Decision from x: &d::Decision {
        pub body: DecisionBody = x.body.into(),
        pub date: Date = x.date.into(),
        /// Paragraph in the minutes, e.g. `§ 12`.
        pub paragraph: Option<String> = x.paragraph.clone(),
        /// Case number (diarienummer), e.g. `KS 2023/993`.
        pub case_number: Option<String> = x.case_number.clone(),
    }
}

output_from! {
    /// A span of dates; `end: null` means until further notice (tills vidare).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Period from p: &d::Period {
        pub start: Date = p.start.into(),
        pub end: Option<Date> = p.end.map(Date),
    }
}

output_from! {
    /// A funding programme, e.g. Interreg / `Interreg Sverige–Norge 2021–2027`.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Programme from p: &d::Programme {
        pub kind: ProgrammeKind = p.kind.into(),
        pub name: String = p.name.clone(),
    }
}
