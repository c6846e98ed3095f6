//! The senders a worker delivers with, built once from the settings.

use crate::settings::{Settings, SmtpSecuritySetting};
use countersign_messaging::{
    SendError, SmtpConfig, SmtpSecurity, SmtpSender, TwilioConfig, TwilioCredentials, TwilioSender,
    TwilioSenderId,
};
use std::time::Duration;

/// Path of the Twilio status callback, under the public URL.
pub const TWILIO_STATUS_PATH: &str = "/webhooks/twilio/status";
/// Path of the Twilio inbound-message webhook, under the public URL.
pub const TWILIO_INBOUND_PATH: &str = "/webhooks/twilio/inbound";

/// Live senders (each `None` when not configured) and the status callback URL.
#[derive(Clone, Debug)]
pub struct Transports {
    pub twilio: Option<TwilioSender>,
    pub smtp: Option<SmtpSender>,
    pub twilio_status_callback: String,
    /// The HTTP client of outgoing webhooks.
    pub webhooks: crate::webhooks::WebhookClient,
}

impl Transports {
    /// Builds the senders the settings configure.
    ///
    /// # Errors
    /// A sender cannot be set up (TLS, an unparsable from address).
    pub fn from_settings(settings: &Settings) -> Result<Self, SendError> {
        let t = &settings.twilio;
        let twilio = if t.is_configured() {
            let credentials = if t.api_key_sid.is_empty() {
                TwilioCredentials::AuthToken(t.auth_token.clone().into())
            } else {
                TwilioCredentials::ApiKey {
                    sid: t.api_key_sid.clone(),
                    secret: t.api_key_secret.clone().into(),
                }
            };
            let sender = if t.from_number.is_empty() {
                TwilioSenderId::MessagingService(t.messaging_service_sid.clone())
            } else {
                TwilioSenderId::From(t.from_number.clone())
            };
            Some(TwilioSender::new(TwilioConfig {
                base_url: t.base_url.clone(),
                account_sid: t.account_sid.clone(),
                credentials,
                sender,
                timeout: Duration::from_secs(u64::from(t.timeout_seconds)),
            })?)
        } else {
            None
        };
        let s = &settings.smtp;
        let smtp = if s.is_configured() {
            Some(SmtpSender::new(&SmtpConfig {
                host: s.host.clone(),
                port: s.port,
                security: match s.security {
                    SmtpSecuritySetting::Starttls => SmtpSecurity::StartTls,
                    SmtpSecuritySetting::Tls => SmtpSecurity::Tls,
                    SmtpSecuritySetting::Plain => SmtpSecurity::Plain,
                },
                username: s.username.clone(),
                password: s.password.clone().into(),
                from_address: s.from_address.clone(),
                timeout: Duration::from_secs(u64::from(s.timeout_seconds)),
            })?)
        } else {
            None
        };
        let webhooks = crate::webhooks::WebhookClient::new(&settings.webhooks).map_err(|e| {
            SendError::permanent(format!("the webhook client cannot start: {e}"), None)
        })?;
        Ok(Self {
            twilio,
            smtp,
            twilio_status_callback: format!("{}{TWILIO_STATUS_PATH}", settings.public_base()),
            webhooks,
        })
    }
}
