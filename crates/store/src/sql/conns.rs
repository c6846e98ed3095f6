//! Where a store's statements get a connection: a sqlx pool (PostgreSQL), or connections
//! opened once and held for the store's life (SQLite).
//!
//! Why SQLite holds its connections: sqlx runs each SQLite connection on a thread of its own,
//! so every statement is a hand-off to that thread and back, and its pool *pings* every
//! connection it takes back (one more hand-off, on the single write connection before the
//! next writer may have it). Profiles of the verification benchmark showed the process
//! spending most of its time in those thread switches. A local file cannot drop a connection
//! the way a network can, so the ping buys nothing here; a connection behind an async lock
//! is handed to the next caller as it is.

use sqlx::pool::PoolConnection;
use sqlx::{Database, Executor, Pool};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit, mpsc};

/// The connections of one use (the writer, or the readers).
pub(crate) enum Conns<DB: Database> {
    /// A sqlx pool.
    Pool(Pool<DB>),
    /// Connections opened at start and kept.
    Held(Arc<Held<DB>>),
}

impl<DB: Database> Clone for Conns<DB> {
    fn clone(&self) -> Self {
        match self {
            Self::Pool(p) => Self::Pool(p.clone()),
            Self::Held(h) => Self::Held(h.clone()),
        }
    }
}

/// Open connections, each behind a lock; a caller waits (first come, first served) for a
/// free one.
pub(crate) struct Held<DB: Database> {
    conns: Vec<Mutex<Slot<DB>>>,
    free: Semaphore,
    /// Told (without waiting) each time a connection is given back: SQLite's checkpointer
    /// learns that the writer may have written. Dropped with the connections, which ends it.
    released: Option<mpsc::Sender<()>>,
}

/// A held connection, and whether a transaction its last user opened in a statement of its
/// own may still be open (see [`Conn::set_unsettled`]).
pub(crate) struct Slot<DB: Database> {
    conn: DB::Connection,
    unsettled: bool,
}

impl<DB: Database> Held<DB> {
    pub(crate) fn new(conns: Vec<DB::Connection>) -> Self {
        Self {
            free: Semaphore::new(conns.len()),
            conns: conns
                .into_iter()
                .map(|conn| {
                    Mutex::new(Slot {
                        conn,
                        unsettled: false,
                    })
                })
                .collect(),
            released: None,
        }
    }

    /// As [`Held::new`], and `released` is told each time a connection is given back.
    pub(crate) fn with_release_signal(
        conns: Vec<DB::Connection>,
        released: mpsc::Sender<()>,
    ) -> Self {
        Self {
            released: Some(released),
            ..Self::new(conns)
        }
    }
}

/// A connection lent to one caller until dropped.
pub(crate) enum Conn<'a, DB: Database> {
    Pooled(PoolConnection<DB>),
    Held {
        slot: MutexGuard<'a, Slot<DB>>,
        /// Given back with the lock, so the next waiter finds this connection free.
        _permit: SemaphorePermit<'a>,
        released: Option<&'a mpsc::Sender<()>>,
    },
}

impl<DB: Database> Drop for Conn<'_, DB> {
    fn drop(&mut self) {
        if let Self::Held {
            released: Some(r), ..
        } = self
        {
            // A full channel already holds a signal the receiver has not taken: one is enough.
            let _ = r.try_send(());
        }
    }
}

impl<DB: Database> Conn<'_, DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Runs a multi-statement query that is a transaction of its own (`BEGIN IMMEDIATE; …;
    /// COMMIT;`, SQLite) and returns the rows of all its statements. A failed statement leaves
    /// the transaction open: it is rolled back here. If the caller is dropped mid-query, sqlx
    /// stops running the query's statements and no `Transaction` is there to roll back on
    /// drop, so the connection stays marked and the next [`Conns::acquire`] of it rolls back
    /// first (a no-op when the query did finish).
    pub(crate) async fn fetch_all_committing<'q, E>(
        &mut self,
        query: E,
    ) -> Result<Vec<DB::Row>, sqlx::Error>
    where
        E: sqlx::Execute<'q, DB> + 'q,
    {
        self.set_unsettled(true);
        let result = Executor::fetch_all(&mut **self, query).await;
        if result.is_err() {
            let _ = Executor::execute(&mut **self, "ROLLBACK").await;
        }
        self.set_unsettled(false);
        result
    }
}

impl<DB: Database> Conn<'_, DB> {
    /// Marks (or clears) a transaction that [`Conn::fetch_all_committing`] may leave open.
    /// Pooled connections never run such queries.
    pub(crate) fn set_unsettled(&mut self, unsettled: bool) {
        if let Self::Held { slot, .. } = self {
            slot.unsettled = unsettled;
        }
    }
}

impl<DB: Database> Conns<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// A free connection, waiting for one if need be.
    ///
    /// # Errors
    /// The pool timed out or is closed.
    pub(crate) async fn acquire(&self) -> Result<Conn<'_, DB>, sqlx::Error> {
        match self {
            Self::Pool(p) => Ok(Conn::Pooled(p.acquire().await?)),
            Self::Held(h) => {
                let permit = h
                    .free
                    .acquire()
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?;
                // A permit per connection, and every holder of a permit locks at most one:
                // with this permit some connection is unlocked.
                let mut slot = h
                    .conns
                    .iter()
                    .find_map(|c| c.try_lock().ok())
                    .ok_or(sqlx::Error::PoolTimedOut)?;
                if slot.unsettled {
                    // "no transaction is active" when the query did get to its COMMIT.
                    let _ = Executor::execute(&mut slot.conn, "ROLLBACK").await;
                    slot.unsettled = false;
                }
                Ok(Conn::Held {
                    slot,
                    _permit: permit,
                    released: h.released.as_ref(),
                })
            }
        }
    }
}

impl<DB: Database> Conns<DB> {
    /// Closes: every later [`Self::acquire`] fails with `PoolClosed`. A pool waits for its
    /// connections to finish; held connections close when the last store clone is dropped.
    pub(crate) async fn close(&self) {
        match self {
            Self::Pool(p) => p.close().await,
            Self::Held(h) => h.free.close(),
        }
    }
}

impl<DB: Database> Deref for Conn<'_, DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Self::Pooled(c) => c,
            Self::Held { slot, .. } => &slot.conn,
        }
    }
}

impl<DB: Database> DerefMut for Conn<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Self::Pooled(c) => c,
            Self::Held { slot, .. } => &mut slot.conn,
        }
    }
}
