//! Phone numbers: parsed into E.164 (`+` and up to 15 digits), the only form SMS providers
//! accept and the key by which numbers are compared. The text the number came in is kept,
//! because it is what the source (Microsoft 365, a PSA, a technician) wrote.
//!
//! Parsing, validation and formatting use libphonenumber's metadata (the `phonenumber`
//! crate), so a national number of any country with a numbering plan is understood. A number
//! is accepted when its length is possible in its country's plan; when it is also valid
//! (it matches one of the plan's number ranges) its kind is known: mobile, fixed line, both
//! (North America), or a service number. Numbers outside every assigned range are accepted
//! with an unknown kind, because the ranges reserved for drama and tests (`07700 900xxx`,
//! `555-01xx`) are what demos, documentation and test tenants use.

use crate::countries::COUNTRIES;
use phonenumber::metadata::{DATABASE, Database, Metadata};
use phonenumber::{Mode, PhoneNumber, Type};
use std::fmt;
use std::str::FromStr;

/// A country or territory of ISO 3166-1 (any of them: a customer's default country, a
/// tenant's country, a user's usage location). Stored by its alpha-2 code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Country(u8);

/// The index of `code` in [`COUNTRIES`], at compile time (for the named constants).
const fn index_of(code: &str) -> u8 {
    let want = code.as_bytes();
    let mut i = 0;
    while i < COUNTRIES.len() {
        let have = COUNTRIES[i].0.as_bytes();
        if have[0] == want[0] && have[1] == want[1] {
            #[allow(clippy::cast_possible_truncation)]
            return i as u8;
        }
        i += 1;
    }
    panic!("not an ISO 3166-1 alpha-2 code");
}

impl Country {
    /// United States (+1, NANP).
    pub const US: Self = Self(index_of("US"));
    /// Canada (+1, NANP).
    pub const CA: Self = Self(index_of("CA"));
    /// United Kingdom (+44).
    pub const GB: Self = Self(index_of("GB"));
    /// Germany (+49).
    pub const DE: Self = Self(index_of("DE"));
    /// France (+33).
    pub const FR: Self = Self(index_of("FR"));
    /// Netherlands (+31).
    pub const NL: Self = Self(index_of("NL"));
    /// Australia (+61).
    pub const AU: Self = Self(index_of("AU"));

    /// Every country of ISO 3166-1, by alpha-2 code.
    pub fn all() -> impl Iterator<Item = Self> {
        #[allow(clippy::cast_possible_truncation)]
        (0..COUNTRIES.len()).map(|i| Self(i as u8))
    }

    /// ISO 3166-1 alpha-2 code, as stored.
    #[must_use]
    pub fn code(self) -> &'static str {
        COUNTRIES[usize::from(self.0)].0
    }

    /// English short name for forms and messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        COUNTRIES[usize::from(self.0)].2
    }

    /// The country a Microsoft 365 user or tenant names: `usageLocation` and the
    /// organization's `countryLetterCode` are alpha-2 codes; a user's `country` is free text
    /// (Microsoft's example is "US" or "UK"), so an alpha-3 code or an English name is
    /// understood too. `None` for anything else.
    #[must_use]
    pub fn from_directory(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("UK") {
            return Some(Self::GB);
        }
        if let Ok(c) = text.parse::<Self>() {
            return Some(c);
        }
        Self::all().find(|c| {
            let (_, alpha3, name) = COUNTRIES[usize::from(c.0)];
            alpha3.eq_ignore_ascii_case(text) || name.eq_ignore_ascii_case(text)
        })
    }

    /// The country's numbering plan in libphonenumber, if it has one (Antarctica, Bouvet
    /// Island and a few other territories have none).
    fn plan(self) -> Option<phonenumber::country::Id> {
        self.code().parse().ok()
    }

    /// An example of a national mobile number, for error messages.
    #[must_use]
    pub fn example(self) -> String {
        let example = database().by_id(self.code()).and_then(|m| {
            let d = m.descriptors();
            d.mobile()
                .or(d.fixed_line())
                .and_then(|d| d.example())
                .map(str::to_owned)
        });
        example
            .and_then(|e| parse(self.plan(), &e).ok())
            .map(|n| n.format().mode(Mode::National).to_string())
            .unwrap_or_default()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Country {
    type Err = PhoneError;
    /// An ISO 3166-1 alpha-2 code, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        COUNTRIES
            .binary_search_by(|(code, _, _)| (*code).cmp(upper.as_str()))
            .ok()
            .and_then(|i| u8::try_from(i).ok())
            .map(Self)
            .ok_or(PhoneError::UnknownCountry)
    }
}

