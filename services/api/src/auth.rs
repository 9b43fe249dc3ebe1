//! Who is calling and what they may do.
//!
//! The API never decides *how* a caller proves who they are: an
//! [`Authenticator`] held in the [`ApiState`](crate::ApiState) turns the
//! request's bearer token into a [`Principal`] (or refuses). The server uses
//! the [`JwtAuthenticator`](crate::jwt::JwtAuthenticator). Every mutation
//! then calls [`authorize_command`] with the [`CommandTarget`] it touches;
//! the role that allowed the command is recorded in the events' metadata.
//! Reads of draft applications are decided by [`may_read_draft`].
//!
//! The whole matrix is in `docs/security.md`.

use std::fmt;

use samverkan_domain::{ConsortiumCode, MunicipalityCode};

use crate::error::ApiError;

/// A role a principal holds. Roles are scoped: an officer acts for one
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
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Stable identifier of the caller (the token's `sub`), recorded as `actor`.
    pub subject: String,
    pub roles: Vec<Role>,
    /// When the credentials stop being valid (the token's `exp`, with the
    /// leeway), in seconds since the Unix epoch; `None`: never. A websocket
    /// opened with them is closed then (`4403`), as HTTP would answer `401`.
    pub expires_at: Option<u64>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}

/// Why a request could not be authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("authentication required: send `Authorization: Bearer <token>`")]
    MissingCredentials,
    #[error("invalid credentials: {0}")]
    InvalidCredentials(String),
}

/// Turns the bearer token of a request (HTTP `Authorization: Bearer …`, or the
/// `Authorization`/`token` field of a websocket `connection_init` payload)
/// into a principal.
pub trait Authenticator: Send + Sync + 'static {
    fn authenticate(&self, bearer: Option<&str>) -> Result<Principal, AuthError>;
}

/// **INSECURE — development and in-process tests only.** Accepts every
/// request, with or without a token, as the administrator `dev`. The server
/// uses it only with the explicit opt-in `samverkan serve --insecure-dev-auth`
/// (off by default).
#[derive(Debug, Clone, Copy, Default)]
pub struct DevAuthenticator;

impl Authenticator for DevAuthenticator {
    fn authenticate(&self, _bearer: Option<&str>) -> Result<Principal, AuthError> {
        Ok(Principal {
            subject: "dev".to_string(),
            roles: vec![Role::Admin],
            expires_at: None,
        })
    }
}

/// What a command touches, as far as permissions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandTarget {
    /// Registering a municipality: administrators only.
    RegisterMunicipality(MunicipalityCode),
    /// Recording a municipality's new national code: administrators only.
    ChangeMunicipalityCode(MunicipalityCode),
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
    /// The addressed aggregate does not exist: any role that may write passes,
    /// and the command is answered `NOT_FOUND`.
    Unknown,
}

/// Whether `role` alone allows a command on `target`.
pub fn role_allows(role: &Role, target: &CommandTarget) -> bool {
    use CommandTarget as T;
    match (role, target) {
        (Role::Admin, _) => true,
        (Role::Reader(_), _) => false,
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
            | T::FormConsortium(_)
            | T::Consortium(_)
            | T::Membership { .. }
            | T::Application { .. },
        ) => false,
        (
            Role::Coordinator(_),
            T::RegisterMunicipality(_)
            | T::ChangeMunicipalityCode(_)
            | T::FormConsortium(_)
            | T::Municipality(_)
            | T::CoFinancing { .. },
        ) => false,
    }
}

/// The one place write permissions are decided. Returns the role that allows
/// the command (recorded as `actor_role`), or `FORBIDDEN`.
pub fn authorize_command<'p>(principal: &'p Principal, target: &CommandTarget) -> Result<&'p Role, ApiError> {
    // Prefer the most specific role so the metadata says why the command was allowed.
    let specific = principal
        .roles
        .iter()
        .find(|r| !matches!(r, Role::Admin) && role_allows(r, target));
    specific
        .or_else(|| principal.roles.iter().find(|r| role_allows(r, target)))
        .ok_or_else(|| ApiError::forbidden(format!("`{}` may not do this: {}", principal.subject, describe(target))))
}

/// Whether `principal` may read a joint application that has not been
/// submitted (a draft, or withdrawn as a draft): administrators, the
/// consortium's coordinator, and officers (and readers) of the lead
/// applicant or of an invited co-applicant. Submitted applications are
/// public records.
pub fn may_read_draft(
    principal: &Principal,
    consortium: &ConsortiumCode,
    lead: &MunicipalityCode,
    invited: &[MunicipalityCode],
) -> bool {
    principal.roles.iter().any(|role| match role {
        Role::Admin => true,
        Role::Coordinator(c) => c == consortium,
        Role::Officer(m) | Role::Reader(Some(m)) => m == lead || invited.contains(m),
        Role::Reader(None) => false,
    })
}

