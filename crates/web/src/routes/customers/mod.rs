//! Customers: the list with contact counts, a customer's page (its contacts and default
//! country, its time zone for broadcast quiet hours), and manual customers (admins create
//! them).

mod actions;
mod pages;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(pages::index).post(actions::create))
        .route("/customers/{id}", get(pages::show).post(actions::update))
        .route(
            "/customers/{id}/time-zone",
            post_only("/customers/{id}", actions::set_time_zone),
        )
        .route(
            "/customers/{id}/language",
            post_only("/customers/{id}", actions::set_language),
        )
}
