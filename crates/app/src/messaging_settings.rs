//! The `[messaging]`, `[twilio]`, `[smtp]` and `[workers]` settings, and their validation.
//! Secrets (auth token, API key secret, SMTP password) are redacted in `Debug`.

use crate::settings::{Settings, SettingsError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Whether messages are delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessagingTransport {
    /// Kept and shown on the Outbox page, never delivered.
    Outbox,
    /// SMS through Twilio; email through SMTP, or Microsoft Graph `sendMail` for an org that
    /// chose a Microsoft 365 mailbox (Settings ▸ Branding).
    Live,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessagingSettings {
    pub transport: MessagingTransport,
}

impl Default for MessagingSettings {
    fn default() -> Self {
        Self {
            transport: MessagingTransport::Outbox,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwilioSettings {
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    pub api_key_sid: String,
    pub api_key_secret: String,
    pub from_number: String,
    pub messaging_service_sid: String,
    /// The broadcast lane's sender (`lane_settings.rs`): never the one above, so a STOP to a
    /// broadcast never blocks verification codes. Both empty: no SMS broadcasts.
    pub broadcast_from_number: String,
    pub broadcast_messaging_service_sid: String,
    pub timeout_seconds: u32,
}

impl Default for TwilioSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.twilio.com".into(),
            account_sid: String::new(),
            auth_token: String::new(),
            api_key_sid: String::new(),
            api_key_secret: String::new(),
            from_number: String::new(),
            messaging_service_sid: String::new(),
            broadcast_from_number: String::new(),
            broadcast_messaging_service_sid: String::new(),
            timeout_seconds: 10,
        }
    }
}

/// `"(set)"` for a non-empty secret, so logs show whether it is configured and nothing else.
fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "(set)" }
}

impl std::fmt::Debug for TwilioSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioSettings")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &redacted(&self.auth_token))
            .field("api_key_sid", &self.api_key_sid)
            .field("api_key_secret", &redacted(&self.api_key_secret))
            .field("from_number", &self.from_number)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("broadcast_from_number", &self.broadcast_from_number)
            .field(
                "broadcast_messaging_service_sid",
                &self.broadcast_messaging_service_sid,
            )
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

impl TwilioSettings {
    /// Whether SMS can be sent (an account SID is set; validation checked the rest).
    #[must_use]
    pub fn is_configured(&self) -> bool {
        !self.account_sid.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecuritySetting {
    Starttls,
    Tls,
    Plain,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecuritySetting,
    pub username: String,
    pub password: String,
    pub from_address: String,
    /// The broadcast lane's From (empty: `from_address`) and Reply-To (empty: the org's
    /// branding Reply-To, as on the verification lane); see `lane_settings.rs`.
    pub broadcast_from_address: String,
    pub broadcast_reply_to: String,
    pub timeout_seconds: u32,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            security: SmtpSecuritySetting::Starttls,
            username: String::new(),
            password: String::new(),
            from_address: String::new(),
            broadcast_from_address: String::new(),
            broadcast_reply_to: String::new(),
            timeout_seconds: 15,
        }
    }
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("from_address", &self.from_address)
            .field("broadcast_from_address", &self.broadcast_from_address)
            .field("broadcast_reply_to", &self.broadcast_reply_to)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

impl SmtpSettings {
    /// Whether email can be sent (a host is set; validation checked the rest).
    #[must_use]
    pub fn is_configured(&self) -> bool {
        !self.host.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSettings {
    pub concurrency: u32,
    pub batch_size: u32,
    pub poll_interval_ms: u32,
    pub lease_seconds: u32,
    pub max_attempts: u32,
    pub backoff_base_seconds: u32,
    pub backoff_max_seconds: u32,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            concurrency: 4,
            batch_size: 20,
            poll_interval_ms: 500,
            lease_seconds: 60,
            max_attempts: 5,
            backoff_base_seconds: 5,
            backoff_max_seconds: 3600,
        }
    }
}

impl WorkerSettings {
    #[must_use]
    pub fn lease(&self) -> Duration {
        Duration::from_secs(u64::from(self.lease_seconds))
    }

    #[must_use]
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(u64::from(self.poll_interval_ms))
    }

    /// Delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped.
    #[must_use]
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let secs = u64::from(self.backoff_base_seconds).saturating_mul(1u64 << exponent);
        Duration::from_secs(secs.min(u64::from(self.backoff_max_seconds)))
    }
}

