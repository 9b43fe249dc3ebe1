//! Who may give a command: roles, what a command touches ([`CommandTarget`],
//! derived by each aggregate from its state as a pure function:
//! [`Aggregate::target`](crate::Aggregate::target)), and the one rule that
//! decides ([`authorize`]). The rows of the write-permission matrix in
//! `docs/security.md` are the [`Rule`]s.

use std::fmt;

use crate::{ConsortiumCode, MunicipalityCode};

/// A role a caller holds. Roles are scoped: an officer acts for one
/// municipality, a coordinator for one consortium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// May do everything (system administrators, the demo loader).
    Admin,
    /// Runs one consortium: its membership, coordinator, joint applications
    /// and the projects that came from them.
    Coordinator(ConsortiumCode),
    /// Acts for one municipality: its twin towns, strategy documents, its own
    /// co-financing answers and the projects it leads.
    Officer(MunicipalityCode),
    /// Reads only. Public records (municipalities, strategies, consortia,
    /// projects, submitted applications) are open to every role; a reader of
    /// one municipality also sees the draft applications that municipality
    /// leads or is invited to, like its officers.
    Reader(Option<MunicipalityCode>),
    /// The server itself (the process manager). Never held by an outside
    /// caller (no token names it), so it allows nothing when checked.
    System,
}

impl fmt::Display for Role {
    /// The label recorded as `actor_role` in event metadata, e.g. `officer:SE-1487`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Admin => f.write_str("admin"),
            Role::Coordinator(c) => write!(f, "coordinator:{c}"),
            Role::Officer(m) => write!(f, "officer:{m}"),
            Role::Reader(None) => f.write_str("reader"),
            Role::Reader(Some(m)) => write!(f, "reader:{m}"),
            Role::System => f.write_str("system"),
        }
    }
}

/// What a command touches, as far as permissions go: the aggregate's owner
/// as its state (or, for a command that creates it, the command) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandTarget {
    /// Registering a municipality: administrators only.
    RegisterMunicipality(MunicipalityCode),
    /// Recording a municipality's new national code: administrators only.
    ChangeMunicipalityCode(MunicipalityCode),
    /// A funding programme, its rule sets and calls: administrators only.
    Programme(String),
    /// A decision of one municipality (twin towns, strategy documents): its officers.
    Municipality(MunicipalityCode),
    /// Forming a new consortium: administrators only.
    FormConsortium(ConsortiumCode),
    /// Running a consortium (coordinator, dissolution): its coordinator.
    Consortium(ConsortiumCode),
    /// A municipality joins or leaves: the consortium's coordinator.
    Membership {
        consortium: ConsortiumCode,
        municipality: MunicipalityCode,
    },
    /// A project: officers of the lead municipality (`lead`); the coordinator
    /// of the consortium that runs it (`consortium`: set when the project came
    /// from that consortium's joint application, or when its lead is not a
    /// municipality).
    Project {
        lead: Option<MunicipalityCode>,
        consortium: Option<ConsortiumCode>,
    },
    /// A joint application (draft, invitations, risk assessment, submission,
    /// the funder's decision, withdrawal): its consortium's coordinator.
    Application { consortium: ConsortiumCode },
    /// A co-applicant's (or the lead's) own answer: a co-financing commitment
    /// or refusal. Only the officers of that municipality decide it.
    CoFinancing {
        consortium: ConsortiumCode,
        municipality: MunicipalityCode,
    },
    /// Erasing a data subject's personal data (on a gallringsbeslut):
    /// administrators only.
    Erasure,
    /// The addressed aggregate does not exist: any role that may write passes,
    /// and the command is answered `NOT_FOUND`.
    Unknown,
}

impl CommandTarget {
    /// Whether `role` alone allows a command on this target.
    pub fn allows(&self, role: &Role) -> bool {
        use CommandTarget as T;
        match (role, self) {
            (Role::Admin, _) => true,
            (Role::Reader(_) | Role::System, _) => false,
            (_, T::Unknown) => true,
            (Role::Officer(m), T::Municipality(t)) => m == t,
            (Role::Officer(m), T::Project { lead, .. }) => lead.as_ref() == Some(m),
            (Role::Officer(m), T::CoFinancing { municipality, .. }) => m == municipality,
            (Role::Coordinator(c), T::Consortium(t)) => c == t,
            (Role::Coordinator(c), T::Membership { consortium, .. }) => c == consortium,
            (Role::Coordinator(c), T::Project { consortium, .. }) => consortium.as_ref() == Some(c),
            (Role::Coordinator(c), T::Application { consortium }) => c == consortium,
            (
                Role::Officer(_),
                T::RegisterMunicipality(_)
                | T::ChangeMunicipalityCode(_)
                | T::Programme(_)
                | T::FormConsortium(_)
                | T::Consortium(_)
                | T::Membership { .. }
                | T::Application { .. }
                | T::Erasure,
            ) => false,
            (
                Role::Coordinator(_),
                T::RegisterMunicipality(_)
                | T::ChangeMunicipalityCode(_)
                | T::Programme(_)
                | T::FormConsortium(_)
                | T::Municipality(_)
                | T::CoFinancing { .. }
                | T::Erasure,
            ) => false,
        }
    }

