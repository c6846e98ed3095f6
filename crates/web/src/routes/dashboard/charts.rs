//! From the dashboard's view to what its template draws: chart geometry (`svg_chart`) and
//! the rows of the tables beside the charts.

use crate::svg_chart::{self, Bars, Columns, Part};
use countersign_app::dashboard::{DayFigures, MedianTime, NextRun, Period, RowFigures, SyncHealth};
use countersign_store::{ChannelFigures, OutcomeCounts, SecretFigures};

/// Most rows a bar chart draws (the table beside it lists them all).
pub const ROWS_DRAWN: usize = 12;

/// The outcomes of `c` as stacked parts, in the legend's order.
fn outcome_parts(c: &OutcomeCounts) -> Vec<Part> {
    vec![
        part("seg-verified", "verified", c.verified),
        part("seg-failed", "failed", c.failed),
        part("seg-denied", "denied", c.denied),
        part("seg-expired", "expired", c.expired),
        part("seg-sent", "sent (who I am)", c.sent),
    ]
}

fn part(class: &'static str, name: &'static str, value: i64) -> Part {
    Part { class, name, value }
}

/// `93.4%`, or a dash when nothing was asked.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{r:.1}%"))
}

/// `42 s`, or a dash when nothing was verified.
pub fn median(m: Option<MedianTime>) -> String {
    m.map_or_else(|| "–".to_owned(), MedianTime::words)
}

/// Verifications per day, stacked by outcome. Dates are labelled every day for a week,
/// every 5th for a month and every 15th for a quarter (the table has every one).
pub fn days_chart(days: &[DayFigures], period: Period) -> Columns {
    let every = match period {
        Period::Days7 => 1,
        Period::Days30 => 5,
        Period::Days90 => 15,
    };
    let data: Vec<(String, Vec<Part>)> = days
        .iter()
        .map(|d| (d.date.clone(), outcome_parts(&d.counts)))
        .collect();
    let mut chart = svg_chart::columns(&data, every);
    // Under the columns, `MM-DD` is enough; the tooltip keeps the whole date.
    for c in &mut chart.columns {
        if let Some(label) = c.label.as_mut() {
            *label = label.get(5..).unwrap_or(label).to_owned();
        }
    }
    chart
}

/// One bar per row (method, technician, customer), stacked by outcome, with its total and
/// success rate written beside it.
pub fn rows_chart<'a>(rows: impl Iterator<Item = &'a RowFigures>) -> Bars {
    let data: Vec<(String, Vec<Part>, String)> = rows
        .map(|r| {
            let total = r.counts.answered_or_not() + r.counts.sent;
            let value = match r.success_rate {
                Some(rate) => format!("{total} · {rate:.0}% verified"),
                None => total.to_string(),
            };
            (r.name.clone(), outcome_parts(&r.counts), value)
        })
        .collect();
    svg_chart::bars(&data)
}

/// Secure Send links: sent, and what became of them (nothing drawn when none was sent).
pub fn secrets_chart(s: &SecretFigures) -> Bars {
    if s.sent == 0 {
        return svg_chart::bars(&[]);
    }
    let row = |name: &str, class, what, value: i64| {
        (
            name.to_owned(),
            vec![part(class, what, value)],
            value.to_string(),
        )
    };
    svg_chart::bars(&[
        row("Sent", "seg-sent", "sent", s.sent),
        row("Revealed", "seg-verified", "revealed", s.revealed),
        row("Expired unopened", "seg-expired", "expired", s.expired),
        row("Burned unopened", "seg-denied", "burned", s.burned),
        row("Still open", "seg-open", "open", s.open),
    ])
}

/// Messages per channel, stacked by where they stand.
pub fn messages_chart(m: &[ChannelFigures]) -> Bars {
    let data: Vec<(String, Vec<Part>, String)> = m
        .iter()
        .map(|c| {
            (
                channel_label(c),
                vec![
                    part("seg-verified", "delivered", c.delivered),
                    part("seg-sent", "sent, no receipt", c.sent),
                    part("seg-failed", "failed", c.failed),
                    part("seg-open", "waiting", c.waiting),
                ],
                format!("{} delivered · {} failed", c.delivered, c.failed),
            )
        })
        .collect();
    svg_chart::bars(&data)
}

fn channel_label(c: &ChannelFigures) -> String {
    match c.channel {
        countersign_domain::Channel::Sms => "SMS".to_owned(),
        countersign_domain::Channel::Email => "Email".to_owned(),
    }
}

/// A row of a breakdown's table.
pub struct TableRow {
    pub name: String,
    pub verified: i64,
    pub failed: i64,
    pub denied: i64,
    pub expired: i64,
    pub sent: i64,
    pub rate: String,
    pub median: String,
}

impl From<&RowFigures> for TableRow {
    fn from(r: &RowFigures) -> Self {
        Self {
            name: r.name.clone(),
            verified: r.counts.verified,
            failed: r.counts.failed,
            denied: r.counts.denied,
            expired: r.counts.expired,
            sent: r.counts.sent,
            rate: percent(r.success_rate),
            median: median(r.median),
        }
    }
}

/// A row of the per-day table.
pub struct DayRow {
    pub date: String,
    pub verified: i64,
    pub failed: i64,
    pub denied: i64,
    pub expired: i64,
    pub sent: i64,
}

impl From<&DayFigures> for DayRow {
    fn from(d: &DayFigures) -> Self {
        Self {
            date: d.date.clone(),
            verified: d.counts.verified,
            failed: d.counts.failed,
            denied: d.counts.denied,
            expired: d.counts.expired,
            sent: d.counts.sent,
        }
    }
}

/// A row of the messages table.
pub struct ChannelRow {
    pub channel: String,
    pub delivered: i64,
    pub sent: i64,
    pub failed: i64,
    pub waiting: i64,
}

impl From<&ChannelFigures> for ChannelRow {
    fn from(c: &ChannelFigures) -> Self {
        Self {
            channel: channel_label(c),
            delivered: c.delivered,
            sent: c.sent,
            failed: c.failed,
            waiting: c.waiting,
        }
    }
}

/// A row of the sync health table.
pub struct SyncRow {
    pub integration: String,
    pub integration_href: String,
    pub kind: &'static str,
    pub source: String,
    pub last_run: String,
    /// `ok`, `failed` or empty (never ran).
    pub result: &'static str,
    pub next_run: String,
    pub contacts: String,
    pub error: String,
}

impl From<&SyncHealth> for SyncRow {
    fn from(h: &SyncHealth) -> Self {
        Self {
            integration: h.integration.clone(),
            integration_href: format!("/integrations/psa/{}", h.integration_id),
            kind: h.kind,
            source: h.source.clone(),
            last_run: h
                .last_run
                .map_or_else(|| "never".to_owned(), |t| t.display()),
            result: match h.last_ok {
                Some(true) => "ok",
                Some(false) => "failed",
                None => "",
            },
            next_run: match h.next_run {
                NextRun::Now => "now (queued or running)".to_owned(),
                NextRun::At(t) => t.display(),
                NextRun::NotScheduled => "not scheduled".to_owned(),
                NextRun::Ended => "ended".to_owned(),
            },
            contacts: format!(
                "{} read, {} added, {} removed",
                h.contacts_seen, h.contacts_added, h.contacts_removed
            ),
            error: h.error.clone().unwrap_or_default(),
        }
    }
}
