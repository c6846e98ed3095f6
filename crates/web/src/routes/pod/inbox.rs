//! The technician's Pod inbox: technician checks contacts started on the public page and
//! addressed to the signed-in technician. Confirming redirects to the inbox, which shows the
//! code both sides compare once (from the flash).

use super::framing::framing_headers;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{Problem, RerenderOnUserError, WebError, one_line};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::contacts::ago;
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_domain::TechnicianCheckId;
use serde::Serialize;
use std::net::IpAddr;

struct InboxRow {
    id: String,
    contact: String,
    customer: String,
    contact_id: String,
    when: String,
}

#[derive(Template)]
#[template(path = "pod/inbox.html")]
struct InboxPage {
    csrf: String,
    user_name: String,
    rows: Vec<InboxRow>,
    confirmed: Option<String>,
    error: Option<String>,
}

async fn inbox_page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    confirmed: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let now = state.app.now();
    let inbox = state
        .app
        .technician_inbox(&user.principal(ip), true)
        .await?;
    let rows = inbox
        .entries
        .into_iter()
        .map(|e| InboxRow {
            id: e.check.id.to_string(),
            contact: e.contact_name,
            customer: e.customer_name,
            contact_id: e.check.contact_id.to_string(),
            when: e.check.chosen_at.map(|t| ago(now, t)).unwrap_or_default(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = InboxPage {
        csrf: user.csrf_token.clone(),
        user_name: user.technician.name.clone(),
        rows,
        confirmed,
        error,
    };
    // Reached from the Pod, so framed by the same origins.
    Ok((
        status,
        framing_headers(&inbox.frame_ancestors),
        render(&page)?,
    )
        .into_response())
}

/// GET /pod/inbox
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<axum::Extension<CurrentUser>>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let Some(axum::Extension(user)) = user else {
        return super::handoff::sign_in_or_login(&state, &headers).await;
    };
    let mut taken = flash::take::<String>(&state, &user, INBOX_PAGE, &headers);
    let confirmed = taken.value.take();
    Ok(taken.respond(inbox_page(&state, &user, ip, confirmed, None).await?))
}

/// The inbox, where the code of a check just confirmed is shown once.
const INBOX_PAGE: &str = "/pod/inbox";

#[derive(Serialize)]
pub struct InboxCount {
    count: usize,
}

/// GET /pod/inbox/status: polled by every Pod page for the inbox banner.
pub async fn status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
) -> Result<Json<InboxCount>, Problem> {
    let inbox = state
        .app
        .technician_inbox(&user.principal(ip), false)
        .await?;
    Ok(Json(InboxCount {
        count: inbox.entries.len(),
    }))
}

/// POST /pod/inbox/{id}/confirm
pub async fn confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianCheckId = id.parse().map_err(|_| WebError::NotFound)?;
    let (state, user) = (&state, &user);
    let code = state
        .app
        .confirm_technician_check(&user.principal(ip), id)
        .await
        .or_rerender(|m| async move { inbox_page(state, user, ip, None, Some(one_line(&m))).await })
        .await?;
    // PRG: the code goes to the inbox sealed in the session's flash and is shown there once;
    // a refresh confirms nothing again.
    Ok(flash::attach(
        state,
        user,
        INBOX_PAGE,
        &code,
        Redirect::to(INBOX_PAGE),
    ))
}
