//! Merge fields of a broadcast text: `{first_name}`, `{customer}` and `{msp_name}`, replaced
//! per recipient. A field this list does not know is an error that names it, never text sent
//! as typed: `{firstname}` reaching 100,000 phones verbatim is exactly the accident a
//! broadcast must make impossible.
//!
//! A field is `{` + letters, digits or underscores + `}`. Any other brace (`{ }`, a lone `{`,
//! `{first name}`) is text and goes out as written.

/// A field a broadcast text may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeField {
    /// The contact's given name.
    FirstName,
    /// The contact's customer.
    Customer,
    /// The MSP's name (the org's branding name).
    MspName,
}

impl MergeField {
    /// Every field, in the order the compose page lists them.
    pub const ALL: [Self; 3] = [Self::FirstName, Self::Customer, Self::MspName];

    /// The name inside the braces.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::Customer => "customer",
            Self::MspName => "msp_name",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The values of one recipient.
#[derive(Clone, Copy, Debug)]
pub struct MergeValues<'a> {
    /// `{first_name}`.
    pub first_name: &'a str,
    /// `{customer}`.
    pub customer: &'a str,
    /// `{msp_name}`.
    pub msp_name: &'a str,
}

impl MergeValues<'_> {
    fn get(&self, f: MergeField) -> &str {
        match f {
            MergeField::FirstName => self.first_name,
            MergeField::Customer => self.customer,
            MergeField::MspName => self.msp_name,
        }
    }
}

/// A text uses fields that do not exist.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown merge field{} {}: use {{first_name}}, {{customer}} or {{msp_name}}",
    if .0.len() == 1 { "" } else { "s" },
    .0.iter().map(|f| format!("{{{f}}}")).collect::<Vec<_>>().join(", "))]
pub struct UnknownMergeFields(pub Vec<String>);

/// One piece of a parsed text.
enum Piece<'t> {
    Text(&'t str),
    Field(Result<MergeField, &'t str>),
}

/// Splits `text` into text and fields.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            out.push(Piece::Text(&rest[..open]));
            let name = &after[..name_len];
            out.push(Piece::Field(MergeField::parse(name).ok_or(name)));
            rest = &after[name_len + 1..];
        } else {
            out.push(Piece::Text(&rest[..=open]));
            rest = after;
        }
    }
    out.push(Piece::Text(rest));
    out
}

/// Checks that every field of `text` exists; the error names each unknown one once, in the
/// order they first appear.
///
/// # Errors
/// [`UnknownMergeFields`].
pub fn check_merge_fields(text: &str) -> Result<Vec<MergeField>, UnknownMergeFields> {
    let mut used = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for piece in pieces(text) {
        match piece {
            Piece::Field(Ok(f)) if !used.contains(&f) => used.push(f),
            Piece::Field(Err(name)) if !unknown.iter().any(|u| u == name) => {
                unknown.push(name.to_owned());
            }
            _ => {}
        }
    }
    if unknown.is_empty() {
        Ok(used)
    } else {
        Err(UnknownMergeFields(unknown))
    }
}

/// `text` with every field replaced by its value for one recipient.
///
/// # Errors
/// [`UnknownMergeFields`]: nothing is rendered from a text with an unknown field.
pub fn render_merge_fields(
    text: &str,
    values: &MergeValues<'_>,
) -> Result<String, UnknownMergeFields> {
    check_merge_fields(text)?;
    let mut out = String::with_capacity(text.len() + 32);
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Field(Ok(f)) => out.push_str(values.get(f)),
            Piece::Field(Err(_)) => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANN: MergeValues<'static> = MergeValues {
        first_name: "Ann",
        customer: "Alpha Foods",
        msp_name: "Acme IT",
    };

    #[test]
    fn fields_are_replaced_wherever_they_appear() {
        let text = "Hi {first_name}, {msp_name} here: Exchange is down at {customer}. \
                    {first_name}, no action needed.";
        assert_eq!(
            render_merge_fields(text, &ANN).unwrap(),
            "Hi Ann, Acme IT here: Exchange is down at Alpha Foods. Ann, no action needed."
        );
        assert_eq!(
            check_merge_fields(text).unwrap(),
            vec![
                MergeField::FirstName,
                MergeField::MspName,
                MergeField::Customer
            ]
        );
        assert_eq!(
            render_merge_fields("{customer}", &ANN).unwrap(),
            "Alpha Foods"
        );
        assert_eq!(render_merge_fields("", &ANN).unwrap(), "");
    }

    #[test]
    fn an_unknown_field_is_an_error_that_names_it() {
        let err = render_merge_fields("Hi {firstname} at {customer} {Customer}", &ANN).unwrap_err();
        assert_eq!(err.0, vec!["firstname".to_owned(), "Customer".to_owned()]);
        assert_eq!(
            err.to_string(),
            "unknown merge fields {firstname}, {Customer}: use {first_name}, {customer} or {msp_name}"
        );
        let one = check_merge_fields("{x} and {x}").unwrap_err();
        assert_eq!(
            one.to_string(),
            "unknown merge field {x}: use {first_name}, {customer} or {msp_name}"
        );
    }

    #[test]
    fn braces_that_are_not_fields_are_text() {
        for text in [
            "{ }",
            "a { b",
            "{first name}",
            "{}",
            "}{",
            "{{first_name}}x{",
            "€{",
        ] {
            let rendered = render_merge_fields(text, &ANN).unwrap();
            let expected = text.replace("{first_name}", "Ann");
            assert_eq!(rendered, expected, "{text}");
        }
        // Values are inserted as they are, never read again as fields.
        let sneaky = MergeValues {
            first_name: "{customer}",
            ..ANN
        };
        assert_eq!(
            render_merge_fields("{first_name}", &sneaky).unwrap(),
            "{customer}"
        );
    }
}