    /// Who is needed, in a plain sentence (the end of a refusal's message).
    pub fn describe(&self) -> String {
        match self {
            CommandTarget::RegisterMunicipality(m) => format!("registering municipality {m} needs an administrator"),
            CommandTarget::ChangeMunicipalityCode(m) => {
                format!("changing the code of municipality {m} needs an administrator")
            }
            CommandTarget::Municipality(m) => format!("needs an officer of {m}"),
            CommandTarget::Programme(p) => {
                format!("recording programme {p}, its rule sets and calls needs an administrator")
            }
            CommandTarget::FormConsortium(c) => format!("forming consortium {c} needs an administrator"),
            CommandTarget::Consortium(c) => format!("needs the coordinator of {c}"),
            CommandTarget::Membership {
                consortium,
                municipality,
            } => format!("{municipality} joins or leaves {consortium} through the coordinator of {consortium}"),
            CommandTarget::Project { lead, consortium } => {
                let mut who = vec![];
                if let Some(m) = lead {
                    who.push(format!("an officer of the lead {m}"));
                }
                if let Some(c) = consortium {
                    who.push(format!("the coordinator of {c}"));
                }
                if who.is_empty() {
                    "needs an administrator".to_string()
                } else {
                    format!("needs {}", who.join(" or "))
                }
            }
            // A draft's consortium is not named: the caller may not be allowed to
            // see the draft at all.
            CommandTarget::Application { .. } => "needs the coordinator of the application's consortium".to_string(),
            CommandTarget::CoFinancing { municipality, .. } => {
                format!("only an officer of {municipality} answers for {municipality}")
            }
            CommandTarget::Erasure => "erasing personal data needs an administrator".to_string(),
            CommandTarget::Unknown => "needs a role that may write".to_string(),
        }
    }
}

/// A command refused because none of the caller's roles allows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{actor}` may not do this: {}", target.describe())]
pub struct Refused {
    pub actor: String,
    pub target: CommandTarget,
}

/// The one rule for writes: the role of `roles` that allows a command on
/// `target` (the most specific one, so that the metadata says why the
/// command was allowed), or [`Refused`].
pub fn authorize<'r>(actor: &str, roles: &'r [Role], target: &CommandTarget) -> Result<&'r Role, Refused> {
    let specific = roles.iter().find(|r| !matches!(r, Role::Admin) && target.allows(r));
    specific
        .or_else(|| roles.iter().find(|r| target.allows(r)))
        .ok_or_else(|| Refused {
            actor: actor.to_string(),
            target: target.clone(),
        })
}

/// A row of the write-permission matrix: which relation to the aggregate's
/// owner a command needs. Each command input of the API names its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Administrators only.
    AdminOnly,
    /// The officers of the municipality that owns the aggregate.
    OwnMunicipality,
    /// The coordinator of the consortium; members ask it.
    Membership,
    /// The coordinator of the consortium.
    OwnConsortium,
    /// Registering a project: the lead municipality's officers, or the
    /// coordinator of the named consortium when the lead is not a municipality.
    RegisterProject,
    /// The project's lead municipality, or the consortium that runs it.
    Project,
    /// The coordinator of the application's consortium.
    Application,
    /// The answering municipality's officers.
    CoFinancing,
}

impl Rule {
    /// The matrix cells: admin, coordinator of the consortium, officer of the
    /// municipality, reader.
    pub fn cells(self) -> [&'static str; 4] {
        const NO: &str = "—";
        const YES: &str = "✔";
        let (coordinator, officer) = match self {
            Rule::AdminOnly => (NO, NO),
            Rule::OwnMunicipality => (NO, "✔ (the owning municipality)"),
            Rule::Membership => ("✔ (its consortium)", "— (asks its coordinator)"),
            Rule::OwnConsortium => ("✔ (its consortium)", NO),
            Rule::RegisterProject => (
                "✔ only if the lead is not a municipality and the project names its consortium",
                "✔ (the lead municipality)",
            ),
            Rule::Project => (
                "✔ if the project came from its consortium's joint application (or its lead is not a municipality)",
                "✔ (the lead municipality)",
            ),
            Rule::Application => ("✔ (the application's consortium)", NO),
            Rule::CoFinancing => (
                "— (collects answers, never gives one)",
                "✔ (the answering municipality only: a co-applicant, or the lead for its own commitment)",
            ),
        };
        [YES, coordinator, officer, NO]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_render_as_stored_in_metadata() {
        let vanersborg = MunicipalityCode::parse("SE-1487").unwrap();
        let v6 = ConsortiumCode::parse("V6").unwrap();
        assert_eq!(Role::Officer(vanersborg).to_string(), "officer:SE-1487");
        assert_eq!(Role::Coordinator(v6.clone()).to_string(), "coordinator:V6");
        assert_eq!(Role::Reader(Some(vanersborg)).to_string(), "reader:SE-1487");
        assert_eq!(Role::Reader(None).to_string(), "reader");
        assert_eq!(Role::Admin.to_string(), "admin");
        assert_eq!(Role::System.to_string(), "system");

        let roles = [Role::Officer(vanersborg)];
        let refused = authorize("anna", &roles, &CommandTarget::Consortium(v6)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "`anna` may not do this: needs the coordinator of V6"
        );
        assert!(authorize("anna", &[Role::System], &CommandTarget::Unknown).is_err());
        assert!(authorize("anna", &[], &CommandTarget::Unknown).is_err());
    }
}
