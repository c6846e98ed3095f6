//! GET /audit.

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use countersign_domain::{TechnicianId, Timestamp};
use countersign_store::AuditFilter;
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

/// The filter form, as it appears in the URL (so a filtered view can be bookmarked).
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    /// `YYYY-MM-DD`, inclusive, UTC.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    target: String,
    /// The target is a contact of an unlinked source (or its verification).
    unlinked: bool,
    detail: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditPage {
    ctx: PageContext,
    rows: Vec<Row>,
    actors: Vec<(String, String)>,
    q_actor: String,
    q_action: String,
    q_from: String,
    q_to: String,
    error: Option<String>,
    next_page: Option<String>,
}

/// Parses `YYYY-MM-DD` as the start of that day (UTC); `end` gives the start of the next day
/// (the store's `to` is exclusive, so the whole day is included).
fn parse_day(s: &str, end: bool) -> Result<Option<Timestamp>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(s.trim(), &fmt)
        .map_err(|_| format!("{s:?} is not a date: use the form 2026-11-26"))?;
    let date = if end {
        date.next_day().unwrap_or(date)
    } else {
        date
    };
    let ms = date.midnight().assume_utc().unix_timestamp() * 1000;
    Ok(Some(Timestamp(ms)))
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, WebError> {
    let mut error = None;
    let mut filter = AuditFilter {
        limit: PAGE_SIZE + 1,
        before_seq: q.before,
        ..AuditFilter::default()
    };
    if !q.actor.is_empty() {
        match q.actor.parse::<TechnicianId>() {
            Ok(id) => filter.actor_id = Some(id),
            Err(_) => error = Some("Pick an actor from the list.".to_owned()),
        }
    }
    if !q.action.trim().is_empty() {
        filter.action_prefix = Some(q.action.trim().to_owned());
    }
    match (parse_day(&q.from, false), parse_day(&q.to, true)) {
        (Ok(from), Ok(to)) => {
            filter.from = from;
            filter.to = to;
        }
        (Err(e), _) | (_, Err(e)) => error = Some(e),
    }
    // A refused filter reads no entries (the page says why), only the actors to pick from.
    let view = state
        .app
        .audit_view(&user.principal(ip), error.is_none().then_some(&filter))
        .await?;
    let mut entries = view.entries;
    let next_page = if entries.len() as i64 > PAGE_SIZE {
        entries.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
        entries.last().map(|last| {
            format!(
                "/audit?actor={}&action={}&from={}&to={}&before={}",
                urlencoding::encode(&q.actor),
                urlencoding::encode(&q.action),
                urlencoding::encode(&q.from),
                urlencoding::encode(&q.to),
                last.seq
            )
        })
    } else {
        None
    };
    let rows = entries
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            at: e.entry.at.display(),
            actor: e.entry.actor_label,
            action: e.entry.action,
            unlinked: view.unlinked_targets.contains(&e.entry.target),
            target: e.entry.target,
            detail: if e.entry.detail == "{}" || e.entry.detail == "null" {
                String::new()
            } else {
                e.entry.detail
            },
            ip: e.entry.ip.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        ctx: PageContext::new(&user, Section::Audit),
        rows,
        actors: view
            .actors
            .into_iter()
            .map(|t| (t.id.to_string(), t.email))
            .collect(),
        q_actor: q.actor,
        q_action: q.action,
        q_from: q.from,
        q_to: q.to,
        error,
        next_page,
    })
}
