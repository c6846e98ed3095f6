//! The signed-in technician's own account: profile, password, 2FA, sessions, "Confirm it's
//! you".

mod actions;
mod confirm;
mod pages;
mod profile;

pub use confirm::{confirm_url, return_path};

use crate::AppState;
use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(pages::index))
        .route("/account/sessions/{id}/end", post(actions::end_session))
        .route(
            "/account/sign-out-everywhere",
            post(actions::sign_out_everywhere),
        )
        .route(
            "/account/2fa/setup",
            get(pages::totp_setup).post(actions::confirm_totp),
        )
        .route("/account/2fa/disable", post(actions::disable_totp))
        .route(
            "/account/confirm",
            get(confirm::show).post(confirm::confirm),
        )
        .route("/account/password", post(actions::change_password))
        .route("/account/name", get(to_account).post(profile::change_name))
        .route(
            "/account/email",
            get(to_account).post(profile::request_email_change),
        )
        .route(
            "/account/email/cancel",
            get(to_account).post(profile::cancel_email_change),
        )
        .route(
            "/account/email/confirm/{token}",
            get(profile::show_confirm).post(profile::confirm),
        )
        .route("/account/email/changed", get(profile::changed))
}

/// A GET on a POST-only address of the account page: the page.
async fn to_account() -> Redirect {
    Redirect::to("/account")
}
