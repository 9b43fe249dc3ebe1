//! Contact persons (personal data, sealed per data subject) and their
//! erasure on a gallringsbeslut after the project's retention period.

use async_graphql::{InputObject, SimpleObject};
use futures::future::BoxFuture;
use samverkan_app::projections::queries::Retention as RetentionView;
use samverkan_app::projections::views as v;
use samverkan_app::Keyring;
use samverkan_domain::personal::{Sealed, SubjectId};
use samverkan_domain::project::{Project, ProjectCommand};
use samverkan_domain::{ProjectId, Rule};
use uuid::Uuid;

use crate::command::{CommandInput, CommandOf, Filled, IdOf, Sealer};
use crate::error::ApiError;
use crate::scalars::{Date, MunicipalityCode};
use crate::shared::inputs::DecisionInput;
use crate::types::Decision;

/// Name a contact person (kontaktperson) for a municipality taking part in
/// an active project (the lead or a partner), replacing the earlier contact
/// for that municipality and role. Name, e-mail and phone are personal data:
/// the server seals them under a key of a new data subject (`subject` in
/// the answer) before they are recorded, so that `eraseSubject` can erase
/// them after the project's retention period without touching the log.
#[derive(InputObject, Clone, Debug)]
pub struct AssignContactPersonInput {
    pub project_id: Uuid,
    pub municipality: MunicipalityCode,
    /// The contact's role in the project, e.g. `projektledare`, `ekonom`.
    pub role: String,
    /// Personal data: the contact's name.
    pub name: String,
    /// Personal data: an e-mail address (`name@domain`).
    pub email: Option<String>,
    /// Personal data: a phone number (digits, spaces, `+`, `-`, parentheses).
    pub phone: Option<String>,
    /// From this day (within the project period).
    pub assigned_on: Date,
    #[graphql(skip)]
    pub sealed: SealedContact,
}

/// The input's personal fields once sealed.
#[derive(Clone, Debug, Default)]
pub struct SealedContact {
    subject: Option<SubjectId>,
    name: Option<Sealed>,
    email: Option<Sealed>,
    phone: Option<Sealed>,
}

/// The data subject a contact named by `command_id` gets (a retry names the same one).
fn new_subject(command_id: Uuid) -> Result<SubjectId, ApiError> {
    Ok(SubjectId::parse(&format!(
        "person-{}",
        Uuid::new_v5(&command_id, b"contact-person").simple()
    ))?)
}

fn check_fields(input: &AssignContactPersonInput) -> Result<(), ApiError> {
    let blank = |field: &str, v: &str| {
        if v.trim().is_empty() {
            Err(ApiError::validation(
                "blank_field",
                format!("`{field}` must not be blank"),
            ))
        } else {
            Ok(())
        }
    };
    blank("name", &input.name)?;
    blank("role", &input.role)?;
    if input.name.chars().count() > 200 {
        return Err(ApiError::validation(
            "invalid_input",
            "`name` is longer than 200 characters",
        ));
    }
    if let Some(email) = &input.email {
        let ok = email.len() <= 254
            && email
                .trim()
                .split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.') && !domain.contains('@'))
            && !email.trim().contains(char::is_whitespace);
        if !ok {
            return Err(ApiError::validation(
                "invalid_email",
                format!("`{email}` is not an e-mail address: write name@domain, e.g. anna.andersson@arvika.se"),
            ));
        }
    }
    if let Some(phone) = &input.phone {
        let ok = (4..=32).contains(&phone.trim().len())
            && phone.trim().chars().any(|c| c.is_ascii_digit())
            && phone
                .trim()
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
        if !ok {
            return Err(ApiError::validation(
                "invalid_phone",
                format!("`{phone}` is not a phone number: digits, spaces, +, - and parentheses, e.g. +46 570 816 00"),
            ));
        }
    }
    Ok(())
}

