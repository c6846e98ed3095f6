//! The emulator's clock: wall time plus an offset that the control API can push forward.
//!
//! Expiry rules (access tokens, codes, refresh-token inactivity, delta tokens, client secrets,
//! throttling windows) all read this clock, so a test can jump a week ahead instead of sleeping.

use countersign_domain::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    #[must_use]
    pub fn now(&self) -> Timestamp {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp(wall.saturating_add(self.offset_ms.load(Ordering::Relaxed)))
    }

    /// Moves the clock forward (never backward: expiries must stay monotonic).
    pub fn advance_seconds(&self, seconds: u64) {
        let ms = i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    #[must_use]
    pub fn now_seconds(&self) -> i64 {
        self.now().unix_seconds()
    }
}

/// `2016-01-09 02:02:12Z`, the timestamp format of identity-platform error bodies.
#[must_use]
pub fn aad_timestamp(t: Timestamp) -> String {
    format_with(
        t,
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z"),
    )
}

/// `2022-03-28T07:32:32`, the `innerError.date` format of Graph error bodies.
#[must_use]
pub fn graph_date(t: Timestamp) -> String {
    format_with(
        t,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    )
}

fn format_with(t: Timestamp, fmt: &[time::format_description::FormatItem<'_>]) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.millis()) * 1_000_000)
        .ok()
        .and_then(|d| d.format(fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance_seconds(3600);
        assert!(clock.now().millis() - before.millis() >= 3_600_000);
    }

    #[test]
    fn formats_match_microsoft() {
        let t = Timestamp(1_452_304_932_000);
        assert_eq!(aad_timestamp(t), "2016-01-09 02:02:12Z");
        assert_eq!(graph_date(t), "2016-01-09T02:02:12");
    }
}
