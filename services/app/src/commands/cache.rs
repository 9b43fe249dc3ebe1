//! The aggregate cache and the per-stream queue of the command handler.
//!
//! One slot per stream holds the decided state and its version (what the
//! stream folds to up to that version). A slot is behind an async mutex:
//! a command holds its stream's slot from loading to appending, so commands
//! on the same aggregate in one process run one after the other (in arrival
//! order: Tokio's mutex is fair) instead of racing to a version conflict.
//! The cached state is never trusted blindly: the append carries its version
//! as the expected version, so a slot gone stale (another process appended)
//! is caught by the store and refreshed by reading only the events after it.
//! The cache is bounded: past its capacity the least recently used slots
//! nobody holds or waits for are dropped.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// How many streams the command handler keeps by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// A stream's slot: the cached fold, if any.
#[derive(Default)]
pub struct Slot {
    /// `(A::State, Option<u64>)` of the stream's aggregate type.
    cached: Option<Box<dyn Any + Send + Sync>>,
    /// Set when the cached fold may be behind the stream (an append at a
    /// version the caller pinned was refused): catch up before use.
    stale: bool,
}

impl Slot {
    /// Take the cached state and version out (put them back with [`Slot::put`]).
    pub fn take<S: 'static>(&mut self) -> Option<(S, Option<u64>)> {
        let cached = self.cached.take()?;
        cached.downcast::<(S, Option<u64>)>().ok().map(|b| *b)
    }

    /// The version of the cached fold: `Some(None)` for a stream known to be empty.
    pub fn version<S: 'static>(&self) -> Option<Option<u64>> {
        self.cached
            .as_ref()
            .and_then(|c| c.downcast_ref::<(S, Option<u64>)>())
            .map(|(_, v)| *v)
    }

    pub fn is_stale(&self) -> bool {
        self.stale
    }

    pub fn put<S: Send + Sync + 'static>(&mut self, state: S, version: Option<u64>) {
        self.cached = Some(Box::new((state, version)));
        self.stale = false;
    }

    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    pub fn clear(&mut self) {
        self.cached = None;
        self.stale = false;
    }
}

struct Entry {
    slot: Arc<AsyncMutex<Slot>>,
    last_used: u64,
}

/// The slots by stream name.
pub struct AggregateCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    tick: u64,
}

impl AggregateCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::default(),
        }
    }

    fn slot(&self, stream: &str) -> Arc<AsyncMutex<Slot>> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.tick += 1;
        let tick = entries.tick;
        if let Some(e) = entries.map.get_mut(stream) {
            e.last_used = tick;
            return e.slot.clone();
        }
        if entries.map.len() >= self.capacity {
            entries.evict(self.capacity);
        }
        let slot = Arc::new(AsyncMutex::new(Slot::default()));
        entries.map.insert(
            stream.to_string(),
            Entry {
                slot: slot.clone(),
                last_used: tick,
            },
        );
        slot
    }

    /// Wait for the stream's turn: the slot, held until the guard is dropped.
    pub async fn lock(&self, stream: &str) -> OwnedMutexGuard<Slot> {
        self.slot(stream).lock_owned().await
    }

    /// The stream's slot if nobody holds it now (readers that must not wait).
    pub fn try_lock(&self, stream: &str) -> Option<OwnedMutexGuard<Slot>> {
        self.slot(stream).try_lock_owned().ok()
    }

    /// How many streams have a slot.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).map.len()
    }
}

impl Entries {
    /// Drop the least recently used quarter of the slots that nobody holds
    /// or waits for (their only reference is the map's).
    fn evict(&mut self, capacity: usize) {
        let mut idle: Vec<(u64, String)> = self
            .map
            .iter()
            .filter(|(_, e)| Arc::strong_count(&e.slot) == 1)
            .map(|(k, e)| (e.last_used, k.clone()))
            .collect();
        idle.sort_unstable();
        let drop = (capacity / 4).max(self.map.len() + 1 - capacity.min(self.map.len()));
        for (_, key) in idle.into_iter().take(drop) {
            self.map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests: failures should panic

    use super::*;

    #[tokio::test]
    async fn slots_hold_the_fold_and_stay_within_capacity() {
        let cache = AggregateCache::new(8);
        {
            let mut s = cache.lock("a-1").await;
            assert!(s.take::<u32>().is_none());
            s.put(7u32, Some(3));
            assert_eq!(s.version::<u32>(), Some(Some(3)));
            assert!(s.version::<String>().is_none(), "another type is no hit");
        }
        assert_eq!(cache.lock("a-1").await.take::<u32>(), Some((7, Some(3))));
        for i in 0..100 {
            cache.lock(&format!("b-{i}")).await.put(i, None);
            assert!(cache.len() <= 8, "{} slots", cache.len());
        }
    }

    #[tokio::test]
    async fn a_held_slot_is_not_evicted_and_queues_the_next_caller() {
        let cache = Arc::new(AggregateCache::new(2));
        let mut held = cache.lock("held").await;
        held.put(1u8, Some(0));
        for i in 0..10 {
            cache.lock(&format!("other-{i}")).await.put(i, None);
        }
        assert!(cache.try_lock("held").is_none(), "still the same, held slot");
        let waiter = {
            let cache = cache.clone();
            tokio::spawn(async move { cache.lock("held").await.take::<u8>() })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "the second caller waits its turn");
        held.put(2u8, Some(1));
        drop(held);
        assert_eq!(
            waiter.await.unwrap(),
            Some((2, Some(1))),
            "and then sees what the first left"
        );
    }
}
