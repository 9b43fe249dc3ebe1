//! Build and run the server: open the store, start the read models (from
//! their snapshot), the snapshotter and the process manager, optionally load
//! the demo, bind the listener, serve until SIGTERM/SIGINT, save a snapshot.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use samverkan_api::ApiState;
use samverkan_app::demo::DemoSummary;
use samverkan_app::{Commands, ProcessManager, Projections};
use samverkan_eventstore::EventStore;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::cli::ServeArgs;
use crate::keys::AuthSettings;
use crate::listener::ConnectionLimits;
use crate::store::{self, StoreLocation};

/// The projection snapshot in the data directory.
pub const SNAPSHOT_FILE: &str = "projections.snapshot.json";
/// The process manager's checkpoint in the data directory.
pub const PROCESS_CHECKPOINT_FILE: &str = "process-manager.checkpoint";

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub store_url: Option<String>,
    /// `host:port`; port 0 picks a free port.
    pub listen: String,
    pub demo: bool,
    /// Publish open data at `/open-data/…` (no token), with this public base URL.
    pub open_data: Option<samverkan_api::open_data::OpenData>,
    /// How bearer tokens are verified (default: the development key in the data directory).
    pub auth: AuthSettings,
    /// How often the read models are snapshotted (when they changed).
    pub snapshot_every: Duration,
    /// How long in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace: Duration,
    /// Header read timeout and connection caps (slow or greedy clients).
    pub connections: ConnectionLimits,
    /// The checkpoint signing key and when checkpoints are signed.
    pub checkpoints: crate::record::CheckpointSettings,
}

impl From<ServeArgs> for Settings {
    fn from(a: ServeArgs) -> Self {
        Settings {
            data_dir: a.data.data_dir,
            store_url: a.data.store_url,
            listen: a.listen,
            demo: a.demo,
            open_data: a.publish_open_data.then(|| samverkan_api::open_data::OpenData {
                public_url: a.public_url.clone(),
                publisher: a.open_data.clone().into(),
            }),
            auth: AuthSettings::from_args(a.auth, a.insecure_dev_auth),
            snapshot_every: a.snapshot_every,
            shutdown_grace: Duration::from_secs(10),
            connections: a.connections.into(),
            checkpoints: crate::record::CheckpointSettings {
                key_file: a.checkpoints.checkpoint_key_file,
                every_events: a.checkpoints.checkpoint_every,
                interval: Duration::from_secs(a.checkpoints.checkpoint_interval_secs),
                ..Default::default()
            },
        }
    }
}

