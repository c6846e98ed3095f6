//! POST /settings/technicians/{id}/reset-credentials: an admin resets a technician's password
//! and second factor, then goes to the technician's page, which shows the one-time link once
//! (from the flash); the admin never sets a password.

use super::pages::{ResetShown, parse_id, technician_page_with, technician_path};
use crate::AppState;
use crate::auth::RecentAdmin;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_domain::TechnicianId;

pub async fn reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let by = user.principal(ip);
    let done = state
        .app
        .reset_credentials(&by, id)
        .await
        .or_rerender(async |m| {
            let error = Some(one_line(&m));
            let page = technician_page_with(&state, &user, &by, id, None, error, None).await?;
            Ok(page.into_response())
        })
        .await?;
    // PRG: a refresh must not reset again. The link goes to the page sealed in the session's
    // flash, shown there once, never in the URL.
    let shown = ResetShown {
        link: done.link,
        expires: done.expires_at.display(),
        emailed: done.emailed,
        sessions_ended: done.sessions_ended,
    };
    let page = technician_path(id);
    Ok(flash::attach(
        &state,
        &user,
        &page,
        &shown,
        Redirect::to(&page),
    ))
}
