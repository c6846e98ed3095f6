//! Group commit for the audit log. Every append takes the chain's lock (the single write
//! lock on SQLite, an advisory lock on PostgreSQL) and reads the chain's tail; under load,
//! one transaction per entry made the audit log the busiest writer. Concurrent
//! [`App::audit`](crate::App::audit) calls instead queue their entries here and one task
//! appends everything queued in one transaction. A caller still returns only after its own
//! entry committed, so nothing is acknowledged unrecorded.

use countersign_store::{AuditKey, AuditStore, NewAuditEntry, Store, StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

/// Most entries one transaction appends.
const MAX_BATCH: usize = 256;
/// Entries waiting for the writer before callers wait to queue theirs.
const QUEUE: usize = 4096;

type Pending = (NewAuditEntry, oneshot::Sender<StoreResult<()>>);

/// The queue in front of the audit writer task. Clones share the task; it stops when the
/// last clone is dropped.
#[derive(Clone, Debug)]
pub(crate) struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime; it MACs entries with `key` (the
    /// keyring's active key when the app started: a rotation takes effect on restart).
    pub(crate) fn start(store: Store, key: AuditKey) -> Self {
        let (queue, pending) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store, key, pending));
        Self { queue }
    }

    /// Appends `entry`; returns once it is committed.
    pub(crate) async fn append(&self, entry: NewAuditEntry) -> StoreResult<()> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send((entry, done))
            .await
            .map_err(|_| stopped())?;
        committed.await.unwrap_or_else(|_| Err(stopped()))
    }
}

fn stopped() -> StoreError {
    StoreError::Unsupported("the audit writer stopped; restart the server".into())
}

async fn write_batches(store: Store, key: AuditKey, mut pending: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, waiters): (Vec<NewAuditEntry>, Vec<_>) = batch.drain(..).unzip();
        match store.append_audit_batch(&key, &entries).await {
            Ok(_) => {
                for done in waiters {
                    let _ = done.send(Ok(()));
                }
            }
            // Nothing of the batch was appended; one at a time, each caller gets the result
            // of its own entry (one bad entry does not fail the others).
            Err(_) => {
                for (entry, done) in entries.iter().zip(waiters) {
                    let _ = done.send(store.append_audit(&key, entry).await.map(|_| ()));
                }
            }
        }
    }
}
