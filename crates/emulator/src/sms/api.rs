//! `POST /twilio/2010-04-01/Accounts/{AccountSid}/Messages.json` (create) and
//! `GET …/Messages/{Sid}.json` (fetch), with Twilio's Basic authentication (account SID +
//! auth token, or API key SID + secret), validation and error codes.

use super::config::SmsFaultKind;
use super::errors::TwilioError;
use super::records::{RefusedRecord, SmsRecord};
use super::{API_VERSION, callbacks};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use countersign_domain::Timestamp;
use serde_json::{Value, json};
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/2010-04-01/Accounts/{account}/Messages.json", post(create))
        .route("/2010-04-01/Accounts/{account}/Messages/{sid}", get(fetch))
}

/// Longest body Twilio accepts (characters).
const MAX_BODY_CHARS: usize = 1600;

/// Basic auth must name the account SID with its token, or an API key with its secret; the
/// path's account must be the authenticated one.
fn authenticate(s: &AppState, headers: &HeaderMap, path_account: &str) -> Result<(), TwilioError> {
    let account = s.sms.account();
    let (user, password) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|up| {
            up.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        })
        .ok_or_else(TwilioError::authenticate)?;
    let valid = (user == account.account_sid && password == account.auth_token)
        || account
            .api_keys
            .iter()
            .any(|k| k.sid == user && k.secret == password);
    if !valid {
        return Err(TwilioError::authenticate());
    }
    if path_account != account.account_sid {
        return Err(TwilioError::not_found(&format!(
            "/{API_VERSION}/Accounts/{path_account}/Messages.json"
        )));
    }
    Ok(())
}

/// E.164: `+`, a non-zero digit, 7 to 14 more digits.
fn is_e164(n: &str) -> bool {
    n.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

/// RFC 2822, as Twilio's `date_created`.
fn rfc2822(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.unix_seconds())
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc2822)
                .ok()
        })
        .unwrap_or_default()
}

fn resource(account_sid: &str, m: &SmsRecord) -> Value {
    let date = rfc2822(m.at);
    let uri = format!("/{API_VERSION}/Accounts/{account_sid}/Messages/{}", m.sid);
    json!({
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": m.body,
        "date_created": date,
        "date_sent": null,
        "date_updated": date,
        "direction": "outbound-api",
        "error_code": m.error_code,
        "error_message": null,
        "from": m.from,
        "messaging_service_sid": m.messaging_service_sid,
        "num_media": "0",
        "num_segments": m.body.chars().count().div_ceil(153).max(1).to_string(),
        "price": null,
        "price_unit": "USD",
        "sid": m.sid,
        "status": m.status,
        "subresource_uris": { "media": format!("{uri}/Media.json") },
        "to": m.to,
        "uri": format!("{uri}.json"),
    })
}

struct Form {
    to: String,
    from: Option<String>,
    messaging_service_sid: Option<String>,
    body: String,
    status_callback: Option<String>,
}

fn parse_form(body: &[u8]) -> Form {
    let mut f = Form {
        to: String::new(),
        from: None,
        messaging_service_sid: None,
        body: String::new(),
        status_callback: None,
    };
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "To" => f.to = v,
            "From" => f.from = Some(v).filter(|v| !v.is_empty()),
            "MessagingServiceSid" => f.messaging_service_sid = Some(v).filter(|v| !v.is_empty()),
            "Body" => f.body = v,
            "StatusCallback" => f.status_callback = Some(v).filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    f
}

