//! Bounds the Argon2 work in flight. Each password check holds `argon2_memory_kib` for tens of
//! milliseconds, so a burst of unauthenticated logins could otherwise take as much memory as
//! it has requests. Checks take a permit (one per core by default); a request that cannot get
//! one within `argon2_queue_ms` is refused with "try again" instead of queueing without end.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The permits and the queue deadline, shared by every clone of `App`.
#[derive(Clone, Debug)]
pub struct PasswordGate {
    permits: Arc<Semaphore>,
    size: usize,
    queue: Duration,
    checks: Arc<AtomicU64>,
    /// Checks running now, and the most ever seen at once.
    running: Arc<AtomicU64>,
    peak: Arc<AtomicU64>,
}

/// No permit came free within the queue deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    /// What to send as `Retry-After`, in seconds (at least 1).
    pub retry_after_secs: u64,
}

/// The right to run one password check; the permit is given back when dropped.
#[derive(Debug)]
pub struct PasswordSlot {
    _permit: OwnedSemaphorePermit,
    running: Arc<AtomicU64>,
}

impl Drop for PasswordSlot {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::Relaxed);
    }
}

impl PasswordGate {
    #[must_use]
    pub fn new(size: usize, queue: Duration) -> Self {
        let size = size.max(1);
        Self {
            permits: Arc::new(Semaphore::new(size)),
            size,
            queue,
            checks: Arc::new(AtomicU64::new(0)),
            running: Arc::new(AtomicU64::new(0)),
            peak: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many checks may run at once.
    #[must_use]
    pub fn size(&self) -> usize {
        self.size
    }

    /// Waits for a permit, at most the queue deadline.
    ///
    /// # Errors
    /// [`Busy`] when none came free in time.
    pub async fn enter(&self) -> Result<PasswordSlot, Busy> {
        let busy = Busy {
            retry_after_secs: self.queue.as_secs().max(1),
        };
        match tokio::time::timeout(self.queue, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => {
                self.checks.fetch_add(1, Ordering::Relaxed);
                let now = self.running.fetch_add(1, Ordering::Relaxed) + 1;
                self.peak.fetch_max(now, Ordering::Relaxed);
                Ok(PasswordSlot {
                    _permit: permit,
                    running: self.running.clone(),
                })
            }
            // Timed out, or the semaphore closed (it never is).
            Ok(Err(_)) | Err(_) => Err(busy),
        }
    }

    /// The most password checks that ever ran at once.
    #[must_use]
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    /// Password checks (and hashes) started since the process started.
    #[must_use]
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }
}
