//! GET /password/forgot and GET /password/reset/{token}.

use crate::AppState;
use crate::error::WebError;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use crate::routes::no_referrer;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use countersign_app::accounts::{AccountError, FORGOT_RESET_VALIDITY, ResetDetails};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "password/forgot.html")]
pub(super) struct ForgotPage {
    pub csrf: String,
    pub email: String,
    pub sent: bool,
    pub minutes: u64,
    pub error: Option<String>,
}

impl ForgotPage {
    pub(super) fn new(form_token: &FormToken) -> Self {
        Self {
            csrf: form_token.token.clone(),
            email: String::new(),
            sent: false,
            minutes: FORGOT_RESET_VALIDITY.as_secs() / 60,
            error: None,
        }
    }
}

#[derive(Template)]
#[template(path = "password/reset.html")]
pub(super) struct ResetPage {
    pub csrf: String,
    pub token: String,
    pub org_name: String,
    pub email: String,
    pub by_admin: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "password/unusable.html")]
pub(super) struct UnusablePage;

/// 410 Gone: the link existed but cannot be used any more (or never existed; we do not say).
pub(super) fn unusable() -> Result<Response, WebError> {
    Ok(no_referrer(
        (StatusCode::GONE, render(&UnusablePage)?).into_response(),
    ))
}

pub(super) fn reset_page(
    form_token: &FormToken,
    token: String,
    details: ResetDetails,
    error: Option<String>,
) -> ResetPage {
    ResetPage {
        csrf: form_token.token.clone(),
        token,
        org_name: details.org.name,
        email: details.technician.email,
        by_admin: details.reset.kind == countersign_store::PasswordResetKind::Admin,
        error,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ForgotQuery {
    sent: Option<String>,
}

pub async fn forgot(
    form_token: FormToken,
    Query(q): Query<ForgotQuery>,
) -> Result<Response, WebError> {
    let page = ForgotPage {
        sent: q.sent.is_some(),
        ..ForgotPage::new(&form_token)
    };
    Ok(form_token.respond(render(&page)?))
}

pub async fn show(
    State(state): State<AppState>,
    form_token: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let details = match state.app.password_reset_by_token(&token).await {
        Ok(d) => d,
        Err(AccountError::ResetLinkUnusable) => return unusable(),
        Err(e) => return Err(e.into()),
    };
    let page = reset_page(&form_token, token, details, None);
    Ok(no_referrer(form_token.respond(render(&page)?)))
}
