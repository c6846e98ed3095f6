//! Mark and sweep after a full round: a full round lists every contact of the linked company,
//! so a contact of its customer that the round did not deliver was deleted while no cursor
//! could tell (e.g. a Microsoft 365 delta link had expired, 410). Such contacts are marked
//! removed (kept for history, hidden), exactly as a removal from the source would have done.
//! Only a round that completed may sweep: an interrupted one has not seen everybody.

use super::DirectoryError;
use crate::App;
use countersign_store::{
    ContactCursor, ContactQuery, ContactStore, Customer, MAX_CONTACT_PAGE, SourceKind,
    SyncedContact,
};
use std::collections::HashSet;

impl App {
    /// Whether the customer has any contact of the source yet (a first full round of a new
    /// customer has nothing to sweep, which spares listing them again).
    pub(super) async fn has_synced_contacts(
        &self,
        customer: &Customer,
        source: SourceKind,
    ) -> Result<bool, DirectoryError> {
        let q = ContactQuery {
            customer: Some(customer.id),
            source: Some(source),
            include_inactive: true,
            limit: 1,
            ..ContactQuery::default()
        };
        Ok(!self
            .store
            .search_contacts(customer.org_id, &q)
            .await?
            .is_empty())
    }

    /// Marks removed every contact of the source and customer not removed yet that is not in
    /// `seen` (the external ids a completed full round delivered). Returns how many were
    /// newly marked removed.
    pub(super) async fn sweep_unseen(
        &self,
        customer: &Customer,
        source: SourceKind,
        seen: &HashSet<String>,
    ) -> Result<i64, DirectoryError> {
        let mut q = ContactQuery {
            customer: Some(customer.id),
            source: Some(source),
            include_inactive: true,
            limit: MAX_CONTACT_PAGE,
            ..ContactQuery::default()
        };
        let mut gone = Vec::new();
        loop {
            let page = self.store.search_contacts(customer.org_id, &q).await?;
            let Some(last) = page.last() else { break };
            q.after = Some(ContactCursor {
                key: q.sort.key_of(last),
                id: last.id,
            });
            gone.extend(
                page.iter()
                    .filter(|c| c.removed_at.is_none())
                    .filter_map(|c| c.external_id.as_ref())
                    .filter(|id| !seen.contains(id.as_str()))
                    .map(|id| SyncedContact {
                        external_id: id.clone(),
                        removed: true,
                        ..SyncedContact::default()
                    }),
            );
            if i64::try_from(page.len()).unwrap_or(i64::MAX) < q.limit {
                break;
            }
        }
        if gone.is_empty() {
            return Ok(0);
        }
        let out = self
            .store
            .upsert_synced_contacts(customer.org_id, customer.id, source, &gone, self.now())
            .await?;
        Ok(i64::try_from(out.removed).unwrap_or(i64::MAX))
    }
}
