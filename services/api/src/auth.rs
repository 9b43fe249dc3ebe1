//! Who is calling and what they may do.
//!
//! The API never decides *how* a caller proves who they are: an
//! [`Authenticator`] held in the [`ApiState`](crate::ApiState) turns the
//! request's bearer token into a [`Principal`] (or refuses). Every mutation
//! then calls [`authorize_command`] with the [`CommandTarget`] it touches;
//! the role that allowed the command is recorded in the events' metadata.
//!
//! Until the JWT issue lands, the server ships only the [`DevAuthenticator`]
//! (`--insecure-dev-auth`), which treats every request as an administrator.

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
    /// Reads only (optionally one municipality's data; read scoping comes with
    /// the authentication issue).
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

/// **INSECURE — development only.** Accepts every request, with or without a
/// token, as the administrator `dev`. Selected by `samverkan serve
/// --insecure-dev-auth` (the default until real authentication lands).
#[derive(Debug, Clone, Copy, Default)]
pub struct DevAuthenticator;

impl Authenticator for DevAuthenticator {
    fn authenticate(&self, _bearer: Option<&str>) -> Result<Principal, AuthError> {
        Ok(Principal {
            subject: "dev".to_string(),
            roles: vec![Role::Admin],
        })
    }
}

/// What a command touches, as far as permissions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandTarget {
    /// Registering a municipality: administrators only.
    RegisterMunicipality(MunicipalityCode),
    /// A decision of one municipality (twin towns, strategy documents).
    Municipality(MunicipalityCode),
    /// Forming or running a consortium (coordinator, dissolution).
    Consortium(ConsortiumCode),
    /// Joining or leaving: the consortium's coordinator or the municipality itself.
    Membership {
        consortium: ConsortiumCode,
        municipality: MunicipalityCode,
    },
    /// A project: officers of the lead municipality, the coordinator of the
    /// consortium it belongs to.
    Project {
        lead: Option<MunicipalityCode>,
        consortium: Option<ConsortiumCode>,
    },
    /// A joint application: its consortium's coordinator.
    Application { consortium: ConsortiumCode },
    /// A co-applicant's own answer (co-financing commitment or refusal): the
    /// municipality itself or the consortium's coordinator recording it.
    CoFinancing {
        consortium: ConsortiumCode,
        municipality: MunicipalityCode,
    },
    /// The addressed aggregate does not exist: any role that may write passes,
    /// and the command is answered `NOT_FOUND`.
    Unknown,
}

/// The one place write permissions are decided. Returns the role that allows
/// the command (recorded as `actor_role`), or `FORBIDDEN`.
pub fn authorize_command<'p>(principal: &'p Principal, target: &CommandTarget) -> Result<&'p Role, ApiError> {
    let allowed = |role: &Role| -> bool {
        match (role, target) {
            (Role::Admin, _) => true,
            (Role::Reader(_), _) => false,
            (_, CommandTarget::RegisterMunicipality(_)) => false,
            (_, CommandTarget::Unknown) => true,
            (Role::Officer(m), CommandTarget::Municipality(t)) => m == t,
            (Role::Coordinator(c), CommandTarget::Consortium(t)) => c == t,
            (Role::Coordinator(c), CommandTarget::Membership { consortium, .. }) => c == consortium,
            (Role::Officer(m), CommandTarget::Membership { municipality, .. }) => m == municipality,
            (Role::Officer(m), CommandTarget::Project { lead, .. }) => lead.as_ref() == Some(m),
            (Role::Coordinator(c), CommandTarget::Project { consortium, .. }) => consortium.as_ref() == Some(c),
            (Role::Coordinator(c), CommandTarget::Application { consortium }) => c == consortium,
            (Role::Coordinator(c), CommandTarget::CoFinancing { consortium, .. }) => c == consortium,
            (Role::Officer(m), CommandTarget::CoFinancing { municipality, .. }) => m == municipality,
            (Role::Officer(_), CommandTarget::Consortium(_) | CommandTarget::Application { .. }) => false,
            (Role::Coordinator(_), CommandTarget::Municipality(_)) => false,
        }
    };
    // Prefer the most specific role so the metadata says why the command was allowed.
    let specific = principal.roles.iter().find(|r| !matches!(r, Role::Admin) && allowed(r));
    specific
        .or_else(|| principal.roles.iter().find(|r| allowed(r)))
        .ok_or_else(|| ApiError::forbidden(format!("`{}` may not do this: {}", principal.subject, describe(target))))
}

fn describe(target: &CommandTarget) -> String {
    match target {
        CommandTarget::RegisterMunicipality(m) => format!("registering municipality {m} needs an administrator"),
        CommandTarget::Municipality(m) => format!("needs an officer of {m}"),
        CommandTarget::Consortium(c) => format!("needs the coordinator of {c}"),
        CommandTarget::Membership {
            consortium,
            municipality,
        } => format!("needs the coordinator of {consortium} or an officer of {municipality}"),
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
        CommandTarget::Application { consortium } => format!("needs the coordinator of {consortium}"),
        CommandTarget::CoFinancing {
            consortium,
            municipality,
        } => format!("needs an officer of {municipality} or the coordinator of {consortium}"),
        CommandTarget::Unknown => "needs a role that may write".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> MunicipalityCode {
        MunicipalityCode::parse(s).unwrap()
    }
    fn c(s: &str) -> ConsortiumCode {
        ConsortiumCode::parse(s).unwrap()
    }
    fn who(roles: Vec<Role>) -> Principal {
        Principal {
            subject: "t".into(),
            roles,
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
        assert!(authorize_command(
            &p,
            &CommandTarget::CoFinancing {
                consortium: c("V6"),
                municipality: m("SE-1487")
            }
        )
        .is_ok());
        assert!(authorize_command(
            &p,
            &CommandTarget::CoFinancing {
                consortium: c("V6"),
                municipality: m("SE-1494")
            }
        )
        .is_err());
        assert!(authorize_command(&p, &CommandTarget::RegisterMunicipality(m("SE-1487"))).is_err());
        assert!(authorize_command(&p, &CommandTarget::Application { consortium: c("V6") }).is_err());
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
