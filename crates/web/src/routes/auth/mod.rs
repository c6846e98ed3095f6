//! Signing in and out: the password step, the second-factor step, logout.

mod actions;
mod pages;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(actions::login))
        .route(
            "/login/2fa",
            get(pages::second_factor_form).post(actions::second_factor),
        )
        .route("/logout", post_only("/", actions::logout))
}
