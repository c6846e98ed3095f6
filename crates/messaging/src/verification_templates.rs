//! Messages of end-user and technician verification (security.md §2.4: the text names the
//! MSP and the technician, and says to give a code only to someone the user contacted).

use crate::templates::{Brand, Rendered, TemplateError};
use askama::Template;

/// Every field a verification message may use; each template uses some.
pub(crate) struct Fields<'a> {
    pub brand: &'a Brand,
    pub technician: &'a str,
    pub code: &'a str,
    pub link: &'a str,
    pub minutes: i64,
    pub contact: &'a str,
}

#[derive(Template)]
#[template(path = "messages/verify_code_sms.txt")]
struct CodeSms<'a> {
    brand: &'a Brand,
    technician: &'a str,
    code: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "messages/verify_link.txt")]
struct LinkText<'a> {
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "messages/verify_link.html")]
struct LinkHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    link: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "messages/who_i_am.txt")]
struct WhoText<'a> {
    brand: &'a Brand,
    technician: &'a str,
    code: &'a str,
}

#[derive(Template)]
#[template(path = "messages/who_i_am.html")]
struct WhoHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    code: &'a str,
}

#[derive(Template)]
#[template(path = "messages/technician_check_link.txt")]
struct CheckText<'a> {
    brand: &'a Brand,
    link: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "messages/technician_check_link.html")]
struct CheckHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    link: &'a str,
    minutes: i64,
}

/// The code SMS (codes go by SMS only: NIST 800-63B forbids email for out-of-band codes).
pub(crate) fn code(f: &Fields<'_>) -> Result<Rendered, TemplateError> {
    let sms = CodeSms {
        brand: f.brand,
        technician: f.technician,
        code: f.code,
        minutes: f.minutes,
    }
    .render()?
    .trim()
    .to_owned();
    Ok(Rendered {
        subject: format!("{} verification code", f.brand.name),
        text: sms.clone(),
        html: String::new(),
        sms,
    })
}

/// The approve link, by SMS or email.
pub(crate) fn link(f: &Fields<'_>) -> Result<Rendered, TemplateError> {
    let subject = format!("{}: confirm it is you", f.brand.name);
    let text = LinkText {
        brand: f.brand,
        technician: f.technician,
        link: f.link,
        minutes: f.minutes,
    }
    .render()?;
    Ok(Rendered {
        html: LinkHtml {
            subject: &subject,
            brand: f.brand,
            technician: f.technician,
            link: f.link,
            minutes: f.minutes,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

/// "Who I am": the technician's name and the code they read aloud.
pub(crate) fn who_i_am(f: &Fields<'_>) -> Result<Rendered, TemplateError> {
    let subject = format!("{} works for {}", f.technician, f.brand.name);
    let text = WhoText {
        brand: f.brand,
        technician: f.technician,
        code: f.code,
    }
    .render()?;
    Ok(Rendered {
        html: WhoHtml {
            subject: &subject,
            brand: f.brand,
            technician: f.technician,
            code: f.code,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

/// The link of a technician check the contact asked for.
pub(crate) fn technician_check(f: &Fields<'_>) -> Result<Rendered, TemplateError> {
    let subject = format!("{}: check who contacted you", f.brand.name);
    let text = CheckText {
        brand: f.brand,
        link: f.link,
        minutes: f.minutes,
    }
    .render()?;
    Ok(Rendered {
        html: CheckHtml {
            subject: &subject,
            brand: f.brand,
            link: f.link,
            minutes: f.minutes,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}

#[derive(Template)]
#[template(path = "messages/denied_alert.txt")]
struct DeniedText<'a> {
    technician: &'a str,
    contact: &'a str,
    link: &'a str,
    brand: &'a Brand,
}

#[derive(Template)]
#[template(path = "messages/denied_alert.html")]
struct DeniedHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    technician: &'a str,
    contact: &'a str,
    link: &'a str,
}

/// The alert to the technician and the admins after "This wasn't me".
pub(crate) fn denied_alert(f: &Fields<'_>) -> Result<Rendered, TemplateError> {
    let subject = format!("Alert: {} said a verification wasn't them", f.contact);
    let text = DeniedText {
        technician: f.technician,
        contact: f.contact,
        link: f.link,
        brand: f.brand,
    }
    .render()?;
    Ok(Rendered {
        html: DeniedHtml {
            subject: &subject,
            brand: f.brand,
            technician: f.technician,
            contact: f.contact,
            link: f.link,
        }
        .render()?,
        sms: text.trim().to_owned(),
        text,
        subject,
    })
}
