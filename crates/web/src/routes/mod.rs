//! The router: one module per area, each with `pages.rs` (GET) and `actions.rs` (POST).

pub(crate) mod account;
mod audit;
mod auth;
mod branding;
mod broadcasts;
pub mod contacts;
mod customers;
mod dashboard;
mod health;
mod integrations;
mod invites;
mod jobs;
mod outbox;
mod password;
mod pod;
mod post_only;
mod public_secrets;
pub(crate) mod public_unsubscribe;
mod public_verify;
mod secrets;
mod settings;
mod shell;
mod style;
mod webhook_endpoints;
pub mod webhooks;

use crate::AppState;
use crate::error::WebError;
use crate::middleware::{csrf, headers, observe, pod_only};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use serde::Deserialize;

/// All routes with their middleware. The layers run outside-in: observe, headers, session,
/// the Pod-only restriction, CSRF, then the handler.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(shell::router())
        .merge(dashboard::router())
        .merge(audit::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(settings::router())
        .merge(invites::router())
        .merge(password::router())
        .merge(integrations::router())
        .merge(contacts::router())
        .merge(customers::router())
        .merge(pod::router())
        .merge(public_verify::router())
        .merge(public_secrets::router())
        .merge(public_unsubscribe::router())
        .merge(secrets::router())
        .merge(jobs::router())
        .merge(outbox::router())
        .merge(branding::router())
        .merge(webhooks::router())
        .merge(webhook_endpoints::router())
        .merge(broadcasts::router())
        .merge(style::router())
        .route("/static/{file}", get(crate::static_files::serve))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), csrf::check))
        .layer(from_fn_with_state(state.clone(), pod_only::restrict))
        .layer(from_fn_with_state(
            state.clone(),
            crate::auth::session::resolve,
        ))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(from_fn_with_state(state, observe::observe))
}

async fn not_found() -> WebError {
    WebError::NotFound
}

/// `?notice=…` after a redirect. Only known keys map to text, so a crafted link cannot put
/// words on our pages.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// The text of a notice key.
#[must_use]
pub fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "signed_out" => "You are signed out.",
        "signed_out_everywhere" => "You are signed out on every device.",
        "welcome" => "Your account is ready. Sign in with your email address and new password.",
        "saved" => "Saved.",
        "text_reset" => "Override removed: the default text shows again.",
        "2fa_disabled" => {
            "Two-factor authentication is off. Your other sessions are listed below: end any you do not recognise."
        }
        "password_changed" => "Password changed. Your other sessions have ended.",
        "session_ended" => "That session has ended: its browser is signed out.",
        "password_reset" => "Your password is set. Sign in with it.",
        "role_changed" => "Role changed.",
        "permissions_changed" => "Permissions saved.",
        "deactivated" => "Deactivated. Their sessions have ended.",
        "reactivated" => "Reactivated. They can sign in again.",
        "sessions_ended" => "Their sessions have ended.",
        "sign_in_unlocked" => "Sign-in unlocked. Every address may try again, without slow-down.",
        "invite_revoked" => "Invite revoked. The link no longer works.",
        "contact_created" => "Contact created.",
        "contact_deleted" => "Contact deleted.",
        "opt_out_removed" => "Opt-out removed. Broadcasts reach this address again.",
        "customer_created" => "Customer created.",
        "webhook_deleted" => "Endpoint deleted. It gets no more events.",
        "webhook_test_queued" => "Test event queued. It appears under Recent deliveries once sent.",
        _ => return None,
    })
}

/// For pages whose URL holds a one-time token (invites, password resets): do not leak it to
/// other sites through the Referer header.
pub(crate) fn no_referrer(mut res: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// Use-case messages start in lower case so they compose; pages show them as sentences.
#[must_use]
pub fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
