//! What the SMS face is configured with: the Twilio account it impersonates (scenario
//! `[sms]`, control API `PUT /sms/account`) and the faults it injects (`PUT /sms/faults`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An API key of the account (`SK…` + secret): Basic auth with it works like the auth token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ApiKeySpec {
    pub sid: String,
    pub secret: String,
}

/// The emulated Twilio account and how the face behaves.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SmsAccount {
    /// `AC…` + 32 hex digits; derived from the scenario seed when empty.
    pub account_sid: String,
    /// Signs webhooks and authenticates with the account SID; derived when empty.
    pub auth_token: String,
    /// Extra credentials (`SK…` as user, secret as password).
    pub api_keys: Vec<ApiKeySpec>,
    /// Numbers of the account that may be `From` (E.164).
    pub from_numbers: Vec<String>,
    /// Messaging Services (`MG…`) that may be `MessagingServiceSid`; they send from the first
    /// number.
    pub messaging_service_sids: Vec<String>,
    /// Where inbound messages are posted (the product's inbound webhook); empty: nowhere
    /// until set.
    pub inbound_url: String,
    /// Post status callbacks to a message's `StatusCallback` (Twilio always does; off only
    /// to measure the sending path alone).
    pub status_callbacks: bool,
    /// Pause before each status callback (queued, sent, delivered…), in milliseconds.
    pub status_delay_ms: u64,
    /// Answer a repeated `Idempotency-Key` with the first message instead of sending again.
    /// Real Twilio ignores this header; a proxy in front of it could honour it.
    pub honour_idempotency_key: bool,
}

impl Default for SmsAccount {
    fn default() -> Self {
        SmsAccount {
            account_sid: String::new(),
            auth_token: String::new(),
            api_keys: Vec::new(),
            from_numbers: vec!["+15005550006".into()],
            messaging_service_sids: Vec::new(),
            inbound_url: String::new(),
            status_callbacks: true,
            status_delay_ms: 20,
            honour_idempotency_key: true,
        }
    }
}

/// A fault the next request gets, for deterministic tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SmsFaultKind {
    /// 500 with Twilio's error body (code 20500).
    #[serde(rename = "500")]
    ServerError,
    /// 503 with Twilio's error body (code 20503).
    #[serde(rename = "503")]
    Unavailable,
    /// 429 with code 20429 (too many requests).
    #[serde(rename = "429")]
    TooManyRequests,
    /// Answered normally after `slow_ms`.
    #[serde(rename = "slow")]
    Slow,
}

/// Fault injection on `POST …/Messages.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SmsFaults {
    /// `To` numbers refused with 400 / 21211 (as well as anything not E.164).
    pub invalid_numbers: Vec<String>,
    /// `To` numbers that have opted out of every sender of the account: 400 / 21610.
    pub opted_out: Vec<String>,
    /// Sender (a `From` number, or a Messaging Service SID) → the numbers that opted out of
    /// it: 400 / 21610 for a message from that sender only. An inbound STOP adds the handset
    /// under the sender it was sent to (the Messaging Service when the inbound names one, else
    /// the `To` number) and START removes it, as Twilio's default opt-out handling does.
    pub opted_out_of: BTreeMap<String, Vec<String>>,
    /// `To` number → error code: accepted, then `undelivered` with that code (e.g. 30003).
    pub undelivered: BTreeMap<String, u32>,
    /// `To` number → error code: accepted, then `failed` with that code (e.g. 30008).
    pub failed: BTreeMap<String, u32>,
    /// Fraction of requests answered 500 (half) or 503 (half), 0.0–1.0.
    pub rate_5xx: f64,
    /// Fraction of requests answered after `slow_ms`.
    pub rate_slow: f64,
    pub slow_ms: u64,
    /// Exact faults for the next requests, consumed first.
    pub next: Vec<SmsFaultKind>,
}

impl Default for SmsFaults {
    fn default() -> Self {
        SmsFaults {
            invalid_numbers: Vec::new(),
            opted_out: Vec::new(),
            opted_out_of: BTreeMap::new(),
            undelivered: BTreeMap::new(),
            failed: BTreeMap::new(),
            rate_5xx: 0.0,
            rate_slow: 0.0,
            slow_ms: 2_000,
            next: Vec::new(),
        }
    }
}

/// Scenario `[sms]`: the account's keys plus a `[sms.faults]` table.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct SmsScenario {
    #[serde(flatten)]
    pub account: SmsAccount,
    pub faults: SmsFaults,
}

/// By hand: serde's `flatten` would accept unknown keys silently.
impl<'de> Deserialize<'de> for SmsScenario {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let faults = match map.remove("faults") {
            Some(f) => serde_json::from_value(f).map_err(D::Error::custom)?,
            None => SmsFaults::default(),
        };
        let account =
            serde_json::from_value(serde_json::Value::Object(map)).map_err(D::Error::custom)?;
        Ok(SmsScenario { account, faults })
    }
}