impl CommandInput for AssignContactPersonInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;

    fn seal<'a>(&'a mut self, sealer: Sealer<'a>) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(async move {
            check_fields(self)?;
            let keyring: &Keyring = sealer.keyring.ok_or_else(|| {
                ApiError::internal("this server has no personal-data key store: contact persons cannot be recorded")
            })?;
            let subject = new_subject(sealer.command_id)?;
            let seal = |field: &'static str, plain: String| {
                let subject = subject.clone();
                async move {
                    keyring
                        .seal(&subject, sealer.command_id, field, plain.trim(), sealer.now)
                        .await
                        .map_err(|e| match e {
                            samverkan_app::PersonalError::Erased { .. } => {
                                ApiError::validation("subject_erased", e.to_string())
                            }
                            other => ApiError::internal(other.to_string()),
                        })
                }
            };
            let name = seal("name", self.name.clone()).await?;
            let email = match &self.email {
                Some(e) => Some(seal("email", e.clone()).await?),
                None => None,
            };
            let phone = match &self.phone {
                Some(p) => Some(seal("phone", p.clone()).await?),
                None => None,
            };
            self.sealed = SealedContact {
                subject: Some(subject),
                name: Some(name),
                email,
                phone,
            };
            Ok(())
        })
    }

    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        // Unsealed (only when the command is named, never executed: see
        // `Sealer`), the fields are empty and the domain refuses them.
        let subject = match self.sealed.subject {
            Some(s) => s,
            None => new_subject(server.command_id())?,
        };
        let unsealed = || Sealed {
            subject: subject.clone(),
            sealed: String::new(),
        };
        let command = ProjectCommand::AssignContact {
            municipality: self.municipality.0,
            role: self.role,
            name: self.sealed.name.unwrap_or_else(unsealed),
            email: self.sealed.email,
            phone: self.sealed.phone,
            subject,
            assigned_on: self.assigned_on.0,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

/// Erase a data subject's personal data (a contact person's name, e-mail
/// and phone) on a decision on destruction (gallringsbeslut). Administrators
/// only. Refused while the project runs, when its programme rule set has no
/// retention rule (`records_retained`), and until its retention date has
/// passed (`Project.retention`). The erasure is recorded in the project's
/// log; then the subject's key is destroyed, and the fields read as erased
/// everywhere, for good. The log and its hash chain stay unchanged.
#[derive(InputObject, Clone, Debug)]
pub struct EraseSubjectInput {
    /// The data subject, as `ContactPerson.subject` gives it.
    pub subject: String,
    /// The gallringsbeslut: body, date (not after today), § and diarienummer
    /// (`caseNumber`, required).
    pub decision: DecisionInput,
}

impl CommandInput for EraseSubjectInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::AdminOnly;

    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let subject = SubjectId::parse(&self.subject)?;
        // A subject is named in one project; none: the nil project, which
        // the domain answers with NOT_FOUND (after the admin check).
        let (project, retention_years) = server.look_up(|m| {
            let project = m.projects_naming(&subject).into_iter().next();
            let years = project
                .and_then(|id| m.retention_of(&id))
                .map(|r| r.years_after_closing);
            (project.unwrap_or(ProjectId(Uuid::nil())), years)
        });
        let command = ProjectCommand::ErasePersonalData {
            subject,
            decision: self.decision.to_domain(),
            retention_years,
            now: server.now(),
        };
        Ok((project, command))
    }
}

/// A contact person of a project. `name`, `email` and `phone` are personal
/// data: null once erased (`erased` true, `erasure` says on which decision).
#[derive(SimpleObject, Clone, Debug)]
pub struct ContactPerson {
    /// The data subject the personal fields are sealed for: what `eraseSubject` takes.
    pub subject: String,
    pub municipality: MunicipalityCode,
    pub role: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub assigned_on: Date,
    /// The day a later contact for the same municipality and role was named.
    pub replaced_on: Option<Date>,
    pub erased: bool,
    pub erasure: Option<Erasure>,
}

/// An erasure of personal data on a gallringsbeslut.
#[derive(SimpleObject, Clone, Debug)]
pub struct Erasure {
    pub subject: String,
    /// The gallringsbeslut.
    pub decision: Decision,
    pub erased_on: Date,
    /// The end of the retention period it came after.
    pub retained_until: Date,
    /// The erasure's position in the log.
    pub position: crate::scalars::Position,
}

impl From<&v::ErasureView> for Erasure {
    fn from(e: &v::ErasureView) -> Self {
        Erasure {
            subject: e.subject.to_string(),
            decision: (&e.decision).into(),
            erased_on: e.erased_on.into(),
            retained_until: e.retained_until.into(),
            position: crate::scalars::Position(e.position),
        }
    }
}

/// How long a project's records are kept (bevarande), from the
/// `records_retained` rule of its application's rule set.
#[derive(SimpleObject, Clone, Debug)]
pub struct Retention {
    /// Kept until the end of this many calendar years after the year the project closed.
    pub years_after_closing: u32,
    pub label: String,
    pub source: String,
    /// The last day of retention; null while the project runs. Personal data
    /// may be erased from the day after.
    pub retained_until: Option<Date>,
}

impl From<&RetentionView> for Retention {
    fn from(r: &RetentionView) -> Self {
        Retention {
            years_after_closing: r.years_after_closing,
            label: r.label.clone(),
            source: r.source.clone(),
            retained_until: r.retained_until.map(Date),
        }
    }
}

/// The contacts of `p`, opened with the keyring (erased ones as null).
pub(crate) async fn contacts(
    keyring: Option<&Keyring>,
    p: &v::ProjectView,
    include_replaced: bool,
) -> Result<Vec<ContactPerson>, ApiError> {
    let mut out = vec![];
    for c in p
        .contacts
        .iter()
        .filter(|c| include_replaced || c.replaced_on.is_none())
    {
        let erasure = p.erasure_of(&c.subject);
        let name = open(keyring, erasure.is_some(), "name", Some(&c.name)).await?;
        let email = open(keyring, erasure.is_some(), "email", c.email.as_ref()).await?;
        let phone = open(keyring, erasure.is_some(), "phone", c.phone.as_ref()).await?;
        out.push(ContactPerson {
            subject: c.subject.to_string(),
            municipality: (&c.municipality).into(),
            role: c.role.clone(),
            erased: erasure.is_some() || name.is_none(),
            name,
            email,
            phone,
            assigned_on: c.assigned_on.into(),
            replaced_on: c.replaced_on.map(Date),
            erasure: erasure.map(Erasure::from),
        });
    }
    Ok(out)
}

/// One sealed field, opened; null when erased (by the log, or the key gone).
async fn open(
    keyring: Option<&Keyring>,
    erased: bool,
    field: &'static str,
    sealed: Option<&Sealed>,
) -> Result<Option<String>, ApiError> {
    match (erased, keyring, sealed) {
        (false, Some(ring), Some(s)) => ring
            .open(s, field)
            .await
            .map(samverkan_app::Opened::value)
            .map_err(|e| ApiError::internal(e.to_string())),
        _ => Ok(None),
    }
}
