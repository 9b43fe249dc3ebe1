//! The process manager: an approved joint application becomes a registered
//! project for the same partners and amounts, exactly once — the command id is
//! derived from the application id, so retries and restarts append nothing new.

use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;
use samverkan_domain::application::{Answer, Application, ApplicationEvent};
use samverkan_domain::project::{Financing, Participant, Project, ProjectCommand, RegisterProject};
use samverkan_domain::{AnyEvent, ApplicationId, DomainError, Money};
use samverkan_eventstore::{EventStore, RecordedEvent};
use uuid::Uuid;

use crate::{AppError, CommandContext, Commands};

pub struct ProcessManager {
    commands: Commands,
    checkpoint_path: Option<PathBuf>,
}

impl ProcessManager {
    pub fn new(commands: Commands, checkpoint_path: Option<PathBuf>) -> Self {
        Self {
            commands,
            checkpoint_path,
        }
    }

    fn load_checkpoint(&self) -> Option<u64> {
        let text = std::fs::read_to_string(self.checkpoint_path.as_ref()?).ok()?;
        text.trim().parse().ok()
    }

    fn save_checkpoint(&self, position: u64) {
        if let Some(path) = &self.checkpoint_path {
            let tmp = path.with_extension("tmp");
            let written = crate::files::create_private(&tmp)
                .and_then(|mut file| std::io::Write::write_all(&mut file, position.to_string().as_bytes()))
                .and_then(|()| std::fs::rename(&tmp, path));
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not save process manager checkpoint");
            }
        }
    }

    /// Follow the log and react; runs until the store's subscription ends.
    pub fn start(self, store: Arc<dyn EventStore>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut after = self.load_checkpoint();
            loop {
                let mut stream = store.subscribe_all(after);
                while let Some(item) = stream.next().await {
                    let recorded = match item {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::warn!(error = %e, "process manager subscription failed; resubscribing");
                            break;
                        }
                    };
                    if let Err(e) = self.handle(&recorded).await {
                        // Retry from this event after a pause (the command is idempotent).
                        tracing::warn!(error = %e, position = recorded.position, "process manager could not register the project; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        break;
                    }
                    after = Some(recorded.position);
                    self.save_checkpoint(recorded.position);
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    }

    /// React to one event.
    pub async fn handle(&self, recorded: &RecordedEvent) -> Result<(), AppError> {
        if recorded.event_type != "ApplicationApproved" {
            return Ok(());
        }
        let Ok(AnyEvent::Application(ApplicationEvent::ApplicationApproved(approved))) =
            AnyEvent::decode(&recorded.event_type, recorded.schema_version, &recorded.data)
        else {
            return Ok(());
        };
        self.register_project(approved.application, recorded).await
    }

    #[tracing::instrument(
        name = "process.register_project",
        skip_all,
        fields(application = %application, position = recorded.position as i64, caused_by.trace_id = recorded.metadata.trace_id.as_deref())
    )]
    async fn register_project(&self, application: ApplicationId, recorded: &RecordedEvent) -> Result<(), AppError> {
        let (state, _) = self.commands.load::<Application>(&application).await?;
        let (Some(drafted), Some(approved)) = (state.drafted.clone(), approved_of(&state)) else {
            return Ok(());
        };
        let currency = drafted.total_budget.currency;
        let partners: Vec<Participant> = state
            .co_applicants
            .iter()
            .filter(|(_, a)| matches!(a, Answer::Committed(_)))
            .map(|(m, _)| Participant::Municipality { code: *m })
            .collect();
        let co_financing = state.committed_total().unwrap_or(Money::zero(currency));
        let grant = approved;
        let budget = Money::new(drafted.total_budget.amount_minor.max(grant.amount_minor), currency)?;
        let command = ProjectCommand::Register(Box::new(RegisterProject {
            project: samverkan_domain::application::project_id_for(application),
            title: drafted.title.clone(),
            lead: Participant::Municipality {
                code: drafted.lead_applicant,
            },
            partners,
            programme: drafted.programme.clone(),
            financing: Financing {
                budget,
                grant,
                co_financing,
            },
            period: drafted.project_period,
            serves_goals: drafted.serves_goals.clone(),
            eu_priorities: drafted.eu_priorities.clone(),
            from_application: Some(application),
            consortium: Some(drafted.consortium.clone()),
        }));
        let ctx = CommandContext {
            command_id: Uuid::new_v5(&application.0, b"process-manager:register-project"),
            expected_version: None,
            actor: Some("process-manager".into()),
            actor_role: Some(samverkan_domain::Role::System),
            roles: None,
            correlation_id: recorded.metadata.correlation_id,
            trace_id: recorded.metadata.trace_id.clone(),
        };
        let project = samverkan_domain::application::project_id_for(application);
        match self.commands.execute::<Project>(&project, command, &ctx).await {
            Ok(_) => Ok(()),
            // Registered already (e.g. by hand before the approval was replayed): done.
            Err(AppError::Domain(DomainError::AlreadyExists { .. })) => Ok(()),
            // This command id (derived from the application) registered the
            // project before, from details that have changed since: done.
            Err(AppError::CommandIdReused(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn approved_of(state: &samverkan_domain::application::ApplicationState) -> Option<Money> {
    use samverkan_domain::application::ApplicationStatus;
    if state.status != ApplicationStatus::Approved {
        return None;
    }
    state.granted
}
