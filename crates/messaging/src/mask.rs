//! Masked recipients for lists and logs: enough to recognise, not enough to harvest.

/// A phone number masked by the one rule ([`countersign_domain::phone::mask_e164`]):
/// `+15005550006` → `+•••••••0006`.
#[must_use]
pub fn mask_phone(phone: &str) -> String {
    countersign_domain::phone::mask_e164(phone)
}

/// An email address masked by the one rule ([`countersign_domain::email::mask_email`]):
/// `amy.smith@acme.test` → `a•••@acme.test`.
#[must_use]
pub fn mask_email(email: &str) -> String {
    countersign_domain::email::mask_email(email)
}

/// Masks a phone number or an email address, whichever it looks like.
#[must_use]
pub fn mask_recipient(recipient: &str) -> String {
    if recipient.contains('@') {
        mask_email(recipient)
    } else {
        mask_phone(recipient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+15005550006"), "+•••••••0006");
        assert_eq!(mask_email("amy.smith@acme.test"), "a•••@acme.test");
        assert_eq!(mask_recipient("x@y.test"), "x•••@y.test");
        assert_eq!(mask_recipient("+1234"), "+1234");
        assert!(!mask_recipient("+447700900123").contains("7700900"));
    }
}
