//! A broadcast once approved: its live progress (GET /broadcasts/{id}/progress, JSON, polled
//! every 2 s by static/broadcasts.js while it sends), the per-recipient report (on its page,
//! paged by `?after=`) and its CSV (GET /broadcasts/{id}/report.csv), the replies, and the
//! actions on it: cancel, "retry failed only" and a test send to oneself (POSTs that end in a
//! 303 to its page).

use super::actions::{act, to_page};
use super::pages::ShowQuery;
use super::parse_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{Problem, WebError};
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::Principal;
use countersign_app::broadcasts::{BroadcastProgress, RecipientReport};
use countersign_domain::{
    BroadcastId, BroadcastStatus, Channel, Permission, RecipientStatus, Zone,
};
use countersign_store::Broadcast;
use serde::Deserialize;

/// Rows per page of the report on the broadcast's page.
pub(super) const REPORT_PAGE: i64 = 50;

/// The progress as JSON: the counts by state, and whether anything more will change.
pub(super) fn progress_json(p: &BroadcastProgress) -> serde_json::Value {
    let c = &p.counts;
    serde_json::json!({
        "status": p.status.as_str(),
        "status_label": p.status.label(),
        "done": p.status.is_final(),
        "recipients": p.recipients,
        "messages": c.total(),
        "pending": c.pending,
        "queued": c.queued,
        "sent": c.sent,
        "delivered": c.delivered,
        "failed": c.failed,
        "opted_out": c.opted_out,
        "cancelled": c.cancelled,
        "replies": c.replies,
        "stop_replies": c.stop_replies,
        "finished": finished(p),
    })
}

/// Deliveries that will not change any more (a retry aside).
fn finished(p: &BroadcastProgress) -> i64 {
    let c = &p.counts;
    c.sent + c.delivered + c.failed + c.opted_out + c.cancelled
}

/// The sentence under the progress bar (the script writes the same).
fn progress_line(p: &BroadcastProgress) -> String {
    let (done, total) = (finished(p), p.counts.total());
    if p.status.is_final() {
        format!("{}: {done} of {total} messages ended.", p.status.label())
    } else {
        format!("{done} of {total} messages ended so far; this updates by itself.")
    }
}

/// One row of the report table.
pub(super) struct ReportRow {
    pub(super) channel: &'static str,
    pub(super) first_name: String,
    pub(super) customer: String,
    pub(super) address: String,
    pub(super) status: &'static str,
    pub(super) status_label: &'static str,
    pub(super) error: String,
    pub(super) at: String,
}

/// One reply.
pub(super) struct ReplyRow {
    pub(super) from: String,
    pub(super) body: String,
    pub(super) stop: bool,
    pub(super) at: String,
}

/// What a broadcast's page shows once it is approved.
pub(super) struct Live {
    pub(super) done: bool,
    pub(super) line: String,
    pub(super) recipients: i64,
    pub(super) messages: i64,
    pub(super) pending: i64,
    pub(super) queued: i64,
    pub(super) sent: i64,
    pub(super) delivered: i64,
    pub(super) failed: i64,
    pub(super) opted_out: i64,
    pub(super) cancelled: i64,
    pub(super) replies: i64,
    pub(super) stop_replies: i64,
    pub(super) finished: i64,
    pub(super) may_cancel: bool,
    pub(super) may_retry: bool,
    pub(super) may_export: bool,
    pub(super) rows: Vec<ReportRow>,
    pub(super) page: i64,
    pub(super) next: Option<String>,
    pub(super) first: Option<String>,
    pub(super) reply_rows: Vec<ReplyRow>,
}

impl Live {
    /// The progress bar's maximum (never 0).
    pub(super) fn messages_max(&self) -> i64 {
        self.messages.max(1)
    }
}