/// A built server, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
    store: Arc<dyn EventStore>,
    projections: Arc<Projections>,
    background: Vec<JoinHandle<()>>,
    demo: Option<DemoSummary>,
    /// Mints tokens when the server verifies with a shared secret it knows.
    minter: Option<crate::keys::Minter>,
    shutdown_grace: Duration,
    connections: ConnectionLimits,
    signals: Signals,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let auth = crate::keys::setup(&settings.auth, &settings.data_dir).await?;
        let authenticator = auth.authenticator;
        // Install the signal handlers first: a SIGTERM right after start must
        // shut down cleanly, not kill the process.
        let signals = Signals::install()?;

        crate::datadir::prepare(&settings.data_dir)?;
        let location = StoreLocation::parse(settings.store_url.as_deref(), &settings.data_dir)?;
        tracing::info!(store = %location.describe(), "opening the event store");
        let (store, subject_keys) = store::open_with_keys(&location, &settings.data_dir).await?;
        let keyring = samverkan_app::Keyring::new(subject_keys);
        let commands = Commands::new(store.clone());
        // The checkpoint signing key (created in the data directory on first
        // start unless a file is given); none for a store without a chain.
        let signer = if store.keeps_chain() {
            let path = crate::record::key_path(settings.checkpoints.key_file.as_deref(), &settings.data_dir);
            let (key, created) = crate::record::load_or_create_key(&path)?;
            if created {
                tracing::info!(file = %path.display(), "created the checkpoint signing key");
            }
            Some(key)
        } else {
            tracing::warn!("this event store keeps no hash chain: no checkpoints are signed (docs/eventstore.md)");
            None
        };

        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let local_addr = listener.local_addr()?;

        let projections = Projections::new(Some(settings.data_dir.join(SNAPSHOT_FILE)));
        // Follows the global log into the read models, resubscribing after a failure.
        let mut background = vec![projections.start(store.clone())];
        background.extend(auth.refresher);
        background.push(projections.start_snapshots(settings.snapshot_every));
        if crate::telemetry::metrics_exported() {
            background.push(projections.start_metrics(store.clone(), Duration::from_secs(1)));
        }
        background.push(
            ProcessManager::new(commands.clone(), Some(settings.data_dir.join(PROCESS_CHECKPOINT_FILE)))
                .with_keyring(keyring.clone())
                .start(store.clone()),
        );

        let demo = if settings.demo {
            let summary = samverkan_app::demo::load(&commands)
                .await
                .context("loading the demo data failed")?;
            tracing::info!(
                commands = summary.commands,
                appended = summary.events_appended,
                "demo data loaded"
            );
            settle(store.as_ref(), &projections).await;
            Some(summary)
        } else {
            None
        };

        let mut state = ApiState::new(store.clone(), projections.clone(), authenticator)
            .with_commands(commands)
            .with_keyring(keyring);
        if let Some(config) = settings.open_data.clone() {
            state = state.with_open_data(config);
        }
        if let Some(key) = signer {
            // After the demo: its first checkpoint covers the demo's events.
            state = state.with_checkpoint_key(key.verifying_key().to_bytes());
            background.push(crate::record::start_signer(store.clone(), key, &settings.checkpoints));
        }
        if let (Some(_), Some(minter)) = (&demo, &auth.minter) {
            // Minted afresh for each sign-in page: a demo left running for
            // days still offers tokens that work.
            crate::keys::demo_sign_in_tokens(minter)?;
            let minter = minter.clone();
            state = state.with_demo_tokens(move || crate::keys::demo_sign_in_tokens(&minter).unwrap_or_default());
        }
        Ok(Self {
            listener,
            local_addr,
            router: samverkan_api::router(state),
            store,
            projections,
            background,
            demo,
            minter: auth.minter,
            shutdown_grace: settings.shutdown_grace,
            connections: settings.connections,
            signals,
        })
    }

    /// The bound address (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The event store the server writes to.
    pub fn store(&self) -> Arc<dyn EventStore> {
        self.store.clone()
    }

    /// The read models (the load generator writes a snapshot through them
    /// as the periodic task does).
    pub fn projections(&self) -> Arc<Projections> {
        self.projections.clone()
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// Where GraphiQL (and `POST` for queries) is served.
    pub fn graphiql_url(&self) -> String {
        format!("http://{}/graphql", self.local_addr)
    }

    /// What `--demo` loaded.
    pub fn demo_summary(&self) -> Option<&DemoSummary> {
        self.demo.as_ref()
    }

    /// Mints tokens the server accepts, when it verifies with an HS256 secret
    /// (the development key or `--jwt-hs256-secret-file`).
    pub fn minter(&self) -> Option<&crate::keys::Minter> {
        self.minter.as_ref()
    }

    /// Serve until SIGTERM or SIGINT.
    pub async fn run_until_stopped(mut self) -> anyhow::Result<()> {
        let signals = std::mem::replace(&mut self.signals, Signals::none());
        self.run_until(signals.recv()).await
    }

    /// Serve until `shutdown` completes; then stop accepting connections,
    /// give in-flight requests the grace period, save a snapshot.
    /// Connections are served by [`crate::listener::serve`] (header read
    /// timeout, connection caps).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let server = crate::listener::serve(self.listener, self.router, self.connections, async move {
            let _ = stop_rx.wait_for(|stop| *stop).await;
        });
        let grace = self.shutdown_grace;
        let deadline = async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = stop_tx.send(true);
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            () = server => {}
            () = deadline => tracing::warn!("connections still open after the grace period; stopping anyway"),
        }
        for task in &self.background {
            task.abort();
        }
        let projections = self.projections.clone();
        match tokio::task::spawn_blocking(move || projections.save_snapshot()).await {
            Ok(Ok(saved)) => tracing::info!(
                position = ?self.projections.position(),
                entries = saved.entries,
                appended = saved.appended,
                "projection snapshot saved"
            ),
            Ok(Err(e)) => tracing::warn!(error = %e, "could not save the projection snapshot"),
            Err(e) => tracing::warn!(error = %e, "the snapshot task failed"),
        }
        Ok(())
    }
}

/// Wait (bounded) until the log stops growing and the read models include it,
/// so that the demo (and the projects the process manager derives from it)
/// are visible when the server announces itself.
async fn settle(store: &dyn EventStore, projections: &Projections) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut last = None;
    while tokio::time::Instant::now() < deadline {
        let head = match store.head_position().await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the head of the log");
                return;
            }
        };
        if let Some(h) = head {
            projections.wait_for(h, Duration::from_secs(5)).await;
        }
        if head == last {
            return;
        }
        last = head;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tracing::warn!("the read models did not settle within 30 s; serving anyway");
}

/// SIGTERM and SIGINT, installed at build time.
struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate()).context("cannot install the SIGTERM handler")?;
        let int = signal(SignalKind::interrupt()).context("cannot install the SIGINT handler")?;
        Ok(Self {
            streams: Some((term, int)),
        })
    }

    #[cfg(not(unix))]
    fn install() -> anyhow::Result<Self> {
        Ok(Self {})
    }

    fn none() -> Self {
        Self {
            #[cfg(unix)]
            streams: None,
        }
    }

    #[cfg(unix)]
    async fn recv(self) {
        match self.streams {
            Some((mut term, mut int)) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = int.recv() => tracing::info!("SIGINT received"),
                }
            }
            None => std::future::pending().await,
        }
    }

    #[cfg(not(unix))]
    async fn recv(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
