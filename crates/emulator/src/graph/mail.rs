//! `POST /v1.0/users/{id | userPrincipalName}/sendMail`: checks the `Mail.Send` permission,
//! that the mailbox is an active user of the token's tenant and the body's shape, then answers
//! 202 and records the mail for the control API (`GET /_emulator/mail`).

use super::auth::authenticate;
use super::error::GraphError;
use crate::model::directory::Lifecycle;
use crate::state::{AppState, SentMail};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

/// Application permissions (and delegated scopes) that allow `sendMail`.
pub const SEND_PERMISSIONS: &[&str] = &["Mail.Send"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendMailBody {
    message: Message,
    #[serde(default = "yes")]
    save_to_sent_items: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    #[serde(default)]
    subject: String,
    body: Body,
    #[serde(default)]
    to_recipients: Vec<Recipient>,
    #[serde(default)]
    reply_to: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    content_type: String,
    content: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: Address,
}

#[derive(Deserialize)]
struct Address {
    address: String,
}

fn invalid_user(mailbox: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ErrorInvalidUser",
        format!("The requested user '{mailbox}' is invalid."),
    )
}

fn addresses(list: Vec<Recipient>) -> Result<Vec<String>, GraphError> {
    list.into_iter()
        .map(|r| {
            let a = r.email_address.address.trim().to_owned();
            if a.contains('@') && !a.contains(char::is_whitespace) {
                Ok(a)
            } else {
                Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidRecipients",
                    format!(
                        "At least one recipient is not valid., Recipient '{a}' is not resolved."
                    ),
                ))
            }
        })
        .collect()
}

pub async fn send_mail(
    State(s): State<AppState>,
    Path(mailbox): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let caller = authenticate(&s, &headers)?;
    if caller.require(SEND_PERMISSIONS, SEND_PERMISSIONS).is_err() {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        ));
    }
    let user = {
        let dir = caller.tenant.read();
        dir.resolve(&mailbox)
            .and_then(|id| dir.entry(id))
            .filter(|e| e.state == Lifecycle::Active)
            .map(|e| (e.user.id, e.user.user_principal_name.clone()))
    };
    let Some((user_id, upn)) = user else {
        return Err(invalid_user(&mailbox));
    };
    let parsed: SendMailBody = serde_json::from_slice(&body).map_err(|e| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            format!("Cannot read the request body: {e}"),
        )
    })?;
    let m = parsed.message;
    let content_type = m.body.content_type.to_ascii_lowercase();
    if content_type != "html" && content_type != "text" {
        return Err(GraphError::bad_request(format!(
            "Invalid contentType '{}': expected HTML or Text.",
            m.body.content_type
        )));
    }
    let to = addresses(m.to_recipients)?;
    if to.is_empty() {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient is required, but none were found.",
        ));
    }
    s.record_mail(SentMail {
        at: s.clock.now(),
        tenant_id: caller.tenant.id,
        app_id: caller.claims.appid,
        mailbox_user_id: user_id,
        from: upn.to_string(),
        subject: m.subject,
        content_type: m.body.content_type,
        body: m.body.content,
        to,
        reply_to: addresses(m.reply_to)?,
        save_to_sent_items: parsed.save_to_sent_items,
    });
    Ok(StatusCode::ACCEPTED)
}
