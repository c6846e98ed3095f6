//! Contact search: how names, addresses and phone numbers become search terms, and how what a
//! technician types becomes a query over those terms.
//!
//! Every contact has a set of **terms**, kept by the store in an index next to the contact:
//! each word of its names, folded (lowercase, accents stripped, so `Zoë` and `ZOE` are the
//! same word); its email address, UPN and their domains, lowercased; and for each phone number
//! of at least [`MIN_DIGITS`] digits, at most three terms: its digits and, for a number written
//! with `+` and a calling code, its national digits, both marked with [`DIGITS_MARK`], and
//! its digits reversed, marked with [`REVERSED_MARK`]. A query token matches a contact when some
//! term *starts with* it, which an ordered index answers with one range scan; a digits token
//! is looked up both ways, so it matches the start of a number (`+1 425…`, `425 555…`) and,
//! reversed, its end: typing `0101` or `555 0101` finds `+1 425 555 0101`. (Digits from the
//! middle of a number, `5550`, do not match: every suffix as a term made the index ~3× larger.)

use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Marks a digits term, so digits never match the start of a word and vice versa.
pub const DIGITS_MARK: char = '#';

/// Marks a reversed digits term (a digits token reversed is a prefix of it when the token
/// ends the number).
pub const REVERSED_MARK: char = '!';

/// The fewest digits a phone search needs (shorter strings match too much to be useful).
pub const MIN_DIGITS: usize = 3;

/// Terms longer than this are cut (an index key stays small).
const MAX_TERM_CHARS: usize = 100;

/// At most this many tokens of a query are used.
const MAX_TOKENS: usize = 4;

/// Lowercase without accents: NFKD, combining marks dropped, and the few Latin letters that
/// do not decompose spelt out (`ß` → `ss`, `ø` → `o`, …).
#[must_use]
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            other => out.extend(other.to_lowercase()),
        }
    }
    out
}

/// The key contacts are sorted by name with: the folded display name, spaces collapsed.
#[must_use]
pub fn name_key(display_name: &str) -> String {
    fold(display_name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the terms of one contact are made from.
#[derive(Clone, Copy, Debug, Default)]
pub struct TermSource<'a> {
    /// Display name, given name, surname (any may be empty).
    pub names: [&'a str; 3],
    /// Email address, if any.
    pub email: Option<&'a str>,
    /// User principal name, if any.
    pub upn: Option<&'a str>,
    /// Phone numbers (any text: only the digits count).
    pub phones: &'a [&'a str],
}

/// The search terms of a contact (see the module documentation).
#[must_use]
pub fn terms(source: &TermSource<'_>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in source.names {
        for word in words(name) {
            out.insert(word);
        }
    }
    for address in [source.email, source.upn].into_iter().flatten() {
        let lower = fold(address.trim());
        if lower.is_empty() {
            continue;
        }
        if let Some((_, domain)) = lower.rsplit_once('@')
            && !domain.is_empty()
        {
            out.insert(cut(domain));
        }
        out.insert(cut(&lower));
    }
    for phone in source.phones {
        out.extend(phone_terms(phone));
    }
    out
}

/// The terms of one phone number: its digits, its national digits (when written with `+` and
/// the calling code of any country: libphonenumber splits them) and its digits reversed. None when it has fewer than [`MIN_DIGITS`].
/// The store's migration `0005_search_terms.sql` computes the same terms in SQL.
#[must_use]
pub fn phone_terms(phone: &str) -> Vec<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < MIN_DIGITS {
        return Vec::new();
    }
    let mut out = vec![format!("{DIGITS_MARK}{digits}")];
    if let Some(national) = crate::phone::national_digits(phone)
        && national.len() >= MIN_DIGITS
        && national != digits
    {
        out.push(format!("{DIGITS_MARK}{national}"));
    }
    out.push(format!("{REVERSED_MARK}{}", reversed(&digits)));
    out
}

fn reversed(digits: &str) -> String {
    digits.chars().rev().collect()
}

/// Folded words of a name; a hyphenated or apostrophised word counts whole and by its parts
/// (`Jean-Luc` gives `jean-luc`, `jean`, `luc`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in fold(name).split_whitespace() {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        out.push(cut(word));
        if word.contains(['-', '\'', '.']) {
            for part in word.split(['-', '\'', '.']).filter(|p| !p.is_empty()) {
                out.push(cut(part));
            }
        }
    }
    out
}

fn cut(term: &str) -> String {
    term.chars().take(MAX_TERM_CHARS).collect()
}

/// One token of a search: a contact matches when one of its terms starts with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A folded word or address prefix.
    Text(String),
    /// Digits of a phone number (a substring of the number).
    Digits(String),
}

impl Token {
    /// The ranges `[low, high)` of the terms it matches, compared byte by byte (the store
    /// keeps terms in binary order: SQLite's default, `COLLATE "C"` on PostgreSQL): the
    /// terms that start with the text, or for digits those that start with the digits and
    /// the reversed terms that start with the digits reversed. `high` is the prefix followed
    /// by the highest code point, which sorts after every continuation of the prefix.
    #[must_use]
    pub fn ranges(&self) -> Vec<(String, String)> {
        let prefixes = match self {
            Self::Text(t) => vec![t.clone()],
            Self::Digits(d) => vec![
                format!("{DIGITS_MARK}{d}"),
                format!("{REVERSED_MARK}{}", reversed(d)),
            ],
        };
        prefixes
            .into_iter()
            .map(|low| {
                let mut high = low.clone();
                high.push(char::MAX);
                (low, high)
            })
            .collect()
    }
}

