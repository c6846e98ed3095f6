//! The dashboard's figures as CSV, one figure a line (section, day, name, figure, value), so
//! a spreadsheet can pivot them. Names go through the broadcast report's formula-safe
//! [`csv_field`](crate::csv::csv_field): a customer called `=HYPERLINK(…)` stays text.

use super::{DashboardView, MedianTime, NextRun, Period, RowFigures};
use crate::csv::csv_field;
use crate::{App, Principal};
use countersign_store::OutcomeCounts;

use super::DashboardError;

/// The CSV's header line.
const HEADER: &str = "section,day,name,figure,value\r\n";

impl App {
    /// The dashboard of `period` as CSV (RFC 4180): the same figures as the page, for the
    /// same principal (no per-technician lines without `ManageTechnicians`).
    ///
    /// # Errors
    /// As [`App::dashboard`].
    pub async fn dashboard_csv(
        &self,
        by: &Principal,
        period: Period,
    ) -> Result<String, DashboardError> {
        Ok(to_csv(&self.dashboard(by, period).await?))
    }
}

/// Writes the view as CSV lines.
fn to_csv(v: &DashboardView) -> String {
    let mut out = Csv(String::from(HEADER));
    out.line("period", "", "", "days", &v.period.days().to_string());
    out.line("period", "", "", "from", &v.from);
    out.line("period", "", "", "to", &v.to);
    for d in &v.days {
        out.counts("verifications_per_day", &d.date, "", &d.counts);
    }
    out.row("total", &v.total);
    for (_, m) in &v.methods {
        out.row("by_method", m);
    }
    for t in v.technicians.iter().flatten() {
        out.row("by_technician", t);
    }
    for c in &v.customers {
        out.row("by_customer", c);
    }
    let s = &v.secrets;
    for (figure, value) in [
        ("sent", s.sent),
        ("revealed", s.revealed),
        ("expired_unopened", s.expired),
        ("burned_unopened", s.burned),
        ("open", s.open),
    ] {
        out.line("secure_send", "", "", figure, &value.to_string());
    }
    for m in &v.messages {
        for (figure, value) in [
            ("delivered", m.delivered),
            ("sent_no_receipt", m.sent),
            ("failed", m.failed),
            ("waiting", m.waiting),
        ] {
            out.line(
                "messages",
                "",
                m.channel.as_str(),
                figure,
                &value.to_string(),
            );
        }
    }
    for h in &v.sync {
        let name = format!("{} / {}", h.integration, h.source);
        let last = h.last_run.map(|t| t.rfc3339()).unwrap_or_default();
        let next = match h.next_run {
            NextRun::Now => "now".to_owned(),
            NextRun::At(t) => t.rfc3339(),
            NextRun::NotScheduled => "not scheduled".to_owned(),
            NextRun::Ended => "ended".to_owned(),
        };
        let ok = match h.last_ok {
            Some(true) => "ok",
            Some(false) => "failed",
            None => "",
        };
        out.line("sync", "", &name, "last_run", &last);
        out.line("sync", "", &name, "last_result", ok);
        out.line("sync", "", &name, "next_run", &next);
        out.line(
            "sync",
            "",
            &name,
            "contacts_seen",
            &h.contacts_seen.to_string(),
        );
        out.line("sync", "", &name, "error", h.error.as_deref().unwrap_or(""));
    }
    out.0
}

struct Csv(String);

impl Csv {
    fn line(&mut self, section: &str, day: &str, name: &str, figure: &str, value: &str) {
        let fields = [section, day, name, figure, value].map(csv_field);
        self.0.push_str(&fields.join(","));
        self.0.push_str("\r\n");
    }

    fn counts(&mut self, section: &str, day: &str, name: &str, c: &OutcomeCounts) {
        for (figure, value) in [
            ("verified", c.verified),
            ("failed", c.failed),
            ("denied", c.denied),
            ("expired", c.expired),
            ("sent", c.sent),
        ] {
            self.line(section, day, name, figure, &value.to_string());
        }
    }

    fn row(&mut self, section: &str, r: &RowFigures) {
        self.counts(section, "", &r.name, &r.counts);
        if let Some(rate) = r.success_rate {
            self.line(
                section,
                "",
                &r.name,
                "success_rate_percent",
                &format!("{rate:.1}"),
            );
        }
        if let Some(m) = r.median {
            let value = match m {
                MedianTime::Seconds(s) => format!("{s:.0}"),
                MedianTime::Over(_) => format!(">{:.0}", m.seconds()),
            };
            self.line(section, "", &r.name, "median_seconds_approx", &value);
        }
    }
}
