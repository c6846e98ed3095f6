//! Bounds on the free text people type or a source sends: names, titles and the like. Every
//! field has a limit in characters, so a 5,000-character name is refused with a message that
//! names the field and its limit, instead of being stored and breaking a page header, a
//! message or a table. The limits follow Microsoft Entra's own (display name 256, given name
//! and surname 64, job title 128, department 64), so everything a tenant holds fits.

/// A text field and its longest value, in characters (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The field's name in messages ("organisation name").
    pub field: &'static str,
    /// The most characters it may have.
    pub max: usize,
}

/// An org's name (page header, emails).
pub const ORG_NAME: Limit = Limit::new("organisation name", 100);
/// A technician's name.
pub const TECHNICIAN_NAME: Limit = Limit::new("name", 100);
/// A customer's name (a tenant's display name is at most 256).
pub const CUSTOMER_NAME: Limit = Limit::new("customer name", 256);
/// A contact's display name (Entra: 256).
pub const DISPLAY_NAME: Limit = Limit::new("display name", 256);
/// A contact's given name (Entra: 64).
pub const GIVEN_NAME: Limit = Limit::new("given name", 64);
/// A contact's surname (Entra: 64).
pub const SURNAME: Limit = Limit::new("surname", 64);
/// A contact's job title (Entra: 128).
pub const JOB_TITLE: Limit = Limit::new("job title", 128);
/// A contact's department (Entra: 64).
pub const DEPARTMENT: Limit = Limit::new("department", 64);
/// An email address (RFC 5321: 254).
pub const EMAIL: Limit = Limit::new("email address", 254);
/// A phone number as written (E.164 has 15 digits; room for spaces and an extension).
pub const PHONE: Limit = Limit::new("phone number", 64);

/// Why a text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Longer than the field's limit.
    #[error("the {field} is too long: {max} characters at most (this one has {len})")]
    TooLong {
        /// The field's name.
        field: &'static str,
        /// Its limit.
        max: usize,
        /// How many characters were given.
        len: usize,
    },
}

impl Limit {
    /// A field named `field` of at most `max` characters.
    #[must_use]
    pub const fn new(field: &'static str, max: usize) -> Self {
        Self { field, max }
    }

    /// `text` trimmed, or why it is too long. An empty text is fine here; whether the field
    /// is required is the caller's rule.
    ///
    /// # Errors
    /// [`TextError::TooLong`] naming the field, its limit and the length given.
    pub fn check<'a>(&self, text: &'a str) -> Result<&'a str, TextError> {
        let text = text.trim();
        let len = text.chars().count();
        if len > self.max {
            return Err(TextError::TooLong {
                field: self.field,
                max: self.max,
                len,
            });
        }
        Ok(text)
    }

    /// `text` trimmed and cut to the limit: for what a source (Microsoft 365) sends, which
    /// Countersign cannot refuse but must not store unbounded.
    #[must_use]
    pub fn cut(&self, text: &str) -> String {
        text.trim().chars().take(self.max).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_over_the_limit_is_refused_with_its_field_and_length() {
        let long = "é".repeat(101);
        assert_eq!(
            ORG_NAME.check(&long),
            Err(TextError::TooLong {
                field: "organisation name",
                max: 100,
                len: 101
            })
        );
        assert_eq!(
            ORG_NAME.check(&long).unwrap_err().to_string(),
            "the organisation name is too long: 100 characters at most (this one has 101)"
        );
        // Characters, not bytes: 100 two-byte letters fit.
        assert_eq!(ORG_NAME.check(&long[2..]), Ok(&long[2..]));
        assert_eq!(ORG_NAME.check("  Acme  "), Ok("Acme"));
        assert_eq!(SURNAME.cut(&"x".repeat(70)).chars().count(), 64);
    }
}
