//! GET /dashboard and GET /dashboard.csv.

use super::charts::{self, ChannelRow, DayRow, SyncRow, TableRow};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::svg_chart::{Bars, Columns};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use countersign_app::dashboard::{DashboardView, Period};
use countersign_store::SecretFigures;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    days: Option<String>,
}

impl PeriodQuery {
    /// The period asked for (30 days when none is).
    fn period(&self) -> Result<Period, WebError> {
        Ok(match self.days.as_deref() {
            None | Some("") => Period::default(),
            Some(d) => Period::parse(d)?,
        })
    }
}

/// One link of the period picker.
struct PeriodLink {
    days: i64,
    current: bool,
}

/// The figures at the top.
struct Headline {
    total: i64,
    rate: String,
    median: String,
    secrets_sent: i64,
    messages_failed: i64,
}

#[derive(Template)]
#[template(path = "dashboard/index.html")]
struct DashboardPage {
    ctx: PageContext,
    days: i64,
    periods: Vec<PeriodLink>,
    from: String,
    to: String,
    headline: Headline,
    days_chart: Columns,
    day_rows: Vec<DayRow>,
    methods_chart: Bars,
    methods: Vec<TableRow>,
    technicians: Option<(Bars, Vec<TableRow>)>,
    customers_chart: Bars,
    customers: Vec<TableRow>,
    secrets_chart: Bars,
    secrets: SecretFigures,
    messages_chart: Bars,
    messages: Vec<ChannelRow>,
    sync: Vec<SyncRow>,
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Html<String>, WebError> {
    let period = q.period()?;
    let v = state.app.dashboard(&user.principal(ip), period).await?;
    render(&page(PageContext::new(&user, Section::Dashboard), &v))
}

/// GET /dashboard.csv: the same figures, one a line.
pub async fn csv(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let period = q.period()?;
    let csv = state.app.dashboard_csv(&user.principal(ip), period).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"dashboard-{}-days.csv\"",
                    period.days()
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}

fn page(ctx: PageContext, v: &DashboardView) -> DashboardPage {
    let failed: i64 = v.messages.iter().map(|m| m.failed).sum();
    DashboardPage {
        ctx,
        days: v.period.days(),
        periods: Period::ALL
            .into_iter()
            .map(|p| PeriodLink {
                days: p.days(),
                current: p == v.period,
            })
            .collect(),
        from: v.from.clone(),
        to: v.to.clone(),
        headline: Headline {
            total: v.total.counts.answered_or_not(),
            rate: charts::percent(v.total.success_rate),
            median: charts::median(v.total.median),
            secrets_sent: v.secrets.sent,
            messages_failed: failed,
        },
        days_chart: charts::days_chart(&v.days, v.period),
        day_rows: v.days.iter().map(DayRow::from).collect(),
        methods_chart: charts::rows_chart(v.methods.iter().map(|(_, r)| r)),
        methods: v.methods.iter().map(|(_, r)| TableRow::from(r)).collect(),
        technicians: v.technicians.as_ref().map(|t| {
            (
                charts::rows_chart(t.iter().take(charts::ROWS_DRAWN)),
                t.iter().map(TableRow::from).collect(),
            )
        }),
        customers_chart: charts::rows_chart(v.customers.iter().take(charts::ROWS_DRAWN)),
        customers: v.customers.iter().map(TableRow::from).collect(),
        secrets_chart: charts::secrets_chart(&v.secrets),
        secrets: v.secrets,
        messages_chart: charts::messages_chart(&v.messages),
        messages: v.messages.iter().map(ChannelRow::from).collect(),
        sync: v.sync.iter().map(SyncRow::from).collect(),
    }
}
