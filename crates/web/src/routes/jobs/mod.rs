//! The Jobs page (admins only): the org's background jobs that are queued, running or dead,
//! with retry and delete for dead ones. Jobs that finished are gone (their effect, e.g. a
//! message's state, is the record).

mod actions;
mod pages;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/jobs", get(pages::index))
        .route(
            "/settings/jobs/{id}/retry",
            post_only("/settings/jobs", actions::retry),
        )
        .route(
            "/settings/jobs/{id}/delete",
            post_only("/settings/jobs", actions::delete),
        )
}
