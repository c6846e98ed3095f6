//! The SMS part of the control API (`/_emulator/sms/…`, loopback only) and [`SmsHandle`], the
//! same operations as Rust calls.

use super::callbacks::post_signed;
use super::config::{SmsAccount, SmsFaults};
use super::records::{RefusedRecord, SmsCounts, SmsRecord};
use super::{API_VERSION, is_keyword};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// Everything the face received.
#[derive(Clone, Debug, Serialize)]
pub struct SmsLog {
    pub messages: Vec<SmsRecord>,
    pub refused: Vec<RefusedRecord>,
    pub counts: SmsCounts,
    /// Requests per `Idempotency-Key` (1 each when nothing was sent twice).
    pub requests_per_key: BTreeMap<String, u32>,
    /// Messages per `To`.
    pub messages_per_to: BTreeMap<String, u64>,
}

/// An inbound message to post to the product.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    /// The handset (E.164).
    pub from: String,
    /// The account's number; default its first.
    #[serde(default)]
    pub to: Option<String>,
    /// The Messaging Service `to` belongs to (posted as `MessagingServiceSid`, and the sender
    /// a STOP opts out of); default the account's first service, if it has one.
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    pub body: String,
    /// Where to post; default the account's `inbound_url`.
    #[serde(default)]
    pub url: Option<String>,
}

/// What the product answered to an inbound message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InboundResult {
    pub sid: String,
    /// The webhook's HTTP status (0: unreachable).
    pub http_status: u16,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error("no inbound URL: set inbound_url on the account or pass url")]
    NoUrl,
}

/// The SMS control operations.
#[derive(Clone)]
pub struct SmsHandle {
    state: AppState,
}

impl SmsHandle {
    #[must_use]
    pub fn new(state: AppState) -> Self {
        SmsHandle { state }
    }

    #[must_use]
    pub fn log(&self) -> SmsLog {
        let r = self.state.sms.records();
        let (requests_per_key, messages_per_to) = r.per_key_and_to();
        SmsLog {
            messages: r.messages.clone(),
            refused: r.refused.clone(),
            counts: r.counts(),
            requests_per_key,
            messages_per_to,
        }
    }

    #[must_use]
    pub fn counts(&self) -> SmsCounts {
        self.state.sms.records().counts()
    }

    pub fn clear(&self) {
        self.state.sms.records().clear();
    }

    #[must_use]
    pub fn account(&self) -> SmsAccount {
        self.state.sms.account()
    }

    pub fn set_account(&self, account: SmsAccount) {
        self.state.sms.set_account(account);
    }

    /// Changes the fields present in `changes` (an object with `SmsAccount` keys).
    ///
    /// # Errors
    /// Unknown keys or wrong types.
    pub fn update_account(&self, changes: &serde_json::Value) -> Result<SmsAccount, String> {
        let mut current = serde_json::to_value(self.account()).map_err(|e| e.to_string())?;
        let (Some(obj), Some(changes)) = (current.as_object_mut(), changes.as_object()) else {
            return Err("expected a JSON object".into());
        };
        for (k, v) in changes {
            obj.insert(k.clone(), v.clone());
        }
        let account: SmsAccount = serde_json::from_value(current).map_err(|e| e.to_string())?;
        self.set_account(account.clone());
        Ok(account)
    }

    #[must_use]
    pub fn faults(&self) -> SmsFaults {
        self.state.sms.faults()
    }

    pub fn set_faults(&self, faults: SmsFaults) {
        self.state.sms.set_faults(faults);
    }

    /// A handset texts the account: Twilio's own STOP/START handling first (the number is
    /// opted out of / back into this account's messages), then a signed POST to the
    /// product's inbound webhook, as Twilio does.
    ///
    /// # Errors
    /// No URL to post to.
    pub async fn inbound(&self, msg: &Inbound) -> Result<InboundResult, InboundError> {
        let account = self.account();
        let url = msg
            .url
            .clone()
            .filter(|u| !u.is_empty())
            .or_else(|| Some(account.inbound_url.clone()).filter(|u| !u.is_empty()))
            .ok_or(InboundError::NoUrl)?;
        let to = msg
            .to
            .clone()
            .or_else(|| account.from_numbers.first().cloned())
            .unwrap_or_default();
        let service = msg
            .messaging_service_sid
            .clone()
            .or_else(|| account.messaging_service_sids.first().cloned());
        // Twilio opts the handset out of the sender it texted: the whole Messaging Service
        // when the number belongs to one, else that number.
        let sender = service.as_deref().unwrap_or(&to);
        if let Some(stop) = is_keyword(&msg.body) {
            self.state.sms.set_opted_out(sender, &msg.from, stop);
        }
        let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
        let mut params: Vec<(String, String)> = [
            ("AccountSid", account.account_sid.as_str()),
            ("ApiVersion", API_VERSION),
            ("Body", msg.body.as_str()),
            ("From", msg.from.as_str()),
            ("MessageSid", sid.as_str()),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
            ("SmsMessageSid", sid.as_str()),
            ("SmsSid", sid.as_str()),
            ("SmsStatus", "received"),
            ("To", to.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if let Some(ms) = service {
            params.push(("MessagingServiceSid".into(), ms));
        }
        let answer = post_signed(&self.state.sms.http, &account.auth_token, &url, &params).await;
        let (http_status, body) = answer.unwrap_or((0, String::new()));
        Ok(InboundResult {
            sid,
            http_status,
            body,
        })
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sms/messages", get(log).delete(clear))
        .route("/sms/counts", get(counts))
        .route("/sms/account", get(get_account).put(put_account))
        .route("/sms/faults", get(get_faults).put(put_faults))
        .route("/sms/inbound", post(inbound))
}

fn handle(s: &AppState) -> SmsHandle {
    SmsHandle::new(s.clone())
}

async fn log(State(s): State<AppState>) -> Response {
    Json(handle(&s).log()).into_response()
}

async fn clear(State(s): State<AppState>) -> StatusCode {
    handle(&s).clear();
    StatusCode::NO_CONTENT
}

async fn counts(State(s): State<AppState>) -> Response {
    Json(handle(&s).counts()).into_response()
}

async fn get_account(State(s): State<AppState>) -> Response {
    Json(handle(&s).account()).into_response()
}

async fn put_account(State(s): State<AppState>, Json(body): Json<serde_json::Value>) -> Response {
    match handle(&s).update_account(&body) {
        Ok(a) => Json(a).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": e}))).into_response(),
    }
}

async fn get_faults(State(s): State<AppState>) -> Response {
    Json(handle(&s).faults()).into_response()
}

async fn put_faults(State(s): State<AppState>, Json(f): Json<SmsFaults>) -> StatusCode {
    handle(&s).set_faults(f);
    StatusCode::NO_CONTENT
}

async fn inbound(State(s): State<AppState>, Json(msg): Json<Inbound>) -> Response {
    match handle(&s).inbound(&msg).await {
        Ok(r) => Json(r).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}