/// Progress, a page of the report (after `q.after`) and the replies of `b`.
pub(super) async fn live_view(
    state: &AppState,
    by: &Principal,
    b: &Broadcast,
    zone: &Zone,
    q: &ShowQuery,
) -> Result<Live, WebError> {
    let p = state.app.broadcast_progress(by, b.id).await?;
    let mut report = state
        .app
        .broadcast_report(by, b.id, decode_after(&q.after), REPORT_PAGE + 1)
        .await?;
    let more = report.len() > usize::try_from(REPORT_PAGE).unwrap_or(usize::MAX);
    report.truncate(usize::try_from(REPORT_PAGE).unwrap_or(usize::MAX));
    let next = report
        .last()
        .filter(|_| more)
        .map(|r| format!("/broadcasts/{}?after={}", b.id, encode_after(r)));
    let replies = state.app.broadcast_replies(by, b.id, 100).await?;
    let can_send = by.may(Permission::SendBroadcasts);
    let c = p.counts;
    Ok(Live {
        done: p.status.is_final(),
        line: progress_line(&p),
        recipients: p.recipients,
        messages: c.total(),
        pending: c.pending,
        queued: c.queued,
        sent: c.sent,
        delivered: c.delivered,
        failed: c.failed,
        opted_out: c.opted_out,
        cancelled: c.cancelled,
        replies: c.replies,
        stop_replies: c.stop_replies,
        finished: finished(&p),
        may_cancel: can_send
            && matches!(
                p.status,
                BroadcastStatus::Approved | BroadcastStatus::Sending
            ),
        may_retry: can_send
            && c.failed > 0
            && matches!(
                p.status,
                BroadcastStatus::Sending | BroadcastStatus::Completed
            ),
        may_export: can_send,
        rows: report
            .into_iter()
            .map(|r| ReportRow {
                channel: match r.channel {
                    Channel::Sms => "SMS",
                    Channel::Email => "Email",
                },
                first_name: r.first_name,
                customer: r.customer_name,
                address: r.address,
                status: r.status,
                status_label: RecipientStatus::parse(r.status).map_or(r.status, |s| s.label()),
                error: r.error.unwrap_or_default(),
                at: zone.format(r.updated_at),
            })
            .collect(),
        page: REPORT_PAGE,
        next,
        first: (!q.after.is_empty()).then(|| format!("/broadcasts/{}", b.id)),
        reply_rows: replies
            .into_iter()
            .map(|r| ReplyRow {
                from: r.from_masked,
                body: r.body,
                stop: r.is_stop,
                at: zone.format(r.at),
            })
            .collect(),
    })
}

/// GET /broadcasts/{id}/progress.
pub async fn progress(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id: BroadcastId = parse_id(&id)?;
    let p = state
        .app
        .broadcast_progress(&user.principal(ip), id)
        .await?;
    let mut res = Json(progress_json(&p)).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// The `after=` value for a report row: opaque, so no address shows in a URL.
pub(super) fn encode_after(r: &RecipientReport) -> String {
    let (channel, key) = r.cursor();
    format!(
        "{}.{}",
        channel.as_str(),
        URL_SAFE_NO_PAD.encode(key.as_bytes())
    )
}

/// Reads an `after=` value; `None` for anything malformed (the report starts at the top).
pub(super) fn decode_after(raw: &str) -> Option<(Channel, String)> {
    let (channel, key) = raw.split_once('.')?;
    let channel = Channel::parse(channel)?;
    let key = String::from_utf8(URL_SAFE_NO_PAD.decode(key).ok()?).ok()?;
    Some((channel, key))
}

/// GET /broadcasts/{id}/report.csv: every delivery with its full address (the MSP's own
/// data; the app audits the export).
pub async fn report_csv(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    // Another org's broadcast is not found for anyone, before any permission is asked.
    state.app.broadcast(&by, id).await?;
    let csv = state.app.broadcast_report_csv(&by, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"broadcast-{id}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    let cancelled = state.app.cancel_broadcast(&by, id);
    act(&state, &user, &by, id, &ShowQuery::default(), cancelled).await?;
    Ok(to_page(id, "cancelled"))
}

pub async fn retry_failed(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    let retried = state.app.retry_failed_broadcast(&by, id);
    let n = act(&state, &user, &by, id, &ShowQuery::default(), retried).await?;
    Ok(to_page(
        id,
        if n == 0 {
            "nothing_to_retry"
        } else {
            "retried"
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    sms_to: String,
}

pub async fn test_send(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<TestForm>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    let q = ShowQuery {
        sms_to: form.sms_to.trim().to_owned(),
        ..ShowQuery::default()
    };
    let typed = Some(q.sms_to.as_str()).filter(|s| !s.is_empty());
    let sending = state.app.send_test_broadcast(&by, id, typed);
    let sent = act(&state, &user, &by, id, &q, sending).await?;
    Ok(to_page(
        id,
        match (sent.email_to.is_some(), sent.sms_to.is_some()) {
            (true, true) => "test_sent_both",
            (false, true) => "test_sent_sms",
            _ => "test_sent_email",
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_cursor_round_trips_and_nonsense_starts_at_the_top() {
        let raw = format!("sms.{}", URL_SAFE_NO_PAD.encode("+12065550100"));
        assert_eq!(
            decode_after(&raw),
            Some((Channel::Sms, "+12065550100".to_owned()))
        );
        assert_eq!(decode_after("fax.abc"), None);
        assert_eq!(decode_after("nonsense"), None);
    }
}