/// Why a text is not a phone number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was entered.
    #[error("enter a phone number")]
    Empty,
    /// Letters or other symbols.
    #[error("a phone number has only digits, spaces and + ( ) - . /")]
    Characters,
    /// A national number, and no country to read it with.
    #[error(
        "enter the number in international form, with + and the country code (e.g. +44 7700 900123): the customer has no default country"
    )]
    NoCountry,
    /// A national number of a country that has no numbering plan.
    #[error(
        "{country} has no phone numbering plan of its own: enter the number in international form, with + and the country code"
    )]
    NoPlan {
        /// The country's name.
        country: &'static str,
    },
    /// A national number that does not fit the country.
    #[error(
        "this is not a valid {country} number: enter it like {example}, or in international form with + and the country code"
    )]
    National {
        /// The country's name.
        country: &'static str,
        /// A well-formed example.
        example: String,
    },
    /// A `+` number of the wrong length or with a bad country code.
    #[error(
        "an international number is + and the country code followed by the number, 8 to 15 digits in all (e.g. +1 425 555 0101)"
    )]
    International,
    /// Not a country of ISO 3166-1.
    #[error("pick a country from the list")]
    UnknownCountry,
}

/// What kind of line a number is, where its country's plan says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// A mobile number.
    Mobile,
    /// A fixed line (landline): SMS does not reach it.
    FixedLine,
    /// Either (North America numbers do not tell).
    FixedLineOrMobile,
    /// A service number (toll free, premium rate, shared cost, UAN, voicemail): no SMS.
    Service,
    /// VoIP, personal or pager numbers, and numbers outside every assigned range.
    Unknown,
}

impl PhoneKind {
    pub(crate) fn of(t: Type) -> Self {
        match t {
            Type::Mobile => Self::Mobile,
            Type::FixedLine => Self::FixedLine,
            Type::FixedLineOrMobile => Self::FixedLineOrMobile,
            Type::TollFree
            | Type::PremiumRate
            | Type::SharedCost
            | Type::Uan
            | Type::Voicemail
            | Type::Emergency
            | Type::ShortCode
            | Type::StandardRate
            | Type::NoInternational => Self::Service,
            _ => Self::Unknown,
        }
    }

    /// Whether the plan says SMS cannot reach such a number (a fixed line or a service).
    #[must_use]
    pub fn never_mobile(self) -> bool {
        matches!(self, Self::FixedLine | Self::Service)
    }

    /// Words for messages: "a fixed line", …
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Mobile => "a mobile number",
            Self::FixedLine => "a fixed line (landline)",
            Self::FixedLineOrMobile => "a fixed line or mobile number",
            Self::Service => "a service number (toll free, premium rate, …)",
            Self::Unknown => "a number of unknown kind",
        }
    }
}

/// A phone number in E.164, with the text it was parsed from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone {
    e164: String,
    original: String,
    international: String,
    kind: PhoneKind,
}

impl Phone {
    /// Parses `text`: an international number (`+CC…`, `00CC…`, or the country's own
    /// international prefix such as `011` in North America), or a national number of
    /// `country`. Spaces, dashes, dots, slashes and parentheses are ignored, as is a `(0)`
    /// trunk hint after the country code (`+44 (0)20 7946 0958`).
    ///
    /// # Errors
    /// [`PhoneError`] says what is wrong, in words a technician can act on.
    pub fn parse(text: &str, country: Option<Country>) -> Result<Self, PhoneError> {
        let (original, number) = read(text, country)?;
        let (e164, kind) = e164_and_kind_of(&number)?;
        Ok(Self {
            e164,
            original: original.to_owned(),
            international: number.format().mode(Mode::International).to_string(),
            kind,
        })
    }

