//! The Outbox (admins only): messages kept instead of delivered (`[messaging] transport =
//! "outbox"`, the demo's default), and the state history of any message of the org.

mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/outbox", get(pages::index))
        .route("/settings/messages/{id}", get(pages::show))
}
