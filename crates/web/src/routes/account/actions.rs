//! POST /account/sign-out-everywhere, /account/2fa/setup (confirm), /account/2fa/disable,
//! /account/password.

use super::pages::{TOTP_SETUP_PAGE, account_page, setup_page};
use crate::AppState;
use crate::auth::session::{session_cookie, signed_out};
use crate::auth::user_agent;
use crate::auth::{CurrentUser, RecentUser};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_domain::SessionId;
use serde::Deserialize;

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
) -> Result<Response, WebError> {
    state.app.sign_out_everywhere(&user.principal(ip)).await?;
    Ok(signed_out(
        &state.app.settings,
        "/login?notice=signed_out_everywhere",
    ))
}

/// POST /account/sessions/{id}/end: ends one of the technician's other sessions. Needs a
/// recent proof (ASVS 7.5.2): a stolen session must not be able to end the owner's.
pub async fn end_session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentUser(user): RecentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: SessionId = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .app
        .end_own_session(&user.principal(ip), user.session.id, id)
        .await?;
    Ok(Redirect::to("/account?notice=session_ended").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn confirm_totp(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentUser(user): RecentUser,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    let codes = state
        .app
        .confirm_totp_enrollment(&by, &form.code)
        .await
        .or_rerender(async |m| {
            let page = setup_page(&state, &user, &by, Some(one_line(&m))).await?;
            Ok(page.into_response())
        })
        .await?;
    // PRG: the codes go to the setup address sealed in the session's flash and are shown
    // there once; a refresh of that page shows the account instead.
    Ok(flash::attach(
        &state,
        &user,
        TOTP_SETUP_PAGE,
        &codes,
        Redirect::to(TOTP_SETUP_PAGE),
    ))
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    proof: String,
}

pub async fn disable_totp(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentUser(user): RecentUser,
    Form(form): Form<DisableForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    state
        .app
        .disable_totp(&by, &form.proof)
        .await
        .or_rerender(|m| account_again(&state, &user, &by, m))
        .await?;
    Ok(Redirect::to("/account?notice=2fa_disabled").into_response())
}

/// The account page again with the reason a form on it was refused.
pub(super) async fn account_again(
    state: &AppState,
    user: &CurrentUser,
    by: &countersign_app::Principal,
    messages: Vec<countersign_app::FieldMessage>,
) -> Result<Response, WebError> {
    let page = account_page(state, user, by, None, Some(one_line(&messages))).await?;
    Ok(page.into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the password; on success the session is replaced by a fresh one (new cookie) and
/// every other session has ended.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    user: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    let changed = state
        .app
        .change_password(
            &by,
            &user.session,
            &form.current,
            &form.password,
            &form.confirm,
            &user_agent(&headers),
        )
        .await
        .or_rerender(|m| account_again(&state, &user, &by, m))
        .await?;
    let mut res = Redirect::to("/account?notice=password_changed").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&state.app.settings, &changed.token),
    );
    Ok(res)
}
