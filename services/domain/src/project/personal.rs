//! Contact persons and the erasure of their personal data (gallring).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{ContactPersonAssigned, PersonalDataErased, ProjectEvent, ProjectState, ProjectStatus};
use crate::personal::{Sealed, SubjectId};
use crate::{require_text, Decision, DomainError, MunicipalityCode, ProjectId};

/// An `AssignContact` command's fields.
pub(super) struct Contact<'a> {
    pub municipality: &'a MunicipalityCode,
    pub role: &'a str,
    pub subject: &'a SubjectId,
    pub name: &'a Sealed,
    pub email: Option<&'a Sealed>,
    pub phone: Option<&'a Sealed>,
    pub assigned_on: NaiveDate,
}

/// `AssignContact` on an active project (checked by the caller, with the
/// date within the project period): the municipality takes part, the role
/// is named, every sealed field belongs to the subject, and the subject's
/// data was not erased.
pub(super) fn assign(
    state: &ProjectState,
    project: ProjectId,
    c: Contact<'_>,
) -> Result<Vec<ProjectEvent>, DomainError> {
    let takes_part = state
        .lead
        .iter()
        .chain(state.partners.values())
        .any(|p| p.municipality() == Some(c.municipality));
    if !takes_part {
        return Err(DomainError::NotAParticipatingMunicipality {
            municipality: c.municipality.to_string(),
        });
    }
    require_text("role", c.role)?;
    if let Some(Some(erased_on)) = state.subjects.get(c.subject) {
        return Err(DomainError::SubjectErased {
            subject: c.subject.to_string(),
            erased_on: *erased_on,
        });
    }
    c.name.check_subject("name", c.subject)?;
    if let Some(e) = c.email {
        e.check_subject("email", c.subject)?;
    }
    if let Some(p) = c.phone {
        p.check_subject("phone", c.subject)?;
    }
    Ok(vec![ContactPersonAssigned {
        project,
        municipality: *c.municipality,
        role: c.role.trim().into(),
        subject: c.subject.clone(),
        name: c.name.clone(),
        email: c.email.cloned(),
        phone: c.phone.cloned(),
        assigned_on: c.assigned_on,
    }
    .into()])
}

/// The last day a project closed on `closed_on` keeps its records under a
/// rule of `years`: the end of the `years`th calendar year after the one it
/// closed in (Interreg: the 7th).
pub fn retained_until(closed_on: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = closed_on.year().checked_add(i32::try_from(years).ok()?)?;
    NaiveDate::from_ymd_opt(year, 12, 31)
}

/// `ErasePersonalData`: the subject is named in the project and not yet
/// erased; the project is closed and its retention period over (today is
/// after the retention date); the gallringsbeslut has a diarienummer and is
/// not dated after today.
pub(super) fn erase(
    state: &ProjectState,
    subject: &SubjectId,
    decision: &Decision,
    retention_years: Option<u32>,
    now: DateTime<Utc>,
) -> Result<Vec<ProjectEvent>, DomainError> {
    let Some(project) = state.id else {
        return Err(DomainError::NotFound {
            aggregate: "project",
            id: String::new(),
        });
    };
    match state.subjects.get(subject) {
        None => {
            return Err(DomainError::NotFound {
                aggregate: "data subject",
                id: subject.to_string(),
            })
        }
        Some(Some(erased_on)) => {
            return Err(DomainError::SubjectErased {
                subject: subject.to_string(),
                erased_on: *erased_on,
            })
        }
        Some(None) => {}
    }
    decision.validate()?;
    if decision.case_number.is_none() {
        return Err(DomainError::BlankField {
            field: "decision.caseNumber",
        });
    }
    let today = now.date_naive();
    if decision.date > today {
        return Err(DomainError::DateInFuture {
            field: "decision.date",
            date: decision.date,
            today,
        });
    }
    let closed_on = match (state.status, state.closed_on) {
        (ProjectStatus::Completed | ProjectStatus::Cancelled, Some(day)) => day,
        _ => return Err(DomainError::ProjectStillRunning),
    };
    let years = retention_years.ok_or(DomainError::NoRetentionRule)?;
    let until = retained_until(closed_on, years).ok_or(DomainError::NoRetentionRule)?;
    if today <= until {
        return Err(DomainError::RetentionNotReached {
            retained_until: until,
            years,
            closed_year: closed_on.year(),
        });
    }
    Ok(vec![PersonalDataErased {
        project,
        subject: subject.clone(),
        decision: decision.clone(),
        erased_on: today,
        retained_until: until,
    }
    .into()])
}
