//! Email addresses parsed at the edge: trimmed, lowercased, one `@`, a dotted domain.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid email address, stored lowercased so lookups are case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("an email address has the form name@example.com")]
    Shape,
    #[error("an email address is at most 254 characters")]
    TooLong,
}

impl Email {
    /// Parses and normalises an address.
    ///
    /// # Errors
    /// `EmailError` says what is wrong with the text.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Shape)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty()
            || local.contains('@')
            || !domain_ok
            || s.chars().any(char::is_whitespace)
        {
            return Err(EmailError::Shape);
        }
        Ok(Self(s.to_lowercase()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with most of the local part hidden, for lists and logs: `a•••@acme.test`
    /// ([`crate::mask::mask`]).
    #[must_use]
    pub fn masked(&self) -> String {
        crate::mask::mask(&self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Admin@Acme.TEST ").unwrap().as_str(),
            "admin@acme.test"
        );
    }

    #[test]
    fn rejects_bad_shapes() {
        for bad in [
            "",
            "a",
            "a@b",
            "@acme.test",
            "a b@acme.test",
            "a@.test",
            "a@acme.test.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(
            Email::parse("alice@acme.test").unwrap().masked(),
            "a•••@acme.test"
        );
    }
}
