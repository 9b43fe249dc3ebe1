//! Setup shared by the app crate's integration tests (`mod support;`): a
//! world of real components on a fresh temporary directory (the embedded
//! SQLite store on disk, the projection runner with its snapshot file, the
//! process manager with its checkpoint) and the command context the tests
//! send commands with. Value fixtures (`d`, `m`, `sek`, …) come from
//! `samverkan_domain::testing::fixtures`.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use samverkan_app::projections::Projections;
use samverkan_app::{CommandContext, Commands, ProcessManager};
use samverkan_domain::consortium::{Consortium, ConsortiumCommand, ConsortiumKind};
use samverkan_domain::municipality::{Municipality, MunicipalityCommand};
use samverkan_domain::testing::fixtures::{c, m};
use samverkan_domain::ConsortiumCode;
use samverkan_eventstore::{EventStore, SqliteStore};
use uuid::Uuid;

pub struct World {
    pub _dir: tempfile::TempDir,
    pub dir: PathBuf,
    pub store: Arc<dyn EventStore>,
    pub commands: Commands,
    pub projections: Arc<Projections>,
}

impl World {
    /// The store, the projections and the process manager, started.
    pub async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(path.join("events.sqlite")).unwrap());
        let commands = Commands::new(store.clone());
        let projections = Projections::new(Some(path.join("projections.json")));
        projections.start(store.clone());
        ProcessManager::new(commands.clone(), Some(path.join("pm.checkpoint"))).start(store.clone());
        World {
            _dir: dir,
            dir: path,
            store,
            commands,
            projections,
        }
    }

    /// Wait until the projections have read the whole log.
    pub async fn settle(&self) {
        let head = self.store.head_position().await.unwrap().unwrap_or(0);
        assert!(
            self.projections.wait_for(head, Duration::from_secs(10)).await,
            "projections did not reach {head}"
        );
    }

    /// [`World::settle`] once the process manager is done too: until the
    /// log's head stays put for half a second (it appends the projects of
    /// approved applications after the approvals).
    pub async fn settle_quiet(&self) {
        loop {
            let before = self.store.head_position().await.unwrap();
            self.settle().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            if self.store.head_position().await.unwrap() == before {
                self.settle().await;
                return;
            }
        }
    }

    /// Register the municipality `code` as `name`.
    pub async fn register(&self, code: &str, name: &str) {
        let command = MunicipalityCommand::Register {
            code: m(code),
            name: name.into(),
            code_valid_from: None,
        };
        self.commands
            .execute::<Municipality>(&m(code), command, &ctx())
            .await
            .unwrap();
    }

    /// Form V6 (regional cooperation) with `purpose`.
    pub async fn form_v6(&self, purpose: &str, formed_on: NaiveDate) {
        let command = ConsortiumCommand::Form {
            code: v6(),
            name: "V6 Västra Skaraborg".into(),
            kind: ConsortiumKind::RegionalCooperation,
            purpose: purpose.into(),
            formed_on,
        };
        self.commands
            .execute::<Consortium>(&v6(), command, &ctx())
            .await
            .unwrap();
    }

    /// `code` joins V6.
    pub async fn join_v6(&self, code: &str, joined_on: NaiveDate) {
        let command = ConsortiumCommand::Join {
            municipality: m(code),
            joined_on,
        };
        self.commands
            .execute::<Consortium>(&v6(), command, &ctx())
            .await
            .unwrap();
    }
}

/// A V6 coordinator's command context with a fresh command id.
pub fn ctx() -> CommandContext {
    CommandContext::new(Uuid::new_v4()).by("test-coordinator", samverkan_domain::Role::Coordinator(v6()))
}

pub fn v6() -> ConsortiumCode {
    c("V6")
}
