//! A time on an end-user page or in a message: in the customer's time zone, with the zone's
//! abbreviation, written the way the language writes dates.

use super::Language;
use countersign_domain::{Timestamp, Zone};

/// `at` in `zone`, e.g. `7 Dec 2026, 09:00 CET` (English) or `07.12.2026, 09:00 CET`
/// (German). Month names are only spelled out in English; the other languages use their
/// numeric forms, which read naturally there.
#[must_use]
pub fn local_time(at: Timestamp, zone: &Zone, language: Language) -> String {
    let pattern = match language {
        Language::En => "%-d %b %Y, %H:%M %Z",
        Language::De => "%d.%m.%Y, %H:%M %Z",
        Language::Fr => "%d/%m/%Y à %H:%M %Z",
        Language::Es => "%d/%m/%Y, %H:%M %Z",
        Language::Nl => "%d-%m-%Y %H:%M %Z",
    };
    zone.format_pattern(at, pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_local_with_the_zone_abbreviation() {
        // 2026-12-07 08:00 UTC.
        let at = Timestamp(1_796_630_400_000);
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        assert_eq!(
            local_time(at, &berlin, Language::De),
            "07.12.2026, 09:00 CET"
        );
        assert_eq!(
            local_time(at, &berlin, Language::En),
            "7 Dec 2026, 09:00 CET"
        );
        let ny = Zone::parse("America/New_York").expect("zone");
        assert_eq!(local_time(at, &ny, Language::Es), "07/12/2026, 03:00 EST");
        assert_eq!(
            local_time(at, &Zone::utc(), Language::Nl),
            "07-12-2026 08:00 UTC"
        );
        assert_eq!(
            local_time(at, &Zone::utc(), Language::Fr),
            "07/12/2026 à 08:00 UTC"
        );
    }
}
