//! Contact rows as lists show them (the Contacts page and a customer's page), formatted from
//! the app's list items.

use countersign_app::contacts::ContactListItem;
use countersign_domain::Timestamp;

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

/// The rows of a list's contacts, as of `now`.
#[must_use]
pub fn contact_rows(now: Timestamp, items: &[ContactListItem]) -> Vec<ContactRow> {
    items
        .iter()
        .map(|item| {
            let c = &item.contact;
            ContactRow {
                id: c.id.to_string(),
                name: c.display_name.clone(),
                customer_id: c.customer_id.to_string(),
                customer: item.customer_name.clone(),
                mobile: c.mobile.clone().unwrap_or_default(),
                email: c.email.clone().unwrap_or_default(),
                source: c.source.label(),
                verified: item.last_verified.map(|t| ago(now, t)).unwrap_or_default(),
                verified_fresh: item.verified_fresh,
                inactive: if c.removed_at.is_some() {
                    Some("removed")
                } else if c.account_enabled {
                    None
                } else {
                    Some("disabled")
                },
            }
        })
        .collect()
}
