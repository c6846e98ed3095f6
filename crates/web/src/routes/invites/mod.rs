//! Invite links. GET shows an interstitial and never consumes the invite (link scanners in
//! mail gateways open links before people do, security.md §2.2); POST from that page accepts.

mod actions;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(pages::show).post(actions::accept))
}
