//! GET /pod/contacts/{id}: who the contact is, the verified state, the history, the actions
//! and, before any of them, the warning about a recently changed mobile number.

use super::framing::framing_headers;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::render;
use crate::routes::contacts::ago;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use countersign_app::contacts::PodView;
use countersign_domain::ContactId;
use countersign_domain::phone::mask_e164;
use countersign_store::PodStore;
use serde::Deserialize;

/// The actions, with the text shown until the issue that makes each work lands.
const ACTIONS: [(&str, &str, &str); 4] = [
    (
        "verify",
        "Verify",
        "Verify (a one-time code or approve link to the contact's phone or email) arrives with end-user verification. Nothing was sent.",
    ),
    (
        "send",
        "Secure Send",
        "Secure Send (a one-time encrypted link) arrives with secret sharing. Nothing was sent.",
    ),
    (
        "request",
        "Secure Request",
        "Secure Request (ask the contact for a secret through a one-time link) arrives with secret sharing. Nothing was sent.",
    ),
    (
        "technician",
        "Technician verification",
        "Technician verification (the contact checks that you work for your MSP) arrives with technician verification. Nothing was sent.",
    ),
];

struct HistoryRow {
    when: String,
    at: String,
    method: &'static str,
    destination: String,
    status: &'static str,
    ok: bool,
    technician: String,
}

#[derive(Template)]
#[template(path = "pod/show.html")]
struct PodPage {
    id: String,
    name: String,
    customer: String,
    email: String,
    mobile: String,
    mobile_masked: String,
    job: String,
    inactive: Option<&'static str>,
    /// "verified 3 min ago by Tess, SMS code"
    verified: Option<String>,
    last_verified: Option<String>,
    window_minutes: i64,
    warning: Option<String>,
    history: Vec<HistoryRow>,
    history_length: i64,
    actions: Vec<(&'static str, &'static str)>,
    action_notice: Option<&'static str>,
    user_name: String,
    full_ui: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct PodQuery {
    #[serde(default)]
    action: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PodQuery>,
) -> Result<Response, AppError> {
    let id: ContactId = id.parse().map_err(|_| AppError::NotFound)?;
    let view: PodView = state
        .app
        .pod_view(user.org.id, id)
        .await
        .map_err(AppError::from)?;
    let now = state.app.now();
    let c = &view.contact;
    let describe = |e: &countersign_store::VerificationEntry| {
        let by = e
            .technician_name
            .as_deref()
            .map(|n| format!(" by {n}"))
            .unwrap_or_default();
        format!(
            "verified {}{by}, {}",
            ago(now, e.verification.at),
            e.verification.method.label()
        )
    };
    let last_verified = view
        .history
        .iter()
        .find(|e| e.verification.status == countersign_store::VerificationStatus::Verified)
        .map(describe);
    let warning = view.phone_warning.as_ref().map(|w| {
        format!(
            "Mobile number changed on {}{}: SIM-swap risk. Before you verify by SMS, confirm this person another way (call back a number you already trust, ask their manager, or check in person).",
            w.changed_at.display(),
            if w.by_sync { " by the directory sync" } else { " by a technician" }
        )
    });
    let page = PodPage {
        id: c.id.to_string(),
        name: c.display_name.clone(),
        customer: view.customer.name.clone(),
        email: c.email.clone().unwrap_or_default(),
        mobile: c.mobile.clone().unwrap_or_default(),
        mobile_masked: c.mobile_e164.as_deref().map(mask_e164).unwrap_or_default(),
        job: [c.job_title.as_str(), c.department.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        inactive: if c.removed_at.is_some() {
            Some("removed at the source")
        } else if c.account_enabled {
            None
        } else {
            Some("account disabled")
        },
        verified: view.fresh.as_ref().map(describe),
        last_verified,
        window_minutes: view.settings.verified_window_minutes,
        warning,
        history: view
            .history
            .iter()
            .map(|e| {
                let v = &e.verification;
                HistoryRow {
                    when: ago(now, v.at),
                    at: v.at.display(),
                    method: v.method.label(),
                    destination: v.destination_masked.clone(),
                    status: v.status.as_str(),
                    ok: v.status == countersign_store::VerificationStatus::Verified,
                    technician: e.technician_name.clone().unwrap_or_else(|| "—".into()),
                }
            })
            .collect(),
        history_length: view.settings.history_length,
        actions: ACTIONS.iter().map(|(k, label, _)| (*k, *label)).collect(),
        action_notice: ACTIONS
            .iter()
            .find(|(k, _, _)| *k == q.action)
            .map(|(_, _, text)| *text),
        user_name: user.technician.name.clone(),
        full_ui: !state
            .app
            .store
            .is_pod_only(user.org.id, user.technician.id)
            .await?,
    };
    let headers = framing_headers(&view.settings.frame_ancestors);
    Ok((headers, render(&page)?).into_response())
}
