//! Email through an SMTP relay (lettre, rustls).

use crate::{Delivery, DeliveryStatus, EmailSender, OutgoingEmail, SendError};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    StartTls,
    /// TLS from the first byte, usually port 465.
    Tls,
    /// No encryption: only for a relay on loopback (the settings refuse anything else).
    Plain,
}

/// Where and how to send email.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// Relay host name.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// Connection security.
    pub security: SmtpSecurity,
    /// Login (empty: no authentication).
    pub username: String,
    /// Password for `username`.
    pub password: SecretString,
    /// Envelope and header sender address.
    pub from_address: String,
    /// How long one attempt may take.
    pub timeout: Duration,
}

/// Sends email through one relay, reusing connections.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from_address: String,
    /// Right-hand side of Message-IDs.
    domain: String,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from_address", &self.from_address)
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// Builds the transport (no connection is made yet).
    ///
    /// # Errors
    /// TLS parameters for the host cannot be built, or the from address is invalid.
    pub fn new(config: &SmtpConfig) -> Result<Self, SendError> {
        let tls = match config.security {
            SmtpSecurity::Plain => Tls::None,
            SmtpSecurity::StartTls | SmtpSecurity::Tls => {
                let params = TlsParameters::new(config.host.clone()).map_err(|e| {
                    SendError::permanent(format!("SMTP TLS set-up failed: {e}"), None)
                })?;
                if config.security == SmtpSecurity::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.expose_secret().to_owned(),
            ));
        }
        let from: Mailbox = config.from_address.parse().map_err(|e| {
            SendError::permanent(format!("smtp.from_address is not an address: {e}"), None)
        })?;
        Ok(Self {
            transport: builder.build(),
            from_address: config.from_address.clone(),
            domain: from.email.domain().to_owned(),
        })
    }

    /// The Message-ID of an email with this idempotency key: the same on every retry.
    fn message_id(&self, key: &str) -> String {
        let safe: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("<{safe}@{}>", self.domain)
    }

    fn build(&self, email: &OutgoingEmail) -> Result<(Message, String), SendError> {
        // Forms refuse line breaks in these; a value from before that (or from elsewhere) is
        // folded into one line here, so it can neither add a header nor panic lettre.
        let from_name = header_line(&email.from_name);
        let subject = header_line(&email.subject);
        let from = Mailbox::new(
            Some(from_name).filter(|n| !n.trim().is_empty()),
            self.from_address
                .parse()
                .map_err(|e| SendError::permanent(format!("invalid from address: {e}"), None))?,
        );
        let to: Mailbox = email.to.parse().map_err(|_| {
            SendError::permanent("the recipient is not a valid email address", None)
        })?;
        let message_id = self.message_id(&email.idempotency_key);
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.clone()));
        if !email.reply_to.is_empty() {
            let reply_to: Mailbox = email.reply_to.parse().map_err(|_| {
                SendError::permanent("the branding's reply-to is not a valid address", None)
            })?;
            builder = builder.reply_to(reply_to);
        }
        if let Some(link) = &email.list_unsubscribe {
            let link = unsubscribe_link(link)?;
            builder = builder
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{link}>")))
                .raw_header(HeaderValue::new(
                    LIST_UNSUBSCRIBE_POST,
                    ONE_CLICK.to_owned(),
                ));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| SendError::permanent(format!("cannot build the email: {e}"), None))?;
        Ok((message, message_id))
    }
}

/// RFC 2369 §3.2: the URL of the unsubscribe command, in angle brackets.
const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
/// RFC 8058 §3.1: says that a POST of [`ONE_CLICK`] to the `List-Unsubscribe` https URL
/// unsubscribes without any further step, so a mail provider can offer its own button.
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");
/// The one key/value pair RFC 8058 §3.1 allows in `List-Unsubscribe-Post` (and the body the
/// provider posts).
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

/// The unsubscribe link as it may go between the angle brackets of `List-Unsubscribe`: an
/// http(s) URL of printable ASCII without spaces or angle brackets. Anything else is a bug of
/// ours (the app builds the link); refused rather than mangled, since a broadcast without a
/// working unsubscribe must not go out. RFC 8058 needs https, which the server's public URL
/// is in production; plain http is let through for a loopback test server.
fn unsubscribe_link(link: &str) -> Result<&str, SendError> {
    let printable = link
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    if printable && (link.starts_with("https://") || link.starts_with("http://")) {
        Ok(link)
    } else {
        Err(SendError::permanent(
            "the broadcast's unsubscribe link is not a valid http(s) URL",
            None,
        ))
    }
}

/// `text` with every control character (CR, LF, NUL, …) and Unicode line or paragraph
/// separator replaced by a space.
fn header_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if crate::is_header_safe_char(c) {
                c
            } else {
                ' '
            }
        })
        .collect()
}

impl EmailSender for SmtpSender {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<Delivery, SendError> {
        let (message, message_id) = self.build(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(Delivery {
                provider_id: Some(message_id),
                status: DeliveryStatus::Sent,
            }),
            Err(e) => Err(classify(&e)),
        }
    }
}

/// Permanent SMTP replies (5xx) fail the message; everything else (4xx, network, TLS,
/// timeouts) is retried.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string());
    if e.is_permanent() {
        SendError::permanent(format!("the mail server refused the message: {e}"), code)
    } else {
        SendError::retryable(
            format!("the mail server could not take the message now: {e}"),
            code,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> SmtpSender {
        SmtpSender::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::Plain,
            username: String::new(),
            password: SecretString::from(String::new()),
            from_address: "noreply@countersign.test".into(),
            timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    /// Header-bound fields with CR/LF (or other control characters) neither panic the sender
    /// nor add a header: they are folded into one line.
    #[tokio::test]
    async fn line_breaks_in_header_fields_cannot_inject_or_panic() {
        for evil in [
            "Acme\r\nBcc: victim@evil.test",
            "Acme\nBcc: victim@evil.test",
            "Acme\rBcc: victim@evil.test",
            "\r\n\r\n",
            "Acme\u{0}\u{85}\u{2028}IT",
        ] {
            let email = OutgoingEmail {
                to: "amy@example.test".into(),
                from_name: evil.into(),
                reply_to: String::new(),
                subject: format!("Test message from {evil}"),
                text: "hello".into(),
                html: "<p>hello</p>".into(),
                idempotency_key: "k1".into(),
                list_unsubscribe: None,
            };
            let (message, _) = sender().build(&email).unwrap();
            let raw = String::from_utf8(message.formatted()).unwrap();
            let head = raw.split("\r\n\r\n").next().unwrap();
            assert!(
                !head
                    .lines()
                    .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
                "{head}"
            );
        }
    }

    /// A link that could add a header or break out of the angle brackets is refused, never
    /// folded into the message.
    #[tokio::test]
    async fn an_unsubscribe_link_with_line_breaks_or_brackets_is_refused() {
        for evil in [
            "https://cs.example/unsubscribe/a\r\nBcc: victim@evil.test",
            "https://cs.example/unsubscribe/a> <mailto:x@evil.test",
            "https://cs.example/unsubscribe/a b",
            "javascript:alert(1)",
            "",
        ] {
            let email = OutgoingEmail {
                to: "amy@example.test".into(),
                from_name: "Acme IT".into(),
                reply_to: String::new(),
                subject: "Outage".into(),
                text: "hello".into(),
                html: "<p>hello</p>".into(),
                idempotency_key: "k1".into(),
                list_unsubscribe: Some(evil.into()),
            };
            let err = sender().build(&email).unwrap_err();
            assert!(!err.is_retryable(), "{evil:?}");
        }
    }
}
