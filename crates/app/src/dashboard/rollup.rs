//! The message roll-up (`roll_up_message_days`, every 10 minutes): each org's message days
//! before today go into `message_daily`, so the dashboard counts only today's messages live.
//! Each run rolls the last day up again, so the receipts that come in after midnight for
//! yesterday's messages are counted (they come within minutes to hours). A message whose
//! state changes later than that keeps, on the dashboard, the state it had then.

use super::day_of;
use crate::App;
use countersign_store::{DashboardStore, StoreError};

/// Days one transaction rolls up: a short hold of the writer, even for a big org catching up.
const DAYS_PER_TRANSACTION: i64 = 7;

impl App {
    /// Rolls up every org's message days before today. Returns the days newly rolled up.
    ///
    /// # Errors
    /// A store failure (the next run continues where this one stopped).
    pub async fn roll_up_message_days(&self) -> Result<u64, StoreError> {
        let before_day = day_of(self.now());
        let mut days = 0u64;
        for org in self.store.message_rollup_orgs().await? {
            loop {
                let n = self
                    .store
                    .roll_up_message_days(org, before_day, DAYS_PER_TRANSACTION)
                    .await?;
                days += u64::try_from(n).unwrap_or(0);
                if n <= 0 {
                    break;
                }
            }
        }
        Ok(days)
    }
}
