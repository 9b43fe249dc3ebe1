//! The writer's OpenTelemetry instruments.

use std::time::Duration;

use opentelemetry::metrics::{Counter, Histogram};
use opentelemetry::KeyValue;

use super::AppendRequest;
use crate::{AppendResult, StoreError};

/// The writer's instruments, from the global meter provider in force when
/// the store opens (no-ops when none is installed).
pub(crate) struct WriterMetrics {
    /// `samverkan.store.appends{result}`: appends by result (`written`,
    /// `duplicate`: an idempotent retry, `refused`: wrong version, id
    /// conflict or an id stored in another stream, `failed`).
    appends: Counter<u64>,
    /// `samverkan.store.events`: events written.
    events: Counter<u64>,
    /// `samverkan.store.batch_size`: appends per group commit.
    batch_size: Histogram<u64>,
    /// `samverkan.store.commit.duration`: seconds per group commit (fsync included).
    commit_duration: Histogram<f64>,
}

impl WriterMetrics {
    pub(crate) fn new() -> Self {
        let meter = opentelemetry::global::meter("samverkan");
        Self {
            appends: meter
                .u64_counter("samverkan.store.appends")
                .with_description("Appends to the event store, by result")
                .build(),
            events: meter
                .u64_counter("samverkan.store.events")
                .with_description("Events written to the event store")
                .build(),
            batch_size: meter
                .u64_histogram("samverkan.store.batch_size")
                .with_description("Appends per group commit of the event store")
                .with_boundaries(vec![
                    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0,
                ])
                .build(),
            commit_duration: meter
                .f64_histogram("samverkan.store.commit.duration")
                .with_unit("s")
                .with_description("Time of one group commit of the event store, fsync included")
                .with_boundaries(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                ])
                .build(),
        }
    }

    pub(super) fn record(&self, batch: &[AppendRequest], results: &[Result<AppendResult, StoreError>], took: Duration) {
        let sizes: Vec<usize> = batch.iter().map(|r| r.events.len()).collect();
        self.record_sizes(&sizes, results, took);
    }

    /// One group commit: `sizes[i]` events in append `i`, with `results[i]`.
    /// (Shared with the PostgreSQL writer.)
    pub(crate) fn record_sizes(&self, sizes: &[usize], results: &[Result<AppendResult, StoreError>], took: Duration) {
        let (mut written, mut duplicate, mut refused, mut failed, mut events) = (0u64, 0u64, 0u64, 0u64, 0u64);
        for (size, result) in sizes.iter().zip(results) {
            match result {
                Ok(r) if r.written => {
                    written += 1;
                    events += *size as u64;
                }
                Ok(_) => duplicate += 1,
                Err(
                    StoreError::WrongExpectedVersion { .. }
                    | StoreError::IdConflict { .. }
                    | StoreError::DuplicateEventId { .. },
                ) => refused += 1,
                Err(_) => failed += 1,
            }
        }
        for (result, n) in [
            ("written", written),
            ("duplicate", duplicate),
            ("refused", refused),
            ("failed", failed),
        ] {
            if n > 0 {
                self.appends.add(n, &[KeyValue::new("result", result)]);
            }
        }
        if events > 0 {
            self.events.add(events, &[]);
        }
        self.batch_size.record(sizes.len() as u64, &[]);
        self.commit_duration.record(took.as_secs_f64(), &[]);
    }
}
