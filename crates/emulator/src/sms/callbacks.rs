//! Requests the face makes to the product: status callbacks after a message is accepted, and
//! inbound messages. Both are form-encoded POSTs signed with `X-Twilio-Signature`.

use super::API_VERSION;
use super::records::{CallbackRecord, SmsRecord};
use super::signature::sign;
use crate::state::AppState;
use std::time::Duration;

/// Posts `params` to `url`, signed with `auth_token`; the status and body of the answer, or
/// `None` when the webhook could not be reached.
pub async fn post_signed(
    http: &reqwest::Client,
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
) -> Option<(u16, String)> {
    let signature = sign(auth_token, url, params);
    let response = http
        .post(url)
        .header("X-Twilio-Signature", signature)
        .header("User-Agent", "TwilioProxy/1.1")
        .form(params)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Some((status, body))
}

/// The statuses a message reports, in order, with the error code of the last one.
pub fn plan(
    first: &str,
    undelivered: Option<u32>,
    failed: Option<u32>,
) -> Vec<(&'static str, Option<u32>)> {
    let mut steps = Vec::new();
    if first == "accepted" {
        steps.push(("accepted", None));
    }
    steps.push(("queued", None));
    match (failed, undelivered) {
        (Some(code), _) => steps.push(("failed", Some(code))),
        (None, Some(code)) => steps.extend([("sent", None), ("undelivered", Some(code))]),
        (None, None) => steps.extend([("sent", None), ("delivered", None)]),
    }
    steps
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Walks `message` through `steps`, posting a signed callback for each when it has a
/// `StatusCallback` (and callbacks are on); otherwise just records the final status.
pub fn spawn(state: AppState, message: SmsRecord, steps: Vec<(&'static str, Option<u32>)>) {
    let account = state.sms.account();
    let url = match &message.status_callback {
        Some(url) if account.status_callbacks => url.clone(),
        _ => {
            if let Some((status, code)) = steps.last() {
                state.sms.records().set_status(&message.sid, status, *code);
            }
            return;
        }
    };
    tokio::spawn(async move {
        let count = steps.len();
        for (i, (status, code)) in steps.into_iter().enumerate() {
            tokio::time::sleep(Duration::from_millis(account.status_delay_ms)).await;
            let mut params = pairs(&[
                ("AccountSid", &account.account_sid),
                ("ApiVersion", API_VERSION),
                ("From", &message.from),
                ("MessageSid", &message.sid),
                ("MessageStatus", status),
                ("SmsSid", &message.sid),
                ("SmsStatus", status),
                ("To", &message.to),
            ]);
            if let Some(ms) = &message.messaging_service_sid {
                params.push(("MessagingServiceSid".into(), ms.clone()));
            }
            if let Some(code) = code {
                params.push(("ErrorCode".into(), code.to_string()));
            }
            // The account's current token: a rotated token signs from then on.
            let token = state.sms.account().auth_token;
            let answer = post_signed(&state.sms.http, &token, &url, &params).await;
            let record = CallbackRecord {
                status: status.to_owned(),
                http_status: answer.map(|(s, _)| s),
            };
            state
                .sms
                .records()
                .callback(&message.sid, record, code, i + 1 == count);
        }
    });
}
