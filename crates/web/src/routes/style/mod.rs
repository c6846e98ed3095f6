//! GET /style: the visual system of `static/app.css` on one page (issue 21.7), for anyone
//! signed in who builds or reviews a page: tokens, buttons, fields, messages, badges, status
//! icons, tables, cards and empty states, each with its class names.

mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/style", get(pages::show))
}
