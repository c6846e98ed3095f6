//! An org's override of one end-user text: what it is checked against before it is saved,
//! and the defaults the Settings page lists beside it.
//!
//! An override is the value of one Fluent message, as an admin types it (several lines
//! allowed). It must parse as Fluent and may only use the placeholders the default of its
//! language uses: a `{ $code }` the page never fills would show an error to an end user, and
//! a reference to another message or term would make the text depend on ours.

use super::Language;
use super::catalog::source;
use fluent_bundle::FluentResource;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::BTreeSet;

/// The longest override accepted, in characters.
pub const MAX_OVERRIDE_CHARS: usize = 2000;

/// Why an override was refused; the message says what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// No end-user text has this id.
    #[error("{0:?} is not an end-user text")]
    UnknownMessage(String),
    /// Nothing typed.
    #[error("the text is empty: to show the default again, use Reset instead")]
    Empty,
    /// Longer than [`MAX_OVERRIDE_CHARS`].
    #[error("the text has {0} characters; at most 2000 are allowed")]
    TooLong(usize),
    /// Not Fluent syntax.
    #[error(
        "the text is not valid Fluent ({0}); a literal brace is written {{\"{{\"}}, and a line may not start with [, * or ."
    )]
    Syntax(String),
    /// A placeholder the default does not use.
    #[error("{{ ${name} }} is not a placeholder of this text; it may use {allowed}")]
    UnknownPlaceholder {
        /// The placeholder typed.
        name: String,
        /// The default's placeholders, listed.
        allowed: String,
    },
    /// A reference to another message or term.
    #[error("the text may not refer to other messages or terms ({0}); it may use {1}")]
    Reference(String, String),
}

/// The Fluent source of message `id` with `text` as its value: every line indented, so the
/// text can never end the message and start another.
pub(crate) fn source_of(id: &str, text: &str) -> String {
    let mut s = format!("{id} =");
    for line in text.trim_end().lines() {
        s.push_str("\n    ");
        s.push_str(line.trim_end());
    }
    s.push('\n');
    s
}

/// Every end-user message id, in the order of the English file (which has them all).
#[must_use]
pub fn message_ids() -> Vec<&'static str> {
    messages(source(Language::En))
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// The default text of `id` in `language` as a translator wrote it (placeholders as
/// `{ $name }`), or `None` when the file lacks it (English's is shown then).
#[must_use]
pub fn default_text(language: Language, id: &str) -> Option<String> {
    messages(source(language))
        .into_iter()
        .find(|(m, _)| *m == id)
        .map(|(_, t)| t)
}

/// The placeholders `id`'s default uses in `language` (English's when the file lacks it).
#[must_use]
pub fn placeholders(language: Language, id: &str) -> BTreeSet<String> {
    default_text(language, id)
        .or_else(|| default_text(Language::En, id))
        .and_then(|t| parse_one(id, &t).ok())
        .map(|(vars, _)| vars)
        .unwrap_or_default()
}

