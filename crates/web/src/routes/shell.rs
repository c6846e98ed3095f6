//! The home page and the section addresses without a page of their own (Contacts,
//! Customers and Broadcasts have their own areas now). Home is the dashboard (issue 21.1),
//! where sign-in lands; the contact list stays in the navigation.

use crate::AppState;
use crate::auth::CurrentUser;
use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route(
        "/integrations",
        get(|| async { Redirect::to("/integrations/psa") }),
    )
}

async fn home(_user: CurrentUser) -> impl IntoResponse {
    Redirect::to("/dashboard")
}
