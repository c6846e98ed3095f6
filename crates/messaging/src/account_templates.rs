//! Messages about a technician's own account: the warning that someone is trying passwords on
//! it (issue 18.3), the one-time link to set a new password ("forgot password" or an admin's
//! reset) and the notice that the password changed (issue 18.1). Email only; the SMS form is
//! the text part.

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

#[derive(Template)]
#[template(path = "messages/password_reset.txt")]
struct ResetText<'a> {
    brand: &'a Brand,
    link: &'a str,
    expires: &'a str,
    by_admin: bool,
}

#[derive(Template)]
#[template(path = "messages/password_reset.html")]
struct ResetHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    link: &'a str,
    expires: &'a str,
    by_admin: bool,
}

#[derive(Template)]
#[template(path = "messages/password_changed.txt")]
struct ChangedText<'a> {
    brand: &'a Brand,
    when: &'a str,
}

#[derive(Template)]
#[template(path = "messages/password_changed.html")]
struct ChangedHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    when: &'a str,
}

/// The link to set a new password.
pub(crate) fn reset(
    brand: &Brand,
    link: &str,
    expires: &str,
    by_admin: bool,
) -> Result<Rendered, TemplateError> {
    let subject = if by_admin {
        format!("{}: your Countersign password was reset", brand.name)
    } else {
        format!("{}: reset your Countersign password", brand.name)
    };
    let text = ResetText {
        brand,
        link,
        expires,
        by_admin,
    }
    .render()?;
    Ok(Rendered {
        html: ResetHtml {
            subject: &subject,
            brand,
            link,
            expires,
            by_admin,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

/// The notice that the password changed.
pub(crate) fn changed(brand: &Brand, when: &str) -> Result<Rendered, TemplateError> {
    let subject = format!("{}: your Countersign password was changed", brand.name);
    let text = ChangedText { brand, when }.render()?;
    Ok(Rendered {
        html: ChangedHtml {
            subject: &subject,
            brand,
            when,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}
