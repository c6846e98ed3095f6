//! Settings ▸ Webhooks (admins only): the org's outgoing webhook endpoints, their recent
//! deliveries, and the changes to them. Not to be confused with `routes::webhooks`, which
//! receives Twilio's inbound callbacks.

mod actions;
mod pages;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/webhooks",
            get(pages::index).post(actions::create),
        )
        .route("/settings/webhooks/{id}", get(pages::show))
        .route(
            "/settings/webhooks/{id}/enable",
            post_only("/settings/webhooks/{id}", actions::enable),
        )
        .route(
            "/settings/webhooks/{id}/disable",
            post_only("/settings/webhooks/{id}", actions::disable),
        )
        .route(
            "/settings/webhooks/{id}/rotate",
            post_only("/settings/webhooks/{id}", actions::rotate),
        )
        .route(
            "/settings/webhooks/{id}/delete",
            post_only("/settings/webhooks/{id}", actions::delete),
        )
        .route(
            "/settings/webhooks/{id}/test",
            post_only("/settings/webhooks/{id}", actions::test),
        )
}

/// `/settings/webhooks/{id}` path segments: anything but one of this org's ids is "not found".
fn parse_id(id: &str) -> Result<countersign_domain::WebhookEndpointId, crate::error::WebError> {
    id.parse().map_err(|_| crate::error::WebError::NotFound)
}
