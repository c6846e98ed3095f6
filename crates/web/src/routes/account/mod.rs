//! The signed-in technician's own account: profile, password, 2FA, sessions, "Confirm it's
//! you".

mod actions;
mod confirm;
mod pages;
mod profile;

pub use confirm::{confirm_url, return_path};

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(pages::index))
        .route(
            "/account/sessions/{id}/end",
            post_only("/account", actions::end_session),
        )
        .route(
            "/account/sign-out-everywhere",
            post_only("/account", actions::sign_out_everywhere),
        )
        .route(
            "/account/2fa/setup",
            get(pages::totp_setup).post(actions::confirm_totp),
        )
        .route(
            "/account/2fa/disable",
            post_only("/account", actions::disable_totp),
        )
        .route(
            "/account/confirm",
            get(confirm::show).post(confirm::confirm),
        )
        .route(
            "/account/password",
            post_only("/account", actions::change_password),
        )
        .route("/account/name", post_only("/account", profile::change_name))
        .route(
            "/account/email",
            post_only("/account", profile::request_email_change),
        )
        .route(
            "/account/email/cancel",
            post_only("/account", profile::cancel_email_change),
        )
        .route(
            "/account/email/confirm/{token}",
            get(profile::show_confirm).post(profile::confirm),
        )
        .route("/account/email/changed", get(profile::changed))
}
