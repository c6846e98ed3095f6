//! Messages about a technician's own account: the warning that someone is trying passwords
//! on it (issue 18.3).

use crate::templates::{Brand, Rendered, TemplateError};
use askama::Template;

#[derive(Template)]
#[template(path = "messages/sign_in_attack.txt")]
struct AttackText<'a> {
    brand: &'a Brand,
    technician: &'a str,
    failures: i64,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "messages/sign_in_attack.html")]
struct AttackHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    failures: i64,
    link: &'a str,
}

/// "Someone is trying to sign in to your account": the count of wrong passwords, and what
/// still works for the owner. No address or time detail: the Audit page has those.
pub(crate) fn sign_in_attack(
    brand: &Brand,
    technician: &str,
    failures: i64,
    link: &str,
) -> Result<Rendered, TemplateError> {
    let subject = format!(
        "{}: someone is trying to sign in to your account",
        brand.name
    );
    let text = AttackText {
        brand,
        technician,
        failures,
        link,
    }
    .render()?;
    Ok(Rendered {
        html: AttackHtml {
            subject: &subject,
            brand,
            technician,
            failures,
            link,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}
