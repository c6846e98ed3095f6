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
    /// A sender with its own connection pool. It speaks https only (plain http only to a
    /// loopback host: the simulator in tests and the demo) and follows no redirect: the
    /// request carries the account's credentials, and Twilio's API never redirects.
    ///
    /// # Errors
    /// The base URL is not https (nor http to a loopback host), or the HTTP client cannot be
    /// built (TLS set-up).
    pub fn new(config: TwilioConfig) -> Result<Self, SendError> {
        check_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
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

/// `https://…`, or `http://` to a loopback host (`localhost`, 127.0.0.0/8, `[::1]`).
fn check_base_url(base: &str) -> Result<(), SendError> {
    let refuse = |why: &str| {
        Err(SendError::permanent(
            format!("the Twilio API URL {why}: use https://api.twilio.com"),
            None,
        ))
    };
    let Ok(url) = url::Url::parse(base) else {
        return refuse("is not a URL");
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return refuse("has no host"),
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => refuse("must be https (plain http only to a loopback address, for tests)"),
        _ => refuse("must be https"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn config(base_url: &str) -> TwilioConfig {
        TwilioConfig {
            base_url: base_url.into(),
            account_sid: "AC00000000000000000000000000000000".into(),
            credentials: TwilioCredentials::AuthToken("secret-token".to_owned().into()),
            sender: TwilioSenderId::From("+14255550100".into()),
            timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://api.twilio.com",
            "http://127.0.0.1:9000",
            "http://localhost:9000",
            "http://[::1]:9000",
        ] {
            assert!(TwilioSender::new(config(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.twilio.com",
            "http://10.0.0.5:8080",
            "ftp://api.twilio.com",
            "api.twilio.com",
        ] {
            let e = TwilioSender::new(config(bad)).unwrap_err();
            assert_eq!(e.kind, crate::SendErrorKind::Permanent, "{bad}");
            assert!(e.message.contains("Twilio API URL"), "{bad}: {e}");
        }
    }

    /// A loopback server that answers every request with a 302 to `/elsewhere` and counts the
    /// requests that reach `/elsewhere`.
    async fn redirecting_server() -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let followed = Arc::new(AtomicUsize::new(0));
        let counter = followed.clone();
        let location = format!("{base}/elsewhere");
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                if String::from_utf8_lossy(&buf[..n]).contains("/elsewhere") {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = sock.write_all(answer.as_bytes()).await;
            }
        });
        (base, followed)
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let (base, followed) = redirecting_server().await;
        let sender = TwilioSender::new(config(&base)).unwrap();
        let sms = OutgoingSms {
            to: "+14255550101".into(),
            body: "Your code is 123456".into(),
            status_callback: String::new(),
            idempotency_key: "k1".into(),
        };
        let e = sender.send_sms(&sms).await.unwrap_err();
        assert!(e.message.contains("302"), "{e}");
        assert_eq!(
            followed.load(Ordering::SeqCst),
            0,
            "the redirect was followed"
        );
    }
}