/// Twilio's checks, in its order; the `From` the message goes out with.
fn validate(s: &AppState, f: &Form) -> Result<String, TwilioError> {
    let account = s.sms.account();
    let faults = s.sms.faults();
    if f.to.is_empty() {
        return Err(TwilioError::bad_request(
            21604,
            "A 'To' phone number is required.",
        ));
    }
    if !is_e164(&f.to) || faults.invalid_numbers.contains(&f.to) {
        return Err(TwilioError::bad_request(
            21211,
            format!("Invalid 'To' Phone Number: {}", f.to),
        ));
    }
    let from = match (&f.from, &f.messaging_service_sid) {
        (Some(from), _) if account.from_numbers.contains(from) => from.clone(),
        (Some(from), _) => {
            return Err(TwilioError::bad_request(
                21606,
                format!(
                    "The From phone number {from} is not a valid, SMS-capable inbound phone \
                     number or short code for your account."
                ),
            ));
        }
        (None, Some(ms)) if account.messaging_service_sids.contains(ms) => {
            account.from_numbers.first().cloned().unwrap_or_default()
        }
        (None, Some(ms)) => {
            return Err(TwilioError::bad_request(
                21701,
                format!("The Messaging Service Sid {ms} is invalid."),
            ));
        }
        (None, None) => {
            return Err(TwilioError::bad_request(
                21603,
                "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
            ));
        }
    };
    if f.body.trim().is_empty() {
        return Err(TwilioError::bad_request(21602, "Message body is required."));
    }
    if f.body.chars().count() > MAX_BODY_CHARS {
        return Err(TwilioError::bad_request(
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    if let Some(cb) = &f.status_callback
        && !url::Url::parse(cb).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(TwilioError::bad_request(
            21609,
            format!("Invalid StatusCallback url: {cb}"),
        ));
    }
    // The sender a STOP applies to: the Messaging Service when the message goes out through
    // one, else its `From` number.
    let sender = match (&f.from, &f.messaging_service_sid) {
        (None, Some(service)) => service.as_str(),
        _ => from.as_str(),
    };
    let opted_out_of_sender = faults
        .opted_out_of
        .get(sender)
        .is_some_and(|numbers| numbers.contains(&f.to));
    if faults.opted_out.contains(&f.to) || opted_out_of_sender {
        return Err(TwilioError::bad_request(
            21610,
            "Attempt to send to unsubscribed recipient",
        ));
    }
    Ok(from)
}

async fn create(
    State(s): State<AppState>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.sms.records().count_request();
    let form = parse_form(&body);
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    match accept(&s, &account, &headers, form, key.clone()).await {
        Ok(resp) => resp,
        Err((to, e)) => {
            s.sms.records().refuse(RefusedRecord {
                at: s.clock.now(),
                to,
                http_status: e.status.as_u16(),
                code: e.code,
                idempotency_key: key,
            });
            e.into_response()
        }
    }
}

async fn accept(
    s: &AppState,
    account: &str,
    headers: &HeaderMap,
    form: Form,
    key: Option<String>,
) -> Result<Response, (String, TwilioError)> {
    let to = form.to.clone();
    let err = |e| (to.clone(), e);
    match s.sms.decide_fault() {
        Some((SmsFaultKind::ServerError, _)) => return Err(err(TwilioError::server_error())),
        Some((SmsFaultKind::Unavailable, _)) => return Err(err(TwilioError::unavailable())),
        Some((SmsFaultKind::TooManyRequests, _)) => {
            return Err(err(TwilioError::too_many_requests()));
        }
        Some((SmsFaultKind::Slow, ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        None => {}
    }
    authenticate(s, headers, account).map_err(err)?;
    let acct = s.sms.account();
    if let Some(first) = replayed(s, acct.honour_idempotency_key, key.as_deref()) {
        return Ok(first);
    }
    let from = validate(s, &form).map_err(err)?;
    let faults = s.sms.faults();
    let first = if form.messaging_service_sid.is_some() && form.from.is_none() {
        "accepted"
    } else {
        "queued"
    };
    let record = SmsRecord {
        sid: format!("SM{}", uuid::Uuid::new_v4().simple()),
        at: s.clock.now(),
        to: form.to.clone(),
        from,
        messaging_service_sid: form.messaging_service_sid.clone(),
        body: form.body,
        idempotency_key: key,
        status_callback: form.status_callback,
        status: first.to_owned(),
        error_code: None,
        requests: 1,
        callbacks: Vec::new(),
    };
    let steps = callbacks::plan(
        first,
        faults.undelivered.get(&form.to).copied(),
        faults.failed.get(&form.to).copied(),
    );
    let follow = record.status_callback.is_some() && acct.status_callbacks;
    let body = resource(&acct.account_sid, &record);
    {
        // Checked again under the lock that adds: two concurrent requests with one key
        // create one message.
        let mut records = s.sms.records();
        if acct.honour_idempotency_key
            && let Some(k) = &record.idempotency_key
            && let Some(first) = records.replay(k)
        {
            return Ok(replay_response(&acct.account_sid, &first));
        }
        records.add(record.clone(), follow);
    }
    callbacks::spawn(s.clone(), record, steps);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The first message of a repeated `Idempotency-Key`, when the face honours the header.
fn replayed(s: &AppState, honour: bool, key: Option<&str>) -> Option<Response> {
    let key = key.filter(|_| honour)?;
    let first = s.sms.records().replay(key)?;
    Some(replay_response(&s.sms.account().account_sid, &first))
}

fn replay_response(account_sid: &str, first: &SmsRecord) -> Response {
    let mut resp = (StatusCode::CREATED, Json(resource(account_sid, first))).into_response();
    resp.headers_mut()
        .insert("Idempotent-Replayed", HeaderValue::from_static("true"));
    resp
}

async fn fetch(
    State(s): State<AppState>,
    Path((account, sid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = authenticate(&s, &headers, &account) {
        return e.into_response();
    }
    let sid = sid.strip_suffix(".json").unwrap_or(&sid);
    let found = s.sms.records().get(sid).cloned();
    match found {
        Some(m) => Json(resource(&account, &m)).into_response(),
        None => TwilioError::not_found(&format!(
            "/{API_VERSION}/Accounts/{account}/Messages/{sid}.json"
        ))
        .into_response(),
    }
}
