//! GET/POST /pod/connect: the top-level window the Pod's framed sign-in opens
//! (docs/security.md "The Pod inside a PSA"). A fully signed-in technician whose org allows
//! the PSA origin confirms, and the page hands a one-time code back to the framed Pod through
//! `window.opener.postMessage` (`static/pod-handoff.js`). Not signed in: the normal login,
//! then back here.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::pod_session::connect_return_cookie;
use crate::error::WebError;
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use countersign_app::accounts::parse_frame_origin;
use countersign_store::SessionStage;
use serde::{Deserialize, Serialize};

#[derive(Template)]
#[template(path = "pod/connect.html")]
struct ConnectPage {
    csrf: String,
    origin: String,
    user_name: String,
    /// Set once the technician confirmed: the one-time code for the framed Pod.
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct OriginParam {
    #[serde(default)]
    origin: String,
}

/// A fully signed-in technician (a Pod session never makes handoff codes).
fn full(user: Option<Extension<CurrentUser>>) -> Option<CurrentUser> {
    user.map(|Extension(u)| u)
        .filter(|u| u.session.stage == SessionStage::Full)
}

/// GET /pod/connect?origin=…
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<Extension<CurrentUser>>,
    Query(q): Query<OriginParam>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some(user) = full(user) else {
        let origin = parse_frame_origin(&q.origin)?;
        let mut res = Redirect::to("/login").into_response();
        res.headers_mut().append(
            header::SET_COOKIE,
            connect_return_cookie(&state.app.settings, &origin),
        );
        return Ok(res);
    };
    let origin = state
        .app
        .check_frame_origin(&user.principal(ip), &q.origin)
        .await?;
    let mut taken = flash::take::<Handoff>(&state, &user, CONNECT_PAGE, &headers);
    let code = taken
        .value
        .take()
        .filter(|h| h.origin == origin)
        .map(|h| h.code);
    Ok(taken.respond(page(&user, origin, code)?))
}

/// The window's address, where a code just made is handed over once.
const CONNECT_PAGE: &str = "/pod/connect";

/// A handoff code just made for `origin`, carried by the flash from the POST (PRG): a refresh
/// of the window makes no other code.
#[derive(Serialize, Deserialize)]
struct Handoff {
    origin: String,
    code: String,
}

/// The window before (no code) or after the technician confirmed.
fn page(user: &CurrentUser, origin: String, code: Option<String>) -> Result<Response, WebError> {
    Ok(render(&ConnectPage {
        csrf: user.csrf_token.clone(),
        origin,
        user_name: user.technician.name.clone(),
        code,
    })?
    .into_response())
}

/// POST /pod/connect: makes the code and redirects to the window, which hands it over once.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<Extension<CurrentUser>>,
    Form(form): Form<OriginParam>,
) -> Result<Response, WebError> {
    let user = full(user).ok_or(WebError::Unauthorized)?;
    let origin = parse_frame_origin(&form.origin)?;
    let code = state
        .app
        .create_pod_handoff(&user.principal(ip), &origin)
        .await?;
    let to = format!("{CONNECT_PAGE}?origin={}", urlencoding::encode(&origin));
    Ok(flash::attach(
        &state,
        &user,
        CONNECT_PAGE,
        &Handoff { origin, code },
        Redirect::to(&to),
    ))
}
