//! The technician's side of Secure Send and Request, called by `static/secrets.js` (JSON, with
//! the `x-csrf-token` header): make a link (the browser already encrypted a send; a request
//! carries its key pair), reveal a request's answer once, and the link's live status. Burn
//! and "notify me" are plain forms.

use super::secret_page::{describe, status_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{Problem, WebError};
use crate::middleware::client_ip::ClientIp;
use crate::routes::public_secrets::json_ok;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::FieldMessage;
use countersign_app::secrets::{Expiry, LinkChannel, NewLink, Payload};
use countersign_domain::{ContactId, SecretId};
use serde::Deserialize;
use zeroize::Zeroizing;

pub(crate) fn secret_id(s: &str) -> Result<SecretId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

fn one() -> i64 {
    1
}

/// What the browser posts to make a link. Every key is base64url without padding.
#[derive(Deserialize)]
pub struct CreateBody {
    #[serde(default)]
    kind: String,
    /// The contact (from the Pod), or '' with `to` (the standalone page).
    #[serde(default)]
    contact: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    envelope: String,
    #[serde(default)]
    server_share: String,
    #[serde(default)]
    passphrase: bool,
    /// A send's fragment key, only for SMS or email (composed into the message, then dropped).
    #[serde(default)]
    link_key: String,
    #[serde(default)]
    public_key: String,
    #[serde(default)]
    private_key: String,
    #[serde(default = "one")]
    views: i64,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    notify: bool,
}

/// A body the page's script made wrongly (422): a field it should have filled.
fn unusable_body(text: &str) -> Problem {
    Problem(WebError::Invalid(vec![FieldMessage {
        field: None,
        message: text.to_owned(),
    }]))
}

fn decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim()).ok()
}

/// The payload of a send or a request, decoded.
fn payload(b: &mut CreateBody) -> Result<Payload, Problem> {
    match b.kind.as_str() {
        "send" => {
            let envelope = decode(&b.envelope).ok_or_else(|| {
                unusable_body("The encrypted secret was malformed; reload the page and try again.")
            })?;
            let server_share = match b.server_share.trim() {
                "" => None,
                s => Some(Zeroizing::new(decode(s).ok_or_else(|| {
                    unusable_body("The key share was malformed; reload the page.")
                })?)),
            };
            Ok(Payload::Send {
                envelope,
                server_share,
                has_passphrase: b.passphrase,
                link_key: Some(Zeroizing::new(std::mem::take(&mut b.link_key)))
                    .filter(|k| !k.is_empty()),
            })
        }
        "request" => {
            let private_key = decode(&b.private_key).ok_or_else(|| {
                unusable_body("The request's key was malformed; reload the page and try again.")
            })?;
            Ok(Payload::Request {
                public_key: std::mem::take(&mut b.public_key),
                private_key: Zeroizing::new(private_key),
            })
        }
        _ => Err(unusable_body("Choose Secure Send or Secure Request.")),
    }
}

/// POST /pod/secrets: makes a send or a request link.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, Problem> {
    let Ok(Json(mut b)) = body else {
        return Err(Problem(WebError::BadRequest(
            "The request was malformed; reload the page and try again.".into(),
        )));
    };
    let channel = LinkChannel::parse(&b.channel)
        .ok_or_else(|| unusable_body("Choose how the link goes: SMS, email, or copy it."))?;
    let expiry = Expiry::parse(&b.expiry)
        .ok_or_else(|| unusable_body("Choose when the link expires: 1 hour, 1 day or 7 days."))?;
    let contact: Option<ContactId> = match b.contact.trim() {
        "" => None,
        c => Some(c.parse().map_err(|_| WebError::NotFound)?),
    };
    let payload = payload(&mut b)?;
    let req = NewLink {
        contact,
        to: b.to,
        channel,
        label: b.label,
        payload,
        max_views: b.views,
        expiry,
        notify_on_reveal: b.notify,
    };
    let created = state
        .app
        .create_secret_link(&user.principal(ip), req)
        .await?;
    Ok(json_ok(serde_json::json!({
        "id": created.id.to_string(),
        "path": created.path,
        "recipient": created.recipient_masked,
        "status": format!("/pod/secrets/{}", created.id),
    })))
}

/// POST /pod/secrets/{sid}/reveal: a request's answer and its private key, once.
pub async fn reveal(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(sid): Path<String>,
) -> Result<Response, Problem> {
    let id = secret_id(&sid)?;
    let r = state
        .app
        .reveal_secret_request(&user.principal(ip), id)
        .await?;
    Ok(json_ok(serde_json::json!({
        "envelope": URL_SAFE_NO_PAD.encode(&r.envelope),
        "private_key": r.private_key.as_ref().map(|k| URL_SAFE_NO_PAD.encode(k.as_slice())),
        "views_left": r.views_left,
    })))
}

/// GET /pod/secrets/{sid}/status: polled by the status page and the Pod's list.
pub async fn status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(sid): Path<String>,
) -> Result<Response, Problem> {
    let (s, _) = state
        .app
        .secret_link_status(&user.principal(ip), secret_id(&sid)?)
        .await?;
    let now = state.app.now();
    let (word, live) = status_of(&s, now);
    Ok(Json(serde_json::json!({
        "state": word,
        "live": live,
        "text": describe(&s, now),
    }))
    .into_response())
}

/// POST /pod/secrets/{sid}/burn
pub async fn burn(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(sid): Path<String>,
) -> Result<Response, WebError> {
    let id = secret_id(&sid)?;
    state.app.burn_secret_link(&user.principal(ip), id).await?;
    Ok(Redirect::to(&format!("/pod/secrets/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NotifyForm {
    #[serde(default)]
    notify: String,
}

/// POST /pod/secrets/{sid}/notify
pub async fn notify(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(sid): Path<String>,
    Form(form): Form<NotifyForm>,
) -> Result<Response, WebError> {
    let id = secret_id(&sid)?;
    let on = form.notify == "on";
    state
        .app
        .set_secret_link_notify(&user.principal(ip), id, on)
        .await?;
    Ok(Redirect::to(&format!("/pod/secrets/{id}")).into_response())
}
