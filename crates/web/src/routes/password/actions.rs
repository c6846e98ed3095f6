//! POST /password/forgot and POST /password/reset/{token}.

use super::pages::{ForgotPage, reset_page, unusable};
use crate::AppState;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use crate::routes::{no_referrer, sentence};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::accounts::AccountError;
use countersign_domain::Email;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Asks for a link. The answer is the same redirect whether or not an account exists; only a
/// malformed address or the rate limit (which counts unknown addresses too) answer otherwise.
pub async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form_token: FormToken,
    Form(form): Form<ForgotForm>,
) -> Result<Response, WebError> {
    let again = |message: String| -> Result<Response, WebError> {
        let page = ForgotPage {
            email: form.email.clone(),
            error: Some(message),
            ..ForgotPage::new(&form_token)
        };
        Ok(form_token.respond(render(&page)?))
    };
    if let Err(e) = Email::parse(&form.email) {
        let mut page = again(sentence(&e.to_string()))?;
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(page);
    }
    // The account's part runs on; the answer does not wait for it.
    let _task = state
        .app
        .request_password_reset(&form.email, &ip.to_string())
        .await
        .or_rerender(async |m| again(one_line(&m)))
        .await?;
    Ok(Redirect::to("/password/forgot?sent=1").into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn complete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form_token: FormToken,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .complete_password_reset(&token, &form.password, &form.confirm, Some(ip.to_string()))
        .await;
    if matches!(result, Err(AccountError::ResetLinkUnusable)) {
        return unusable();
    }
    result
        .or_rerender(async |m| {
            let details = match state.app.password_reset_by_token(&token).await {
                Ok(d) => d,
                Err(AccountError::ResetLinkUnusable) => return unusable(),
                Err(e) => return Err(e.into()),
            };
            let page = reset_page(&form_token, token.clone(), details, Some(one_line(&m)));
            Ok(no_referrer(form_token.respond(render(&page)?)))
        })
        .await?;
    Ok(Redirect::to("/login?notice=password_reset").into_response())
}
