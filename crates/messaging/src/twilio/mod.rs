//! SMS through the Twilio Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`), its
//! error codes, status names and webhook signatures. The base URL is a setting, so tests and
//! the demo point it at the simulator.

mod errors;
mod signature;
mod status;

pub use errors::{describe_error_code, is_retryable_code};
pub use signature::{signature, verify_signature};
pub use status::{TwilioStatus, parse_status};

use crate::{Delivery, DeliveryStatus, OutgoingSms, SendError, SmsSender};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// How requests authenticate: the account's auth token, or an API key (recommended by Twilio:
/// it can be revoked alone).
#[derive(Clone, Debug)]
pub enum TwilioCredentials {
    /// Account SID as user, auth token as password.
    AuthToken(SecretString),
    /// API key SID (`SK…`) as user, its secret as password.
    ApiKey {
        /// `SK…`.
        sid: String,
        /// The key's secret.
        secret: SecretString,
    },
}

/// What messages are sent from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TwilioSenderId {
    /// An E.164 number of the account (`From`).
    From(String),
    /// A Messaging Service (`MG…`), which picks the number (`MessagingServiceSid`).
    MessagingService(String),
}

/// Everything needed to call Twilio.
#[derive(Clone, Debug)]
pub struct TwilioConfig {
    /// `https://api.twilio.com` (or the simulator).
    pub base_url: String,
    /// `AC…`.
    pub account_sid: String,
    /// How to authenticate.
    pub credentials: TwilioCredentials,
    /// Sender.
    pub sender: TwilioSenderId,
    /// How long one request may take.
    pub timeout: Duration,
}

/// Sends SMS through Twilio.
#[derive(Clone, Debug)]
pub struct TwilioSender {
    config: TwilioConfig,
    http: reqwest::Client,
}

/// The part of Twilio's Message resource we read.
#[derive(Deserialize)]
struct MessageResource {
    sid: String,
    status: String,
}

/// Twilio's error body (`{"code": 21211, "message": "...", "more_info": "...", "status": 400}`).
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<i64>,
    message: Option<String>,
}

impl TwilioSender {
    /// A sender with its own connection pool.
    ///
    /// # Errors
    /// The HTTP client cannot be built (TLS set-up).
    pub fn new(config: TwilioConfig) -> Result<Self, SendError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| SendError::permanent(format!("HTTP client set-up failed: {e}"), None))?;
        Ok(Self { config, http })
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.base_url.trim_end_matches('/'),
            self.config.account_sid
        )
    }
}

impl SmsSender for TwilioSender {
    async fn send_sms(&self, sms: &OutgoingSms) -> Result<Delivery, SendError> {
        let mut form = vec![("To", sms.to.as_str()), ("Body", sms.body.as_str())];
        match &self.config.sender {
            TwilioSenderId::From(n) => form.push(("From", n)),
            TwilioSenderId::MessagingService(s) => form.push(("MessagingServiceSid", s)),
        }
        if !sms.status_callback.is_empty() {
            form.push(("StatusCallback", &sms.status_callback));
        }
        let (user, password) = match &self.config.credentials {
            TwilioCredentials::AuthToken(t) => (self.config.account_sid.as_str(), t),
            TwilioCredentials::ApiKey { sid, secret } => (sid.as_str(), secret),
        };
        let response = self
            .http
            .post(self.messages_url())
            .basic_auth(user, Some(password.expose_secret()))
            // Twilio's Messages API does not deduplicate on it; our simulator (and a proxy in
            // front of Twilio) can. Our own guard is the message state (see begin_attempt).
            .header("Idempotency-Key", &sms.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                SendError::retryable(
                    format!("Twilio could not be reached: {}", without_url(&e)),
                    None,
                )
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            SendError::retryable(
                format!("Twilio's answer was cut off: {}", without_url(&e)),
                None,
            )
        })?;
        if status.is_success() {
            let m: MessageResource = serde_json::from_slice(&body).map_err(|_| {
                SendError::retryable("Twilio answered with something unexpected", None)
            })?;
            let delivery_status = match parse_status(&m.status) {
                Some(TwilioStatus::Sent | TwilioStatus::Delivered) => DeliveryStatus::Sent,
                _ => DeliveryStatus::Accepted,
            };
            return Ok(Delivery {
                provider_id: Some(m.sid),
                status: delivery_status,
            });
        }
        let err: Option<ErrorBody> = serde_json::from_slice(&body).ok();
        let code = err.as_ref().and_then(|e| e.code);
        let described = code.and_then(describe_error_code);
        let message = match (described, err.and_then(|e| e.message)) {
            (Some(d), _) => d.to_owned(),
            (None, Some(m)) => format!("Twilio refused the message: {m}"),
            (None, None) => format!("Twilio answered HTTP {}", status.as_u16()),
        };
        let code_text = code.map(|c| c.to_string());
        if status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || code.is_some_and(is_retryable_code)
        {
            Err(SendError::retryable(message, code_text))
        } else {
            Err(SendError::permanent(message, code_text))
        }
    }
}

/// reqwest's error text without the URL (which carries the account SID).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        let mut e = e.to_string();
        if let Some(i) = e.find(" for url") {
            e.truncate(i);
        }
        e
    }
}
