//! GET /secrets/new: the standalone Secure Send page.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use countersign_app::secrets::Expiry;

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
    expiries: Vec<(&'static str, &'static str, bool)>,
}

/// The expiry choices of the shared secret form from the `allowed` ones (shortest first):
/// value, label, selected (1 day when allowed, else the longest allowed).
pub(crate) fn expiry_options(allowed: &[Expiry]) -> Vec<(&'static str, &'static str, bool)> {
    let default = if allowed.contains(&Expiry::Day) {
        Expiry::Day
    } else {
        allowed.last().copied().unwrap_or(Expiry::Hour)
    };
    allowed
        .iter()
        .copied()
        .map(|e| (e.as_str(), e.label(), e == default))
        .collect()
}

/// GET /secrets/new
pub async fn new(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let expiries = state.app.secret_expiries(&user.principal(ip)).await?;
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
        expiries: expiry_options(&expiries),
    };
    Ok(render(&page)?.into_response())
}
