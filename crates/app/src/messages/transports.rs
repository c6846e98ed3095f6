//! The senders a worker delivers with, built once from the settings: one Twilio sender and one
//! SMTP sender per lane (`lane_settings.rs`).

use crate::settings::{Settings, SmtpSecuritySetting};
use countersign_domain::Lane;
use countersign_messaging::{
    SendError, SmtpConfig, SmtpSecurity, SmtpSender, TwilioConfig, TwilioCredentials, TwilioSender,
};
use std::time::Duration;

/// Path of the Twilio status callback, under the public URL.
pub const TWILIO_STATUS_PATH: &str = "/webhooks/twilio/status";
/// Path of the Twilio inbound-message webhook, under the public URL.
pub const TWILIO_INBOUND_PATH: &str = "/webhooks/twilio/inbound";

/// Live senders (each `None` when not configured) and the status callback URL.
#[derive(Clone, Debug)]
pub struct Transports {
    /// SMS of the verification lane.
    pub twilio: Option<TwilioSender>,
    /// SMS of the broadcast lane: never the verification sender (`None` without a broadcast
    /// sender).
    pub broadcast_twilio: Option<TwilioSender>,
    /// Email of the verification lane.
    pub smtp: Option<SmtpSender>,
    /// Email of the broadcast lane (its own From, or the verification lane's).
    pub broadcast_smtp: Option<SmtpSender>,
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
        let smtp = smtp_with_from(settings, settings.email_from(Lane::Verification))?;
        let broadcast_smtp = if settings.smtp.broadcast_from_address.is_empty() {
            smtp.clone()
        } else {
            smtp_with_from(settings, settings.email_from(Lane::Broadcast))?
        };
        let webhooks = crate::webhooks::WebhookClient::new(&settings.webhooks).map_err(|e| {
            SendError::permanent(format!("the webhook client cannot start: {e}"), None)
        })?;
        Ok(Self {
            twilio: twilio(settings, Lane::Verification)?,
            broadcast_twilio: twilio(settings, Lane::Broadcast)?,
            smtp,
            broadcast_smtp,
            twilio_status_callback: format!("{}{TWILIO_STATUS_PATH}", settings.public_base()),
            webhooks,
        })
    }

    /// The SMS sender of `lane`.
    #[must_use]
    pub fn twilio_of(&self, lane: Lane) -> Option<&TwilioSender> {
        match lane {
            Lane::Verification => self.twilio.as_ref(),
            Lane::Broadcast => self.broadcast_twilio.as_ref(),
        }
    }

    /// The SMTP sender of `lane`.
    #[must_use]
    pub fn smtp_of(&self, lane: Lane) -> Option<&SmtpSender> {
        match lane {
            Lane::Verification => self.smtp.as_ref(),
            Lane::Broadcast => self.broadcast_smtp.as_ref(),
        }
    }
}

/// The Twilio sender of `lane`, when Twilio and the lane's sender are configured.
fn twilio(settings: &Settings, lane: Lane) -> Result<Option<TwilioSender>, SendError> {
    let t = &settings.twilio;
    let Some(sender) = settings.sms_sender(lane) else {
        return Ok(None);
    };
    let credentials = if t.api_key_sid.is_empty() {
        TwilioCredentials::AuthToken(t.auth_token.clone().into())
    } else {
        TwilioCredentials::ApiKey {
            sid: t.api_key_sid.clone(),
            secret: t.api_key_secret.clone().into(),
        }
    };
    Ok(Some(TwilioSender::new(TwilioConfig {
        base_url: t.base_url.clone(),
        account_sid: t.account_sid.clone(),
        credentials,
        sender,
        timeout: Duration::from_secs(u64::from(t.timeout_seconds)),
    })?))
}

/// An SMTP sender with this From address, when SMTP is configured.
fn smtp_with_from(settings: &Settings, from: &str) -> Result<Option<SmtpSender>, SendError> {
    let s = &settings.smtp;
    if !s.is_configured() {
        return Ok(None);
    }
    Ok(Some(SmtpSender::new(&SmtpConfig {
        host: s.host.clone(),
        port: s.port,
        security: match s.security {
            SmtpSecuritySetting::Starttls => SmtpSecurity::StartTls,
            SmtpSecuritySetting::Tls => SmtpSecurity::Tls,
            SmtpSecuritySetting::Plain => SmtpSecurity::Plain,
        },
        username: s.username.clone(),
        password: s.password.clone().into(),
        from_address: from.to_owned(),
        timeout: Duration::from_secs(u64::from(s.timeout_seconds)),
    })?))
}
