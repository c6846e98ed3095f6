//! The technician's side of Secure Send and Request, called by `static/secrets.js` (JSON, with
//! the `x-csrf-token` header): make a link (the browser already encrypted a send; a request
//! carries its key pair), reveal a request's answer once, and the link's live status. Burn
//! and "notify me" are plain forms.

use super::secret_page::{describe, status_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::public_secrets::{json_error, json_ok};
use crate::routes::sentence;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::secrets::{Access, Expiry, LinkChannel, NewLink, Payload, SecretError};
use countersign_domain::{ContactId, SecretId};
use serde::Deserialize;
use zeroize::Zeroizing;

pub(super) fn secret_id(s: &str) -> Result<SecretId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// The org's link with this id if the user may see its status (its maker, or an admin;
/// another org's is "not found", another technician's is refused).
pub(super) async fn load(
    state: &AppState,
    user: &CurrentUser,
    sid: &str,
) -> Result<(countersign_store::Secret, Access), WebError> {
    match state
        .app
        .secret_link_status(&user.technician, user.org.id, secret_id(sid)?)
        .await
    {
        Ok(found) => Ok(found),
        Err(e) => match user_or_internal(e) {
            Ok(res) => Err(WebError::Internal(anyhow::anyhow!(
                "unexpected answer {}",
                res.status()
            ))),
            Err(e) => Err(e),
        },
    }
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

fn bad(text: &str) -> Response {
    json_error(StatusCode::UNPROCESSABLE_ENTITY, text)
}

fn decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim()).ok()
}

/// POST /pod/secrets: makes a send or a request link.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(b)) = body else {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "The request was malformed; reload the page and try again.",
        ));
    };
    let Some(channel) = LinkChannel::parse(&b.channel) else {
        return Ok(bad("Choose how the link goes: SMS, email, or copy it."));
    };
    let Some(expiry) = Expiry::parse(&b.expiry) else {
        return Ok(bad(
            "Choose when the link expires: 1 hour, 1 day or 7 days.",
        ));
    };
    let contact: Option<ContactId> = match b.contact.trim() {
        "" => None,
        c => Some(c.parse().map_err(|_| WebError::NotFound)?),
    };
    let payload = match b.kind.as_str() {
        "send" => {
            let Some(envelope) = decode(&b.envelope) else {
                return Ok(bad(
                    "The encrypted secret was malformed; reload the page and try again.",
                ));
            };
            let server_share = match b.server_share.trim() {
                "" => None,
                s => match decode(s) {
                    Some(v) => Some(Zeroizing::new(v)),
                    None => return Ok(bad("The key share was malformed; reload the page.")),
                },
            };
            Payload::Send {
                envelope,
                server_share,
                has_passphrase: b.passphrase,
                link_key: Some(Zeroizing::new(b.link_key)).filter(|k| !k.is_empty()),
            }
        }
        "request" => {
            let Some(private_key) = decode(&b.private_key) else {
                return Ok(bad(
                    "The request's key was malformed; reload the page and try again.",
                ));
            };
            Payload::Request {
                public_key: b.public_key,
                private_key: Zeroizing::new(private_key),
            }
        }
        _ => return Ok(bad("Choose Secure Send or Secure Request.")),
    };
    let req = NewLink {
        org: user.org.id,
        contact,
        to: b.to,
        channel,
        label: b.label,
        payload,
        max_views: b.views,
        expiry,
        notify_on_reveal: b.notify,
    };
    match state
        .app
        .create_secret_link(&user.actor(ip), &user.technician, req)
        .await
    {
        Ok(created) => Ok(json_ok(serde_json::json!({
            "id": created.id.to_string(),
            "path": created.path,
            "recipient": created.recipient_masked,
            "status": format!("/pod/secrets/{}", created.id),
        }))),
        Err(e) => user_or_internal(e),
    }
}

fn user_or_internal(e: SecretError) -> Result<Response, WebError> {
    match e {
        SecretError::NotFound => Err(WebError::NotFound),
        e @ SecretError::NotYours => Err(WebError::Forbidden(sentence(&e.to_string()))),
        SecretError::Store(e) => Err(e.into()),
        e @ (SecretError::Sealed | SecretError::Message(_)) => {
            Err(WebError::Internal(anyhow::anyhow!(e)))
        }
        SecretError::Ended(s) => Ok(json_error(
            StatusCode::GONE,
            &format!("This link is {}: it can no longer be revealed.", s.as_str()),
        )),
        e => Ok(bad(&sentence(&e.to_string()))),
    }
}

/// POST /pod/secrets/{sid}/reveal: a request's answer and its private key, once.
pub async fn reveal(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(sid): Path<String>,
) -> Result<Response, WebError> {
    let id = secret_id(&sid)?;
    match state
        .app
        .reveal_secret_request(
            &user.actor(ip),
            &user.technician,
            user.org.id,
            id,
            &ip.to_string(),
        )
        .await
    {
        Ok(r) => Ok(json_ok(serde_json::json!({
            "envelope": URL_SAFE_NO_PAD.encode(&r.envelope),
            "private_key": r.private_key.as_ref().map(|k| URL_SAFE_NO_PAD.encode(k.as_slice())),
            "views_left": r.views_left,
        }))),
        Err(e) => user_or_internal(e),
    }
}

/// GET /pod/secrets/{sid}/status: polled by the status page and the Pod's list.
pub async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(sid): Path<String>,
) -> Result<Response, WebError> {
    let (s, _) = load(&state, &user, &sid).await?;
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
    match state
        .app
        .burn_secret_link(&user.actor(ip), &user.technician, user.org.id, id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/pod/secrets/{id}")).into_response()),
        Err(e) => user_or_internal(e),
    }
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
    match state
        .app
        .set_secret_link_notify(&user.actor(ip), &user.technician, user.org.id, id, on)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/pod/secrets/{id}")).into_response()),
        Err(e) => user_or_internal(e),
    }
}
