//! The messages sent to contacts, from the Fluent texts: an SMS is one text; an email has a
//! subject and a body, whose HTML part is the body's paragraphs in the branded layout (a line
//! that is the link becomes the link).

use super::Texts;
use crate::templates::{Brand, Rendered, TemplateError, TemplateName, render};
use askama::Template;

#[derive(Template)]
#[template(path = "messages/end_user.html")]
struct EndUserHtml<'a> {
    /// The language the texts are in (`<html lang>`).
    lang: &'static str,
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
    let lang = texts.language().code();
    let t = texts.with("msp", brand.name.clone());
    // The texts with the template's values, its subject and body ids, its link (an email
    // shows it as a link), and whether it goes by SMS only.
    let (t, subject_id, body_id, link, sms_only) = match template {
        TemplateName::VerificationCode {
            technician,
            code,
            minutes,
        } => (
            with_code(t, technician, code, *minutes),
            "verify-code-subject",
            "sms-verify-code",
            None,
            true,
        ),
        TemplateName::SecretCode {
            technician,
            code,
            minutes,
        } => (
            with_code(t, technician, code, *minutes),
            "secret-code-subject",
            "sms-secret-code",
            None,
            true,
        ),
        TemplateName::VerificationLink {
            technician,
            link,
            minutes,
        } => (
            t.with("technician", technician.clone())
                .with("link", link.clone())
                .with_number("minutes", *minutes),
            "verify-link-subject",
            "verify-link-body",
            Some(link),
            false,
        ),
        TemplateName::WhoIAm { technician, code } => (
            t.with("technician", technician.clone())
                .with("code", code.clone()),
            "who-i-am-subject",
            "who-i-am-body",
            None,
            false,
        ),
        TemplateName::TechnicianCheck { link, minutes } => (
            t.with("link", link.clone())
                .with_number("minutes", *minutes),
            "technician-check-subject",
            "technician-check-body",
            Some(link),
            false,
        ),
        TemplateName::SecretSend {
            technician,
            link,
            expires,
            views,
        } => (
            t.with("technician", technician.clone())
                .with("link", link.clone())
                .with("expires", expires.clone())
                .with_number("views", *views),
            "secret-send-subject",
            "secret-send-body",
            Some(link),
            false,
        ),
        TemplateName::SecretRequest {
            technician,
            link,
            expires,
            what,
        } => (
            t.with("technician", technician.clone())
                .with("link", link.clone())
                .with("expires", expires.clone())
                .with("what", what.clone()),
            "secret-request-subject",
            "secret-request-body",
            Some(link),
            false,
        ),
        other => return render(other, brand),
    };
    let (subject, body) = (t.t(subject_id), t.t(body_id));
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
            lang,
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

/// The texts of a code message.
fn with_code(t: Texts, technician: &str, code: &str, minutes: i64) -> Texts {
    t.with("technician", technician)
        .with("code", code)
        .with_number("minutes", minutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::end_user::Language;

    /// An email's HTML says which language it is in, so a mail client (and a screen reader)
    /// reads it in that language.
    #[test]
    fn an_email_names_its_language() {
        let template = TemplateName::VerificationLink {
            technician: "Tess".into(),
            link: "https://cs.example/v/abc".into(),
            minutes: 10,
        };
        let brand = Brand::default_for("Acme IT");
        let de = render_for_contact(&template, &brand, Texts::defaults(Language::De)).unwrap();
        assert!(de.html.contains("<html lang=\"de\">"), "{}", de.html);
        let en = render_for_contact(&template, &brand, Texts::defaults(Language::En)).unwrap();
        assert!(en.html.contains("<html lang=\"en\">"), "{}", en.html);
    }
}
