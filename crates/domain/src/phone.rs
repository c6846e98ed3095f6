//! Phone numbers: parsed into E.164 (`+` and up to 15 digits), the only form SMS providers
//! accept and the key by which numbers are compared. The text the number came in is kept,
//! because it is what the source (Microsoft 365, a PSA, a technician) wrote.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Countries whose national formats [`Phone::parse`] understands. A customer's default
/// country is one of these; numbers of any other country are entered with `+` and the
/// country code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Country {
    /// United States (+1, NANP).
    US,
    /// Canada (+1, NANP).
    CA,
    /// United Kingdom (+44).
    GB,
    /// Germany (+49).
    DE,
    /// France (+33).
    FR,
    /// Netherlands (+31).
    NL,
    /// Australia (+61).
    AU,
}

impl Country {
    /// Every supported country, in the order forms list them.
    pub const ALL: [Self; 7] = [
        Self::US,
        Self::CA,
        Self::GB,
        Self::DE,
        Self::FR,
        Self::NL,
        Self::AU,
    ];

    /// ISO 3166-1 alpha-2 code, as stored.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::US => "US",
            Self::CA => "CA",
            Self::GB => "GB",
            Self::DE => "DE",
            Self::FR => "FR",
            Self::NL => "NL",
            Self::AU => "AU",
        }
    }

    /// English name for forms and messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::US => "United States",
            Self::CA => "Canada",
            Self::GB => "United Kingdom",
            Self::DE => "Germany",
            Self::FR => "France",
            Self::NL => "Netherlands",
            Self::AU => "Australia",
        }
    }

    /// The international calling code, without `+`.
    #[must_use]
    pub fn calling_code(self) -> &'static str {
        match self {
            Self::US | Self::CA => "1",
            Self::GB => "44",
            Self::DE => "49",
            Self::FR => "33",
            Self::NL => "31",
            Self::AU => "61",
        }
    }

    /// An example of a national number, for error messages.
    #[must_use]
    pub fn example(self) -> &'static str {
        match self {
            Self::US | Self::CA => "(425) 555-0101",
            Self::GB => "07700 900123",
            Self::DE => "0151 23456789",
            Self::FR => "06 12 34 56 78",
            Self::NL => "06 12345678",
            Self::AU => "0412 345 678",
        }
    }

    /// Valid lengths of the national significant number (without trunk prefix).
    fn nsn_lengths(self) -> (usize, usize) {
        match self {
            Self::US | Self::CA => (10, 10),
            Self::GB => (9, 10),
            Self::DE => (6, 13),
            Self::FR | Self::NL | Self::AU => (9, 9),
        }
    }

    /// Whether `nsn` (digits after the calling code) is a plausible number of this country.
    fn valid_nsn(self, nsn: &str) -> bool {
        let (min, max) = self.nsn_lengths();
        if !(min..=max).contains(&nsn.len()) || nsn.starts_with('0') {
            return false;
        }
        match self {
            // NANP: area code and exchange both start with 2-9.
            Self::US | Self::CA => {
                let b = nsn.as_bytes();
                b[0] >= b'2' && b[3] >= b'2'
            }
            _ => true,
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Country {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|c| c.code() == upper)
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
    /// A national number, and no default country to read it with.
    #[error(
        "enter the number in international form, with + and the country code (e.g. +44 7700 900123): the customer has no default country"
    )]
    NoCountry,
    /// A national number that does not fit the default country.
    #[error(
        "this is not a valid {country} number: enter it like {example}, or in international form with + and the country code"
    )]
    National {
        /// The country's name.
        country: &'static str,
        /// A well-formed example.
        example: &'static str,
    },
    /// A `+` number of the wrong length or with a bad country code.
    #[error(
        "an international number is + and the country code followed by the number, 8 to 15 digits in all (e.g. +1 425 555 0101)"
    )]
    International,
    /// Not a supported country code.
    #[error("pick a country from the list")]
    UnknownCountry,
}

/// A phone number in E.164, with the text it was parsed from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    e164: String,
    original: String,
}