    /// What [`Phone::parse`] finds out for sending: the E.164 form and the kind of line,
    /// without the international format for people. A sync reads every user's number and
    /// shows none of them, and formatting is regex work per number.
    ///
    /// # Errors
    /// The same as [`Phone::parse`].
    pub fn e164_and_kind(
        text: &str,
        country: Option<Country>,
    ) -> Result<(String, PhoneKind), PhoneError> {
        let (_, number) = read(text, country)?;
        e164_and_kind_of(&number)
    }

    /// `+` and digits, e.g. `+14255550101`.
    #[must_use]
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The digits of the E.164 form, without `+`.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    /// The text the number was parsed from (trimmed).
    #[must_use]
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The number formatted for people in its country's international format:
    /// `+44 7700 900634`.
    #[must_use]
    pub fn international(&self) -> &str {
        &self.international
    }

    /// What kind of line it is, where the country's plan says.
    #[must_use]
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The number masked by the one rule ([`crate::mask::mask`]): `+•••••••0101`.
    #[must_use]
    pub fn masked(&self) -> String {
        crate::mask::mask(&self.e164)
    }
}

/// Reads `text` as [`Phone::parse`] describes; returns the trimmed text and the number.
fn read(text: &str, country: Option<Country>) -> Result<(&str, PhoneNumber), PhoneError> {
    let original = text.trim();
    if original.is_empty() {
        return Err(PhoneError::Empty);
    }
    let compact = compact(original)?;
    let compact = match compact.strip_prefix("00") {
        Some(rest) if country.is_none() => format!("+{rest}"),
        _ => compact,
    };
    if compact.starts_with('+') {
        let digits = compact.len() - 1;
        if !(8..=15).contains(&digits) {
            return Err(PhoneError::International);
        }
        let number = parse(None, &compact).map_err(|_| PhoneError::International)?;
        if !possible(&number, None) {
            return Err(PhoneError::International);
        }
        Ok((original, number))
    } else {
        let country = country.ok_or(PhoneError::NoCountry)?;
        let plan = country.plan().ok_or(PhoneError::NoPlan {
            country: country.name(),
        })?;
        let invalid = || PhoneError::National {
            country: country.name(),
            example: country.example(),
        };
        let number = parse(Some(plan), &compact).map_err(|_| invalid())?;
        if !possible(&number, Some(country)) {
            return Err(invalid());
        }
        Ok((original, number))
    }
}

/// The E.164 form of a read number and its kind where its plan says.
fn e164_and_kind_of(number: &PhoneNumber) -> Result<(String, PhoneKind), PhoneError> {
    let e164 = number.format().mode(Mode::E164).to_string();
    if !(9..=16).contains(&e164.len()) {
        return Err(PhoneError::International);
    }
    Ok((e164, crate::phone_kind::kind(number)))
}

/// How many compiled patterns libphonenumber keeps. Its own cache holds 100 for all countries
/// together, fewer than one plan's patterns for parsing, validation, type and formatting, so a
/// sync of many numbers recompiled regexes for almost every number (the sync benchmark took
/// 191 s instead of 14 s). Each pattern used is now compiled once per process; only the plans
/// of numbers actually seen are ever compiled.
const REGEX_CACHE: usize = 8192;

/// libphonenumber's metadata (its process-wide default), with the pattern cache widened
/// before first use.
pub(crate) fn database() -> &'static Database {
    static WIDENED: std::sync::Once = std::sync::Once::new();
    WIDENED.call_once(|| {
        let cache = DATABASE.cache();
        *cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            regex_cache::RegexCache::new(REGEX_CACHE);
    });
    &DATABASE
}

/// `phonenumber::parse` on [`database`] (which the crate's parser uses as its default).
fn parse(
    plan: Option<phonenumber::country::Id>,
    text: &str,
) -> Result<PhoneNumber, phonenumber::ParseError> {
    database();
    phonenumber::parse(plan, text)
}

/// `phonenumber::parse` with a country's plan, for the tests of `phone_kind`.
#[cfg(test)]
pub(crate) fn parse_number(
    country: Option<Country>,
    text: &str,
) -> Result<PhoneNumber, phonenumber::ParseError> {
    parse(country.and_then(Country::plan), text)
}

