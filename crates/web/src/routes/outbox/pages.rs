//! GET /settings/outbox (recipients masked) and GET /settings/messages/{id} (one message of
//! the org with its history; the body only while the message is kept in the outbox).

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use countersign_domain::MessageId;
use countersign_domain::mask::mask;
use countersign_store::{MessageState, TransportKind};

struct Row {
    id: String,
    at: String,
    channel: &'static str,
    template: String,
    recipient: String,
    subject: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "outbox/index.html")]
struct OutboxPage {
    ctx: PageContext,
    tab: &'static str,
    rows: Vec<Row>,
    live: bool,
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
) -> Result<Html<String>, WebError> {
    let messages = state.app.outbox_view(&user.principal(ip)).await?;
    let rows = messages
        .into_iter()
        .map(|m| Row {
            id: m.id.to_string(),
            at: m.created_at.display(),
            channel: m.channel.as_str(),
            template: m.template,
            recipient: mask(&m.recipient),
            subject: m.subject,
            state: m.state.as_str(),
        })
        .collect();
    render(&OutboxPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "outbox",
        rows,
        live: state.app.settings.messaging.transport
            == countersign_app::settings::MessagingTransport::Live,
    })
}

struct Event {
    at: String,
    state: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "outbox/show.html")]
struct MessagePage {
    ctx: PageContext,
    tab: &'static str,
    id: String,
    channel: &'static str,
    transport: &'static str,
    /// Which sender it goes out from (verification or broadcast).
    lane: &'static str,
    template: String,
    recipient: String,
    subject: String,
    state: &'static str,
    kept: bool,
    provider_id: String,
    attempts: i64,
    last_error: String,
    error_code: String,
    body_text: String,
    events: Vec<Event>,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let id: MessageId = id.parse().map_err(|_| WebError::NotFound)?;
    let view = state.app.message_view(&user.principal(ip), id).await?;
    let (m, events) = (view.message, view.events);
    let kept = m.transport == TransportKind::Outbox;
    render(&MessagePage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "outbox",
        id: m.id.to_string(),
        channel: m.channel.as_str(),
        transport: m.transport.as_str(),
        lane: m.lane.as_str(),
        template: m.template,
        // Admins see the full recipient of an outbox message (to check a demo); delivered
        // messages stay masked.
        recipient: if kept {
            m.recipient
        } else {
            mask(&m.recipient)
        },
        subject: m.subject,
        state: m.state.as_str(),
        kept: kept && m.state == MessageState::Outbox,
        provider_id: m.provider_id.unwrap_or_default(),
        attempts: m.attempts,
        last_error: m.last_error.unwrap_or_default(),
        error_code: m.error_code.unwrap_or_default(),
        body_text: if kept {
            m.body_text.unwrap_or_default()
        } else {
            String::new()
        },
        events: events
            .into_iter()
            .map(|e| Event {
                at: e.at.display(),
                state: e.state.as_str(),
                detail: e.detail,
            })
            .collect(),
    })
}
