//! GET /broadcasts (the list), /broadcasts/{id} (one broadcast: its texts, the honest count
//! of its audience, a preview for a chosen contact, and what can be done next) and
//! /broadcasts/{id}/approve (what an approver confirms).

use super::compose::{Errors, count_words, rule_lines};
use super::live::{Live, live_view};
use super::{notice_text, parse_id};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_app::broadcasts::BroadcastPeople;
use countersign_app::contacts::ContactListQuery;
use countersign_app::{FieldMessage, Principal};
use countersign_domain::{BroadcastId, BroadcastStatus, ContactId, Permission, Timestamp, Zone};
use countersign_messaging::broadcast::sms_count;
use countersign_store::{Audience, AudienceCounts, Broadcast};
use serde::Deserialize;

/// One row of the list.
struct Row {
    id: String,
    name: String,
    status: &'static str,
    channels: &'static str,
    recipients: String,
    when: String,
}

#[derive(Template)]
#[template(path = "broadcasts/index.html")]
struct IndexPage {
    ctx: PageContext,
    rows: Vec<Row>,
    notice: Option<&'static str>,
}

/// What a page calls a broadcast's state: "Scheduled" while an approved one waits.
pub(super) fn status_label(b: &Broadcast, now: Timestamp) -> &'static str {
    match (b.status, b.scheduled_at) {
        (BroadcastStatus::Approved, Some(at)) if at > now => "Scheduled",
        (s, _) => s.label(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeOnly {
    notice: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<NoticeOnly>,
) -> Result<Html<String>, WebError> {
    let by = user.principal(ip);
    let now = state.app.now();
    let rows = state
        .app
        .broadcasts(&by)
        .await?
        .iter()
        .map(|b| Row {
            id: b.id.to_string(),
            name: b.name.clone(),
            status: status_label(b, now),
            channels: b.channels.label(),
            recipients: b
                .frozen
                .map_or_else(|| "—".to_owned(), |c| c.recipients.to_string()),
            when: b.updated_at.display(),
        })
        .collect();
    render(&IndexPage {
        ctx: PageContext::new(&user, Section::Broadcasts),
        rows,
        notice: q.notice.as_deref().and_then(notice_text),
    })
}

/// The audience as sentences.
fn audience_lines(a: &Audience) -> Vec<String> {
    match a {
        Audience::AllCustomers => vec!["Every contact of every customer.".into()],
        Audience::Customers(ids) => vec![format!(
            "Every contact of {} chosen customer{}.",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        )],
        Audience::Filter(f) => {
            let mut lines = vec!["Contacts that match every condition:".to_owned()];
            if f.customer.is_some() {
                lines.push("of one chosen customer".into());
            }
            if let Some(s) = f.source {
                lines.push(format!("from {}", s.label()));
            }
            if f.integration.is_some() {
                lines.push("of the customers of one chosen integration".into());
            }
            if f.has_mobile {
                lines.push("with a mobile number".into());
            }
            if f.has_email {
                lines.push("with an email address".into());
            }
            if let Some(t) = &f.job_title_contains {
                lines.push(format!("job title contains “{t}”"));
            }
            if let Some(t) = &f.department_contains {
                lines.push(format!("department contains “{t}”"));
            }
            if lines.len() == 1 {
                lines.push("(no condition: every contact)".into());
            }
            lines
        }
    }
}

/// A technician as the page names them: "Alice Able (you)" for the reader.
fn who(by: &Principal, id: countersign_domain::TechnicianId, name: &str) -> String {
    if by.technician_id() == Some(id) {
        format!("{name} (you)")
    } else {
        name.to_owned()
    }
}

/// The texts of a broadcast as its pages show them.
pub(super) struct Texts {
    sms: Option<(String, String)>,
    email: Option<(String, String)>,
}

fn texts(b: &Broadcast) -> Texts {
    Texts {
        sms: b
            .channels
            .sms
            .then(|| (b.sms_text.clone(), count_words(&sms_count(&b.sms_text)))),
        email: b
            .channels
            .email
            .then(|| (b.email_subject.clone(), b.email_body.clone())),
    }
}

/// The message preview for one contact.
struct Preview {
    contact_id: String,
    contact: String,
    sms: Option<(String, String)>,
    email: Option<(String, String)>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "broadcasts/show.html")]
struct ShowPage {
    ctx: PageContext,
    id: String,
    name: String,
    status: &'static str,
    channels: &'static str,
    audience: Vec<String>,
    texts: Texts,
    /// Counts and whether they are the frozen ones.
    counts: AudienceCounts,
    frozen: bool,
    schedule: String,
    history: Vec<String>,
    q: String,
    contacts: Vec<(String, String, bool)>,
    preview: Option<Preview>,
    may_edit: bool,
    may_request: bool,
    may_approve: bool,
    /// Test sends: whether SMS is a channel, and the number typed.
    test_sms: bool,
    sms_to: String,
    live: Option<Live>,
    errors: Errors,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// Preview the message for this contact.
    #[serde(default)]
    pub contact: String,
    /// Search for the contact to preview.
    #[serde(default)]
    pub q: String,
    /// The report's page: after this row (`live::encode_after`).
    #[serde(default)]
    pub after: String,
    /// The number typed for a test SMS (shown again when the test was refused).
    #[serde(default)]
    pub sms_to: String,
    pub notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    show_page(&state, &user, &by, id, &q, Vec::new()).await
}

/// The broadcast's page, with the messages of a refused action when there are some.
pub(super) async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    id: BroadcastId,
    q: &ShowQuery,
    errors: Vec<FieldMessage>,
) -> Result<Response, WebError> {
    let b = state.app.broadcast(by, id).await?;
    let now = state.app.now();
    let zone = state.app.broadcast_rules(by).await?.zone();
    let people = state.app.broadcast_people(by, id).await?;
    let (counts, frozen) = match b.frozen {
        Some(c) => (c, true),
        None => (
            state
                .app
                .preview_broadcast_audience(by, &b.audience, b.channels)
                .await?,
            false,
        ),
    };
    let listed = state
        .app
        .contact_list(
            by,
            &ContactListQuery {
                q: q.q.clone(),
                ..ContactListQuery::default()
            },
        )
        .await?;
    let chosen: Option<ContactId> = q.contact.parse().ok();
    let chosen = chosen.or_else(|| listed.items.first().map(|i| i.contact.id));
    let contacts = listed
        .items
        .iter()
        .take(10)
        .map(|i| {
            (
                i.contact.id.to_string(),
                format!("{} ({})", i.contact.display_name, i.customer_name),
                Some(i.contact.id) == chosen,
            )
        })
        .collect();
    let preview = match chosen {
        Some(contact) => Some(preview_for(state, by, &b, contact, &listed.items).await?),
        None => None,
    };
    let can_send = by.may(Permission::SendBroadcasts);
    let draft = b.status.is_editable();
    let live = if frozen {
        Some(live_view(state, by, &b, &zone, q).await?)
    } else {
        None
    };
    let page = render(&ShowPage {
        ctx: PageContext::new(user, Section::Broadcasts),
        id: b.id.to_string(),
        name: b.name.clone(),
        status: status_label(&b, now),
        channels: b.channels.label(),
        audience: audience_lines(&b.audience),
        texts: texts(&b),
        counts,
        frozen,
        schedule: schedule_line(&b, &zone),
        history: history(by, &b, &people, &zone),
        q: q.q.clone(),
        contacts,
        preview,
        may_edit: draft && (can_send || by.technician_id() == Some(b.author_id)),
        may_request: draft && can_send,
        may_approve: b.status == BroadcastStatus::AwaitingApproval && can_send,
        test_sms: b.channels.sms,
        sms_to: q.sms_to.clone(),
        live,
        errors: Errors(errors),
        notice: q.notice.as_deref().and_then(notice_text),
    })?;
    Ok(page.into_response())
}

