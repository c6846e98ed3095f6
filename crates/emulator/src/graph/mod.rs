//! The Microsoft Graph face: `/v1.0/…` under `graph_base_url`.

pub mod error;

mod auth;
pub mod delta;
mod mail;
mod page;
pub(crate) mod patch;
mod query;
mod tenant;
mod users;

use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error::GraphError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1.0/users", get(users::list))
        .route("/v1.0/users/delta", get(delta::delta))
        .route("/v1.0/users/{id}", get(users::get).patch(patch::patch))
        .route("/v1.0/users/{id}/sendMail", post(mail::send_mail))
        .route("/v1.0/organization", get(tenant::organization))
        .route(
            "/v1.0/tenantRelationships/delegatedAdminRelationships",
            get(tenant::relationships),
        )
        .route("/v1.0/contracts", get(tenant::contracts))
        .fallback(unknown_segment)
        .layer(middleware::from_fn(request_ids))
}

async fn unknown_segment(req: Request) -> Response {
    let segment = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    GraphError::bad_request(format!("Resource not found for the segment '{segment}'."))
        .into_response()
}

/// Every Graph response carries `request-id` and echoes `client-request-id`.
async fn request_ids(req: Request, next: Next) -> Response {
    let client = req.headers().get("client-request-id").cloned();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key("request-id")
        && let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        h.insert("request-id", v);
    }
    if let Some(c) = client {
        h.insert("client-request-id", c);
    }
    resp
}
