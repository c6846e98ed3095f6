//! Message bodies from templates (`templates/messages/`), with the org's branding. Emails
//! have a text and an HTML part sharing one layout; SMS are text only.

use askama::Template;

/// How an org's messages look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brand {
    /// Name shown as the sender and in the header.
    pub name: String,
    /// https URL of the logo (empty: the name is shown instead).
    pub logo_url: String,
    /// Accent colour, `#rrggbb` (anything else falls back to the default).
    pub colour: String,
    /// Footer line.
    pub footer: String,
    /// Reply-To of emails (empty: none).
    pub reply_to: String,
}

/// Default accent colour.
pub const DEFAULT_COLOUR: &str = "#2563eb";

impl Brand {
    /// The default look for an org that has not set its branding.
    #[must_use]
    pub fn default_for(org_name: &str) -> Self {
        Self {
            name: org_name.to_owned(),
            logo_url: String::new(),
            colour: DEFAULT_COLOUR.to_owned(),
            footer: String::new(),
            reply_to: String::new(),
        }
    }

    /// The brand as templates may use it: a colour that is not `#rrggbb` and a logo URL that
    /// is not https are dropped, so stored values can never break out of an attribute.
    #[must_use]
    pub fn sanitised(&self) -> Self {
        let mut b = self.clone();
        if !is_hex_colour(&b.colour) {
            b.colour = DEFAULT_COLOUR.to_owned();
        }
        if !b.logo_url.starts_with("https://") {
            b.logo_url.clear();
        }
        b
    }
}

/// Whether `s` is `#rrggbb`.
#[must_use]
pub fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The templates there are. Later features (verification, secure send, broadcast) add theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateName {
    /// "Send a test message" from Settings ▸ Branding.
    Test {
        /// Who pressed the button (display name).
        sender: String,
    },
    /// A technician invite: the one-time link to join the org.
    Invite {
        /// Who invited (display name).
        inviter: String,
        /// The role offered.
        role: String,
        /// The one-time link (carries the invite token: never logged).
        link: String,
        /// When the link stops working, e.g. `2026-11-29 10:15 UTC`.
        expires: String,
    },
    /// A verification code (SMS). The code is never logged.
    VerificationCode {
        /// Who asked (display name).
        technician: String,
        /// The six digits.
        code: String,
        /// Minutes it is valid.
        minutes: i64,
    },
    /// An approve link with number matching (SMS or email).
    VerificationLink {
        /// Who asked (display name).
        technician: String,
        /// The one-time link (carries the token: never logged).
        link: String,
        /// Minutes it is valid.
        minutes: i64,
    },
    /// "Who I am": the technician's name and the code they read aloud.
    WhoIAm {
        /// The technician (display name).
        technician: String,
        /// The code to compare.
        code: String,
    },
    /// To the technician and the admins: a contact answered "This wasn't me".
    DeniedAlert {
        /// Who started the verification.
        technician: String,
        /// The contact (display name).
        contact: String,
        /// The contact's Pod.
        link: String,
    },
    /// The link of a technician check the contact asked for on the public page.
    TechnicianCheck {
        /// The one-time link (carries the token: never logged).
        link: String,
        /// Minutes it is valid.
        minutes: i64,
    },
    /// The link to a Secure Send secret (the key is in its fragment: never logged).
    SecretSend {
        /// Who sent it (display name).
        technician: String,
        /// `…/s/{token}#{key}`.
        link: String,
        /// When it stops working, e.g. `2026-11-29 10:15 UTC`.
        expires: String,
        /// Views allowed.
        views: i64,
    },
    /// The link of a Secure Request (no key in it: the page carries the public key).
    SecretRequest {
        /// Who asks (display name).
        technician: String,
        /// `…/r/{token}`.
        link: String,
        /// When it stops working.
        expires: String,
        /// What is asked for.
        what: String,
    },
    /// The code a secret's recipient types before its server-held key share is released.
    SecretCode {
        /// Who sent the secret.
        technician: String,
        /// The six digits.
        code: String,
        /// Minutes it is valid.
        minutes: i64,
    },
    /// To a technician: the one-time link to choose a new password.
    PasswordReset {
        /// The one-time link (carries the token: never logged).
        link: String,
        /// When it stops working, e.g. `2026-11-29 10:15 UTC`.
        expires: String,
        /// An admin reset the password and second factor (else the technician asked).
        by_admin: bool,
    },
    /// To a technician: their password was changed.
    PasswordChanged {
        /// When, e.g. `2026-11-29 10:15 UTC`.
        when: String,
    },
    /// To the NEW address of a technician: the one-time link that makes it their sign-in
    /// email.
    EmailChangeConfirm {
        /// The technician (display name).
        technician: String,
        /// The one-time link (carries the token: never logged).
        link: String,
        /// When the link stops working, e.g. `2026-11-29 10:15 UTC`.
        expires: String,
    },
    /// To the CURRENT address of a technician: a change of their email was asked for.
    EmailChangeRequested {
        /// The new address, masked.
        new_address: String,
        /// When it was asked for.
        when: String,
    },
    /// To the technician: their secret was revealed, or their request answered.
    SecretRevealed {
        /// The recipient, masked.
        recipient: String,
        /// "revealed" or "answered".
        what: String,
        /// When.
        when: String,
        /// The status page.
        link: String,
    },
    /// To a technician: someone keeps entering wrong passwords for their account (sent at
    /// most once an hour).
    SignInAttack {
        /// The technician (display name).
        technician: String,
        /// Wrong passwords counted for the account.
        failures: i64,
        /// The sign-in page.
        link: String,
    },
}

