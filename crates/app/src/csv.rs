//! CSV text shared by every export (the broadcast report, the dashboard).

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-`
/// or `@` is prefixed with `'` so a spreadsheet does not run a contact's name as a formula.
pub(crate) fn csv_field(s: &str) -> String {
    let formula = match s.chars().next() {
        Some('=' | '-' | '@') => true,
        // A phone number in E.164 stays as it is.
        Some('+') => !s[1..].chars().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Alpha, Inc."), "\"Alpha, Inc.\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("+15550100"), "+15550100");
        assert_eq!(csv_field("+cmd"), "'+cmd");
        assert_eq!(csv_field("plain"), "plain");
    }
}