/// Whether `host` is a loopback name or address (plain SMTP is allowed there only).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Settings {
    /// Checks the messaging sections.
    pub(crate) fn validate_messaging(&self) -> Result<(), SettingsError> {
        let t = &self.twilio;
        let url = url::Url::parse(&t.base_url).map_err(|e| {
            SettingsError::new(
                "twilio.base_url",
                format!("{:?} is not a URL ({e})", t.base_url),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SettingsError::new(
                "twilio.base_url",
                "must be an http(s) URL",
            ));
        }
        if t.is_configured() {
            if !t.account_sid.starts_with("AC") {
                return Err(SettingsError::new(
                    "twilio.account_sid",
                    "must be the account SID from the Twilio console (AC…)",
                ));
            }
            let api_key = !t.api_key_sid.is_empty() || !t.api_key_secret.is_empty();
            if api_key && (t.api_key_sid.is_empty() || t.api_key_secret.is_empty()) {
                return Err(SettingsError::new(
                    "twilio.api_key_sid",
                    "set both api_key_sid (SK…) and api_key_secret, or neither",
                ));
            }
            if t.auth_token.is_empty() {
                return Err(SettingsError::new(
                    "twilio.auth_token",
                    "is required: it authenticates requests (unless an API key is set) and \
                     always verifies Twilio's webhook signatures",
                ));
            }
            let senders = [&t.from_number, &t.messaging_service_sid]
                .iter()
                .filter(|s| !s.is_empty())
                .count();
            if senders != 1 {
                return Err(SettingsError::new(
                    "twilio.from_number",
                    "set exactly one of from_number (+E.164) and messaging_service_sid (MG…)",
                ));
            }
            if !t.from_number.is_empty()
                && countersign_messaging::parse_e164(&t.from_number).is_err()
            {
                return Err(SettingsError::new(
                    "twilio.from_number",
                    "must be in international form, e.g. +14155550123",
                ));
            }
        }
        if t.timeout_seconds == 0 {
            return Err(SettingsError::new(
                "twilio.timeout_seconds",
                "must be at least 1",
            ));
        }
        let s = &self.smtp;
        if s.is_configured() {
            if countersign_domain::Email::parse(&s.from_address).is_err() {
                return Err(SettingsError::new(
                    "smtp.from_address",
                    "must be the email address messages are sent from",
                ));
            }
            if s.security == SmtpSecuritySetting::Plain && !is_loopback(&s.host) {
                return Err(SettingsError::new(
                    "smtp.security",
                    "\"plain\" sends passwords and messages unencrypted: it is only allowed for \
                     a relay on loopback (localhost, 127.0.0.1, ::1); use \"starttls\" or \"tls\"",
                ));
            }
        }
        if s.timeout_seconds == 0 {
            return Err(SettingsError::new(
                "smtp.timeout_seconds",
                "must be at least 1",
            ));
        }
        let w = &self.workers;
        for (key, v) in [
            ("workers.concurrency", w.concurrency),
            ("workers.batch_size", w.batch_size),
            ("workers.poll_interval_ms", w.poll_interval_ms),
            ("workers.lease_seconds", w.lease_seconds),
            ("workers.max_attempts", w.max_attempts),
            ("workers.backoff_base_seconds", w.backoff_base_seconds),
            ("workers.backoff_max_seconds", w.backoff_max_seconds),
        ] {
            if v == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let w = WorkerSettings::default();
        assert_eq!(w.backoff(1), Duration::from_secs(5));
        assert_eq!(w.backoff(2), Duration::from_secs(10));
        assert_eq!(w.backoff(4), Duration::from_secs(40));
        assert_eq!(w.backoff(100), Duration::from_secs(3600));
    }

    #[test]
    fn messaging_validation_names_the_key() {
        let mut s = Settings::default();
        s.twilio.account_sid = "AC123".into();
        assert_eq!(s.validate().unwrap_err().key, "twilio.auth_token");
        s.twilio.auth_token = "t".into();
        assert_eq!(s.validate().unwrap_err().key, "twilio.from_number");
        s.twilio.from_number = "+15005550006".into();
        s.validate().unwrap();
        s.smtp.host = "mail.example.com".into();
        s.smtp.from_address = "noreply@example.com".into();
        s.smtp.security = SmtpSecuritySetting::Plain;
        assert_eq!(s.validate().unwrap_err().key, "smtp.security");
        s.smtp.host = "127.0.0.1".into();
        s.validate().unwrap();
        assert!(!format!("{s:?}").contains("\"t\""), "secrets are redacted");
    }
}
