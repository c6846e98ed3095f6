//! Time zones: an org's (schedules are entered and shown in it) and a customer's (quiet hours
//! are its local night). IANA names, resolved against the tz database bundled into the binary,
//! so a server in a container without tzdata still knows `Europe/Berlin`.

use crate::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use std::fmt;

/// A valid IANA time zone name, e.g. `Europe/Berlin` or `UTC`.
#[derive(Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Why a zone name or a local time was refused; the message says what to enter.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    /// Not a name of the tz database.
    #[error("{0:?} is not a time zone: use a name such as Europe/London or America/New_York")]
    UnknownZone(String),
    /// Not `YYYY-MM-DDTHH:MM`.
    #[error("enter a date and time such as 2026-12-07T09:00")]
    BadLocalTime,
    /// A local time skipped by a daylight-saving change.
    #[error("{0} does not exist in {1} (the clocks skip it): choose another time")]
    Skipped(String, String),
}

impl Zone {
    /// UTC.
    #[must_use]
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// Parses an IANA name (surrounding spaces ignored).
    ///
    /// # Errors
    /// The name is not in the tz database.
    pub fn parse(name: &str) -> Result<Self, ZoneError> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("utc") {
            return Ok(Self::utc());
        }
        let tz = jiff::tz::db()
            .get(name)
            .map_err(|_| ZoneError::UnknownZone(name.to_owned()))?;
        Ok(Self {
            name: tz.iana_name().unwrap_or(name).to_owned(),
            tz,
        })
    }

    /// A stored name, or UTC when it is absent or no longer known (a tz database update may
    /// retire a name; the stored value must not stop a broadcast).
    #[must_use]
    pub fn or_utc(name: Option<&str>) -> Self {
        name.and_then(|n| Self::parse(n).ok())
            .unwrap_or_else(Self::utc)
    }

    /// The IANA name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads `YYYY-MM-DDTHH:MM` (what an `<input type="datetime-local">` posts) as a local time
    /// of this zone. A time the clocks repeat (autumn) is the earlier one.
    ///
    /// # Errors
    /// Malformed, or skipped by a daylight-saving change.
    pub fn parse_local(&self, text: &str) -> Result<Timestamp, ZoneError> {
        let dt: DateTime = text.trim().parse().map_err(|_| ZoneError::BadLocalTime)?;
        let ambiguous = self.tz.to_ambiguous_zoned(dt);
        if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
            return Err(ZoneError::Skipped(
                text.trim().to_owned(),
                self.name.clone(),
            ));
        }
        let zoned = ambiguous.earlier().map_err(|_| ZoneError::BadLocalTime)?;
        Ok(Timestamp(zoned.timestamp().as_millisecond()))
    }

    /// `at` as a local time of this zone for people: `2026-12-07 09:00 CET`.
    #[must_use]
    pub fn format(&self, at: Timestamp) -> String {
        self.zoned(at).map_or_else(
            || at.display(),
            |z| z.strftime("%Y-%m-%d %H:%M %Z").to_string(),
        )
    }

    /// `at` as a local time of this zone in a `strftime` pattern (`%Z`: the zone's
    /// abbreviation, e.g. `CET`), for texts formatted per language; `at.display()` when the
    /// instant is out of range.
    #[must_use]
    pub fn format_pattern(&self, at: Timestamp, pattern: &str) -> String {
        self.zoned(at)
            .map_or_else(|| at.display(), |z| z.strftime(pattern).to_string())
    }

    /// `at` as the value of an `<input type="datetime-local">`: `2026-12-07T09:00`.
    #[must_use]
    pub fn input_value(&self, at: Timestamp) -> String {
        self.zoned(at)
            .map(|z| z.strftime("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    }

    /// Minutes after local midnight at `at`.
    #[must_use]
    pub fn minute_of_day(&self, at: Timestamp) -> u16 {
        self.zoned(at).map_or(0, |z| {
            u16::try_from(i32::from(z.hour()) * 60 + i32::from(z.minute())).unwrap_or(0)
        })
    }

    fn zoned(&self, at: Timestamp) -> Option<jiff::Zoned> {
        jiff::Timestamp::from_millisecond(at.0)
            .ok()
            .map(|t| t.to_zoned(self.tz.clone()))
    }
}

/// A daily window, in local minutes after midnight, in which broadcasts wait: `start` up to
/// (not including) `end`; `start > end` wraps midnight (21:00–08:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet minute.
    pub start_minute: u16,
    /// First minute after the window.
    pub end_minute: u16,
}

/// Minutes in a day.
pub const MINUTES_PER_DAY: u16 = 1440;

impl QuietHours {
    /// Both minutes below 1440 and different, or `None`.
    #[must_use]
    pub fn new(start_minute: u16, end_minute: u16) -> Option<Self> {
        (start_minute < MINUTES_PER_DAY
            && end_minute < MINUTES_PER_DAY
            && start_minute != end_minute)
            .then_some(Self {
                start_minute,
                end_minute,
            })
    }

    /// Whether local minute `m` is quiet.
    #[must_use]
    pub fn contains(self, m: u16) -> bool {
        if self.start_minute < self.end_minute {
            (self.start_minute..self.end_minute).contains(&m)
        } else {
            m >= self.start_minute || m < self.end_minute
        }
    }

    /// Whether it is quiet in `zone` at `at`.
    #[must_use]
    pub fn is_quiet(self, zone: &Zone, at: Timestamp) -> bool {
        self.contains(zone.minute_of_day(at))
    }

    /// When the quiet window around `at` ends in `zone` (at most a day later; `at` itself when
    /// it is not quiet). A minute's precision: the window ends at the first local minute
    /// outside it, found by stepping, which also handles daylight-saving days.
    #[must_use]
    pub fn ends_after(self, zone: &Zone, at: Timestamp) -> Timestamp {
        const MINUTE: i64 = 60_000;
        if !self.is_quiet(zone, at) {
            return at;
        }
        let start = at.0 - at.0.rem_euclid(MINUTE);
        let day = i64::from(MINUTES_PER_DAY);
        (1..=day)
            .map(|step| Timestamp(start + step * MINUTE))
            .find(|t| !self.is_quiet(zone, *t))
            .unwrap_or(Timestamp(start + day * MINUTE))
    }

    /// `HH:MM`.
    #[must_use]
    pub fn label(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// Reads `HH:MM` (what an `<input type="time">` posts).
    #[must_use]
    pub fn parse_minute(text: &str) -> Option<u16> {
        let (h, m) = text.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_local_times_convert_both_ways() {
        assert!(matches!(
            Zone::parse("Mars/Olympus"),
            Err(ZoneError::UnknownZone(_))
        ));
        let berlin = Zone::parse(" Europe/Berlin ").unwrap();
        assert_eq!(berlin.name(), "Europe/Berlin");
        // 09:00 in Berlin in December is 08:00 UTC.
        let t = berlin.parse_local("2026-12-07T09:00").unwrap();
        assert_eq!(t.rfc3339(), "2026-12-07T08:00:00Z");
        assert_eq!(berlin.input_value(t), "2026-12-07T09:00");
        assert_eq!(berlin.format(t), "2026-12-07 09:00 CET");
        assert_eq!(berlin.minute_of_day(t), 9 * 60);
        assert_eq!(berlin.parse_local("tomorrow"), Err(ZoneError::BadLocalTime));
        // 02:30 on the last Sunday of March does not exist in Berlin.
        assert!(matches!(
            berlin.parse_local("2027-03-28T02:30"),
            Err(ZoneError::Skipped(..))
        ));
        assert_eq!(Zone::or_utc(Some("Nowhere/Else")).name(), "UTC");
    }

    #[test]
    fn quiet_hours_wrap_midnight_and_end_on_the_next_allowed_minute() {
        let q = QuietHours::new(21 * 60, 8 * 60).unwrap();
        assert!(q.contains(22 * 60) && q.contains(7 * 60 + 59) && q.contains(21 * 60));
        assert!(!q.contains(8 * 60) && !q.contains(12 * 60));
        let day = QuietHours::new(12 * 60, 13 * 60).unwrap();
        assert!(day.contains(12 * 60 + 30) && !day.contains(13 * 60));
        assert_eq!(QuietHours::new(5, 5), None);
        let ny = Zone::parse("America/New_York").unwrap();
        // 02:00 UTC on 7 December is 21:00 in New York: quiet until 08:00 there (13:00 UTC).
        let at = Zone::utc().parse_local("2026-12-07T02:00").unwrap();
        assert!(q.is_quiet(&ny, at));
        assert_eq!(q.ends_after(&ny, at).rfc3339(), "2026-12-07T13:00:00Z");
        let noon = Zone::utc().parse_local("2026-12-07T17:00").unwrap();
        assert_eq!(q.ends_after(&ny, noon), noon);
        assert_eq!(QuietHours::parse_minute("21:30"), Some(21 * 60 + 30));
        assert_eq!(QuietHours::parse_minute("24:00"), None);
        assert_eq!(QuietHours::label(8 * 60 + 5), "08:05");
    }
}
