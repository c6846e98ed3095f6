//! GET /login and GET /login/2fa.

use crate::auth::CurrentUser;
use crate::auth::session::PendingSecondFactor;
use crate::error::WebError;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::Extension;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "auth/login.html")]
pub(super) struct LoginPage {
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "auth/second_factor.html")]
pub(super) struct SecondFactorPage {
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
}

pub async fn login_form(
    user: Option<Extension<CurrentUser>>,
    token: FormToken,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let page = LoginPage {
        csrf: token.token.clone(),
        email: String::new(),
        error: None,
        notice: q.notice.as_deref().and_then(notice_text),
    };
    Ok(token.respond(render(&page)?))
}

pub async fn second_factor_form(
    pending: Option<Extension<PendingSecondFactor>>,
    token: FormToken,
) -> Result<Response, WebError> {
    let Some(Extension(pending)) = pending else {
        return Ok(Redirect::to("/login").into_response());
    };
    let page = SecondFactorPage {
        csrf: token.token.clone(),
        email: pending.technician.email,
        error: None,
    };
    Ok(token.respond(render(&page)?))
}