/// The preview of `b` for `contact`; a text the app cannot render says why instead.
async fn preview_for(
    state: &AppState,
    by: &Principal,
    b: &Broadcast,
    contact: ContactId,
    listed: &[countersign_app::contacts::ContactListItem],
) -> Result<Preview, WebError> {
    let name = listed.iter().find(|i| i.contact.id == contact).map_or_else(
        || "the chosen contact".to_owned(),
        |i| i.contact.display_name.clone(),
    );
    let mut p = Preview {
        contact_id: contact.to_string(),
        contact: name,
        sms: None,
        email: None,
        error: None,
    };
    match state
        .app
        .preview_broadcast_message(by, b.id, contact)
        .await
        .map_err(WebError::from)
    {
        Ok(m) => {
            p.sms = m.sms.map(|(text, count)| (text, count_words(&count)));
            p.email = m.email;
        }
        Err(e) => match e.user_messages() {
            Some(m) => p.error = Some(crate::error::one_line(&m)),
            None => return Err(e),
        },
    }
    Ok(p)
}

/// When it goes out, in the org's time zone.
fn schedule_line(b: &Broadcast, zone: &Zone) -> String {
    let quiet = if b.respect_quiet_hours {
        " It waits for the end of the quiet hours in each customer's time zone."
    } else {
        ""
    };
    match b.scheduled_at {
        Some(at) => format!("Goes out at {}.{quiet}", zone.format(at)),
        None => format!("Goes out as soon as it is approved.{quiet}"),
    }
}

