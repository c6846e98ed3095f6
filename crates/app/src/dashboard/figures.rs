//! The dashboard's use case: one read of every figure of the period.

use super::{
    CUSTOMERS_SHOWN, DashboardError, DashboardView, DayFigures, Period, RowFigures, day_date,
    day_of,
};
use crate::{App, Principal};
use countersign_domain::{Permission, Timestamp, VerificationMethod};
use countersign_store::{DAY_MS, DashboardStore, OutcomeCounts};

impl App {
    /// Every figure of the dashboard for the last `period` UTC days, today included.
    ///
    /// # Errors
    /// `Denied` without `ViewDirectory`; a store failure.
    pub async fn dashboard(
        &self,
        by: &Principal,
        period: Period,
    ) -> Result<DashboardView, DashboardError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let to_day = day_of(self.now());
        let from_day = to_day - period.days() + 1;
        let since = Timestamp(from_day * DAY_MS);

        let rows = self.store.verification_days(org, from_day, to_day).await?;
        let mut days: Vec<DayFigures> = (from_day..=to_day)
            .map(|d| DayFigures {
                date: day_date(d),
                counts: OutcomeCounts::default(),
            })
            .collect();
        let mut per_method = [OutcomeCounts::default(); VerificationMethod::ALL.len()];
        let mut total = OutcomeCounts::default();
        for r in &rows {
            if let Some(day) = usize::try_from(r.day - from_day)
                .ok()
                .and_then(|i| days.get_mut(i))
            {
                day.counts.add(&r.counts);
            }
            if let Some(i) = VerificationMethod::ALL.iter().position(|m| *m == r.method) {
                per_method[i].add(&r.counts);
            }
            total.add(&r.counts);
        }
        let methods = VerificationMethod::ALL
            .into_iter()
            .zip(per_method)
            .filter(|(_, c)| *c != OutcomeCounts::default())
            .map(|(m, c)| (m, RowFigures::new(capitalised(m.label()), c)))
            .collect();

        // Comparing colleagues is a manager's view: only for those who manage technicians.
        let technicians = if by.may(Permission::ManageTechnicians) {
            Some(
                self.store
                    .verification_technicians(org, from_day, to_day)
                    .await?
                    .into_iter()
                    .map(|t| {
                        let name = match (t.technician_id, t.name) {
                            (_, Some(name)) => name,
                            (Some(_), None) => "(removed technician)".to_owned(),
                            (None, None) => "(no technician)".to_owned(),
                        };
                        RowFigures::new(name, t.counts)
                    })
                    .collect(),
            )
        } else {
            None
        };
        let customers = self
            .store
            .verification_customers(org, from_day, to_day, CUSTOMERS_SHOWN)
            .await?
            .into_iter()
            .map(|c| RowFigures::new(c.name, c.counts))
            .collect();

        Ok(DashboardView {
            period,
            from: day_date(from_day),
            to: day_date(to_day),
            days,
            total: RowFigures::new("All verifications".to_owned(), total),
            methods,
            technicians,
            customers,
            secrets: self.store.secret_figures(org, since).await?,
            messages: self.store.message_figures(org, from_day).await?,
            sync: self.sync_health(org).await?,
        })
    }
}

/// "SMS code" from the Pod's "SMS code", "Email code" from "email code".
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
