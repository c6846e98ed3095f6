//! Masked recipients for lists and logs: enough to recognise, not enough to harvest.

/// `+15005550006` → `+1•••••••006` (country code and last three digits kept).
#[must_use]
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 5 {
        return "•".repeat(chars.len());
    }
    let keep_start = 2;
    let keep_end = 3;
    let mut out: String = chars[..keep_start].iter().collect();
    out.push_str(&"•".repeat(chars.len() - keep_start - keep_end));
    out.extend(&chars[chars.len() - keep_end..]);
    out
}

/// `amy.smith@acme.test` → `a•••@acme.test`.
#[must_use]
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
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
        assert_eq!(mask_phone("+15005550006"), "+1•••••••006");
        assert_eq!(mask_email("amy.smith@acme.test"), "a•••@acme.test");
        assert_eq!(mask_recipient("x@y.test"), "x•••@y.test");
        assert_eq!(mask_recipient("+1234"), "•••••");
        assert!(!mask_recipient("+447700900123").contains("7700900"));
    }
}
