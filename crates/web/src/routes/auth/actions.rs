//! POST /login, /login/2fa, /logout.

use super::pages::{LoginPage, SecondFactorPage};
use crate::AppState;
use crate::auth::pod_session::after_login;
use crate::auth::session::{
    PendingSecondFactor, read_cookie, session_cookie, session_cookie_name, signed_out,
};
use crate::auth::{CurrentUser, user_agent};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use countersign_app::accounts::LoginError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Redirect that also sets the new session cookie.
fn signed_in(state: &AppState, token: &str, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&state.app.settings, token),
    );
    res
}

/// The redirect of a completed sign-in: home, or back to the Pod's `/pod/connect` window
/// that sent the technician to the login.
fn fully_signed_in(state: &AppState, headers: &HeaderMap, token: &str) -> Response {
    let (to, forget) = after_login(&state.app.settings, headers);
    let mut res = signed_in(state, token, &to);
    if let Some(c) = forget {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    token: FormToken,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    // Whatever session the browser had before is ended: a login always gets a new id.
    if let Some(old) = read_cookie(&headers, session_cookie_name(&state.app.settings)) {
        state.app.end_session_by_token(old).await?;
    }
    let outcome = state
        .app
        .authenticate(
            &form.email,
            &form.password,
            &ip.to_string(),
            &user_agent(&headers),
        )
        .await
        .or_rerender(async |m| {
            let page = LoginPage {
                csrf: token.token.clone(),
                email: form.email.clone(),
                error: Some(one_line(&m)),
                notice: None,
            };
            Ok(token.respond(render(&page)?))
        })
        .await?;
    if outcome.second_factor_due {
        Ok(signed_in(&state, &outcome.token, "/login/2fa"))
    } else {
        Ok(fully_signed_in(&state, &headers, &outcome.token))
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn second_factor(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    pending: Option<Extension<PendingSecondFactor>>,
    token: FormToken,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Some(Extension(pending)) = pending else {
        return Ok(Redirect::to("/login").into_response());
    };
    let result = state
        .app
        .complete_second_factor(
            &pending.session,
            &pending.technician,
            &form.code,
            &ip.to_string(),
            &user_agent(&headers),
        )
        .await;
    // The password step no longer stands (expired, or the account changed): start again.
    if matches!(result, Err(LoginError::Invalid)) {
        return Ok(Redirect::to("/login").into_response());
    }
    let outcome = result
        .or_rerender(async |m| {
            let page = SecondFactorPage {
                csrf: token.token.clone(),
                email: pending.technician.email.clone(),
                error: Some(one_line(&m)),
            };
            Ok(token.respond(render(&page)?))
        })
        .await?;
    Ok(fully_signed_in(&state, &headers, &outcome.token))
}

pub async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<Extension<CurrentUser>>,
    pending: Option<Extension<PendingSecondFactor>>,
) -> Result<Response, WebError> {
    if let Some(Extension(u)) = user {
        state.app.logout(&u.principal(ip), &u.session).await?;
    } else if let Some(Extension(p)) = pending {
        state.app.end_session(p.session.id).await?;
    }
    Ok(signed_out(&state.app.settings, "/login?notice=signed_out"))
}
