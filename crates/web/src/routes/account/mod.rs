//! The signed-in technician's own account: profile, password, 2FA, sessions.

mod actions;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(pages::index))
        .route(
            "/account/sign-out-everywhere",
            post(actions::sign_out_everywhere),
        )
        .route(
            "/account/2fa/setup",
            get(pages::totp_setup).post(actions::confirm_totp),
        )
        .route("/account/2fa/disable", post(actions::disable_totp))
        .route("/account/password", post(actions::change_password))
}
