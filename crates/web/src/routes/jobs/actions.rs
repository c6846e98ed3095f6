//! POST /settings/jobs/{id}/retry and /delete. A job of another org is "not found".

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use axum::extract::{Path, State};
use axum::response::Redirect;
use countersign_domain::JobId;

fn parse(id: &str) -> Result<JobId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

pub async fn retry(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Redirect, WebError> {
    let id = parse(&id)?;
    state.app.retry_job(&user.principal(ip), id).await?;
    Ok(Redirect::to("/settings/jobs?notice=job_retried"))
}

pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Redirect, WebError> {
    let id = parse(&id)?;
    state.app.delete_job(&user.principal(ip), id).await?;
    Ok(Redirect::to("/settings/jobs?notice=job_deleted"))
}
