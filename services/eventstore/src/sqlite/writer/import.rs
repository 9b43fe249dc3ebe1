//! Imports: recorded events copied in as they are, one transaction each.

use super::*;

impl Writer {
    /// One import in one transaction: all of it or, on any refusal or
    /// failure, nothing (rolled back).
    pub(super) fn commit_import(&mut self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.backend("begin", e))?;
        let committed = self.tip;
        let written = match self.import_events(events) {
            Ok(written) => written,
            Err(failure) => {
                self.streams.clear();
                self.tip = committed;
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                return Err(match failure {
                    Failure::Refused(e) => e,
                    Failure::Sql(e) => self.backend("import", e),
                });
            }
        };
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            self.streams.clear();
            self.tip = committed;
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            return Err(self.backend("commit", e));
        }
        let (head, last_recorded_at) = written;
        self.last_recorded_at = self.last_recorded_at.max(last_recorded_at);
        self.head.send_if_modified(|h| {
            if head > *h {
                *h = head;
                true
            } else {
                false
            }
        });
        Ok(())
    }

    /// Inserts the import's events inside the open transaction; returns the
    /// last position and recorded time (µs) written.
    fn import_events(&mut self, events: &[RecordedEvent]) -> Result<(u64, i64), Failure> {
        let mut last_recorded_at = self.last_recorded_at;
        let mut head = 0;
        for e in events {
            let recorded_at = e.recorded_at.timestamp_micros();
            if recorded_at < last_recorded_at {
                return Err(Failure::Refused(StoreError::InvalidAppend(format!(
                    "event {} was recorded at {}, before the newest event of this store: an import must \
                     continue the log, so recorded times must not go back; nothing of the import was written",
                    e.id, e.recorded_at
                ))));
            }
            let state = self.stream_state(&e.stream)?;
            let current = state.and_then(|s| s.version);
            if e.version != current.map_or(0, |c| c + 1) {
                return Err(Failure::Refused(does_not_continue(e, current)));
            }
            if let Some(stream) = self
                .conn
                .prepare_cached(
                    "SELECT s.name FROM events e JOIN streams s ON s.stream_id = e.stream_id
                     WHERE e.event_id = ?1 LIMIT 1",
                )?
                .query_row([e.id.as_bytes().as_slice()], |r| r.get::<_, String>(0))
                .optional()?
            {
                return Err(Failure::Refused(StoreError::DuplicateEventId { id: e.id, stream }));
            }
            let stream_id = match state {
                Some(s) => s.id,
                None => {
                    self.conn
                        .prepare_cached("INSERT INTO streams (name) VALUES (?1)")?
                        .execute([&e.stream])?;
                    self.conn.last_insert_rowid()
                }
            };
            let row = Row {
                position: self.tip.position + 1,
                stream: &e.stream,
                stream_id,
                version: e.version,
                id: &e.id,
                event_type: &e.event_type,
                schema_version: e.schema_version,
                data: &e.data,
                metadata: &e.metadata,
                recorded_at,
            };
            self.tip = Tip {
                position: row.position,
                hash: row.insert(&self.conn, &self.tip.hash)?,
            };
            head = self.tip.position;
            last_recorded_at = recorded_at;
            self.remember(
                &e.stream,
                StreamState {
                    id: stream_id,
                    version: Some(e.version),
                },
            );
        }
        Ok((head, last_recorded_at))
    }
}

impl Writer {
    /// Records a checkpoint in a transaction of its own.
    pub(super) fn commit_checkpoint(&mut self, cp: &Checkpoint) -> Result<(), StoreError> {
        match crate::sqlite::chain::insert_checkpoint(&self.conn, cp) {
            Ok(true) => Ok(()),
            Ok(false) => Err(StoreError::InvalidAppend(format!(
                "the checkpoint at position {} names a link the log does not have there; nothing was recorded",
                cp.position
            ))),
            Err(e) => Err(self.backend("recording a checkpoint", e)),
        }
    }
}