fn describe(target: &CommandTarget) -> String {
    match target {
        CommandTarget::RegisterMunicipality(m) => format!("registering municipality {m} needs an administrator"),
        CommandTarget::ChangeMunicipalityCode(m) => {
            format!("changing the code of municipality {m} needs an administrator")
        }
        CommandTarget::Municipality(m) => format!("needs an officer of {m}"),
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
        CommandTarget::Unknown => "needs a role that may write".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samverkan_domain::testing::fixtures::{c, m};

    fn who(roles: Vec<Role>) -> Principal {
        Principal {
            subject: "t".into(),
            roles,
            expires_at: None,
        }
    }

    #[test]
    fn admin_may_do_everything() {
        let p = who(vec![Role::Admin]);
        assert_eq!(
            authorize_command(&p, &CommandTarget::RegisterMunicipality(m("SE-1487"))).unwrap(),
            &Role::Admin
        );
        assert!(authorize_command(&p, &CommandTarget::Application { consortium: c("V6") }).is_ok());
    }

    #[test]
    fn officers_act_for_their_own_municipality_only() {
        let p = who(vec![Role::Officer(m("SE-1487"))]);
        assert!(authorize_command(&p, &CommandTarget::Municipality(m("SE-1487"))).is_ok());
        assert!(authorize_command(&p, &CommandTarget::Municipality(m("SE-1494"))).is_err());
        let answer = |x: &str| CommandTarget::CoFinancing {
            consortium: c("V6"),
            municipality: m(x),
        };
        assert!(authorize_command(&p, &answer("SE-1487")).is_ok());
        assert!(authorize_command(&p, &answer("SE-1494")).is_err());
        assert!(authorize_command(&p, &CommandTarget::RegisterMunicipality(m("SE-1487"))).is_err());
        assert!(authorize_command(&p, &CommandTarget::Application { consortium: c("V6") }).is_err());
        let membership = CommandTarget::Membership {
            consortium: c("V6"),
            municipality: m("SE-1487"),
        };
        assert!(authorize_command(&p, &membership).is_err());
        let project = |lead: &str, consortium: Option<&str>| CommandTarget::Project {
            lead: Some(m(lead)),
            consortium: consortium.map(c),
        };
        assert!(authorize_command(&p, &project("SE-1487", None)).is_ok());
        assert!(authorize_command(&p, &project("SE-1494", Some("V6"))).is_err());
    }

    #[test]
    fn coordinators_manage_only_their_consortium() {
        let p = who(vec![Role::Coordinator(c("V6"))]);
        assert_eq!(
            authorize_command(&p, &CommandTarget::Application { consortium: c("V6") })
                .unwrap()
                .to_string(),
            "coordinator:V6"
        );
        assert!(authorize_command(&p, &CommandTarget::Application { consortium: c("ARKO") }).is_err());
        assert!(authorize_command(
            &p,
            &CommandTarget::Project {
                lead: Some(m("SE-1494")),
                consortium: Some(c("V6"))
            }
        )
        .is_ok());
        assert!(authorize_command(&p, &CommandTarget::Municipality(m("SE-1494"))).is_err());
        assert!(authorize_command(&p, &CommandTarget::Consortium(c("V6"))).is_ok());
        assert!(authorize_command(&p, &CommandTarget::FormConsortium(c("V6"))).is_err());
        assert!(authorize_command(
            &p,
            &CommandTarget::Membership {
                consortium: c("V6"),
                municipality: m("SE-1494")
            }
        )
        .is_ok());
        // A coordinator collects answers but never gives one for a member.
        assert!(authorize_command(
            &p,
            &CommandTarget::CoFinancing {
                consortium: c("V6"),
                municipality: m("SE-1494")
            }
        )
        .is_err());
    }

    #[test]
    fn drafts_are_read_by_the_parties_only() {
        let invited = [m("SE-1487")];
        let read = |roles| may_read_draft(&who(roles), &c("V6"), &m("SE-1494"), &invited);
        assert!(read(vec![Role::Admin]));
        assert!(read(vec![Role::Coordinator(c("V6"))]));
        assert!(read(vec![Role::Officer(m("SE-1494"))]));
        assert!(read(vec![Role::Officer(m("SE-1487"))]));
        assert!(read(vec![Role::Reader(Some(m("SE-1487")))]));
        assert!(!read(vec![Role::Reader(None)]));
        assert!(!read(vec![Role::Coordinator(c("ARKO"))]));
        assert!(!read(vec![Role::Officer(m("SE-1784"))]));
    }

    #[test]
    fn readers_never_write() {
        let p = who(vec![Role::Reader(Some(m("SE-1487")))]);
        assert!(authorize_command(&p, &CommandTarget::Municipality(m("SE-1487"))).is_err());
        assert!(authorize_command(&p, &CommandTarget::Unknown).is_err());
    }

    #[test]
    fn the_specific_role_is_reported() {
        let p = who(vec![Role::Admin, Role::Officer(m("SE-1487"))]);
        assert_eq!(
            authorize_command(&p, &CommandTarget::Municipality(m("SE-1487")))
                .unwrap()
                .to_string(),
            "officer:SE-1487"
        );
        assert_eq!(
            authorize_command(&p, &CommandTarget::Municipality(m("SE-1494")))
                .unwrap()
                .to_string(),
            "admin"
        );
    }
}
