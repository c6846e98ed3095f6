//! The Pod: a compact per-contact panel that works on its own and inside a PSA's iframe.
//! Its framing headers follow the org's allowed frame ancestors (Settings ▸ Pod); inside a
//! PSA's cross-site frame it signs in through `/pod/connect` and `/pod/session` (`connect.rs`,
//! `handoff.rs`; docs/security.md "The Pod inside a PSA").

mod connect;
mod framing;
mod handoff;
mod header;
mod inbox;
mod pages;
pub(crate) mod secret_page;
pub(crate) mod secrets;
mod verify;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pod/contacts/{id}", get(pages::show))
        .route(
            "/pod/contacts/{id}/verify",
            post_only("/pod/contacts/{id}", verify::start),
        )
        .route(
            "/pod/contacts/{id}/verifications/{vid}/code",
            post_only("/pod/contacts/{id}", verify::check),
        )
        .route(
            "/pod/contacts/{id}/who-i-am",
            post_only("/pod/contacts/{id}", verify::who_i_am),
        )
        .route("/pod/verifications/{vid}/status", get(verify::status))
        .route("/pod/secrets", post_only("/secrets/new", secrets::create))
        .route("/pod/secrets/{sid}", get(secret_page::show))
        .route("/pod/secrets/{sid}/status", get(secrets::status))
        .route(
            "/pod/secrets/{sid}/reveal",
            post_only("/pod/secrets/{sid}", secrets::reveal),
        )
        .route(
            "/pod/secrets/{sid}/burn",
            post_only("/pod/secrets/{sid}", secrets::burn),
        )
        .route(
            "/pod/secrets/{sid}/notify",
            post_only("/pod/secrets/{sid}", secrets::notify),
        )
        .route("/pod/inbox", get(inbox::show))
        .route("/pod/inbox/status", get(inbox::status))
        .route(
            "/pod/inbox/{id}/confirm",
            post_only("/pod/inbox", inbox::confirm),
        )
        .route("/pod/connect", get(connect::show).post(connect::create))
        .route("/pod/session", post_only("/pod/connect", handoff::create))
        .route(
            "/pod/contacts/{id}/sign-out",
            post_only("/pod/contacts/{id}", handoff::sign_out),
        )
}
