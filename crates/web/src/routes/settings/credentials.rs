//! POST /settings/technicians/{id}/reset-credentials: an admin resets a technician's password
//! and second factor. The page shows the one-time link once; the admin never sets a password.

use super::pages::{ResetShown, parse_id, technician_page_with};
use crate::AppState;
use crate::auth::RecentAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use countersign_domain::TechnicianId;

pub async fn reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    match state
        .app
        .reset_credentials(&user.technician, id, Some(ip.to_string()))
        .await
    {
        // Rendered directly (not redirected): the link exists in clear only in this response.
        Ok(done) => {
            let shown = ResetShown {
                link: done.link,
                expires: done.expires_at.display(),
                emailed: done.emailed,
                sessions_ended: done.sessions_ended,
            };
            Ok(
                technician_page_with(&state, &user, id, None, None, Some(shown))
                    .await?
                    .into_response(),
            )
        }
        Err(e) if e.is_user_error() => {
            let page = technician_page_with(
                &state,
                &user,
                id,
                None,
                Some(sentence(&e.to_string())),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
