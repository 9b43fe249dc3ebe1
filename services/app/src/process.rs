//! The process manager: an approved joint application becomes a registered
//! project for the same partners and amounts, exactly once — the command id is
//! derived from the application id, so retries and restarts append nothing new.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use samverkan_domain::application::{project_for_approved, Application, ApplicationEvent};
use samverkan_domain::project::{Project, ProjectCommand, ProjectEvent};
use samverkan_domain::{AnyEvent, ApplicationId, DomainError};
use samverkan_eventstore::{EventStore, RecordedEvent, StoreError};
use uuid::Uuid;

use crate::{AppError, CommandContext, Commands};

pub struct ProcessManager {
    commands: Commands,
    /// Destroys a subject's key once its erasure is in the log (again after
    /// a crash between the two, and on every server sharing the key store).
    keyring: Option<crate::Keyring>,
    checkpoint_path: Option<PathBuf>,
    /// The position of the last event handled.
    position: Mutex<Option<u64>>,
}

impl ProcessManager {
    /// A process manager continuing after the position saved in
    /// `checkpoint_path` (none, or unreadable: from the start of the log —
    /// the commands are idempotent, so a replay appends nothing new).
    pub fn new(commands: Commands, checkpoint_path: Option<PathBuf>) -> Self {
        let position = checkpoint_path.as_deref().and_then(load_checkpoint);
        Self {
            commands,
            keyring: None,
            checkpoint_path,
            position: Mutex::new(position),
        }
    }

    /// Also destroy the key of every subject whose erasure is recorded.
    pub fn with_keyring(mut self, keyring: crate::Keyring) -> Self {
        self.keyring = Some(keyring);
        self
    }

    fn position(&self) -> Option<u64> {
        *self.position.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn advance(&self, position: u64) {
        *self.position.lock().unwrap_or_else(|p| p.into_inner()) = Some(position);
    }

    /// Save the checkpoint (atomically).
    fn save_checkpoint(&self) {
        if let (Some(path), Some(position)) = (&self.checkpoint_path, self.position()) {
            let written = crate::files::write_atomically(path, |w| w.write_all(position.to_string().as_bytes()));
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not save process manager checkpoint");
            }
        }
    }

    /// Follow the log and react, forever (see [`crate::follow`]).
    pub fn start(self, store: Arc<dyn EventStore>) -> tokio::task::JoinHandle<()> {
        crate::follow::follow(Arc::new(self), store)
    }

    /// React to one event.
    pub async fn handle(&self, recorded: &RecordedEvent) -> Result<(), AppError> {
        if recorded.event_type == "PersonalDataErased" {
            return self.destroy_key(recorded).await;
        }
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

    async fn destroy_key(&self, recorded: &RecordedEvent) -> Result<(), AppError> {
        let Some(keyring) = &self.keyring else { return Ok(()) };
        let Ok(AnyEvent::Project(ProjectEvent::PersonalDataErased(erased))) =
            AnyEvent::decode(&recorded.event_type, recorded.schema_version, &recorded.data)
        else {
            return Ok(());
        };
        let destroyed = keyring
            .destroy(&erased.subject, recorded.recorded_at)
            .await
            .map_err(|e| match e {
                crate::PersonalError::Store(store) => AppError::Store(store),
                other => AppError::Decode(other.to_string()),
            })?;
        if destroyed {
            tracing::info!(subject = %erased.subject, position = recorded.position, "destroyed the key of an erased data subject");
        }
        Ok(())
    }

    #[tracing::instrument(
        name = "process.register_project",
        skip_all,
        fields(application = %application, position = recorded.position as i64, caused_by.trace_id = recorded.metadata.trace_id.as_deref())
    )]
    async fn register_project(&self, application: ApplicationId, recorded: &RecordedEvent) -> Result<(), AppError> {
        let (state, _) = self.commands.load::<Application>(&application).await?;
        let Some(register) = project_for_approved(&state)? else {
            return Ok(());
        };
        let project = register.project;
        let command = ProjectCommand::Register(Box::new(register));
        let ctx = CommandContext {
            command_id: Uuid::new_v5(&application.0, b"process-manager:register-project"),
            expected_version: None,
            actor: Some("process-manager".into()),
            actor_role: Some(samverkan_domain::Role::System),
            roles: None,
            correlation_id: recorded.metadata.correlation_id,
            trace_id: recorded.metadata.trace_id.clone(),
        };
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

fn load_checkpoint(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

impl crate::follow::Follower for ProcessManager {
    fn name(&self) -> &'static str {
        "process manager"
    }

    fn resume<'a>(&'a self, _: &'a dyn EventStore) -> BoxFuture<'a, Result<Option<u64>, StoreError>> {
        Box::pin(async move { Ok(self.position()) })
    }

    /// React to each event in turn; after a failure the log is followed
    /// again from that event (the command is idempotent).
    fn handle_batch<'a>(&'a self, batch: Vec<RecordedEvent>) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let mut outcome = Ok(());
            for recorded in &batch {
                if let Err(e) = self.handle(recorded).await {
                    tracing::warn!(error = %e, position = recorded.position, "process manager could not register the project; retrying");
                    outcome = Err(e.to_string());
                    break;
                }
                self.advance(recorded.position);
            }
            self.save_checkpoint();
            outcome
        })
    }
}
