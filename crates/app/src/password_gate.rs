//! Bounds the Argon2 work in flight. Each password check holds `argon2_memory_kib` for tens of
//! milliseconds, so a burst of unauthenticated logins could otherwise take as much memory as
//! it has requests. Checks take a permit (one per core by default); a request that cannot get
//! one within `argon2_queue_ms` is refused with "try again" instead of queueing without end.
//!
//! The checks run on the gate's own threads, as many as permits, not on tokio's blocking pool:
//! the allocator keeps an arena per thread, and a pool that grows a thread whenever the last
//! check's thread has not quite finished leaves a freed Argon2 buffer in each of up to 8 arenas
//! per core (the `logins` benchmark saw 650 MB with one permit). Fixed threads keep the
//! buffers, and so the memory, at one per permit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

/// The permits, the queue deadline and the worker threads, shared by every clone of `App`.
/// The threads end when the last clone is dropped.
#[derive(Clone)]
pub struct PasswordGate {
    jobs: Arc<Mutex<mpsc::Sender<Job>>>,
    permits: Arc<Semaphore>,
    size: usize,
    queue: Duration,
    checks: Arc<AtomicU64>,
    /// Checks running now, and the most ever seen at once.
    running: Arc<AtomicU64>,
    peak: Arc<AtomicU64>,
}

impl std::fmt::Debug for PasswordGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordGate")
            .field("size", &self.size)
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

/// Why password work did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateError {
    /// No permit came free within the queue deadline.
    Busy(Busy),
    /// The worker threads are gone (a check panicked).
    Stopped,
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
    /// A gate of `size` permits and as many threads (named `argon2-<n>`).
    ///
    /// # Panics
    /// The operating system refuses to start a thread.
    #[must_use]
    pub fn new(size: usize, queue: Duration) -> Self {
        let size = size.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..size {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking check drops its answer (the caller sees `Stopped`)
                            // and leaves the thread serving.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                })
                .expect("start a password-check thread");
        }
        Self {
            jobs: Arc::new(Mutex::new(tx)),
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

    /// Runs `work` on one of the gate's threads once a permit is free, within the queue
    /// deadline.
    ///
    /// # Errors
    /// [`GateError::Busy`] past the deadline (`work` did not run); [`GateError::Stopped`] if
    /// the work panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, GateError> {
        let slot = self.enter().await.map_err(GateError::Busy)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let out = work();
            drop(slot);
            let _ = tx.send(out);
        });
        self.jobs
            .lock()
            .map_err(|_| GateError::Stopped)?
            .send(job)
            .map_err(|_| GateError::Stopped)?;
        rx.await.map_err(|_| GateError::Stopped)
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
