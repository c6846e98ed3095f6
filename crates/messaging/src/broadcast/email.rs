//! A broadcast email in the org's branded layout: the author writes plain text with simple
//! formatting (blank lines between paragraphs, lines starting with "- " as a list, `**bold**`),
//! rendered here once per recipient after the merge fields are filled in. Everything the
//! author wrote is escaped: the text is the MSP's, but a merged value (a contact's first name
//! from a directory) is not.

use crate::templates::{Brand, TemplateError};
use askama::Template;

#[derive(Template)]
#[template(path = "messages/broadcast.html")]
struct Html<'a> {
    subject: &'a str,
    brand: &'a Brand,
    body_html: &'a str,
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "messages/broadcast.txt")]
struct Text<'a> {
    brand: &'a Brand,
    body: &'a str,
    unsubscribe_url: &'a str,
}

/// A broadcast email's parts for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastEmail {
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Renders one recipient's email: `body` is the merged text; `unsubscribe_url` the
/// recipient's one-click unsubscribe link (empty: none, e.g. a test send).
///
/// # Errors
/// A template failure (a bug).
pub fn render_broadcast_email(
    brand: &Brand,
    subject: &str,
    body: &str,
    unsubscribe_url: &str,
) -> Result<BroadcastEmail, TemplateError> {
    let brand = &brand.sanitised();
    let body_html = format_body(body);
    Ok(BroadcastEmail {
        text: Text {
            brand,
            body: body.trim_end(),
            unsubscribe_url,
        }
        .render()?,
        html: Html {
            subject,
            brand,
            body_html: &body_html,
            unsubscribe_url,
        }
        .render()?,
    })
}

/// The body's simple formatting as HTML: paragraphs, line breaks, lists, bold.
#[must_use]
pub fn format_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len() * 2);
    let normalised = body.replace("\r\n", "\n");
    for block in normalised.split("\n\n") {
        let lines: Vec<&str> = block
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        if lines.iter().all(|l| bullet(l).is_some()) {
            out.push_str("<ul>");
            for l in &lines {
                out.push_str("<li>");
                inline(&mut out, bullet(l).unwrap_or(l));
                out.push_str("</li>");
            }
            out.push_str("</ul>\n");
        } else {
            out.push_str("<p>");
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    out.push_str("<br>");
                }
                inline(&mut out, l);
            }
            out.push_str("</p>\n");
        }
    }
    out
}

fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("- ").or_else(|| t.strip_prefix("* "))
}

/// One line, escaped, with `**bold**` pairs as `<strong>` (an unpaired `**` stays as it is).
fn inline(out: &mut String, line: &str) {
    let parts: Vec<&str> = line.split("**").collect();
    let n = parts.len();
    for (i, part) in parts.iter().enumerate() {
        if n.is_multiple_of(2) && i == n - 1 {
            out.push_str("**");
            escape(out, part);
        } else if i % 2 == 1 {
            out.push_str("<strong>");
            escape(out, part);
            out.push_str("</strong>");
        } else {
            escape(out, part);
        }
    }
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_formatting_becomes_html_and_everything_is_escaped() {
        let html = format_body(
            "Hello <Ann>,\nExchange is **down**.\n\n- webmail works\n- phones work\n\nA ** alone",
        );
        assert_eq!(
            html,
            "<p>Hello &lt;Ann&gt;,<br>Exchange is <strong>down</strong>.</p>\n\
             <ul><li>webmail works</li><li>phones work</li></ul>\n<p>A ** alone</p>\n"
        );
    }

    #[test]
    fn the_email_carries_the_brand_and_the_unsubscribe_link() {
        let brand = Brand::default_for("Acme IT");
        let e = render_broadcast_email(
            &brand,
            "Outage",
            "Exchange is down.",
            "https://cs.example/unsubscribe/abc",
        )
        .unwrap();
        assert!(e.text.starts_with("Exchange is down.\n"));
        assert!(
            e.text.contains(
                "Unsubscribe from these announcements: https://cs.example/unsubscribe/abc"
            )
        );
        assert!(e.html.contains("<p>Exchange is down.</p>"));
        assert!(
            e.html
                .contains("href=\"https://cs.example/unsubscribe/abc\"")
        );
        assert!(e.html.contains("Acme IT"));
        let test = render_broadcast_email(&brand, "Outage", "Hi", "").unwrap();
        assert!(!test.text.contains("Unsubscribe") && !test.html.contains("Unsubscribe"));
    }
}
