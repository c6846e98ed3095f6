//! Messages about a technician's change of their own email address (issue 21.5): the link
//! that confirms the new address (sent to the new address only) and the notice to the current
//! address that a change was asked for (never the link). Email only; the SMS form is the text
//! part.

use crate::templates::{Brand, Rendered, TemplateError};
use askama::Template;

#[derive(Template)]
#[template(path = "messages/email_change_confirm.txt")]
struct ConfirmText<'a> {
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "messages/email_change_confirm.html")]
struct ConfirmHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "messages/email_change_requested.txt")]
struct RequestedText<'a> {
    brand: &'a Brand,
    new_address: &'a str,
    when: &'a str,
}

#[derive(Template)]
#[template(path = "messages/email_change_requested.html")]
struct RequestedHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    new_address: &'a str,
    when: &'a str,
}

/// The link that makes this address the account's sign-in email.
pub(crate) fn confirm(
    brand: &Brand,
    technician: &str,
    link: &str,
    expires: &str,
) -> Result<Rendered, TemplateError> {
    let subject = format!("{}: confirm your new Countersign email address", brand.name);
    let text = ConfirmText {
        brand,
        technician,
        link,
        expires,
    }
    .render()?;
    Ok(Rendered {
        html: ConfirmHtml {
            subject: &subject,
            brand,
            technician,
            link,
            expires,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

/// The notice to the current address.
pub(crate) fn requested(
    brand: &Brand,
    new_address: &str,
    when: &str,
) -> Result<Rendered, TemplateError> {
    let subject = format!(
        "{}: a change of your Countersign email address was requested",
        brand.name
    );
    let text = RequestedText {
        brand,
        new_address,
        when,
    }
    .render()?;
    Ok(Rendered {
        html: RequestedHtml {
            subject: &subject,
            brand,
            new_address,
            when,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}
