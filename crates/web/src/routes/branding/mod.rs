//! Settings ▸ Branding (admins only): how the org's messages look, and a test message to
//! check delivery end to end.

mod actions;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/branding", get(pages::show).post(actions::save))
        .route("/settings/branding/test", post(actions::send_test))
}
