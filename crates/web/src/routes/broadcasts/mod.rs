//! Broadcast (issue 20): the list, composing and editing a draft (`compose.rs`, with its
//! form in `form.rs`), a broadcast's page and the approval page (`pages.rs`), the POSTs that
//! move a broadcast along (`actions.rs`), reusable templates (`templates.rs`) and the org's
//! rules under Settings ▸ Broadcasts (`rules.rs`); once approved, its progress, report,
//! replies, cancel, "retry failed only" and test sends (`live.rs`).
//!
//! Every technician may draft (`DraftBroadcasts`); asking for approval and approving need
//! `SendBroadcasts`. Pages hide what the technician may not do, but the use cases decide.
//! Every POST ends in a 303 to a page; a GET on a POST-only address goes to its page.

mod actions;
mod compose;
mod form;
mod live;
mod pages;
mod rules;
mod templates;

use super::post_only::post_only;
use crate::AppState;
use crate::error::WebError;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/broadcasts", get(pages::index).post(actions::create))
        .route("/broadcasts/new", get(compose::new))
        .route("/broadcasts/audience", get(compose::audience_counts))
        .route(
            "/broadcasts/templates",
            post_only("/broadcasts/new", templates::save),
        )
        .route(
            "/broadcasts/templates/{id}/delete",
            post_only("/broadcasts/new", templates::delete),
        )
        .route("/broadcasts/{id}", get(pages::show))
        .route(
            "/broadcasts/{id}/edit",
            get(compose::edit).post(actions::update),
        )
        .route(
            "/broadcasts/{id}/request-approval",
            post_only("/broadcasts/{id}", actions::request_approval),
        )
        .route(
            "/broadcasts/{id}/approve",
            get(pages::approve).post(actions::approve),
        )
        .route("/broadcasts/{id}/progress", get(live::progress))
        .route("/broadcasts/{id}/report.csv", get(live::report_csv))
        .route(
            "/broadcasts/{id}/cancel",
            post_only("/broadcasts/{id}", live::cancel),
        )
        .route(
            "/broadcasts/{id}/retry-failed",
            post_only("/broadcasts/{id}", live::retry_failed),
        )
        .route(
            "/broadcasts/{id}/test",
            post_only("/broadcasts/{id}", live::test_send),
        )
        .route("/settings/broadcasts", get(rules::show).post(rules::update))
}

/// An id from the path; a malformed one is "not found", like another org's.
fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// `?notice=…` keys of the broadcast pages. Only known keys map to text, so a crafted link
/// cannot put words on our pages.
fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "created" => "Draft saved. Check the audience and a preview below, then ask for approval.",
        "saved" => "Draft saved.",
        "approval_requested" => {
            "Approval requested. The text and audience are locked until it is approved."
        }
        "approved" => "Approved. The audience is frozen and the messages go out at the time shown.",
        "cancelled" => "Cancelled. Nothing more goes out; what was sent stays recorded below.",
        "retried" => "The failed deliveries are queued again.",
        "nothing_to_retry" => "No delivery had failed: nothing was queued again.",
        "test_sent_email" => "Test sent to your email address.",
        "test_sent_sms" => "Test SMS sent to the number you typed.",
        "test_sent_both" => "Test sent to your email address and, by SMS, to the number you typed.",
        "template_saved" => "Template saved.",
        "template_deleted" => "Template deleted.",
        "template_loaded" => "Template loaded: check the texts, then save.",
        _ => return None,
    })
}