/// Turns what a technician typed into tokens, all of which must match. A query that is a
/// phone number in any format (`+1 (425) 555-0101`, `555 0101`) becomes one digits token;
/// otherwise each word is a token, folded, and a word of digits only is a digits token.
/// Empty when there is nothing to search for.
#[must_use]
pub fn parse_query(query: &str) -> Vec<Token> {
    let query = query.trim();
    let phone_like = query
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/'));
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    if phone_like && digits.len() >= MIN_DIGITS {
        return vec![Token::Digits(cut(&digits))];
    }
    let mut tokens = Vec::new();
    for raw in fold(query).split_whitespace() {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.');
        let word = word.trim_start_matches([DIGITS_MARK, REVERSED_MARK]);
        if word.is_empty() {
            continue;
        }
        let token = if word.len() >= MIN_DIGITS && word.bytes().all(|b| b.is_ascii_digit()) {
            Token::Digits(cut(word))
        } else {
            Token::Text(cut(word))
        };
        if !tokens.contains(&token) {
            tokens.push(token);
        }
        if tokens.len() == MAX_TOKENS {
            break;
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(source: &TermSource<'_>, query: &str) -> bool {
        let terms = terms(source);
        let tokens = parse_query(query);
        !tokens.is_empty()
            && tokens.iter().all(|t| {
                t.ranges()
                    .iter()
                    .any(|(low, high)| terms.iter().any(|term| term >= low && term < high))
            })
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Zoë ÅNGSTRÖM"), "zoe angstrom");
        assert_eq!(fold("Straße Øster Łukasz"), "strasse oster lukasz");
        assert_eq!(name_key("  José   Álvarez "), "jose alvarez");
    }

    #[test]
    fn phone_digits_match_anywhere() {
        let s = TermSource {
            names: ["Ann Lee", "Ann", "Lee"],
            phones: &["+1 425 555 0101"],
            ..TermSource::default()
        };
        assert!(matches(&s, "0101"));
        assert!(matches(&s, "555 0101"));
        assert!(matches(&s, "(425) 555-0101"));
        assert!(matches(&s, "+14255550101"));
        assert!(matches(&s, "425 555"), "national digits");
        assert!(matches(&s, "1425"));
        assert!(!matches(&s, "5550"), "the middle of a number is not a term");
        assert!(!matches(&s, "0102"));
        assert!(!matches(&s, "01"), "two digits are too few");
    }

    #[test]
    fn names_match_by_word_prefix_without_case_or_accents() {
        let s = TermSource {
            names: ["Zoë Ångström-Berg", "Zoë", "Ångström-Berg"],
            email: Some("Zoe.Angstrom@Contoso.example"),
            upn: Some("zoe@contoso.onmicrosoft.example"),
            phones: &[],
        };
        for q in [
            "zoe",
            "ZOË",
            "angs",
            "berg",
            "Zo Ång",
            "zoe.angstrom@",
            "ZOE.ANGSTROM@CONTOSO",
            "contoso.example",
            "zoe@contoso.onmicrosoft",
        ] {
            assert!(matches(&s, q), "{q}");
        }
        for q in ["oe", "zoe smith", "fabrikam"] {
            assert!(!matches(&s, q), "{q}");
        }
    }

    #[test]
    fn a_phone_number_has_at_most_three_terms() {
        assert_eq!(
            phone_terms("+1 425 555 0101"),
            vec!["#14255550101", "#4255550101", "!10105555241"]
        );
        assert_eq!(
            phone_terms("(425) 555-0101"),
            vec!["#4255550101", "!1010555524"]
        );
        assert!(phone_terms("12").is_empty());
        let s = TermSource {
            phones: &["425-555-0101", "+44 20 7946 0958"],
            ..TermSource::default()
        };
        assert!(matches(&s, "0958"));
        assert!(
            !matches(&s, "020 7946 0958"),
            "a trunk prefix is not a digit of the number"
        );
        assert!(matches(&s, "20 7946") && matches(&s, "0101"));
    }

    #[test]
    fn national_digits_of_any_country_are_terms() {
        assert_eq!(
            phone_terms("+353 85 123 4567"),
            vec!["#353851234567", "#851234567", "!765432158353"]
        );
        let s = TermSource {
            phones: &["07700 900634", "+447700900634"],
            ..TermSource::default()
        };
        for q in ["+447700900634", "07700 900634", "7700 900634", "0634"] {
            assert!(matches(&s, q), "{q}");
        }
    }

    #[test]
    fn queries_become_tokens() {
        assert_eq!(
            parse_query(" +1 (425) 555-0101 "),
            vec![Token::Digits("14255550101".into())]
        );
        assert_eq!(
            parse_query("Ann 0101"),
            vec![Token::Text("ann".into()), Token::Digits("0101".into())]
        );
        assert!(parse_query("  ").is_empty());
        assert!(parse_query("#").is_empty());
        assert_eq!(parse_query("a b c d e f").len(), 4);
        let (low, high) = Token::Text("ann".into()).ranges().remove(0);
        assert!(low.as_str() < "anna" && "anna" < high.as_str() && "ano" > high.as_str());
    }
}
