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
use sqlx::{Database, Pool};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit};

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
    conns: Vec<Mutex<DB::Connection>>,
    free: Semaphore,
}

impl<DB: Database> Held<DB> {
    pub(crate) fn new(conns: Vec<DB::Connection>) -> Self {
        Self {
            free: Semaphore::new(conns.len()),
            conns: conns.into_iter().map(Mutex::new).collect(),
        }
    }
}

/// A connection lent to one caller until dropped.
pub(crate) enum Conn<'a, DB: Database> {
    Pooled(PoolConnection<DB>),
    Held {
        conn: MutexGuard<'a, DB::Connection>,
        /// Given back with the lock, so the next waiter finds this connection free.
        _permit: SemaphorePermit<'a>,
    },
}

impl<DB: Database> Conns<DB> {
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
                let guard = h
                    .conns
                    .iter()
                    .find_map(|c| c.try_lock().ok())
                    .ok_or(sqlx::Error::PoolTimedOut)?;
                Ok(Conn::Held {
                    conn: guard,
                    _permit: permit,
                })
            }
        }
    }

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
            Self::Held { conn, .. } => conn,
        }
    }
}

impl<DB: Database> DerefMut for Conn<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Self::Pooled(c) => c,
            Self::Held { conn, .. } => conn,
        }
    }
}