/// Who did what, when (in the org's time zone).
fn history(by: &Principal, b: &Broadcast, people: &BroadcastPeople, zone: &Zone) -> Vec<String> {
    let mut h = vec![format!(
        "Written by {} on {}.",
        who(by, b.author_id, &people.author),
        zone.format(b.created_at)
    )];
    if let (Some(t), Some(name), Some(at)) = (b.requested_by, &people.requested_by, b.requested_at)
    {
        h.push(format!(
            "Approval asked by {} on {}.",
            who(by, t, name),
            zone.format(at)
        ));
    }
    if let (Some(t), Some(name), Some(at)) = (b.approver_id, &people.approver, b.approved_at) {
        h.push(format!(
            "Approved by {} on {}.",
            who(by, t, name),
            zone.format(at)
        ));
    }
    for (what, at) in [
        ("Sending started", b.started_at),
        ("Completed", b.completed_at),
        ("Cancelled", b.cancelled_at),
    ] {
        if let Some(at) = at {
            h.push(format!("{what} on {}.", zone.format(at)));
        }
    }
    h
}

#[derive(Template)]
#[template(path = "broadcasts/approve.html")]
struct ApprovePage {
    ctx: PageContext,
    id: String,
    name: String,
    channels: &'static str,
    audience: Vec<String>,
    texts: Texts,
    counts: AudienceCounts,
    schedule: String,
    history: Vec<String>,
    rules: Vec<String>,
    /// The org's threshold, when the approver wrote it or asked for approval and it is above
    /// the threshold (another admin must approve; the app refuses this one).
    needs_other_admin: Option<i64>,
    confirmed: String,
    errors: Errors,
}

pub async fn approve(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    approve_page(&state, &user, &by, id, String::new(), Vec::new()).await
}

/// The approval page, with what was typed and the messages of a refused approval.
pub(super) async fn approve_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    id: BroadcastId,
    confirmed: String,
    errors: Vec<FieldMessage>,
) -> Result<Response, WebError> {
    let b = state.app.broadcast(by, id).await?;
    if b.status != BroadcastStatus::AwaitingApproval {
        return Ok(Redirect::to(&format!("/broadcasts/{id}")).into_response());
    }
    by.require(Permission::SendBroadcasts)?;
    let counts = state
        .app
        .preview_broadcast_audience(by, &b.audience, b.channels)
        .await?;
    let org_rules = state.app.broadcast_rules(by).await?;
    let zone = org_rules.zone();
    let rules = rule_lines(&org_rules);
    let people = state.app.broadcast_people(by, id).await?;
    let me = by.technician_id();
    let page = render(&ApprovePage {
        ctx: PageContext::new(user, Section::Broadcasts),
        id: b.id.to_string(),
        name: b.name.clone(),
        channels: b.channels.label(),
        audience: audience_lines(&b.audience),
        texts: texts(&b),
        counts,
        schedule: schedule_line(&b, &zone),
        history: history(by, &b, &people, &zone),
        rules,
        needs_other_admin: org_rules
            .approval_threshold
            .filter(|t| counts.recipients > *t)
            .filter(|_| me == Some(b.author_id) || me == b.requested_by),
        confirmed,
        errors: Errors(errors),
    })?;
    Ok(page.into_response())
}
