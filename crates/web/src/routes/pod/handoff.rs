//! The Pod in a PSA's frame without a session (docs/security.md "The Pod inside a PSA"): the
//! small "Sign in to Countersign" page, and POST /pod/session, where the framed page trades
//! the one-time code from the `/pod/connect` window for a Pod session in the Pod's own cookie;
//! and signing that session out.

use super::framing::framing_headers;
use crate::AppState;
use crate::auth::pod_session::{
    clear_pod_session_cookie, pod_cookie_name, pod_cookie_usable, pod_session_cookie,
};
use crate::auth::session::read_cookie;
use crate::auth::{CurrentUser, user_agent};
use crate::error::{Problem, WebError};
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_domain::ContactId;
use countersign_store::SessionStage;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pod/sign_in.html")]
struct SignInPage {
    /// False over plain http on a non-loopback host, where browsers drop the Pod's cookie.
    usable: bool,
}

/// A Pod page requested without a usable session: inside a frame, the sign-in page (framable
/// by every origin some org allows: before sign-in the org is unknown); otherwise the login.
///
/// # Errors
/// Not framed (→ the login page); the store failed.
pub async fn sign_in_or_login(state: &AppState, headers: &HeaderMap) -> Result<Response, WebError> {
    let framed = headers
        .get("sec-fetch-dest")
        .is_some_and(|v| v.as_bytes() == b"iframe");
    if !framed {
        return Err(WebError::Unauthorized);
    }
    let ancestors = state.app.pod_sign_in_frame_ancestors().await?;
    let page = SignInPage {
        usable: pod_cookie_usable(&state.app.settings),
    };
    Ok((
        StatusCode::UNAUTHORIZED,
        framing_headers(&ancestors),
        render(&page)?,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    frame_origin: String,
}

/// POST /pod/session (from `static/pod-handoff.js`): 204 with the Pod's cookie, or
/// `application/problem+json` saying why not (its `detail`). Exempt from the form token
/// (`csrf::CODE_PATHS`): the one-time code is the proof, and the request must be a
/// same-origin browser `fetch`.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Result<Response, Problem> {
    let settings = &state.app.settings;
    if !pod_cookie_usable(settings) {
        return Err(Problem(WebError::BadRequest(
            "The Pod inside a PSA needs Countersign on https: browsers drop its cookie over plain http (except on this computer's loopback address).".into(),
        )));
    }
    // A Pod session this browser partition had before is ended: a sign-in gets a new one.
    if let Some(old) = read_cookie(&headers, pod_cookie_name(settings)) {
        state.app.end_session_by_token(old).await?;
    }
    let (token, session) = state
        .app
        .redeem_pod_handoff(
            &form.code,
            &form.frame_origin,
            &ip.to_string(),
            &user_agent(&headers),
        )
        .await?;
    let age = u64::try_from(session.expires_at.0 - session.created_at.0).unwrap_or(0) / 1000;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            pod_session_cookie(settings, &token, age),
        )],
    )
        .into_response())
}

/// POST /pod/contacts/{id}/sign-out: ends the Pod session of this frame (the button shows only
/// in a Pod session) and shows the Pod's sign-in again. A full session is left alone: it
/// signs out with Countersign's own "Sign out".
pub async fn sign_out(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: ContactId = id.parse().map_err(|_| WebError::NotFound)?;
    let mut res = Redirect::to(&format!("/pod/contacts/{id}")).into_response();
    if user.session.stage == SessionStage::Pod {
        state.app.logout(&user.principal(ip), &user.session).await?;
        res.headers_mut().append(
            header::SET_COOKIE,
            clear_pod_session_cookie(&state.app.settings),
        );
    }
    Ok(res)
}
