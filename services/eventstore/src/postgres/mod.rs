//! The PostgreSQL backend: any number of processes on one database (and
//! readers on its standbys). One writer task per process with group commit;
//! across processes, each batch locks the one-row log head, so positions are
//! dense, `u64` and in commit order. See `docs/eventstore.md`.

mod batch;
mod import;
mod links;
mod reader;
mod schema;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_postgres::config::Host;
use tokio_postgres::{AsyncMessage, NoTls};

pub use schema::{APPLICATION, FORMAT_VERSION};
use writer::{publish, AppendRequest, Writer};

use crate::validate::validate_append;
use crate::{AppendResult, Direction, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError};

/// Tuning knobs of [`PgStore`]; the defaults suit production.
#[derive(Debug, Clone)]
pub struct PgStoreOptions {
    /// Connections in the pool (readers and the writer share it).
    pub pool_size: usize,
    /// Most appends one group commit takes from the queue.
    pub max_batch_appends: usize,
    /// Stop draining the queue once a group commit holds this many events.
    pub max_batch_events: usize,
    /// Events a subscription reads per query while catching up.
    pub subscription_batch: usize,
    /// A subscription reads at least this often even without a
    /// notification (on a standby, which cannot LISTEN, this is its pace).
    pub poll_interval: Duration,
}

impl Default for PgStoreOptions {
    fn default() -> Self {
        Self {
            pool_size: 16,
            max_batch_appends: 4096,
            max_batch_events: 16_384,
            subscription_batch: 1000,
            poll_interval: Duration::from_millis(500),
        }
    }
}

/// The event store on a PostgreSQL database. Cheap to clone; all clones
/// share one writer task. The writer (and the LISTEN connection) stop when
/// the last clone is dropped; subscriptions then end with
/// [`StoreError::Closed`] after delivering what is committed.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    sender: mpsc::UnboundedSender<AppendRequest>,
    /// Dropping it stops the listener task.
    _stop_listener: oneshot::Sender<()>,
    /// Held by this, the writer and the listener only: once all three are
    /// gone, subscriptions learn that the store is closed.
    head_tx: Arc<watch::Sender<u64>>,
    shared: Arc<Shared>,
}

/// What readers and subscriptions need.
pub(crate) struct Shared {
    pool: Pool,
    head: watch::Receiver<u64>,
    describe: String,
    subscription_batch: usize,
    poll_interval: Duration,
    standby: bool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("database", &self.inner.shared.describe)
            .finish()
    }
}

/// An error with its causes (tokio-postgres and deadpool put the server's
/// message in the source, not in the top error's text).
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The database a URL names, without credentials: safe to print.
pub fn describe_url(url: &str) -> String {
    match tokio_postgres::Config::from_str(url) {
        Ok(config) => describe(&config),
        Err(_) => "PostgreSQL (an unparsable URL)".into(),
    }
}

fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().or(config.get_user()).unwrap_or("postgres");
    format!("PostgreSQL database `{db}` on {host}:{port}")
}

impl PgStore {
    /// Connects to the database named by `url` (`postgres://user@host:port/db`),
    /// creating the schema in an empty database and migrating an older one.
    /// A database of another application is refused with
    /// [`StoreError::NotOurs`], a newer format with [`StoreError::TooNew`];
    /// then nothing in it is changed. On a standby the store reads and
    /// subscribes (by polling); appends fail there.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PgStoreOptions::default()).await
    }

    /// [`PgStore::connect`] with explicit options.
    pub async fn connect_with(url: &str, options: PgStoreOptions) -> Result<Self, StoreError> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            StoreError::Backend(format!(
                "the PostgreSQL URL is not valid ({e}); expected postgres://user@host:port/database"
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("samverkan");
        }
        let describe = describe(&config);
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(2))
            .build()
            .map_err(|e| StoreError::Backend(format!("{describe}: cannot build the connection pool: {}", chain(&e))))?;
        let mut client = pool
            .get()
            .await
            .map_err(|e| StoreError::Backend(format!("cannot connect to {describe}: {}", chain(&e))))?;
        let standby = schema::prepare(&mut client, &describe).await?;
        drop(client);

        let (head_tx, head) = watch::channel(0u64);
        let head_tx = Arc::new(head_tx);
        let shared = Arc::new(Shared {
            pool: pool.clone(),
            head,
            describe,
            subscription_batch: options.subscription_batch.max(1),
            poll_interval: options.poll_interval,
            standby,
        });
        if let Some(h) = reader::head_position(&shared).await? {
            publish(&head_tx, h);
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        let writer = Writer {
            pool,
            head: head_tx.clone(),
            max_batch_appends: options.max_batch_appends.max(1),
            max_batch_events: options.max_batch_events.max(1),
        };
        tokio::spawn(writer.run(receiver));
        let (stop_listener, stopped) = oneshot::channel();
        tokio::spawn(listen(config, shared.describe.clone(), head_tx.clone(), stopped));
        Ok(Self {
            inner: Arc::new(Inner {
                sender,
                _stop_listener: stop_listener,
                head_tx,
                shared,
            }),
        })
    }

    /// Whether the server was a standby (read-only) when the store connected.
    pub fn is_standby(&self) -> bool {
        self.inner.shared.standby
    }

    /// The database, without credentials.
    pub fn describe(&self) -> &str {
        &self.inner.shared.describe
    }
}

