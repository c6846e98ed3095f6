//! The signed-in technician's own account: profile, password, 2FA, sessions, "Confirm it's
//! you".

mod actions;
mod confirm;
mod pages;

pub use confirm::{confirm_url, return_path};

use crate::AppState;
use axum::Router;
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
}
