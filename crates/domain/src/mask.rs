//! The one masking rule (issue 21.7): how a phone number or an email address is shown where it
//! must be recognisable but not readable whole, and how logs and audit entries write it. Every
//! masked number and address in Countersign comes from [`mask`]: the verification history,
//! the outbox and message pages, broadcasts, secure links, the end user's pages, audit
//! entries, webhooks and logs. (Where a technician works with a contact of record, the contact
//! and Pod pages show the number and address whole: that is their job.)

/// The character that stands for each hidden character.
const HIDDEN: char = '•';
/// Digits a phone number keeps at its end: what people say, "the number ending in 0101".
const KEEP_DIGITS: usize = 4;

/// Masks a phone number or an email address, whichever `text` is:
/// - an email address (it has an `@`) keeps the first character of its local part and its
///   domain: `amy.smith@acme.test` → `a•••@acme.test`;
/// - a phone number keeps a leading `+` and its last four digits, never more than half of
///   them, and every other digit is a `•` (formatting dropped): `+14255550101` →
///   `+•••••••0101`, `07700 900634` → `•••••••0634`;
/// - anything else is hidden whole: `•••`.
#[must_use]
pub fn mask(text: &str) -> String {
    let text = text.trim();
    if let Some((local, domain)) = text.rsplit_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}{HIDDEN}{HIDDEN}{HIDDEN}@{domain}");
    }
    let digits: Vec<char> = text.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return HIDDEN.to_string().repeat(3);
    }
    let keep = KEEP_DIGITS.min(digits.len() / 2);
    let hidden = digits.len() - keep;
    let mut out = String::new();
    if text.starts_with('+') {
        out.push('+');
    }
    out.extend(std::iter::repeat_n(HIDDEN, hidden));
    out.extend(&digits[hidden..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn phone_numbers_keep_their_last_four_digits() {
        assert_eq!(mask("+14255550101"), "+•••••••0101");
        assert_eq!(mask("+447700900634"), "+••••••••0634");
        assert_eq!(mask("+1 (425) 555-0101"), "+•••••••0101");
        assert_eq!(mask("07700 900634"), "•••••••0634");
        assert!(!mask("+447700900123").contains("7700900"));
    }

    #[test]
    fn short_numbers_show_at_most_half_their_digits() {
        assert_eq!(mask("+1234"), "+••34");
        assert_eq!(mask("+123"), "+••3");
        assert_eq!(mask("7"), "•");
    }

    #[test]
    fn email_addresses_keep_the_first_character_and_the_domain() {
        assert_eq!(mask("amy.smith@acme.test"), "a•••@acme.test");
        assert_eq!(mask(" Amy@Acme.test "), "A•••@Acme.test");
        assert_eq!(mask("x@y.test"), "x•••@y.test");
        assert_eq!(mask("@acme.test"), "•••@acme.test");
        assert_eq!(mask("a\"b@c\"@d.test"), "a•••@d.test");
    }

    #[test]
    fn anything_else_is_hidden_whole() {
        assert_eq!(mask(""), "•••");
        assert_eq!(mask("not an address"), "•••");
    }

    #[test]
    fn one_character_per_hidden_one_and_no_more() {
        // A masked value never shows more of the original than the rule says: every visible
        // digit is one of the last four, and the local part shows one character.
        for (text, visible) in [("+15005550006", "0006"), ("+4915112345678", "5678")] {
            let m = mask(text);
            let shown: String = m.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(shown, visible, "{m}");
        }
    }
}
