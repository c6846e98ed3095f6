//! HTTP routes of the control API, each a thin call into [`ControlHandle`].

use super::handle::{ControlError, ControlHandle};
use crate::faults::FaultConfig;
use crate::model::Consent;
use crate::model::directory::DirectoryError;
use crate::model::roles::parse_role;
use crate::scenario::UserSpec;
use crate::state::AppState;
use crate::throttle::ThrottleConfig;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match &self {
            ControlError::UnknownTenant(_) | ControlError::UnknownUser(_) => StatusCode::NOT_FOUND,
            ControlError::Directory(DirectoryError::NotFound) => StatusCode::NOT_FOUND,
            ControlError::Directory(_) => StatusCode::CONFLICT,
            ControlError::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        (status, Json(json!({"error": self.to_string()}))).into_response()
    }
}

fn handle(s: &AppState) -> ControlHandle {
    ControlHandle::new(s.clone())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manifest", get(manifest))
        .route("/tenants/{tenant}/users", post(add_user))
        .route(
            "/tenants/{tenant}/users/{user}",
            get(get_user).patch(edit_user).delete(hard_delete),
        )
        .route(
            "/tenants/{tenant}/users/{user}/soft-delete",
            post(soft_delete),
        )
        .route("/tenants/{tenant}/users/{user}/restore", post(restore))
        .route(
            "/tenants/{tenant}/users/{user}/revoke-sessions",
            post(revoke_sessions),
        )
        .route(
            "/tenants/{tenant}/consents/{client_id}",
            put(grant_consent).delete(revoke_consent),
        )
        .route("/tenants/{tenant}/delta-reset", post(reset_delta_state))
        .route(
            "/relationships/{relationship}/status",
            put(set_relationship_status),
        )
        .route("/writes", get(writes).delete(clear_writes))
        .route("/mail", get(mail))
        .route("/faults", get(get_faults).put(set_faults))
        .route("/faults/counts", get(fault_counts))
        .route("/throttling", get(get_throttling).put(set_throttling))
        .route("/clock/advance", post(advance_clock))
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
}

async fn set_relationship_status(
    State(s): State<AppState>,
    Path(relationship): Path<String>,
    Json(body): Json<StatusBody>,
) -> Result<StatusCode, ControlError> {
    handle(&s).set_relationship_status(&relationship, &body.status)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ResetBody {
    #[serde(default)]
    after_pages: u32,
}

async fn reset_delta_state(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    Json(body): Json<ResetBody>,
) -> Result<StatusCode, ControlError> {
    handle(&s).reset_delta_state(&tenant, body.after_pages)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn manifest(State(s): State<AppState>) -> Response {
    Json(crate::server::manifest(&s)).into_response()
}

async fn get_user(
    State(s): State<AppState>,
    Path((t, u)): Path<(String, String)>,
) -> Result<Response, ControlError> {
    Ok(Json(handle(&s).user(&t, &u)?).into_response())
}

async fn edit_user(
    State(s): State<AppState>,
    Path((t, u)): Path<(String, String)>,
    Json(body): Json<serde_json::Value>,
) -> Result<StatusCode, ControlError> {
    handle(&s).edit_user(&t, &u, &body)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_user(
    State(s): State<AppState>,
    Path(t): Path<String>,
    Json(spec): Json<UserSpec>,
) -> Result<Response, ControlError> {
    let id = handle(&s).add_user(&t, &spec)?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

async fn soft_delete(
    State(s): State<AppState>,
    Path((t, u)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    handle(&s).soft_delete(&t, &u)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn hard_delete(
    State(s): State<AppState>,
    Path((t, u)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    handle(&s).hard_delete(&t, &u)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn restore(
    State(s): State<AppState>,
    Path((t, u)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    handle(&s).restore(&t, &u)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_sessions(
    State(s): State<AppState>,
    Path((t, u)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    handle(&s).revoke_sessions(&t, &u)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentBody {
    #[serde(default)]
    application_permissions: Vec<String>,
    #[serde(default)]
    delegated_permissions: Vec<String>,
    #[serde(default)]
    directory_roles: Vec<String>,
}

async fn grant_consent(
    State(s): State<AppState>,
    Path((t, client_id)): Path<(String, Uuid)>,
    Json(body): Json<ConsentBody>,
) -> Result<StatusCode, ControlError> {
    let directory_roles = body
        .directory_roles
        .iter()
        .map(|r| parse_role(r).ok_or_else(|| ControlError::Invalid(format!("unknown role '{r}'"))))
        .collect::<Result<Vec<_>, _>>()?;
    let consent = Consent {
        application_permissions: body.application_permissions,
        delegated_permissions: body.delegated_permissions,
        directory_roles,
    };
    handle(&s).grant_consent(&t, client_id, consent)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_consent(
    State(s): State<AppState>,
    Path((t, client_id)): Path<(String, Uuid)>,
) -> Result<StatusCode, ControlError> {
    if handle(&s).revoke_consent(&t, client_id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Ok(StatusCode::NOT_FOUND)
    }
}

async fn writes(State(s): State<AppState>) -> Response {
    Json(json!({"writes": handle(&s).writes()})).into_response()
}

async fn mail(State(s): State<AppState>) -> Response {
    Json(json!({"mail": handle(&s).sent_mail()})).into_response()
}

async fn clear_writes(State(s): State<AppState>) -> StatusCode {
    handle(&s).clear_writes();
    StatusCode::NO_CONTENT
}

async fn get_faults(State(s): State<AppState>) -> Response {
    Json(handle(&s).faults()).into_response()
}

async fn set_faults(State(s): State<AppState>, Json(f): Json<FaultConfig>) -> StatusCode {
    handle(&s).set_faults(f);
    StatusCode::NO_CONTENT
}

async fn fault_counts(State(s): State<AppState>) -> Response {
    Json(handle(&s).fault_counts()).into_response()
}

async fn get_throttling(State(s): State<AppState>) -> Response {
    Json(handle(&s).throttling()).into_response()
}

async fn set_throttling(State(s): State<AppState>, Json(c): Json<ThrottleConfig>) -> StatusCode {
    handle(&s).set_throttling(c);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(s): State<AppState>, Json(a): Json<Advance>) -> StatusCode {
    handle(&s).advance_clock(a.seconds);
    StatusCode::NO_CONTENT
}
