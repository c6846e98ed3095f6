//! GET /login and GET /login/2fa, each showing why its last POST was refused (from the
//! flash: the POST redirected here, PRG).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::session::PendingSecondFactor;
use crate::error::WebError;
use crate::flash::{self, Holder};
use crate::middleware::csrf::FormToken;
use crate::page::render;
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

/// Why the last sign-in was refused, and the address typed (never the password): carried by
/// the flash from the refused POST to the form (PRG).
#[derive(Serialize, Deserialize)]
pub(super) struct LoginRefused {
    pub email: String,
    pub error: String,
}

/// Why the last second-factor code was refused.
#[derive(Serialize, Deserialize)]
pub(super) struct SecondFactorRefused {
    pub error: String,
}

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
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    headers: HeaderMap,
    token: FormToken,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let refused = Holder::signed_out(&state, &headers)
        .map(|holder| flash::take_for::<LoginRefused>(&state, &holder, "/login", &headers));
    let shown = refused.as_ref().and_then(|t| t.value.as_ref());
    let page = LoginPage {
        csrf: token.token.clone(),
        email: shown.map(|r| r.email.clone()).unwrap_or_default(),
        error: shown.map(|r| r.error.clone()),
        notice: q.notice.as_deref().and_then(notice_text),
    };
    let res = token.respond(render(&page)?);
    Ok(match refused {
        Some(taken) => taken.respond(res),
        None => res,
    })
}

pub async fn second_factor_form(
    State(state): State<AppState>,
    pending: Option<Extension<PendingSecondFactor>>,
    headers: HeaderMap,
    token: FormToken,
) -> Result<Response, WebError> {
    let Some(Extension(pending)) = pending else {
        return Ok(Redirect::to("/login").into_response());
    };
    let refused = flash::take_for::<SecondFactorRefused>(
        &state,
        &Holder::second_factor(&pending),
        "/login/2fa",
        &headers,
    );
    let page = SecondFactorPage {
        csrf: token.token.clone(),
        error: refused.value.as_ref().map(|r| r.error.clone()),
        email: pending.technician.email,
    };
    Ok(refused.respond(token.respond(render(&page)?)))
}
