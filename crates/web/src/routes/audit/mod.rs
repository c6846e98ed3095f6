//! The Audit page: the org's security-relevant events, filtered by actor, action and time.

mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(pages::index))
}