impl TemplateName {
    /// The stored template name.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Test { .. } => "test",
            Self::Invite { .. } => "invite",
            Self::VerificationCode { .. } => "verification_code",
            Self::VerificationLink { .. } => "verification_link",
            Self::WhoIAm { .. } => "who_i_am",
            Self::TechnicianCheck { .. } => "technician_check",
            Self::DeniedAlert { .. } => "denied_alert",
            Self::SecretSend { .. } => "secret_send",
            Self::SecretRequest { .. } => "secret_request",
            Self::SecretCode { .. } => "secret_code",
            Self::SecretRevealed { .. } => "secret_revealed",
            Self::SignInAttack { .. } => "sign_in_attack",
            Self::PasswordReset { .. } => "password_reset",
            Self::PasswordChanged { .. } => "password_changed",
            Self::EmailChangeConfirm { .. } => "email_change_confirm",
            Self::EmailChangeRequested { .. } => "email_change_requested",
        }
    }
}

/// A rendered message. `Debug` redacts the bodies.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Email subject.
    pub subject: String,
    /// Text part, or the SMS.
    pub text: String,
    /// HTML part (emails).
    pub html: String,
    /// SMS text.
    pub sms: String,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A template failed to render (a bug: templates are checked at compile time).
#[derive(Debug, thiserror::Error)]
#[error("message template failed: {0}")]
pub struct TemplateError(#[from] askama::Error);

#[derive(Template)]
#[template(path = "messages/test.html")]
struct TestHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "messages/test.txt")]
struct TestText<'a> {
    brand: &'a Brand,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "messages/test_sms.txt")]
struct TestSms<'a> {
    brand: &'a Brand,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "messages/invite.html")]
struct InviteHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    inviter: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "messages/invite.txt")]
struct InviteText<'a> {
    brand: &'a Brand,
    inviter: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
}