/// Whether the number's national part has a length its country's plan allows. The plan is
/// the country the number was read with, or for an international number the main region of
/// its calling code (regions sharing a code share its lengths: `+1`'s 25 regions are all 10
/// digits). No pattern is matched: choosing a region by its leading digits asks each
/// region's patterns in turn (25 for `+1`), and a sync checks every user's number.
fn possible(number: &PhoneNumber, country: Option<Country>) -> bool {
    let code = number.code().value();
    let meta = country
        .and_then(|c| database().by_id(c.code()))
        // "011 44 …" read in the United States is a British number.
        .filter(|m| m.country_code() == code)
        .or_else(|| {
            database().by_code(&code).and_then(|all| {
                all.iter()
                    .find(|m| m.is_main_country_for_code())
                    .or(all.first())
                    .copied()
            })
        });
    let Ok(len) = u16::try_from(number.national().to_string().len()) else {
        return false;
    };
    meta.is_some_and(|m| {
        // The general description's lengths are the union of the types' (often left out
        // of the metadata), so every type is asked.
        std::iter::once(m.descriptors().general())
            .chain(kind_descriptors(m))
            .any(|d| d.possible_length().contains(&len))
    })
}

/// A plan's descriptors of the kinds of number it has (fixed line, mobile, the services),
/// without the general one.
pub(crate) fn kind_descriptors(
    meta: &Metadata,
) -> impl Iterator<Item = &phonenumber::metadata::Descriptor> {
    let d = meta.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
}

/// An E.164 number in its country's international format for people (`+447700900634` →
/// `+44 7700 900634`); `None` when it is not one.
#[must_use]
pub fn international_format(e164: &str) -> Option<String> {
    parse(None, e164)
        .ok()
        .map(|n| n.format().mode(Mode::International).to_string())
}

