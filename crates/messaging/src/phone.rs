//! E.164 phone numbers, the only form Twilio accepts and the key of SMS consent.

/// Why a phone number was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not `+` followed by 8 to 15 digits.
    #[error("enter the number in international form, e.g. +14155550123")]
    NotE164,
}

/// Parses `+14155550123` (spaces, dashes, dots and parentheses are removed first).
///
/// # Errors
/// [`PhoneError::NotE164`] when the rest is not `+` and 8–15 digits starting with 1–9.
pub fn parse_e164(input: &str) -> Result<String, PhoneError> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').ok_or(PhoneError::NotE164)?;
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(compact)
    } else {
        Err(PhoneError::NotE164)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert_eq!(parse_e164("+1 (415) 555-0123").unwrap(), "+14155550123");
        assert_eq!(parse_e164("+447700900123").unwrap(), "+447700900123");
        assert!(parse_e164("4155550123").is_err());
        assert!(parse_e164("+0123456789").is_err());
        assert!(parse_e164("+1415abc0123").is_err());
        assert!(parse_e164("+1234567").is_err());
        assert!(parse_e164("+1234567890123456").is_err());
    }
}
