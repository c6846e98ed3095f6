//! Webhooks that providers call. They carry no session and no CSRF token (the CSRF middleware
//! exempts exactly these paths); each is authenticated by its provider's signature instead,
//! checked before anything in the request is used.

mod twilio;

use crate::AppState;
use axum::Router;
use axum::routing::post;
use countersign_app::messages::{TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH};

/// Paths exempt from the CSRF token check (see `middleware::csrf::EXEMPT_PATHS`).
pub const PATHS: &[&str] = &[TWILIO_STATUS_PATH, TWILIO_INBOUND_PATH];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(TWILIO_STATUS_PATH, post(twilio::status))
        .route(TWILIO_INBOUND_PATH, post(twilio::inbound))
}
