//! Contact rows as lists show them (the Contacts page and a customer's page): customer
//! names and the last verification are fetched once per page, not per row.

use crate::AppState;
use crate::error::WebError;
use countersign_domain::{CustomerId, OrgId, Timestamp};
use countersign_store::{Contact, CustomerStore, PodStore, VerificationStore};
use std::collections::HashMap;
use std::time::Duration;

/// One row of a contact list.
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub customer_id: String,
    pub customer: String,
    pub mobile: String,
    pub email: String,
    pub source: &'static str,
    /// "3 min ago", or empty when never verified.
    pub verified: String,
    /// Verified within the org's verified window (the shield is green).
    pub verified_fresh: bool,
    pub inactive: Option<&'static str>,
}

/// "just now", "3 min ago", "5 h ago", "2 days ago", or the date beyond a week.
#[must_use]
pub fn ago(now: Timestamp, at: Timestamp) -> String {
    let secs = (now.0 - at.0).max(0) / 1000;
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        86_400..604_800 => format!("{} days ago", secs / 86_400),
        _ => at.display(),
    }
}

/// The rows of `contacts`.
///
/// # Errors
/// A store failure.
pub async fn contact_rows(
    state: &AppState,
    org: OrgId,
    contacts: &[Contact],
) -> Result<Vec<ContactRow>, WebError> {
    let store = &state.app.store;
    let mut customer_ids: Vec<CustomerId> = contacts.iter().map(|c| c.customer_id).collect();
    customer_ids.sort();
    customer_ids.dedup();
    let names: HashMap<CustomerId, String> = store
        .customers_by_ids(org, &customer_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let ids: Vec<_> = contacts.iter().map(|c| c.id).collect();
    let verified: HashMap<_, _> = store.last_verified(org, &ids).await?.into_iter().collect();
    let window_minutes = store.pod_settings(org).await?.verified_window_minutes;
    let now = state.app.now();
    let fresh_after = now.minus(Duration::from_secs(
        u64::try_from(window_minutes).unwrap_or(15) * 60,
    ));
    Ok(contacts
        .iter()
        .map(|c| {
            let last = verified.get(&c.id).copied();
            ContactRow {
                id: c.id.to_string(),
                name: c.display_name.clone(),
                customer_id: c.customer_id.to_string(),
                customer: names.get(&c.customer_id).cloned().unwrap_or_default(),
                mobile: c.mobile.clone().unwrap_or_default(),
                email: c.email.clone().unwrap_or_default(),
                source: c.source.label(),
                verified: last.map(|t| ago(now, t)).unwrap_or_default(),
                verified_fresh: last.is_some_and(|t| t >= fresh_after),
                inactive: if c.removed_at.is_some() {
                    Some("removed")
                } else if c.account_enabled {
                    None
                } else {
                    Some("disabled")
                },
            }
        })
        .collect())
}