/// The national significant number of an international number (`+44 20 7946 0958` →
/// `2079460958`), for search terms; `None` when `text` is not one.
///
/// The digits after the country calling code, found by the code alone: calling codes are
/// prefix-free (ITU-T E.164), so the first 1, 2 or 3 digits that are a code in the metadata
/// are it. No pattern is matched: every contact's every number passes here on each sync
/// write, and libphonenumber's full parse is regex work (issue 17.11's benchmark).
#[must_use]
pub fn national_digits(text: &str) -> Option<String> {
    let compact = compact(text.trim()).ok()?;
    let digits = compact.strip_prefix('+')?;
    (1..=3)
        .filter(|&n| digits.len() > n)
        .find(|&n| {
            digits[..n]
                .parse::<u16>()
                .is_ok_and(|code| database().by_code(&code).is_some())
        })
        .map(|n| digits[n..].to_owned())
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// Digits and a leading `+`, with formatting and a `(0)` trunk hint removed.
fn compact(text: &str) -> Result<String, PhoneError> {
    let without_trunk_hint = text.replace("(0)", "");
    let mut out = String::with_capacity(without_trunk_hint.len());
    for (i, c) in without_trunk_hint.chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\u{2011}' | '\u{2013}' => {}
            _ => return Err(PhoneError::Characters),
        }
    }
    if out.is_empty() || out == "+" {
        return Err(PhoneError::Characters);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(text: &str, country: Option<Country>) -> String {
        Phone::parse(text, country).unwrap().e164().to_owned()
    }

    fn country(code: &str) -> Option<Country> {
        Some(code.parse().unwrap())
    }

    #[test]
    fn international_forms() {
        assert_eq!(e164("+1 425 555 0101", None), "+14255550101");
        assert_eq!(e164("+1 (425) 555-0101", Some(Country::GB)), "+14255550101");
        assert_eq!(e164("0044 7700 900123", None), "+447700900123");
        assert_eq!(e164("+44 (0)20 7946 0958", None), "+442079460958");
        assert_eq!(
            e164("011 44 7700 900123", Some(Country::US)),
            "+447700900123"
        );
        assert_eq!(
            e164("00 44 7700 900123", Some(Country::DE)),
            "+447700900123"
        );
        assert_eq!(e164("+353 85 123 4567", None), "+353851234567");
        assert_eq!(e164("+49 151 23456789", None), "+4915123456789");
    }

    #[test]
    fn national_forms() {
        assert_eq!(e164("(425) 555-0101", Some(Country::US)), "+14255550101");
        assert_eq!(e164("1-425-555-0101", Some(Country::CA)), "+14255550101");
        assert_eq!(e164("425.555.0101", Some(Country::US)), "+14255550101");
        assert_eq!(e164("07700 900123", Some(Country::GB)), "+447700900123");
        assert_eq!(e164("020 7946 0958", Some(Country::GB)), "+442079460958");
        assert_eq!(e164("0151 23456789", Some(Country::DE)), "+4915123456789");
        assert_eq!(e164("030 123456", Some(Country::DE)), "+4930123456");
        assert_eq!(e164("06 12 34 56 78", Some(Country::FR)), "+33612345678");
        assert_eq!(e164("06-12345678", Some(Country::NL)), "+31612345678");
        assert_eq!(e164("0412 345 678", Some(Country::AU)), "+61412345678");
    }

    #[test]
    fn national_forms_of_countries_the_old_parser_did_not_know() {
        // Ireland, Italy (the leading zero is part of the number), Spain, Japan, India,
        // Brazil, South Africa, New Zealand.
        assert_eq!(e164("085 123 4567", country("IE")), "+353851234567");
        assert_eq!(e164("02 1234 5678", country("IT")), "+390212345678");
        assert_eq!(e164("612 34 56 78", country("ES")), "+34612345678");
        assert_eq!(e164("090-1234-5678", country("JP")), "+819012345678");
        assert_eq!(e164("081234 56789", country("IN")), "+918123456789");
        assert_eq!(e164("(11) 96123-4567", country("BR")), "+5511961234567");
        assert_eq!(e164("071 123 4567", country("ZA")), "+27711234567");
        assert_eq!(e164("021 123 4567", country("NZ")), "+64211234567");
    }

    #[test]
    fn the_plan_tells_mobile_from_fixed_line_where_it_can() {
        let kind = |t: &str, c: &str| Phone::parse(t, country(c)).unwrap().kind();
        assert_eq!(kind("07400 123456", "GB"), PhoneKind::Mobile);
        assert_eq!(kind("020 7946 0000", "GB"), PhoneKind::FixedLine);
        assert_eq!(kind("0151 23456789", "DE"), PhoneKind::Mobile);
        assert_eq!(kind("030 123456", "DE"), PhoneKind::FixedLine);
        assert_eq!(kind("06 12 34 56 78", "FR"), PhoneKind::Mobile);
        assert_eq!(kind("01 23 45 67 89", "FR"), PhoneKind::FixedLine);
        assert_eq!(kind("0800 123 4567", "GB"), PhoneKind::Service);
        // North American numbers do not say.
        assert_eq!(kind("(201) 555-0123", "US"), PhoneKind::FixedLineOrMobile);
        // The drama range: a possible length, in no assigned range.
        assert_eq!(kind("07700 900634", "GB"), PhoneKind::Unknown);
        assert!(PhoneKind::FixedLine.never_mobile() && PhoneKind::Service.never_mobile());
        assert!(!PhoneKind::Unknown.never_mobile() && !PhoneKind::Mobile.never_mobile());
    }

    #[test]
    fn keeps_the_original_text_and_formats_for_people() {
        let p = Phone::parse("  (425) 555-0101 ", Some(Country::US)).unwrap();
        assert_eq!(p.original(), "(425) 555-0101");
        assert_eq!(p.digits(), "14255550101");
        assert_eq!(p.masked(), "+•••••••0101");
        assert_eq!(p.international(), "+1 425-555-0101");
        let p = Phone::parse("07700900634", Some(Country::GB)).unwrap();
        assert_eq!(p.international(), "+44 7700 900634");
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(Phone::parse(" ", None), Err(PhoneError::Empty));
        assert_eq!(
            Phone::parse("555-CALL-NOW", None),
            Err(PhoneError::Characters)
        );
        assert_eq!(
            Phone::parse("07700 900123", None),
            Err(PhoneError::NoCountry)
        );
        assert!(matches!(
            Phone::parse("555 0101", Some(Country::US)),
            Err(PhoneError::National {
                country: "United States",
                ..
            })
        ));
        assert!(matches!(
            Phone::parse("06 1234", Some(Country::FR)),
            Err(PhoneError::National { .. })
        ));
        let Err(PhoneError::National { example, .. }) = Phone::parse("0770", country("GB")) else {
            panic!("a short GB number is refused");
        };
        assert_eq!(example, "07400 123456", "the plan's own example mobile");
        assert_eq!(
            Phone::parse("012 345", country("AQ")),
            Err(PhoneError::NoPlan {
                country: "Antarctica"
            })
        );
        assert_eq!(
            Phone::parse("+1 425 555", None),
            Err(PhoneError::International)
        );
        assert_eq!(
            Phone::parse("+0 425 555 0101", None),
            Err(PhoneError::International)
        );
        assert_eq!(
            Phone::parse("+1234567890123456", None),
            Err(PhoneError::International)
        );
        assert_eq!(Phone::parse("+44 12", None), Err(PhoneError::International));
    }

    #[test]
    fn countries_are_every_iso_3166_code() {
        assert_eq!("gb".parse::<Country>(), Ok(Country::GB));
        assert_eq!("XX".parse::<Country>(), Err(PhoneError::UnknownCountry));
        assert_eq!(Country::all().count(), 249);
        assert_eq!(country("KE").unwrap().name(), "Kenya");
        for c in Country::all() {
            assert_eq!(c.code().parse::<Country>(), Ok(c));
        }
    }

    #[test]
    fn directory_countries_are_codes_or_names() {
        assert_eq!(Country::from_directory("GB"), Some(Country::GB));
        assert_eq!(Country::from_directory("uk"), Some(Country::GB));
        assert_eq!(Country::from_directory("DEU"), Some(Country::DE));
        assert_eq!(Country::from_directory("france"), Some(Country::FR));
        assert_eq!(Country::from_directory("Narnia"), None);
        assert_eq!(Country::from_directory(""), None);
    }

    #[test]
    fn e164_numbers_are_shown_in_their_countrys_format() {
        assert_eq!(
            international_format("+447700900634").as_deref(),
            Some("+44 7700 900634")
        );
        assert_eq!(
            international_format("+4915123456789").as_deref(),
            Some("+49 1512 3456789")
        );
        assert_eq!(international_format("07700 900634"), None);
    }

    #[test]
    fn national_digits_of_any_calling_code() {
        assert_eq!(
            national_digits("+44 20 7946 0958").as_deref(),
            Some("2079460958")
        );
        assert_eq!(
            national_digits("+353 85 123 4567").as_deref(),
            Some("851234567")
        );
        assert_eq!(national_digits("020 7946 0958"), None);
        assert_eq!(
            national_digits("+1 (425) 555-0101").as_deref(),
            Some("4255550101")
        );
        // A national number may begin with the trunk prefix's digit (Russia's 8 00 numbers)
        // or keep its leading zero (Italy): only the calling code is taken off.
        assert_eq!(
            national_digits("+7 800 555 35 35").as_deref(),
            Some("8005553535")
        );
        assert_eq!(
            national_digits("+39 06 1234 5678").as_deref(),
            Some("0612345678")
        );
        // No such calling code: not an international number.
        assert_eq!(national_digits("+999 123 456 789"), None);
    }

    #[test]
    fn e164_and_kind_agree_with_parse() {
        for (text, country) in [
            ("+44 7700 900634", None),
            ("07700 900634", Some(Country::GB)),
            ("020 7946 0958", Some(Country::GB)),
            ("(206) 555-0142", Some(Country::US)),
            ("0151/23456789", Some(Country::DE)),
        ] {
            let full = Phone::parse(text, country).unwrap();
            assert_eq!(
                Phone::e164_and_kind(text, country).unwrap(),
                (full.e164().to_owned(), full.kind()),
                "{text}"
            );
        }
        assert_eq!(
            Phone::e164_and_kind("12", Some(Country::GB)),
            Phone::parse("12", Some(Country::GB)).map(|p| (p.e164().to_owned(), p.kind()))
        );
    }
}
