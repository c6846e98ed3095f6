//! Org settings and technician management (admins only: every handler takes `RequireAdmin`).

mod actions;
mod credentials;
mod end_user_texts;
mod outreach;
mod pages;
mod permissions;
mod pod;
mod verification;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(pages::org).post(actions::update_org))
        .route("/settings/technicians", get(pages::technicians))
        .route("/settings/pod", get(pod::show).post(pod::update))
        .route(
            "/settings/verification",
            get(verification::show).post(verification::update),
        )
        .route(
            "/settings/end-user-texts",
            get(end_user_texts::show).post(end_user_texts::save),
        )
        .route(
            "/settings/end-user-texts/reset",
            post_only("/settings/end-user-texts", end_user_texts::reset),
        )
        .route("/settings/technician-verification", get(outreach::show))
        .route(
            "/settings/technician-verification/sheet",
            get(outreach::sheet),
        )
        .route(
            "/settings/technician-verification/email",
            get(outreach::email),
        )
        .route(
            "/settings/technicians/{id}/pod-only",
            post_only("/settings/technicians/{id}", pod::set_pod_only),
        )
        .route(
            "/settings/technicians/invite",
            post_only("/settings/technicians", actions::invite),
        )
        .route(
            "/settings/invites/{id}/revoke",
            post_only("/settings/technicians", actions::revoke_invite),
        )
        .route("/settings/technicians/{id}", get(pages::technician))
        .route(
            "/settings/technicians/{id}/role",
            post_only("/settings/technicians/{id}", actions::change_role),
        )
        .route(
            "/settings/technicians/{id}/permissions",
            post_only("/settings/technicians/{id}", permissions::update),
        )
        .route(
            "/settings/technicians/{id}/deactivate",
            post_only("/settings/technicians/{id}", actions::deactivate),
        )
        .route(
            "/settings/technicians/{id}/reactivate",
            post_only("/settings/technicians/{id}", actions::reactivate),
        )
        .route(
            "/settings/technicians/{id}/sign-out",
            post_only("/settings/technicians/{id}", actions::sign_out),
        )
        .route(
            "/settings/technicians/{id}/unlock",
            post_only("/settings/technicians/{id}", actions::unlock_sign_in),
        )
        .route(
            "/settings/technicians/{id}/reset-credentials",
            post_only("/settings/technicians/{id}", credentials::reset),
        )
}
