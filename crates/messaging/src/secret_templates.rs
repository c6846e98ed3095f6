//! Messages of Secure Data Send and Request: the link to a secret (its key only in the
//! fragment), the link of a request, the recipient's verification code, and the technician's
//! "revealed" notice. Each names the MSP and the technician.

use crate::templates::{Brand, Rendered, TemplateError};
use askama::Template;

#[derive(Template)]
#[template(path = "messages/secret_send.txt")]
struct SendText<'a> {
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    expires: &'a str,
    views: i64,
}

#[derive(Template)]
#[template(path = "messages/secret_send.html")]
struct SendHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    expires: &'a str,
    views: i64,
}

#[derive(Template)]
#[template(path = "messages/secret_request.txt")]
struct RequestText<'a> {
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    expires: &'a str,
    what: &'a str,
}

#[derive(Template)]
#[template(path = "messages/secret_request.html")]
struct RequestHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    expires: &'a str,
    what: &'a str,
}

#[derive(Template)]
#[template(path = "messages/secret_code_sms.txt")]
struct CodeSms<'a> {
    brand: &'a Brand,
    technician: &'a str,
    code: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "messages/secret_revealed.txt")]
struct RevealedText<'a> {
    brand: &'a Brand,
    recipient: &'a str,
    what: &'a str,
    when: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "messages/secret_revealed.html")]
struct RevealedHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    recipient: &'a str,
    what: &'a str,
    when: &'a str,
    link: &'a str,
}

/// The link to a secret, by SMS or email.
pub(crate) fn send(
    brand: &Brand,
    technician: &str,
    link: &str,
    expires: &str,
    views: i64,
) -> Result<Rendered, TemplateError> {
    let subject = format!("{}: a secure message from {technician}", brand.name);
    let text = SendText {
        brand,
        technician,
        link,
        expires,
        views,
    }
    .render()?;
    Ok(Rendered {
        html: SendHtml {
            subject: &subject,
            brand,
            technician,
            link,
            expires,
            views,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

/// The link of a request, by SMS or email.
pub(crate) fn request(
    brand: &Brand,
    technician: &str,
    link: &str,
    expires: &str,
    what: &str,
) -> Result<Rendered, TemplateError> {
    let subject = format!(
        "{}: {technician} asks you to send data securely",
        brand.name
    );
    let text = RequestText {
        brand,
        technician,
        link,
        expires,
        what,
    }
    .render()?;
    Ok(Rendered {
        html: RequestHtml {
            subject: &subject,
            brand,
            technician,
            link,
            expires,
            what,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

/// The recipient's code (SMS only, to the phone of record).
pub(crate) fn code(
    brand: &Brand,
    technician: &str,
    code: &str,
    minutes: i64,
) -> Result<Rendered, TemplateError> {
    let sms = CodeSms {
        brand,
        technician,
        code,
        minutes,
    }
    .render()?
    .trim()
    .to_owned();
    Ok(Rendered {
        subject: format!("{} secure message code", brand.name),
        text: sms.clone(),
        html: String::new(),
        sms,
    })
}

/// To the technician: their link was revealed (or a request answered).
pub(crate) fn revealed(
    brand: &Brand,
    recipient: &str,
    what: &str,
    when: &str,
    link: &str,
) -> Result<Rendered, TemplateError> {
    // `recipient` is empty for a link the technician copied and handed over themselves.
    let subject = if recipient.is_empty() {
        format!("Your secure link was {what}")
    } else {
        format!("Your secure link to {recipient} was {what}")
    };
    let text = RevealedText {
        brand,
        recipient,
        what,
        when,
        link,
    }
    .render()?;
    Ok(Rendered {
        html: RevealedHtml {
            subject: &subject,
            brand,
            recipient,
            what,
            when,
            link,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}
