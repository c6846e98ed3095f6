//! GET /pod/secrets/{sid}: a link's status for the technician who made it (sent, opened,
//! revealed at, from which address, expired, burned), with Burn, "notify me", and for an
//! answered request the one-time Reveal. Also the rows of the Pod's list of a contact's links.

use super::secrets::secret_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use countersign_app::secrets::Access;
use countersign_domain::Timestamp;
use countersign_store::{Secret, SecretKind, SecretState};

/// A link as the Pod lists it.
pub(super) struct SecretRow {
    pub id: String,
    pub kind: &'static str,
    pub label: String,
    pub state: &'static str,
    pub text: String,
    pub live: bool,
    pub ok: bool,
    /// The viewer may open its status and burn it (its maker, or an admin).
    pub actions: bool,
}

/// The status word of a link as of `now`, and whether it is still live.
pub(crate) fn status_of(s: &Secret, now: Timestamp) -> (&'static str, bool) {
    match (s.kind, s.state_at(now)) {
        (SecretKind::Request, SecretState::Waiting) if s.opened_at.is_some() => ("opened", true),
        (SecretKind::Request, SecretState::Waiting) => ("waiting", true),
        (SecretKind::Request, SecretState::Active) => ("answered", true),
        (SecretKind::Send, SecretState::Active) if s.first_revealed_at.is_some() => {
            ("revealed", true)
        }
        (SecretKind::Send, SecretState::Active) if s.opened_at.is_some() => ("opened", true),
        (_, SecretState::Active | SecretState::Waiting) => ("sent", true),
        (_, SecretState::Revealed) => ("revealed", false),
        (_, SecretState::Expired) => ("expired", false),
        (_, SecretState::Burned) => ("burned", false),
    }
}

/// One sentence with every fact of the link's life.
pub(crate) fn describe(s: &Secret, now: Timestamp) -> String {
    let mut parts = vec![if s.channel == "copy" {
        format!(
            "Made {}; the link was copied, not sent by Countersign.",
            s.created_at.display()
        )
    } else {
        format!(
            "Made {} and sent by {} to {}.",
            s.created_at.display(),
            if s.channel == "sms" { "SMS" } else { "email" },
            s.recipient_masked
        )
    }];
    if let Some(t) = s.opened_at {
        parts.push(format!(
            "Link first opened {} (this may be a link scanner; it uses no view).",
            t.display()
        ));
    }
    if let Some(t) = s.submitted_at {
        parts.push(format!("Answered {}.", t.display()));
    }
    if let Some(t) = s.first_revealed_at {
        let ip = s
            .last_reveal_ip
            .as_deref()
            .map(|ip| format!(" from {ip}"))
            .unwrap_or_default();
        let last = s.last_revealed_at.unwrap_or(t);
        parts.push(format!(
            "Revealed {} of {} time(s), last at {}{ip}.",
            s.max_views - s.views_left,
            s.max_views,
            last.display()
        ));
    }
    match s.state_at(now) {
        SecretState::Expired => parts.push(format!(
            "Expired {}; its contents are deleted.",
            s.expires_at.display()
        )),
        SecretState::Burned => parts.push(format!(
            "Burned {}; its contents are deleted.",
            s.ended_at.unwrap_or(now).display()
        )),
        SecretState::Revealed => parts.push("Its contents are deleted.".into()),
        SecretState::Active | SecretState::Waiting => {
            parts.push(format!("Works until {}.", s.expires_at.display()));
        }
    }
    parts.join(" ")
}

/// The Pod list's row of a link, as a viewer with `access` sees it: another technician's link
/// is listed without its actions (an admin keeps status and burn).
pub(super) fn row(s: &Secret, access: Access, now: Timestamp) -> SecretRow {
    let (state, live) = status_of(s, now);
    SecretRow {
        id: s.id.to_string(),
        kind: match s.kind {
            SecretKind::Send => "Send",
            SecretKind::Request => "Request",
        },
        label: s.label.clone(),
        state,
        // Another technician's link: listed, but its story (addresses, times) is its maker's.
        text: if access.may_manage() {
            describe(s, now)
        } else {
            String::new()
        },
        live,
        ok: matches!(state, "revealed" | "answered"),
        actions: access.may_manage(),
    }
}

#[derive(Template)]
#[template(path = "pod/secret.html")]
struct StatusPage {
    csrf: String,
    user_name: String,
    id: String,
    contact_id: String,
    is_request: bool,
    label: String,
    state: &'static str,
    text: String,
    live: bool,
    revealable: bool,
    notify: bool,
    /// The viewer made it (an admin viewing another's link may only burn it).
    owner: bool,
}

/// GET /pod/secrets/{sid}
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(sid): Path<String>,
) -> Result<Response, WebError> {
    let (s, access) = state
        .app
        .secret_link_status(&user.principal(ip), secret_id(&sid)?)
        .await?;
    let owner = access == Access::Owner;
    let now = state.app.now();
    let (word, live) = status_of(&s, now);
    let page = StatusPage {
        csrf: user.csrf_token.clone(),
        user_name: user.technician.name.clone(),
        id: s.id.to_string(),
        contact_id: s.contact_id.map(|c| c.to_string()).unwrap_or_default(),
        is_request: s.kind == SecretKind::Request,
        label: s.label.clone(),
        state: word,
        text: describe(&s, now),
        live,
        revealable: owner && s.kind == SecretKind::Request && word == "answered",
        notify: s.notify_on_reveal,
        owner,
    };
    Ok(render(&page)?.into_response())
}
