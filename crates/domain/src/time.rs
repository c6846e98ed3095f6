//! Timestamps as Unix milliseconds: one representation for both database backends.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// A point in time, milliseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Self = Self(0);

    #[must_use]
    pub fn millis(self) -> i64 {
        self.0
    }

    #[must_use]
    pub fn plus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    #[must_use]
    pub fn minus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// Whole seconds since the epoch (for TOTP and similar).
    #[must_use]
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// RFC 3339 text in UTC, e.g. `2026-11-26T10:15:00Z`.
    #[must_use]
    pub fn rfc3339(self) -> String {
        ::time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .and_then(|t| {
                t.format(&::time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }

    /// Short human form for tables: `2026-11-26 10:15 UTC`.
    #[must_use]
    pub fn display(self) -> String {
        let fmt = ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        ::time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&fmt).ok())
            .unwrap_or_default()
    }

    /// [`Self::display`] without the date when it is `now`'s day (UTC): `10:15 UTC`, or
    /// `2026-11-25 10:15 UTC` on another day.
    #[must_use]
    pub fn display_near(self, now: Self) -> String {
        let full = self.display();
        match (full.split_once(' '), now.display().split_once(' ')) {
            (Some((day, time)), Some((today, _))) if day == today => time.to_owned(),
            _ => full,
        }
    }

    /// How long from `now` until this time, in words: `in 4 min`, `in 1 h 5 min`, `in less
    /// than a minute` (minutes rounded up, so the time has come when the words say).
    #[must_use]
    pub fn wait_from(self, now: Self) -> String {
        let ms = (self.0 - now.0).max(0);
        if ms < 60_000 {
            return "in less than a minute".into();
        }
        let minutes = ms.div_euclid(60_000) + i64::from(ms.rem_euclid(60_000) > 0);
        match (minutes / 60, minutes % 60) {
            (0, m) => format!("in {m} min"),
            (h, 0) => format!("in {h} h"),
            (h, m) => format!("in {h} h {m} min"),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_times_and_waits_read_as_people_say_them() {
        let now = Timestamp(1_765_030_000_000); // 2025-12-06 14:06:40 UTC
        assert_eq!(Timestamp(now.0 + 330_000).display_near(now), "14:12 UTC");
        assert_eq!(
            Timestamp(now.0 - 86_400_000).display_near(now),
            "2025-12-05 14:06 UTC"
        );
        assert_eq!(Timestamp(now.0 + 330_000).wait_from(now), "in 6 min");
        assert_eq!(Timestamp(now.0 + 240_000).wait_from(now), "in 4 min");
        assert_eq!(
            Timestamp(now.0 + 59_000).wait_from(now),
            "in less than a minute"
        );
        assert_eq!(Timestamp(now.0 + 3_900_000).wait_from(now), "in 1 h 5 min");
        assert_eq!(Timestamp(now.0 + 7_200_000).wait_from(now), "in 2 h");
        assert_eq!(Timestamp(now.0 - 1).wait_from(now), "in less than a minute");
    }

    #[test]
    fn formats_utc() {
        let t = Timestamp(1_795_000_000_000);
        assert_eq!(t.rfc3339(), "2026-11-18T11:06:40Z");
        assert_eq!(t.display(), "2026-11-18 11:06 UTC");
        assert_eq!(t.plus(Duration::from_secs(1)).0, 1_795_000_001_000);
    }
}
