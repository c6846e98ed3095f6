//! `/r/{token}`: data the help desk asks of the contact. GET/HEAD: who asks and for what, and
//! a form whose script encrypts the answer to the request's public key (ECDH P-256 + HKDF +
//! AES-256-GCM). POST (JSON, from `static/secrets.js`): the envelope, accepted once.

use super::send::ended;
use super::{json_ok, nonce, private};
use crate::AppState;
use crate::error::{Problem, WebError};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use askama::Template;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_store::{SecretKind, SecretState};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_secrets/request.html")]
struct RequestPage {
    csrf: String,
    token: String,
    nonce: String,
    public_key: String,
    msp: String,
    footer: String,
    technician: String,
    label: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "public_secrets/ended.html")]
struct AnsweredPage {
    msp: String,
    title: &'static str,
    text: &'static str,
    when: Option<String>,
}

/// GET and HEAD /r/{token}.
pub async fn show(
    State(state): State<AppState>,
    form: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let view = state.app.secret_link(&token, SecretKind::Request).await?;
    let Some(v) = view else {
        return ended(None);
    };
    if v.state == SecretState::Active {
        let page = AnsweredPage {
            msp: v.brand.name.clone(),
            title: "Already sent",
            text: "This request was answered. Nothing more is needed from you.",
            when: v
                .secret
                .submitted_at
                .map(|t| format!("Sent at {}.", t.display())),
        };
        return Ok(private((StatusCode::GONE, render(&page)?).into_response()));
    }
    if v.state != SecretState::Waiting {
        return ended(Some(&v));
    }
    let s = &v.secret;
    let page = RequestPage {
        csrf: form.token.clone(),
        nonce: nonce::issue(&state.app.keyring, s.id, state.app.now()),
        token,
        public_key: s.public_key.clone(),
        msp: v.brand.name.clone(),
        footer: v.brand.footer.clone(),
        technician: v.technician.clone(),
        label: s.label.clone(),
        expires: s.expires_at.display(),
    };
    Ok(private(form.respond(render(&page)?)))
}

#[derive(Debug, Deserialize)]
pub struct SubmitBody {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    envelope: String,
}

/// POST /r/{token}: the encrypted answer.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    body: Result<Json<SubmitBody>, JsonRejection>,
) -> Response {
    let submitted = async {
        let Ok(Json(body)) = body else {
            return Err(Problem(WebError::BadRequest(
                "The request was malformed; reload the page and try again.".into(),
            )));
        };
        let envelope = URL_SAFE_NO_PAD.decode(body.envelope.trim()).map_err(|_| {
            WebError::Invalid(vec![countersign_app::FieldMessage {
                field: Some("envelope"),
                message: "The encrypted data was malformed; reload the page and try again.".into(),
            }])
        })?;
        let keyring = state.app.keyring.clone();
        let now = state.app.now();
        state
            .app
            .submit_secret_request(&token, &envelope, &ip.to_string(), |id| {
                nonce::check(&keyring, id, &body.nonce, now)
            })
            .await?;
        Ok(json_ok(serde_json::json!({ "ok": true })))
    };
    private(submitted.await.into_response())
}