/// Checks an override of `id` in `language`; `Ok` with the text to store (trailing spaces
/// trimmed).
///
/// # Errors
/// What is wrong with it ([`OverrideError`]); nothing is to be stored then.
pub fn validate_override(
    language: Language,
    id: &str,
    text: &str,
) -> Result<String, OverrideError> {
    if default_text(Language::En, id).is_none() {
        return Err(OverrideError::UnknownMessage(id.to_owned()));
    }
    let text = text.replace("\r\n", "\n");
    let text = text.trim_end();
    if text.trim().is_empty() {
        return Err(OverrideError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_OVERRIDE_CHARS {
        return Err(OverrideError::TooLong(chars));
    }
    let allowed = placeholders(language, id);
    let listed = if allowed.is_empty() {
        "no placeholders".to_owned()
    } else {
        allowed
            .iter()
            .map(|v| format!("{{ ${v} }}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (vars, references) = parse_one(id, text)?;
    if let Some(r) = references.into_iter().next() {
        return Err(OverrideError::Reference(r, listed));
    }
    if let Some(name) = vars.into_iter().find(|v| !allowed.contains(v)) {
        return Err(OverrideError::UnknownPlaceholder {
            name,
            allowed: listed,
        });
    }
    Ok(text.to_owned())
}

/// Parses `text` as the value of message `id`: its variables and the other messages or terms
/// it refers to.
fn parse_one(id: &str, text: &str) -> Result<(BTreeSet<String>, Vec<String>), OverrideError> {
    let src = source_of(id, text);
    let resource = FluentResource::try_new(src.clone()).map_err(|(_, errors)| {
        OverrideError::Syntax(errors.first().map_or_else(String::new, |e| {
            // Which line of the typed text: the source's first line is `id =`.
            let line = src[..e.pos.start.min(src.len())]
                .matches('\n')
                .count()
                .max(1);
            format!("line {line}: {}", e.kind)
        }))
    })?;
    let mut vars = BTreeSet::new();
    let mut references = Vec::new();
    let mut found = false;
    for entry in resource.entries() {
        match entry {
            Entry::Message(m) if m.id.name == id && !found => {
                found = true;
                if let Some(a) = m.attributes.first() {
                    return Err(OverrideError::Syntax(format!(
                        "a line starts with .{}",
                        a.id.name
                    )));
                }
                let Some(value) = &m.value else {
                    return Err(OverrideError::Empty);
                };
                walk_pattern(value, &mut vars, &mut references);
            }
            Entry::Comment(_)
            | Entry::GroupComment(_)
            | Entry::ResourceComment(_)
            | Entry::Junk { .. } => {}
            _ => {
                return Err(OverrideError::Syntax(
                    "it reads as more than one message".into(),
                ));
            }
        }
    }
    if !found {
        return Err(OverrideError::Empty);
    }
    Ok((vars, references))
}

fn walk_pattern(p: &Pattern<&str>, vars: &mut BTreeSet<String>, refs: &mut Vec<String>) {
    for element in &p.elements {
        if let PatternElement::Placeable { expression } = element {
            walk_expression(expression, vars, refs);
        }
    }
}

fn walk_expression(e: &Expression<&str>, vars: &mut BTreeSet<String>, refs: &mut Vec<String>) {
    match e {
        Expression::Inline(i) => walk_inline(i, vars, refs),
        Expression::Select { selector, variants } => {
            walk_inline(selector, vars, refs);
            for v in variants {
                walk_pattern(&v.value, vars, refs);
            }
        }
    }
}

fn walk_inline(e: &InlineExpression<&str>, vars: &mut BTreeSet<String>, refs: &mut Vec<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        InlineExpression::MessageReference { id, .. } => refs.push(id.name.to_owned()),
        InlineExpression::TermReference { id, .. } => refs.push(format!("-{}", id.name)),
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                walk_inline(a, vars, refs);
            }
            for a in &arguments.named {
                walk_inline(&a.value, vars, refs);
            }
        }
        InlineExpression::Placeable { expression } => walk_expression(expression, vars, refs),
        InlineExpression::StringLiteral { .. } | InlineExpression::NumberLiteral { .. } => {}
    }
}

/// The messages of a Fluent file: id and value as written, dedented. A translator's file
/// has one message per `id =` line at the start of a line, its value on that line and the
/// indented (or blank) lines after it; comments start with `#`.
fn messages(source: &str) -> Vec<(&str, String)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in source.lines() {
        let indented = line.starts_with(' ');
        if !indented && !line.trim().is_empty() {
            if line.starts_with('#') {
                continue;
            }
            if let Some((id, first)) = line.split_once('=') {
                out.push((id.trim(), vec![first.trim()]));
            }
            continue;
        }
        if let Some((_, lines)) = out.last_mut() {
            lines.push(line);
        }
    }
    out.into_iter()
        .map(|(id, lines)| (id, dedent(&lines)))
        .collect()
}

/// Joins a message's lines: the first as is, the rest without their common indentation;
/// blank lines at the end dropped.
fn dedent(lines: &[&str]) -> String {
    let (first, rest) = lines.split_first().unwrap_or((&"", &[]));
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut parts: Vec<&str> = Vec::new();
    if !first.is_empty() {
        parts.push(first);
    }
    for l in rest {
        parts.push(l.get(indent..).unwrap_or("").trim_end());
    }
    while parts.last().is_some_and(|l| l.is_empty()) {
        parts.pop();
    }
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_translation_has_every_message_and_only_its_placeholders() {
        let ids = message_ids();
        assert!(ids.len() > 40, "{ids:?}");
        for language in Language::ALL {
            for id in &ids {
                let text =
                    default_text(language, id).unwrap_or_else(|| panic!("{language:?} lacks {id}"));
                let (vars, refs) =
                    parse_one(id, &text).unwrap_or_else(|e| panic!("{language:?} {id}: {e}"));
                assert!(refs.is_empty(), "{language:?} {id} refers to {refs:?}");
                let english = placeholders(Language::En, id);
                assert!(
                    vars.is_subset(&english),
                    "{language:?} {id} uses {vars:?}, English {english:?}"
                );
                // The default passes the check an override must pass.
                assert!(
                    validate_override(language, id, &text).is_ok(),
                    "{language:?} {id}"
                );
            }
        }
    }

    #[test]
    fn an_override_may_use_the_placeholders_of_its_default() {
        let ok = validate_override(
            Language::De,
            "sms-verify-code",
            "Ihr Code bei { $msp }: { $code }\nGültig { $minutes } Minuten.",
        );
        assert_eq!(
            ok.as_deref(),
            Ok("Ihr Code bei { $msp }: { $code }\nGültig { $minutes } Minuten.")
        );
        let plural = validate_override(
            Language::En,
            "sms-verify-code",
            "Code { $code }, { $minutes ->\n[one] one minute\n*[other] { $minutes } minutes\n}",
        );
        assert!(plural.is_ok(), "{plural:?}");
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_the_allowed_ones() {
        let e = validate_override(Language::En, "approve-button", "Approve { $code }");
        match e {
            Err(OverrideError::UnknownPlaceholder { name, allowed }) => {
                assert_eq!(name, "code");
                assert_eq!(allowed, "no placeholders");
            }
            other => panic!("{other:?}"),
        }
        let e = validate_override(Language::En, "sms-verify-code", "{ $code } { $link }");
        let Err(e) = e else { panic!("accepted") };
        assert_eq!(
            e.to_string(),
            "{ $link } is not a placeholder of this text; it may use { $code }, { $minutes }, { $msp }, { $technician }"
        );
    }

    #[test]
    fn bad_fluent_and_references_are_refused() {
        let e = validate_override(Language::En, "approve-button", "Approve { $msp");
        assert!(matches!(e, Err(OverrideError::Syntax(_))), "{e:?}");
        let e = validate_override(Language::En, "approve-button", "Approve {");
        assert!(matches!(e, Err(OverrideError::Syntax(_))), "{e:?}");
        let e = validate_override(Language::En, "approve-button", "Approve\n.title = x");
        assert!(matches!(e, Err(OverrideError::Syntax(_))), "{e:?}");
        let e = validate_override(Language::En, "approve-button", "{ approve-heading }");
        assert!(matches!(e, Err(OverrideError::Reference(..))), "{e:?}");
        let e = validate_override(Language::En, "approve-button", "{ -brand }");
        assert!(matches!(e, Err(OverrideError::Reference(..))), "{e:?}");
        assert_eq!(
            validate_override(Language::En, "approve-button", "  \n "),
            Err(OverrideError::Empty)
        );
        assert_eq!(
            validate_override(Language::En, "no-such-text", "x"),
            Err(OverrideError::UnknownMessage("no-such-text".into()))
        );
        let long = "x".repeat(MAX_OVERRIDE_CHARS + 1);
        assert_eq!(
            validate_override(Language::En, "approve-button", &long),
            Err(OverrideError::TooLong(MAX_OVERRIDE_CHARS + 1))
        );
        // A literal brace, written the Fluent way, is fine.
        assert!(validate_override(Language::En, "approve-button", "OK {\"{\"}").is_ok());
    }
}
