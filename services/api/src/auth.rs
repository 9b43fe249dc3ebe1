//! Who is calling and what they may do.
//!
//! The API never decides *how* a caller proves who they are: an
//! [`Authenticator`] held in the [`ApiState`](crate::ApiState) turns the
//! request's bearer token into a [`Principal`] (or refuses). The server uses
//! the [`JwtAuthenticator`](crate::jwt::JwtAuthenticator). Writes are
//! decided by the domain's rule (`samverkan_domain::authorize`), which the
//! command handler applies to the [`CommandTarget`] the aggregate's state
//! names, with the principal's roles; the role that allowed the command is
//! recorded in the events' metadata. Reads of draft applications are decided
//! by [`may_read_draft`].
//!
//! The whole matrix is in `docs/security.md`.

pub use samverkan_domain::{CommandTarget, Role};
use samverkan_domain::{ConsortiumCode, MunicipalityCode};

use crate::error::ApiError;

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

/// Whether `role` alone allows a command on `target`.
pub fn role_allows(role: &Role, target: &CommandTarget) -> bool {
    target.allows(role)
}

/// The rule the command handler applies, for one principal: the role that
/// allows the command (recorded as `actor_role`), or `FORBIDDEN`.
pub fn authorize_command<'p>(principal: &'p Principal, target: &CommandTarget) -> Result<&'p Role, ApiError> {
    samverkan_domain::authorize(&principal.subject, &principal.roles, target)
        .map_err(|refused| ApiError::forbidden(refused.to_string()))
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
        Role::Reader(None) | Role::System => false,
    })
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
