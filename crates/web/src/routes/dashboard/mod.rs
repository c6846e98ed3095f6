//! The dashboard (issue 21.1): `/dashboard` (where sign-in lands) and its CSV. Both are GET
//! with `?days=7|30|90`: the period picker is links, no script.

mod charts;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(pages::index))
        .route("/dashboard.csv", get(pages::csv))
}
