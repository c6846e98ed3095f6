//! Settings ▸ Branding (admins only): how the org's messages look, the Microsoft 365 mailbox
//! email goes out from (optional), and a test message to check delivery end to end.

mod actions;
mod graph_mail;
mod pages;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/branding", get(pages::show).post(actions::save))
        .route(
            "/settings/branding/test",
            post_only("/settings/branding", actions::send_test),
        )
        .route(
            "/settings/branding/email",
            post_only("/settings/branding", graph_mail::save),
        )
}
