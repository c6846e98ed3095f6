//! `/r/{token}`: data the help desk asks of the contact. GET/HEAD: who asks and for what, and
//! a form whose script encrypts the answer to the request's public key (ECDH P-256 + HKDF +
//! AES-256-GCM). POST (JSON, from `static/secrets.js`): the envelope, accepted once.

use super::send::{EndedPage, ended, locale_of};
use super::{json_ok, nonce, private};
use crate::AppState;
use crate::accept_language::AcceptLanguage;
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
use countersign_messaging::end_user::Texts;
use countersign_store::{SecretKind, SecretState};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_secrets/request.html")]
struct RequestPage {
    csrf: String,
    token: String,
    nonce: String,
    public_key: String,
    footer: String,
    label: String,
    /// The texts in the recipient's language, with sender, MSP and expiry filled in.
    t: Texts,
}

/// GET and HEAD /r/{token}.
pub async fn show(
    State(state): State<AppState>,
    accept: AcceptLanguage,
    form: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let view = state.app.secret_link(&token, SecretKind::Request).await?;
    let Some(v) = view else {
        return ended(&state, &accept, None).await;
    };
    let locale = locale_of(&state, &accept, Some(&v)).await?;
    let t = locale.texts();
    if v.state == SecretState::Active {
        let page = EndedPage {
            lang: t.language().code(),
            msp: v.brand.name.clone(),
            title: t.t("secret-request-answered-title"),
            text: t.t("secret-request-answered-text"),
            when: v.secret.submitted_at.map(|at| {
                t.clone()
                    .with("expires", locale.time(at))
                    .t("secret-sent-at")
            }),
        };
        return Ok(private((StatusCode::GONE, render(&page)?).into_response()));
    }
    if v.state != SecretState::Waiting {
        return ended(&state, &accept, Some(&v)).await;
    }
    let s = &v.secret;
    let page = RequestPage {
        csrf: form.token.clone(),
        nonce: nonce::issue(&state.app.keyring, s.id, state.app.now()),
        token,
        public_key: s.public_key.clone(),
        footer: v.brand.footer.clone(),
        label: s.label.clone(),
        t: t.with("msp", v.brand.name.clone())
            .with("technician", v.technician.clone())
            .with("expires", locale.time(s.expires_at)),
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
