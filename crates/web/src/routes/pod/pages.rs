//! GET /pod/contacts/{id}: who the contact is, the verified state, the history, the actions
//! and, before any of them, the warning about a recently changed mobile number.

use super::framing::framing_headers;
use super::header;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::contacts::ago;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use countersign_app::contacts::{LiveVerification, PodRequest, outcome_of};
use countersign_domain::mask::mask;
use countersign_domain::{ContactId, VerificationId};
use countersign_store::{VerificationMethod, VerificationStatus};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The actions, with the text shown until the issue that makes each work lands ('' once it
/// works: the Pod then shows the action's panel).
const ACTIONS: [(&str, &str, &str); 4] = [
    ("verify", "Verify", ""),
    ("send", "Secure Send", ""),
    ("request", "Secure Request", ""),
    ("technician", "Technician verification", ""),
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

/// A verification started from this Pod, shown live until it ends.
pub(super) struct LivePanel {
    id: String,
    method: &'static str,
    destination: String,
    status: &'static str,
    pending: bool,
    is_code: bool,
    match_number: String,
    expires: String,
    attempts_left: i64,
}

/// What a POST adds to the Pod it renders again.
#[derive(Default)]
pub(super) struct PodExtras {
    pub action: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub verification: Option<VerificationId>,
    /// "Who I am" just sent: the code to read aloud, and where it went.
    pub who: Option<(String, String)>,
    pub status: Option<StatusCode>,
    /// The request came from inside a frame (a PSA's, or a Pod session's).
    pub framed: bool,
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
    /// The number of record in its country's international format, when the text as
    /// written is another form (`07700 900634` → `+44 7700 900634`): which country it was
    /// read with shows.
    mobile_international: Option<String>,
    job: String,
    /// Why the contact is not current, as a sentence.
    inactive: Option<String>,
    /// Its source removed it: nothing can be verified or sent, so no action is offered.
    removed: bool,
    /// "verified 3 min ago by Tess, SMS code"
    verified: Option<String>,
    /// The latest check ended otherwise (failed, denied, expired): why the header is not
    /// green, "Not verified: last check denied by the contact at 14:02 UTC (…)".
    refuted: Option<String>,
    last_verified: Option<String>,
    window_minutes: i64,
    warning: Option<String>,
    history: Vec<HistoryRow>,
    history_length: i64,
    actions: Vec<(&'static str, &'static str)>,
    action: String,
    action_notice: Option<&'static str>,
    user_name: String,
    full_ui: bool,
    /// Opened on its own (not inside a PSA's frame) by a technician with the full UI: the
    /// Pod keeps the app's navigation and a way back to the contact list. Inside a frame it
    /// keeps its compact look.
    app_nav: bool,
    /// The app's top bar (with `app_nav`).
    ctx: PageContext,
    /// Signed in by a Pod session (inside a PSA's frame): the Pod offers its own sign-out.
    pod_session: bool,
    csrf: String,
    is_admin: bool,
    require_note: bool,
    has_mobile: bool,
    has_email: bool,
    /// This Pod's contact in the "Who" picker.
    who_self: String,
    /// Other contacts of the same customer (id, label) that may be verified from this Pod.
    others: Vec<(String, String)>,
    live: Option<LivePanel>,
    error: Option<String>,
    notice: Option<String>,
    who: Option<(String, String)>,
    /// Secure Send / Request panels: the contact's links, newest first.
    secrets: Vec<super::secret_page::SecretRow>,
    /// The shared secret form is also the standalone page's.
    standalone: bool,
    /// The org's expiry choices for the secret form.
    expiries: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PodQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    verification: String,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<Extension<CurrentUser>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PodQuery>,
) -> Result<Response, WebError> {
    let Some(Extension(user)) = user else {
        return super::handoff::sign_in_or_login(&state, &headers).await;
    };
    let id: ContactId = id.parse().map_err(|_| WebError::NotFound)?;
    let mut taken = flash::take::<PodFlash>(&state, &user, &pod_path(id), &headers);
    let mut extras = PodExtras {
        action: q.action,
        verification: q.verification.parse().ok(),
        framed: framed(&user, &headers),
        ..PodExtras::default()
    };
    match taken.value.take() {
        Some(PodFlash::WhoIAm { code, destination }) => {
            extras.action = "technician".into();
            extras.who = Some((code, destination));
        }
        Some(PodFlash::CodeRefused(text)) => {
            extras.action = "verify".into();
            extras.error = Some(text);
        }
        None => {}
    }
    Ok(taken.respond(render_pod(&state, &user, ip, id, extras).await?))
}

/// What a Pod POST hands to the Pod it redirects to, once, through the flash (PRG): a refresh
/// of the Pod sends and counts nothing.
#[derive(Serialize, Deserialize)]
pub(super) enum PodFlash {
    /// "Who I am" just sent: the code to read aloud and where it went.
    WhoIAm { code: String, destination: String },
    /// The code typed was refused (the attempt was counted): why.
    CodeRefused(String),
}

/// Whether the Pod is shown inside a frame: the browser says the request loads an iframe
/// (`Sec-Fetch-Dest`), or the session is a Pod session (it exists only in a PSA's frame). A
/// browser that sends no Fetch Metadata gets the app's navigation, which works in a frame too.
pub(super) fn framed(user: &CurrentUser, headers: &HeaderMap) -> bool {
    user.session.stage == countersign_store::SessionStage::Pod
        || headers
            .get("sec-fetch-dest")
            .is_some_and(|v| v.as_bytes() == b"iframe")
}

/// The Pod of a contact.
pub(super) fn pod_path(id: ContactId) -> String {
    format!("/pod/contacts/{id}")
}

/// A contact as the "Who" picker names it: the name alone, or, when another contact there has
/// the same name, with the email address and the customer beside it.
fn who_label(name: &str, email: Option<&str>, customer: &str, shared: bool) -> String {
    if shared {
        format!(
            "{name} \u{2014} {} \u{b7} {customer}",
            email.unwrap_or("no email address")
        )
    } else {
        name.to_owned()
    }
}

/// `text` with its first letter in upper case, to start a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn live_panel(live: &LiveVerification) -> LivePanel {
    let c = &live.challenge;
    LivePanel {
        id: c.verification.id.to_string(),
        method: c.verification.method.label(),
        destination: c.verification.destination_masked.clone(),
        status: live.status.as_str(),
        pending: live.status == VerificationStatus::Pending,
        is_code: c.verification.method == VerificationMethod::SmsCode,
        match_number: c.match_number.map(|n| n.to_string()).unwrap_or_default(),
        expires: c.expires_at.display(),
        attempts_left: live.attempts_left,
    }
}

/// The Pod of contact `id`, with what a POST adds (an error, the live verification, …).
pub(super) async fn render_pod(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    id: ContactId,
    extras: PodExtras,
) -> Result<Response, WebError> {
    let request = PodRequest {
        verification: extras.verification,
        secrets: matches!(extras.action.as_str(), "send" | "request"),
    };
    let view = state.app.pod_view(&user.principal(ip), id, request).await?;
    let now = state.app.now();
    let c = &view.contact;
    let last_verified = view.last_verified.as_ref().map(|e| {
        let at = outcome_of(e, now).map_or(e.verification.at, |(_, at)| at);
        header::verified_text(e, at, now)
    });
    let warning = view.phone_warning.as_ref().map(|w| {
        let by = match &w.technician {
            Some(name) => format!("by {name}"),
            None => "by the directory sync".to_owned(),
        };
        format!(
            "The mobile number was changed on {} {by}: confirm by another channel. SIM-swap risk: before you verify by SMS, confirm this person another way (call back a number you already trust, ask their manager, or check in person), and say how in the note.",
            w.changed_at.display(),
        )
    });
    let secrets = view
        .secrets
        .iter()
        .map(|(s, access)| super::secret_page::row(s, *access, now))
        .collect();
    let page = PodPage {
        id: c.id.to_string(),
        name: c.display_name.clone(),
        customer: view.customer.name.clone(),
        email: c.email.clone().unwrap_or_default(),
        mobile: c.mobile.clone().unwrap_or_default(),
        mobile_masked: c.mobile_e164.as_deref().map(mask).unwrap_or_default(),
        mobile_international: c
            .mobile_e164
            .as_deref()
            .and_then(countersign_domain::phone::international_format)
            .filter(|f| Some(f.as_str()) != c.mobile.as_deref().map(str::trim)),
        job: [c.job_title.as_str(), c.department.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        inactive: match countersign_app::contacts::removed_reason(c) {
            Some(reason) => Some(capitalised(&reason)),
            None if c.account_enabled => None,
            None => Some("This contact's account is disabled".into()),
        },
        removed: c.removed_at.is_some(),
        verified: view
            .fresh
            .as_ref()
            .map(|o| header::verified_text(&o.entry, o.at, now)),
        refuted: view
            .refuted
            .as_ref()
            .map(|o| header::refuted_text(o, now, c.removed_at.is_some())),
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
                    // A pending check past its time reads as what it is, before the sweep.
                    status: match v.status {
                        VerificationStatus::Pending if now >= e.expires_at => "expired",
                        s => s.as_str(),
                    },
                    ok: v.status == VerificationStatus::Verified,
                    technician: e.technician_name.clone().unwrap_or_else(|| "—".into()),
                }
            })
            .collect(),
        history_length: view.settings.history_length,
        actions: ACTIONS.iter().map(|(k, label, _)| (*k, *label)).collect(),
        action_notice: ACTIONS
            .iter()
            .find(|(k, _, text)| *k == extras.action && !text.is_empty())
            .map(|(_, _, text)| *text),
        action: extras.action,
        user_name: user.technician.name.clone(),
        full_ui: !view.pod_only,
        app_nav: !view.pod_only && !extras.framed,
        ctx: PageContext::new(user, Section::Contacts),
        pod_session: user.session.stage == countersign_store::SessionStage::Pod,
        csrf: user.csrf_token.clone(),
        is_admin: view.may_type_destination,
        require_note: view.require_note_for_other,
        has_mobile: c.mobile_e164.is_some(),
        has_email: c.email.is_some(),
        who_self: who_label(
            &c.display_name,
            c.email.as_deref(),
            &view.customer.name,
            view.name_shared,
        ),
        others: view
            .others
            .iter()
            .map(|o| {
                let label = who_label(
                    &o.name,
                    o.email.as_deref(),
                    &view.customer.name,
                    o.name_shared,
                );
                (o.id.to_string(), label)
            })
            .collect(),
        live: view.live.as_ref().map(live_panel),
        error: extras.error,
        notice: extras.notice,
        who: extras.who,
        secrets,
        standalone: false,
        expiries: crate::routes::secrets::pages::expiry_options(&view.expiries),
    };
    let headers = framing_headers(&view.settings.frame_ancestors);
    let status = extras.status.unwrap_or(StatusCode::OK);
    Ok((status, headers, render(&page)?).into_response())
}
