//! Org slugs for public URLs (`/t/{slug}/...`): lowercase ASCII letters, digits and dashes.

/// Makes a slug from an org name: `"Acme IT, Inc."` → `"acme-it-inc"`.
#[must_use]
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "org".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs() {
        assert_eq!(super::slugify("Acme IT, Inc."), "acme-it-inc");
        assert_eq!(super::slugify("Ünïcode"), "n-code");
        assert_eq!(super::slugify("***"), "org");
    }
}
