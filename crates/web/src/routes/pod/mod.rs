//! The Pod: a compact per-contact panel that works on its own and inside a PSA's iframe.
//! Its framing headers follow the org's allowed frame ancestors (Settings ▸ Pod).

mod framing;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/pod/contacts/{id}", get(pages::show))
}
