//! GET /secrets/new: the standalone Secure Send page.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "secrets/new.html")]
struct NewPage {
    ctx: PageContext,
    // What the shared form reads.
    action: &'static str,
    id: &'static str,
    csrf: String,
    standalone: bool,
    has_mobile: bool,
    has_email: bool,
    mobile_masked: &'static str,
    email: &'static str,
}

/// GET /secrets/new
pub async fn new(State(_state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let page = NewPage {
        ctx: PageContext::new(&user, Section::Contacts),
        action: "send",
        id: "",
        csrf: user.csrf_token.clone(),
        standalone: true,
        has_mobile: false,
        has_email: false,
        mobile_masked: "",
        email: "",
    };
    Ok(render(&page)?.into_response())
}
