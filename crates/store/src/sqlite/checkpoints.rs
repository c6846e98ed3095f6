//! WAL checkpoints off the writer's path.
//!
//! SQLite's automatic checkpoint runs on the connection that commits (here the single write
//! connection) and syncs the WAL and the database file to disk. Under a Microsoft 365 sync
//! every checkpoint copied tens of megabytes and waited for the disk while every other writer
//! queued behind it (strace of the sync benchmark: 272 fsyncs taking 6.5 s, all on the
//! writer). Here a connection of its own runs a passive checkpoint shortly after writes: a
//! passive checkpoint never blocks the writer or the readers, and it copies each page once
//! however often it was written since the last one. The writer keeps an automatic checkpoint
//! only as a backstop ([`BACKSTOP_FRAMES`]).

use sqlx::{Connection, SqliteConnection};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long after a write the checkpoint waits, so that one checkpoint covers a burst of
/// transactions (and a page they all wrote is copied once).
const DELAY: Duration = Duration::from_millis(100);

/// WAL frames (pages) after which the committing writer checkpoints itself (~400 MB with
/// 4 KiB pages). The WAL starts again from its beginning only when a write begins after a
/// checkpoint copied all of it, so under a long burst of writes (a full sync of many tenants)
/// it grows until the writer pauses or this backstop is reached. 25,000 frames (~100 MB) made
/// the sync benchmark's writer checkpoint and restart the WAL itself every few seconds:
/// 15.1–15.4 s against 12.6 s.
pub(super) const BACKSTOP_FRAMES: u32 = 100_000;

/// Starts the checkpointer on `conn`: after each signal on `released` (the write connection
/// was given back), it waits [`DELAY`] and checkpoints. It ends, closing `conn`, when the
/// store's connections are dropped (the channel closes).
pub(super) fn spawn(mut conn: SqliteConnection, mut released: mpsc::Receiver<()>) {
    tokio::spawn(async move {
        while released.recv().await.is_some() {
            tokio::time::sleep(DELAY).await;
            // Writes signalled during the delay are in this checkpoint too.
            while released.try_recv().is_ok() {}
            // A busy checkpoint lock (the writer's backstop is running) is not an error: the
            // pragma then reports `busy = 1` and the next signal tries again.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut conn)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint failed; the writer's backstop remains");
            }
        }
        let _ = conn.close().await;
    });
}