/// Keeps one connection LISTENing and turns notifications into head-watch
/// updates. Reconnects after a lost connection (and then wakes everybody,
/// who may have missed one); on a standby LISTEN fails and subscriptions
/// rely on polling, but a promoted standby is listened to again.
async fn listen(
    config: tokio_postgres::Config,
    describe: String,
    head: Arc<watch::Sender<u64>>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut warned = false;
    loop {
        let mut listened = false;
        let session = async {
            let (client, mut connection) = config.connect(NoTls).await.map_err(|e| chain(&e))?;
            let (tx, mut rx) = mpsc::unbounded_channel();
            let driver = tokio::spawn(async move {
                let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if let AsyncMessage::Notification(n) = message {
                        if tx.send(n.payload().parse::<u64>().unwrap_or(0)).is_err() {
                            break;
                        }
                    }
                }
            });
            let listening = client
                .batch_execute(&format!("LISTEN {}", schema::CHANNEL))
                .await
                .map_err(|e| chain(&e));
            if let Err(e) = listening {
                driver.abort();
                return Err(e);
            }
            listened = true;
            tracing::debug!(store = %describe, "listening for event store notifications");
            // Whatever committed while nobody listened: read again.
            head.send_modify(|_| {});
            while let Some(position) = rx.recv().await {
                if position == 0 {
                    head.send_modify(|_| {});
                } else {
                    publish(&head, position);
                }
            }
            drop(client);
            Err::<(), String>("the LISTEN connection was lost".into())
        };
        tokio::select! {
            _ = &mut stop => return,
            result = session => {
                if let Err(e) = result {
                    if !warned {
                        tracing::info!(store = %describe, error = %e, "no LISTEN connection (a standby cannot LISTEN); subscriptions poll");
                        warned = true;
                    }
                }
            }
        }
        // After a lost connection, try again soon; a server refusing LISTEN
        // (a standby) is asked again now and then, for after a promotion.
        let pause = if listened {
            warned = false;
            Duration::from_secs(2)
        } else {
            Duration::from_secs(10)
        };
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

#[async_trait::async_trait]
impl EventStore for PgStore {
    /// One transaction for the whole batch, under the log-head lock (see
    /// [`EventStore::import`]); positions are this store's, dense after its head.
    async fn import(&self, events: Vec<RecordedEvent>) -> Result<(), StoreError> {
        let head = import::import(&self.inner.shared.pool, &events).await?;
        publish(&self.inner.head_tx, head);
        Ok(())
    }

    #[tracing::instrument(
        name = "eventstore.append",
        skip_all,
        fields(stream = stream, events = events.len() as i64, expected = ?expected, position = tracing::field::Empty)
    )]
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        validate_append(stream, &events)?;
        let (reply, answer) = oneshot::channel();
        self.inner
            .sender
            .send(AppendRequest {
                stream: stream.to_owned(),
                expected,
                events,
                reply,
            })
            .map_err(|_| StoreError::Closed)?;
        let result = answer.await.map_err(|_| StoreError::Closed)?;
        if let Ok(r) = &result {
            tracing::Span::current().record("position", r.position as i64);
        }
        result
    }

    #[tracing::instrument(name = "eventstore.read_stream", skip_all, fields(stream = stream, max = max as i64))]
    async fn read_stream(
        &self,
        stream: &str,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        reader::read_stream(&self.inner.shared, stream, direction, from, max).await
    }

    #[tracing::instrument(name = "eventstore.read_all", skip_all, fields(after = after.map(|a| a as i64), max = max as i64))]
    async fn read_all(&self, after: Option<u64>, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        reader::read_all(&self.inner.shared, after, max).await
    }

    #[tracing::instrument(name = "eventstore.find_event", skip_all)]
    async fn find_event(&self, id: uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
        reader::find_event(&self.inner.shared, id).await
    }

    async fn head_position(&self) -> Result<Option<u64>, StoreError> {
        reader::head_position(&self.inner.shared).await
    }

    fn keeps_chain(&self) -> bool {
        true
    }

    async fn read_chain(&self, after: Option<u64>, max: usize) -> Result<Vec<crate::chain::ChainedEvent>, StoreError> {
        links::read_chain(&self.inner.shared, after, max).await
    }

    async fn chain_head(&self) -> Result<Option<crate::chain::ChainHead>, StoreError> {
        links::chain_head(&self.inner.shared).await
    }

    async fn record_checkpoint(&self, checkpoint: crate::chain::Checkpoint) -> Result<(), StoreError> {
        links::record_checkpoint(&self.inner.shared, &checkpoint).await
    }

    async fn checkpoints(&self, from: u64, max: usize) -> Result<Vec<crate::chain::Checkpoint>, StoreError> {
        links::checkpoints(&self.inner.shared, from, max, false).await
    }

    async fn last_checkpoint(&self) -> Result<Option<crate::chain::Checkpoint>, StoreError> {
        Ok(links::checkpoints(&self.inner.shared, 0, 1, true).await?.pop())
    }

    fn subscribe_all(&self, after: Option<u64>) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
        reader::subscribe(self.inner.shared.clone(), after)
    }
}

impl PgStore {
    /// The personal-data key store in the same database
    /// (`samverkan_subject_keys`, created on first use), on this store's pool.
    pub async fn subject_keys(&self) -> Result<crate::subject_keys::PgSubjectKeys, StoreError> {
        crate::subject_keys::PgSubjectKeys::open(self.inner.shared.pool.clone()).await
    }
}