impl Phone {
    /// Parses `text`: an international number (`+CC…`, `00CC…`, or `011…` in North America),
    /// or a national number read with `default_country`. Spaces, dashes, dots, slashes and
    /// parentheses are ignored, as is a `(0)` trunk hint after the country code
    /// (`+44 (0)20 7946 0958`).
    ///
    /// # Errors
    /// [`PhoneError`] says what is wrong, in words a technician can act on.
    pub fn parse(text: &str, default_country: Option<Country>) -> Result<Self, PhoneError> {
        let original = text.trim();
        if original.is_empty() {
            return Err(PhoneError::Empty);
        }
        let compact = compact(original)?;
        let e164 = if let Some(rest) = compact.strip_prefix('+') {
            international(rest)?
        } else if let Some(rest) = compact.strip_prefix("00") {
            international(rest)?
        } else {
            let country = default_country.ok_or(PhoneError::NoCountry)?;
            match (country, compact.strip_prefix("011")) {
                (Country::US | Country::CA, Some(rest)) => international(rest)?,
                _ => national(&compact, country)?,
            }
        };
        Ok(Self {
            e164,
            original: original.to_owned(),
        })
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

    /// The number with all but the last 4 digits hidden, for lists and logs: `+1 ••• 0101`.
    #[must_use]
    pub fn masked(&self) -> String {
        mask_e164(&self.e164)
    }
}

/// Masks an E.164 text: `+1425…0101` → `+•••••••0101`.
#[must_use]
pub fn mask_e164(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().saturating_sub(4);
    let mut out = String::from("+");
    for (i, d) in digits.iter().enumerate() {
        out.push(if i < keep { '•' } else { *d });
    }
    out
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

/// `digits` after `+`: a calling code and number, 8 to 15 digits; the countries we know are
/// checked against their national rules too.
fn international(digits: &str) -> Result<String, PhoneError> {
    if !(8..=15).contains(&digits.len())
        || digits.starts_with('0')
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(PhoneError::International);
    }
    // NANP (+1) is checked strictly; the other known codes by length only, because their
    // number plans vary more than a length rule can say.
    for country in [
        Country::US,
        Country::GB,
        Country::DE,
        Country::FR,
        Country::NL,
        Country::AU,
    ] {
        if let Some(nsn) = digits.strip_prefix(country.calling_code()) {
            if !country.valid_nsn(nsn) {
                return Err(PhoneError::International);
            }
            break;
        }
    }
    Ok(format!("+{digits}"))
}

/// A national number of `country`: the trunk prefix (`0`, or `1` in NANP) is optional.
fn national(digits: &str, country: Country) -> Result<String, PhoneError> {
    let invalid = PhoneError::National {
        country: country.name(),
        example: country.example(),
    };
    let nsn = match country {
        Country::US | Country::CA if digits.len() == 11 => {
            digits.strip_prefix('1').ok_or(invalid.clone())?
        }
        Country::US | Country::CA => digits,
        _ => digits.strip_prefix('0').unwrap_or(digits),
    };
    if country.valid_nsn(nsn) {
        Ok(format!("+{}{nsn}", country.calling_code()))
    } else {
        Err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(text: &str, country: Option<Country>) -> String {
        Phone::parse(text, country).unwrap().e164().to_owned()
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
    fn keeps_the_original_text() {
        let p = Phone::parse("  (425) 555-0101 ", Some(Country::US)).unwrap();
        assert_eq!(p.original(), "(425) 555-0101");
        assert_eq!(p.digits(), "14255550101");
        assert_eq!(p.masked(), "+•••••••0101");
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
            Phone::parse("(125) 555-0101", Some(Country::US)),
            Err(PhoneError::National { .. })
        ));
        assert!(matches!(
            Phone::parse("06 1234", Some(Country::FR)),
            Err(PhoneError::National { .. })
        ));
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
    fn countries_parse_case_insensitively() {
        assert_eq!("gb".parse::<Country>(), Ok(Country::GB));
        assert_eq!("XX".parse::<Country>(), Err(PhoneError::UnknownCountry));
    }
}
