//! Time is injected, so tests can move it (session timeouts, invite expiry, throttles) and
//! never wait for real (the login slow-down).

use countersign_domain::Timestamp;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A wait handed out by [`Clock::pause`].
pub type Pause = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;

    /// Waits `d` (the login slow-down). The real clock sleeps; a manual one moves instead.
    fn pause(&self, d: Duration) -> Pause {
        Box::pin(tokio::time::sleep(d))
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

/// A clock tests can set and advance; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
    /// Milliseconds asked for by [`Clock::pause`] so far.
    paused: Arc<AtomicI64>,
}

impl ManualClock {
    #[must_use]
    pub fn starting_now() -> Self {
        Self {
            now: Arc::new(AtomicI64::new(SystemClock.now().0)),
            paused: Arc::new(AtomicI64::new(0)),
        }
    }

    pub fn advance(&self, d: Duration) {
        self.now.fetch_add(millis(d), Ordering::SeqCst);
    }

    /// The total of every pause so far (each also advanced the clock), for tests that check
    /// a slow-down was applied without waiting for it.
    #[must_use]
    pub fn paused(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.paused.load(Ordering::SeqCst)).unwrap_or(0))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.now.load(Ordering::SeqCst))
    }

    /// Returns at once, having moved the clock by `d` (as a real wait would have).
    fn pause(&self, d: Duration) -> Pause {
        self.paused.fetch_add(millis(d), Ordering::SeqCst);
        self.advance(d);
        Box::pin(std::future::ready(()))
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
