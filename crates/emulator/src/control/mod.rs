//! The control API (docs/emulator.md): changes the world between syncs, lists received
//! writes, sets faults. Served on the emulator's listener under `/_emulator`, and refused to
//! any peer that is not on a loopback address, so exposing Graph on a LAN never exposes it.

pub mod handle;
mod routes;

use crate::server::PeerAddr;
use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub fn router() -> Router<AppState> {
    routes::router()
        .merge(crate::sms::control::router())
        .layer(middleware::from_fn(loopback_only))
}

async fn loopback_only(req: Request, next: Next) -> Response {
    let local = req
        .extensions()
        .get::<PeerAddr>()
        .is_some_and(|p| p.0.ip().is_loopback());
    if !local {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({
                "error": "the control API only answers loopback clients"
            })),
        )
            .into_response();
    }
    next.run(req).await
}
