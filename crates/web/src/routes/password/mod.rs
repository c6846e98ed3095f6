//! Credential recovery without a session: "Forgot your password?" and the one-time link that
//! sets a new password. GET shows a page and never consumes the link (mail scanners open links
//! before people do, security.md §2.2); POST from that page uses it.

mod actions;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/password/forgot",
            get(pages::forgot).post(actions::request_reset),
        )
        .route(
            "/password/reset/{token}",
            get(pages::show).post(actions::complete),
        )
}
