//! The technician's own name and email address (issue 21.5). POST /account/name changes the
//! name. POST /account/email (with a recent proof: the address is the login name and where
//! password resets go) asks for a change: a link goes to the new address, the current one is
//! told. POST /account/email/cancel drops a pending change. The link,
//! /account/email/confirm/{token}, needs no session (it may be opened on another device): GET
//! shows what it will do and changes nothing (mail scanners open links, security.md §2.2);
//! POST from that page makes the change. Every POST ends in a redirect.

use super::actions::account_again;
use crate::AppState;
use crate::auth::{CurrentUser, RecentUser};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use crate::routes::no_referrer;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::accounts::{AccountError, EmailChangeDetails};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// POST /account/name
pub async fn change_name(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    state
        .app
        .change_own_name(&by, &form.name)
        .await
        .or_rerender(|m| account_again(&state, &user, &by, m))
        .await?;
    Ok(Redirect::to("/account?notice=name_changed").into_response())
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// POST /account/email
pub async fn request_email_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentUser(user): RecentUser,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    state
        .app
        .request_email_change(&by, &form.email)
        .await
        .or_rerender(|m| account_again(&state, &user, &by, m))
        .await?;
    Ok(Redirect::to("/account?notice=email_change_sent").into_response())
}

/// POST /account/email/cancel
pub async fn cancel_email_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let cancelled = state.app.cancel_email_change(&user.principal(ip)).await?;
    let notice = if cancelled {
        "email_change_cancelled"
    } else {
        "no_email_change"
    };
    Ok(Redirect::to(&format!("/account?notice={notice}")).into_response())
}

#[derive(Template)]
#[template(path = "account/email_confirm.html")]
struct ConfirmPage {
    csrf: String,
    token: String,
    name: String,
    org_name: String,
    old_email: String,
    new_email: String,
    expires: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/email_unusable.html")]
struct UnusablePage;

#[derive(Template)]
#[template(path = "account/email_changed.html")]
struct ChangedPage;

/// 410 Gone: the link existed but cannot be used any more (or never existed; we do not say).
fn unusable() -> Result<Response, WebError> {
    Ok(no_referrer(
        (StatusCode::GONE, render(&UnusablePage)?).into_response(),
    ))
}

fn confirm_page(
    form_token: &FormToken,
    token: String,
    d: EmailChangeDetails,
    error: Option<String>,
) -> ConfirmPage {
    ConfirmPage {
        csrf: form_token.token.clone(),
        token,
        name: d.technician.name,
        org_name: d.org.name,
        old_email: d.technician.email,
        new_email: d.change.new_email,
        expires: d.change.expires_at.display(),
        error,
    }
}

/// GET /account/email/confirm/{token}: what the link will do; changes nothing.
pub async fn show_confirm(
    State(state): State<AppState>,
    form_token: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let details = match state.app.email_change_by_token(&token).await {
        Ok(d) => d,
        Err(AccountError::EmailChangeLinkUnusable) => return unusable(),
        Err(e) => return Err(e.into()),
    };
    let page = confirm_page(&form_token, token, details, None);
    Ok(no_referrer(form_token.respond(render(&page)?)))
}

/// POST /account/email/confirm/{token}: makes the change, then the "changed" page.
pub async fn confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form_token: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .complete_email_change(&token, Some(ip.to_string()))
        .await;
    if matches!(result, Err(AccountError::EmailChangeLinkUnusable)) {
        return unusable();
    }
    result
        .or_rerender(async |m| {
            let details = match state.app.email_change_by_token(&token).await {
                Ok(d) => d,
                Err(AccountError::EmailChangeLinkUnusable) => return unusable(),
                Err(e) => return Err(e.into()),
            };
            let page = confirm_page(&form_token, token.clone(), details, Some(one_line(&m)));
            Ok(no_referrer(form_token.respond(render(&page)?)))
        })
        .await?;
    Ok(Redirect::to("/account/email/changed").into_response())
}

/// GET /account/email/changed: where the confirmation lands (no session needed).
pub async fn changed() -> Result<Response, WebError> {
    Ok(render(&ChangedPage)?.into_response())
}

/// `?notice=…` keys of the profile forms (only known keys map to text).
pub(super) fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "name_changed" => "Name saved.",
        "email_change_sent" => {
            "We sent a link to the new address. Your email address changes when you open it and confirm; until then you sign in with the current one."
        }
        "email_change_cancelled" => "Email change cancelled. The link no longer works.",
        "no_email_change" => "No email change was waiting.",
        _ => return None,
    })
}
