//! GET /invite/{token}.

use crate::AppState;
use crate::error::WebError;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use countersign_app::accounts::{AccountError, InviteDetails};

#[derive(Template)]
#[template(path = "invites/accept.html")]
pub(super) struct AcceptPage {
    pub csrf: String,
    pub token: String,
    pub org_name: String,
    pub email: String,
    pub role: &'static str,
    pub name: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "invites/unusable.html")]
pub(super) struct UnusablePage;

/// 410 Gone: the link existed but cannot be used any more (or never existed; we do not say).
pub(super) fn unusable() -> Result<Response, WebError> {
    Ok(no_referrer(
        (StatusCode::GONE, render(&UnusablePage)?).into_response(),
    ))
}

pub(super) use crate::routes::no_referrer;

pub(super) fn accept_page(
    form_token: &FormToken,
    token: String,
    details: InviteDetails,
    name: String,
    error: Option<String>,
) -> AcceptPage {
    AcceptPage {
        csrf: form_token.token.clone(),
        token,
        org_name: details.org.name,
        email: details.invite.email,
        role: details.invite.role.as_str(),
        name,
        error,
    }
}

pub async fn show(
    State(state): State<AppState>,
    form_token: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let details = match state.app.invite_by_token(&token).await {
        Ok(d) => d,
        Err(AccountError::InviteUnusable) => return unusable(),
        Err(e) => return Err(e.into()),
    };
    let page = accept_page(&form_token, token, details, String::new(), None);
    Ok(no_referrer(form_token.respond(render(&page)?)))
}
