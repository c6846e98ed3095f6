//! GET /unsubscribe/{token}: the org's page with one button, or the result after the POST.

use crate::AppState;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::public_verify::private;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use countersign_app::broadcasts::unsubscribe::{UnsubscribeError, UnsubscribeView};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_unsubscribe/show.html")]
pub(super) struct ShowPage {
    pub token: String,
    pub org: String,
    pub footer: String,
    pub address: String,
    /// The heading and text when the address is opted out (`None`: show the button).
    pub result: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "public_unsubscribe/invalid.html")]
struct InvalidPage;

/// The page of a refused link: 404, and nothing changed. Its own page rather than the
/// generic "not found", because the person followed a link from an email and must learn that
/// they are not unsubscribed.
pub(super) fn invalid() -> Result<Response, WebError> {
    Ok(private(
        (StatusCode::NOT_FOUND, render(&InvalidPage)?).into_response(),
    ))
}

/// What happened, after the redirect from the POST (`?done=…`; only these keys show text).
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub(super) const UNSUBSCRIBED: (&str, &str) = (
    "You are unsubscribed",
    "You will get no more broadcast emails from us at this address. Messages you ask for, such as verification codes, still reach you.",
);
pub(super) const ALREADY: (&str, &str) = (
    "You were already unsubscribed",
    "This address gets no broadcast emails from us. Nothing more is needed.",
);

/// The page for `view`: the button while the address still gets broadcasts, the result
/// otherwise (`fresh`: this POST did it).
pub(super) fn page(token: String, view: &UnsubscribeView, fresh: bool) -> ShowPage {
    ShowPage {
        token,
        org: view.org_name.clone(),
        footer: view.footer.clone(),
        address: view.address.clone(),
        result: match (view.unsubscribed, fresh) {
            (false, _) => None,
            (true, true) => Some(UNSUBSCRIBED),
            (true, false) => Some(ALREADY),
        },
    }
}

/// GET and HEAD /unsubscribe/{token}: shows; never unsubscribes.
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let view = match state.app.unsubscribe_page(&token, &ip.to_string()).await {
        Err(UnsubscribeError::InvalidLink) => return invalid(),
        other => other?,
    };
    let fresh = q.done.as_deref() == Some("unsubscribed");
    Ok(private(render(&page(token, &view, fresh))?.into_response()))
}
