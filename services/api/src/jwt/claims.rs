//! The claims of a Samverkan token and the principal they describe.

use samverkan_domain::{ConsortiumCode, MunicipalityCode};
use serde::{Deserialize, Serialize};

use super::{LEEWAY_SECS, MAX_ROLES, MAX_SUBJECT_CHARS};
use crate::auth::{AuthError, Principal, Role};

/// One entry of the `roles` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleClaim {
    /// `admin`, `coordinator`, `officer` or `reader`.
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consortium: Option<String>,
}

impl From<&Role> for RoleClaim {
    fn from(r: &Role) -> Self {
        let (role, municipality, consortium) = match r {
            Role::Admin => ("admin", None, None),
            Role::Coordinator(c) => ("coordinator", None, Some(c.to_string())),
            Role::Officer(m) => ("officer", Some(m.to_string()), None),
            Role::Reader(m) => ("reader", m.map(|m| m.to_string()), None),
            // Never accepted from a token: reading a claim ignores unknown role names.
            Role::System => ("system", None, None),
        };
        RoleClaim {
            role: role.to_string(),
            municipality,
            consortium,
        }
    }
}

impl RoleClaim {
    /// The role, `Ok(None)` for a role name this server does not know
    /// (ignored), or why a known role is malformed.
    pub fn to_role(&self) -> Result<Option<Role>, String> {
        let municipality = || -> Result<MunicipalityCode, String> {
            let m = self
                .municipality
                .as_deref()
                .ok_or_else(|| format!("role `{}` needs a `municipality`", self.role))?;
            MunicipalityCode::parse(m).map_err(|e| format!("role `{}`: {e}", self.role))
        };
        Ok(Some(match self.role.as_str() {
            "admin" => Role::Admin,
            "officer" => Role::Officer(municipality()?),
            "reader" => Role::Reader(match self.municipality {
                Some(_) => Some(municipality()?),
                None => None,
            }),
            "coordinator" => {
                let c = self
                    .consortium
                    .as_deref()
                    .ok_or_else(|| "role `coordinator` needs a `consortium`".to_string())?;
                Role::Coordinator(ConsortiumCode::parse(c).map_err(|e| format!("role `coordinator`: {e}"))?)
            }
            _ => return Ok(None),
        }))
    }
}

/// The claims of a Samverkan token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// A string or an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default)]
    pub roles: Vec<RoleClaim>,
}

impl Claims {
    /// The principal these (already verified) claims describe.
    pub fn principal(&self) -> Result<Principal, AuthError> {
        let invalid = |m: String| AuthError::InvalidCredentials(m);
        let subject = self.sub.as_deref().map(str::trim).unwrap_or_default();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
            return Err(invalid(format!(
                "the `sub` claim must be 1–{MAX_SUBJECT_CHARS} printable characters"
            )));
        }
        if self.roles.len() > MAX_ROLES {
            return Err(invalid(format!("the token has more than {MAX_ROLES} roles")));
        }
        let mut roles = vec![];
        for claim in &self.roles {
            if let Some(role) = claim.to_role().map_err(invalid)? {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
        }
        if roles.is_empty() {
            return Err(invalid(
                "the token grants no role (claim `roles`: admin, coordinator, officer or reader)".to_string(),
            ));
        }
        Ok(Principal {
            subject: subject.to_string(),
            roles,
            // HTTP refuses the token once `now - leeway > exp` (whole seconds).
            expires_at: self.exp.map(|exp| exp.saturating_add(LEEWAY_SECS + 1)),
        })
    }
}
