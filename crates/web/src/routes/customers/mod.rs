//! Customers: the list with contact counts, a customer's page (its contacts and default
//! country), and manual customers (admins create them).

mod actions;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(pages::index).post(actions::create))
        .route("/customers/{id}", get(pages::show).post(actions::update))
}
