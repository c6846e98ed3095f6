//! GET /unsubscribe/{token}: the org's page with one button, or the result after the POST.

use crate::AppState;
use crate::accept_language::AcceptLanguage;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::public_verify::private;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use countersign_app::broadcasts::unsubscribe::{UnsubscribeError, UnsubscribeView};
use countersign_app::end_user::EndUserLocale;
use countersign_messaging::end_user::Texts;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_unsubscribe/show.html")]
pub(super) struct ShowPage {
    pub token: String,
    pub org: String,
    pub footer: String,
    pub address: String,
    /// The heading and text when the address is opted out (`None`: show the button).
    pub result: Option<(String, String)>,
    /// The texts in the contact's language, with the org and address filled in.
    pub t: Texts,
}

#[derive(Template)]
#[template(path = "public_unsubscribe/invalid.html")]
struct InvalidPage {
    t: Texts,
}

/// The page of a refused link: 404, and nothing changed. Its own page rather than the
/// generic "not found", because the person followed a link from an email and must learn that
/// they are not unsubscribed. No org is known: the browser's language.
pub(super) fn invalid(accept: &AcceptLanguage) -> Result<Response, WebError> {
    let t = EndUserLocale::without_org(accept.as_deref()).texts();
    Ok(private(
        (StatusCode::NOT_FOUND, render(&InvalidPage { t })?).into_response(),
    ))
}

/// What happened, after the redirect from the POST (`?done=…`; only these keys show text).
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The page for `view`: the button while the address still gets broadcasts, the result
/// otherwise (`fresh`: this POST did it). In the contact's language (else its customer's,
/// else the browser's), with the org's overrides.
pub(super) async fn page(
    state: &AppState,
    accept: &AcceptLanguage,
    token: String,
    view: &UnsubscribeView,
    fresh: bool,
) -> Result<ShowPage, WebError> {
    let locale = state
        .app
        .end_user_locale(view.org_id, Some(view.contact_id), accept.as_deref())
        .await?;
    let t = locale
        .texts()
        .with("msp", view.org_name.clone())
        .with("address", view.address.clone());
    let result = match (view.unsubscribed, fresh) {
        (false, _) => None,
        (true, true) => Some("unsubscribe-done"),
        (true, false) => Some("unsubscribe-already"),
    };
    Ok(ShowPage {
        token,
        org: view.org_name.clone(),
        footer: view.footer.clone(),
        address: view.address.clone(),
        result: result.map(|k| (t.t(&format!("{k}-title")), t.t(&format!("{k}-text")))),
        t,
    })
}

/// GET and HEAD /unsubscribe/{token}: shows; never unsubscribes.
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    accept: AcceptLanguage,
    Path(token): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let view = match state.app.unsubscribe_page(&token, &ip.to_string()).await {
        Err(UnsubscribeError::InvalidLink) => return invalid(&accept),
        other => other?,
    };
    let fresh = q.done.as_deref() == Some("unsubscribed");
    let page = page(&state, &accept, token, &view, fresh).await?;
    Ok(private(render(&page)?.into_response()))
}
