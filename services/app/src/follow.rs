//! The one way the application layer follows the store's global log: from a
//! checkpoint, in batches, resubscribing with back-off when the subscription
//! fails or ends, or a batch cannot be handled. The projections and the
//! process manager are both [`Follower`]s; each keeps its own checkpoint
//! (the projection snapshot, the process manager's checkpoint file — both
//! written atomically, see [`crate::files::write_atomically`]).

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::StreamExt;
use samverkan_eventstore::{EventStore, RecordedEvent, StoreError};

/// At most this many events are handed over at once.
const BATCH: usize = 1024;
/// The first pause before resubscribing; doubled per failure in a row.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause before resubscribing.
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// Something that follows the log.
pub(crate) trait Follower: Send + Sync + 'static {
    /// For logs: `projections`, `process manager`.
    fn name(&self) -> &'static str;

    /// Before each (re)subscription: the position to continue after
    /// (`None`: from the start of the log).
    fn resume<'a>(&'a self, store: &'a dyn EventStore) -> BoxFuture<'a, Result<Option<u64>, StoreError>>;

    /// Handle a batch of events, in log order, and move the checkpoint past
    /// each event handled. On an error the log is followed again from the
    /// checkpoint after a pause.
    fn handle_batch<'a>(&'a self, batch: Vec<RecordedEvent>) -> BoxFuture<'a, Result<(), String>>;
}

/// Follow the log with `follower`, forever (until the task is aborted).
pub(crate) fn follow<F: Follower>(follower: Arc<F>, store: Arc<dyn EventStore>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut failures: u32 = 0;
        loop {
            match run_once(follower.as_ref(), store.as_ref(), &mut failures).await {
                Ok(()) => tracing::warn!(
                    follower = follower.name(),
                    "the event log subscription ended; resubscribing"
                ),
                Err(e) => {
                    tracing::warn!(follower = follower.name(), error = %e, "following the event log failed; resubscribing")
                }
            }
            tokio::time::sleep(pause(failures)).await;
            failures = failures.saturating_add(1);
        }
    })
}

/// Subscribe once from the follower's checkpoint and hand over batches until
/// the subscription ends or something fails. Progress resets `failures`.
async fn run_once<F: Follower>(follower: &F, store: &dyn EventStore, failures: &mut u32) -> Result<(), String> {
    let after = follower.resume(store).await.map_err(|e| e.to_string())?;
    let mut stream = store.subscribe_all(after).ready_chunks(BATCH);
    while let Some(chunk) = stream.next().await {
        let mut batch = Vec::with_capacity(chunk.len());
        let mut failed = None;
        for item in chunk {
            match item {
                Ok(e) => batch.push(e),
                Err(e) => {
                    failed = Some(e.to_string());
                    break;
                }
            }
        }
        if !batch.is_empty() {
            follower.handle_batch(batch).await?;
            *failures = 0;
        }
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok(())
}

/// The pause after `failures` failures in a row: 100 ms, doubling, at most 5 s.
fn pause(failures: u32) -> Duration {
    FIRST_PAUSE.saturating_mul(1 << failures.min(16)).min(LONGEST_PAUSE)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use samverkan_eventstore::{EventMetadata, ExpectedVersion, NewEvent, SqliteStore};

    use super::*;

    /// Records what it is handed; refuses the event at `fail_at` once.
    struct Recorder {
        handled: Mutex<Vec<u64>>,
        fail_at: Mutex<Option<u64>>,
        done: tokio::sync::Notify,
    }

    impl Follower for Recorder {
        fn name(&self) -> &'static str {
            "recorder"
        }

        fn resume<'a>(&'a self, _: &'a dyn EventStore) -> BoxFuture<'a, Result<Option<u64>, StoreError>> {
            Box::pin(async move { Ok(self.handled.lock().unwrap().last().copied()) })
        }

        fn handle_batch<'a>(&'a self, batch: Vec<RecordedEvent>) -> BoxFuture<'a, Result<(), String>> {
            Box::pin(async move {
                for e in batch {
                    if self.fail_at.lock().unwrap().take_if(|p| *p == e.position).is_some() {
                        return Err(format!("cannot handle {} yet", e.position));
                    }
                    self.handled.lock().unwrap().push(e.position);
                }
                if self.handled.lock().unwrap().len() == 3 {
                    self.done.notify_one();
                }
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn a_follower_resumes_from_its_checkpoint_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.sqlite")).unwrap());
        let event = || NewEvent {
            id: uuid::Uuid::new_v4(),
            event_type: "Noted".into(),
            schema_version: 1,
            data: b"{}".to_vec(),
            metadata: EventMetadata::default(),
        };
        let appended = store
            .append("note-1", ExpectedVersion::NoStream, vec![event(), event(), event()])
            .await
            .unwrap();
        let all = store.read_all(None, 10).await.unwrap();
        let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
        assert_eq!(positions.last().copied(), Some(appended.position));
        let recorder = Arc::new(Recorder {
            handled: Mutex::new(vec![]),
            fail_at: Mutex::new(Some(positions[1])),
            done: tokio::sync::Notify::new(),
        });
        let task = follow(recorder.clone(), store);
        tokio::time::timeout(Duration::from_secs(30), recorder.done.notified())
            .await
            .expect("the follower handles every event");
        task.abort();
        // The first event once, the second after the failure (not skipped,
        // not twice), then the third.
        assert_eq!(*recorder.handled.lock().unwrap(), positions);
    }

    #[test]
    fn the_pause_doubles_up_to_five_seconds() {
        assert_eq!(pause(0), Duration::from_millis(100));
        assert_eq!(pause(1), Duration::from_millis(200));
        assert_eq!(pause(3), Duration::from_millis(800));
        assert_eq!(pause(6), LONGEST_PAUSE);
        assert_eq!(pause(u32::MAX), LONGEST_PAUSE);
    }
}
