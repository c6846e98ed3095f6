//! POST /login, /login/2fa, /logout.

use super::pages::{LoginRefused, SecondFactorRefused};
use crate::AppState;
use crate::auth::pod_session::after_login;
use crate::auth::session::{
    PendingSecondFactor, read_cookie, session_cookie, session_cookie_name, signed_out,
};
use crate::auth::{CurrentUser, user_agent};
use crate::error::{WebError, refusal};
use crate::flash::{self, Holder};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::pre_cookie_name;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use countersign_app::accounts::LoginError;
use countersign_crypto::random_token;
use serde::Deserialize;

/// The longest email address kept for the form after a refusal (RFC 5321's path limit): what
/// is longer is no address, and would not fit the flash cookie.
const MAX_KEPT_EMAIL: usize = 254;

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
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    // Whatever session the browser had before is ended: a login always gets a new id.
    if let Some(old) = read_cookie(&headers, session_cookie_name(&state.app.settings)) {
        state.app.end_session_by_token(old).await?;
    }
    let outcome = match state
        .app
        .authenticate(
            &form.email,
            &form.password,
            &ip.to_string(),
            &user_agent(&headers),
        )
        .await
    {
        Ok(outcome) => outcome,
        Err(e) => return login_refused(&state, &headers, &form.email, e),
    };
    if outcome.second_factor_due {
        Ok(signed_in(&state, &outcome.token, "/login/2fa"))
    } else {
        Ok(fully_signed_in(&state, &headers, &outcome.token))
    }
}

/// A refused sign-in (the attempt was counted and audited by the use case): 303 back to the
/// form, which shows why and keeps the address typed, never the password (PRG: a refresh
/// there posts nothing). The flash is bound to this browser's pre-session cookie; a browser
/// that posted with a session's form token instead gets one now.
fn login_refused(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    e: LoginError,
) -> Result<Response, WebError> {
    let error = refusal(e)?;
    let email: String = email.trim().chars().take(MAX_KEPT_EMAIL).collect();
    let (holder, minted) = match Holder::signed_out(state, headers) {
        Some(holder) => (holder, None),
        None => {
            let (cookie, _) = random_token();
            let set = crate::auth::session::cookie_header(
                &state.app.settings,
                pre_cookie_name(&state.app.settings),
                &cookie,
                None,
            );
            (Holder::pre_session(state, &cookie), Some(set))
        }
    };
    let mut res = flash::attach_for(
        state,
        &holder,
        "/login",
        &LoginRefused { email, error },
        Redirect::to("/login"),
    );
    if let Some(c) = minted {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
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
    match result {
        Ok(outcome) => Ok(fully_signed_in(&state, &headers, &outcome.token)),
        // A wrong code or a lock (counted and audited by the use case): 303 back to the
        // form with why, so a refresh there posts no code again.
        Err(e) => Ok(flash::attach_for(
            &state,
            &Holder::second_factor(&pending),
            "/login/2fa",
            &SecondFactorRefused { error: refusal(e)? },
            Redirect::to("/login/2fa"),
        )),
    }
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
