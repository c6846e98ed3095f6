//! The messages sent to contacts, from the Fluent texts: an SMS is one text; an email has a
//! subject and a body, whose HTML part is the body's paragraphs in the branded layout (a line
//! that is the link becomes the link).

use super::Texts;
use crate::templates::{Brand, Rendered, TemplateError, TemplateName, render};
use askama::Template;

#[derive(Template)]
#[template(path = "messages/end_user.html")]
struct EndUserHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    /// Paragraphs of lines; `true`: the line is the link.
    paragraphs: Vec<Vec<(String, bool)>>,
}

/// Renders `template` for a contact in `texts`' language with the org's overrides. Messages
/// that do not go to contacts (invites, alerts to technicians) render as [`render`] does.
///
/// # Errors
/// A rendering failure (a bug).
pub fn render_for_contact(
    template: &TemplateName,
    brand: &Brand,
    texts: Texts,
) -> Result<Rendered, TemplateError> {
    let brand = &brand.sanitised();
    let t = texts.with("msp", brand.name.clone());
    let (subject, body, link, sms_only) = match template {
        TemplateName::VerificationCode {
            technician,
            code,
            minutes,
        } => {
            let t = t
                .with("technician", technician.clone())
                .with("code", code.clone())
                .with_number("minutes", *minutes);
            (
                t.t("verify-code-subject"),
                t.t("sms-verify-code"),
                None,
                true,
            )
        }
        TemplateName::SecretCode {
            technician,
            code,
            minutes,
        } => {
            let t = t
                .with("technician", technician.clone())
                .with("code", code.clone())
                .with_number("minutes", *minutes);
            (
                t.t("secret-code-subject"),
                t.t("sms-secret-code"),
                None,
                true,
            )
        }
        TemplateName::VerificationLink {
            technician,
            link,
            minutes,
        } => {
            let t = t
                .with("technician", technician.clone())
                .with("link", link.clone())
                .with_number("minutes", *minutes);
            (
                t.t("verify-link-subject"),
                t.t("verify-link-body"),
                Some(link),
                false,
            )
        }
        TemplateName::WhoIAm { technician, code } => {
            let t = t
                .with("technician", technician.clone())
                .with("code", code.clone());
            (t.t("who-i-am-subject"), t.t("who-i-am-body"), None, false)
        }
        TemplateName::TechnicianCheck { link, minutes } => {
            let t = t
                .with("link", link.clone())
                .with_number("minutes", *minutes);
            (
                t.t("technician-check-subject"),
                t.t("technician-check-body"),
                Some(link),
                false,
            )
        }
        TemplateName::SecretSend {
            technician,
            link,
            expires,
            views,
        } => {
            let t = t
                .with("technician", technician.clone())
                .with("link", link.clone())
                .with("expires", expires.clone())
                .with_number("views", *views);
            (
                t.t("secret-send-subject"),
                t.t("secret-send-body"),
                Some(link),
                false,
            )
        }
        TemplateName::SecretRequest {
            technician,
            link,
            expires,
            what,
        } => {
            let t = t
                .with("technician", technician.clone())
                .with("link", link.clone())
                .with("expires", expires.clone())
                .with("what", what.clone());
            (
                t.t("secret-request-subject"),
                t.t("secret-request-body"),
                Some(link),
                false,
            )
        }
        other => return render(other, brand),
    };
    let body = body.trim().to_owned();
    if sms_only {
        // Codes go by SMS only (NIST 800-63B): no HTML part.
        return Ok(Rendered {
            subject,
            text: body.clone(),
            html: String::new(),
            sms: body,
        });
    }
    let mut text = format!("{body}\n");
    if !brand.footer.is_empty() {
        text.push_str(&format!("\n--\n{}\n", brand.footer));
    }
    let paragraphs = body
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .lines()
                .map(|l| (l.trim().to_owned(), link.is_some_and(|k| l.trim() == k)))
                .collect()
        })
        .collect();
    Ok(Rendered {
        html: EndUserHtml {
            subject: &subject,
            brand,
            paragraphs,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}