/// Renders every part of a template with a brand.
///
/// # Errors
/// A rendering failure (a bug).
pub fn render(template: &TemplateName, brand: &Brand) -> Result<Rendered, TemplateError> {
    let brand = &brand.sanitised();
    let fields = |technician, code, link, minutes| crate::verification_templates::Fields {
        brand,
        technician,
        code,
        link,
        minutes,
        contact: "",
    };
    match template {
        TemplateName::VerificationCode {
            technician,
            code,
            minutes,
        } => crate::verification_templates::code(&fields(technician, code, "", *minutes)),
        TemplateName::VerificationLink {
            technician,
            link,
            minutes,
        } => crate::verification_templates::link(&fields(technician, "", link, *minutes)),
        TemplateName::WhoIAm { technician, code } => {
            crate::verification_templates::who_i_am(&fields(technician, code, "", 0))
        }
        TemplateName::TechnicianCheck { link, minutes } => {
            crate::verification_templates::technician_check(&fields("", "", link, *minutes))
        }
        TemplateName::DeniedAlert {
            technician,
            contact,
            link,
        } => crate::verification_templates::denied_alert(&crate::verification_templates::Fields {
            contact,
            ..fields(technician, "", link, 0)
        }),
        TemplateName::SecretSend {
            technician,
            link,
            expires,
            views,
        } => crate::secret_templates::send(brand, technician, link, expires, *views),
        TemplateName::SecretRequest {
            technician,
            link,
            expires,
            what,
        } => crate::secret_templates::request(brand, technician, link, expires, what),
        TemplateName::SecretCode {
            technician,
            code,
            minutes,
        } => crate::secret_templates::code(brand, technician, code, *minutes),
        TemplateName::SecretRevealed {
            recipient,
            what,
            when,
            link,
        } => crate::secret_templates::revealed(brand, recipient, what, when, link),
        TemplateName::SignInAttack {
            technician,
            failures,
            link,
        } => crate::account_templates::sign_in_attack(brand, technician, *failures, link),
        TemplateName::PasswordReset {
            link,
            expires,
            by_admin,
        } => crate::account_templates::reset(brand, link, expires, *by_admin),
        TemplateName::PasswordChanged { when } => crate::account_templates::changed(brand, when),
        TemplateName::EmailChangeConfirm {
            technician,
            link,
            expires,
        } => crate::email_change_templates::confirm(brand, technician, link, expires),
        TemplateName::EmailChangeRequested { new_address, when } => {
            crate::email_change_templates::requested(brand, new_address, when)
        }
        TemplateName::Test { sender } => {
            let subject = format!("Test message from {}", brand.name);
            Ok(Rendered {
                html: TestHtml {
                    subject: &subject,
                    brand,
                    sender,
                }
                .render()?,
                text: TestText { brand, sender }.render()?,
                sms: TestSms { brand, sender }.render()?.trim().to_owned(),
                subject,
            })
        }
        TemplateName::Invite {
            inviter,
            role,
            link,
            expires,
        } => {
            let subject = format!("{inviter} invited you to {} on Countersign", brand.name);
            let (inviter, role, link, expires) = (
                inviter.as_str(),
                role.as_str(),
                link.as_str(),
                expires.as_str(),
            );
            let text = InviteText {
                brand,
                inviter,
                role,
                link,
                expires,
            }
            .render()?;
            Ok(Rendered {
                html: InviteHtml {
                    subject: &subject,
                    brand,
                    inviter,
                    role,
                    link,
                    expires,
                }
                .render()?,
                // Invites go by email only; the SMS form is the text part.
                sms: text.trim().to_owned(),
                text,
                subject,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_branding_and_escapes_html() {
        let brand = Brand {
            name: "Acme <IT>".into(),
            logo_url: "javascript:alert(1)".into(),
            colour: "red;background:url(x)".into(),
            footer: "Acme IT, 1 Main St".into(),
            reply_to: String::new(),
        };
        let r = render(
            &TemplateName::Test {
                sender: "Amy".into(),
            },
            &brand,
        )
        .unwrap();
        assert_eq!(r.subject, "Test message from Acme <IT>");
        assert!(
            r.html.contains("Acme &#60;IT&#62;") || r.html.contains("Acme &lt;IT&gt;"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("javascript:"));
        assert!(r.html.contains(DEFAULT_COLOUR));
        assert!(r.html.contains("Acme IT, 1 Main St"));
        assert!(r.text.contains("sent by Amy"));
        assert!(r.text.contains("Acme <IT>"), "text is not HTML-escaped");
        assert!(r.sms.starts_with("Acme <IT>: test message"));
        assert!(!format!("{r:?}").contains("Amy"));
    }

    #[test]
    fn password_messages_say_who_reset_and_carry_the_link() {
        let link = "https://cs.example/password/reset/abc123";
        let brand = Brand::default_for("Acme IT");
        for by_admin in [false, true] {
            let r = render(
                &TemplateName::PasswordReset {
                    link: link.into(),
                    expires: "2026-11-29 10:15 UTC".into(),
                    by_admin,
                },
                &brand,
            )
            .unwrap();
            assert!(r.text.contains(link) && r.html.contains(link));
            assert!(r.text.contains("2026-11-29 10:15 UTC"));
            assert_eq!(r.text.contains("An admin of Acme IT reset"), by_admin);
            assert!(
                !format!("{r:?}").contains(link),
                "Debug never shows the link"
            );
        }
        let r = render(
            &TemplateName::PasswordChanged {
                when: "2026-11-29 10:15 UTC".into(),
            },
            &brand,
        )
        .unwrap();
        assert_eq!(r.subject, "Acme IT: your Countersign password was changed");
        assert!(r.text.contains("changed at 2026-11-29 10:15 UTC"));
        assert!(r.html.contains("Forgot your password?"));
    }

    #[test]
    fn email_change_messages_carry_the_link_only_to_the_new_address() {
        let link = "https://cs.example/account/email/abc123";
        let brand = Brand::default_for("Acme IT");
        let r = render(
            &TemplateName::EmailChangeConfirm {
                technician: "Amy Pond".into(),
                link: link.into(),
                expires: "2026-11-29 10:15 UTC".into(),
            },
            &brand,
        )
        .unwrap();
        assert_eq!(
            r.subject,
            "Acme IT: confirm your new Countersign email address"
        );
        assert!(r.text.contains(link) && r.html.contains(link));
        assert!(r.text.starts_with("Amy Pond, someone asked"));
        assert!(
            !format!("{r:?}").contains(link),
            "Debug never shows the link"
        );
        let r = render(
            &TemplateName::EmailChangeRequested {
                new_address: "a•••@new.test".into(),
                when: "2026-11-29 10:15 UTC".into(),
            },
            &brand,
        )
        .unwrap();
        assert!(r.text.contains("to a•••@new.test"), "{}", r.text);
        assert!(r.html.contains("cancel the change on your account page"));
        assert!(!r.text.contains("http"), "the notice carries no link");
    }

    #[test]
    fn invite_carries_the_link_in_both_parts() {
        let link = "https://cs.example/invite/abc123";
        let r = render(
            &TemplateName::Invite {
                inviter: "Amy".into(),
                role: "technician".into(),
                link: link.into(),
                expires: "2026-11-29 10:15 UTC".into(),
            },
            &Brand::default_for("Acme IT"),
        )
        .unwrap();
        assert_eq!(r.subject, "Amy invited you to Acme IT on Countersign");
        assert!(r.text.contains(link) && r.html.contains(link));
        assert!(r.text.contains("2026-11-29 10:15 UTC"));
        assert!(
            !format!("{r:?}").contains(link),
            "Debug never shows the link"
        );
    }
    /// A copied link went to nobody Countersign knows: the message names no recipient (it
    /// read "your secure link to link copied"); a sent one names the masked recipient.
    #[test]
    fn a_revealed_message_names_the_recipient_only_when_there_is_one() {
        let brand = Brand::default_for("Acme IT");
        let revealed = |recipient: &str| {
            render(
                &TemplateName::SecretRevealed {
                    recipient: recipient.into(),
                    what: "revealed".into(),
                    when: "2026-12-06 18:00 UTC".into(),
                    link: "https://cs.example/pod/secrets/1".into(),
                },
                &brand,
            )
            .unwrap()
        };
        let copied = revealed("");
        assert_eq!(copied.subject, "Your secure link was revealed");
        assert!(
            copied.text.contains("your secure link was revealed at"),
            "{}",
            copied.text
        );
        assert!(
            copied.html.contains("Your secure link was revealed at"),
            "{}",
            copied.html
        );
        let sent = revealed("a•••@c.example");
        assert_eq!(
            sent.subject,
            "Your secure link to a•••@c.example was revealed"
        );
        assert!(
            sent.text.contains("link to a•••@c.example was revealed"),
            "{}",
            sent.text
        );
    }
}
