//! Mark and sweep after a full delta round: a full round lists every user of the tenant, so
//! a contact of the tenant's customer that the round did not deliver was deleted while no
//! delta link could tell (e.g. the link had expired, 410). Such contacts are marked removed
//! (kept for history, hidden), exactly as an `@removed` would have done. Only a round that
//! completed may sweep: an interrupted one has not seen everybody.

use super::MicrosoftError;
use crate::App;
use countersign_store::{
    ContactCursor, ContactQuery, ContactStore, Customer, MAX_CONTACT_PAGE, SourceKind,
    SyncedContact,
};
use std::collections::HashSet;

impl App {
    /// Whether the customer has any Microsoft 365 contact yet (a first full round of a new
    /// customer has nothing to sweep, which spares listing them again).
    pub(super) async fn has_synced_contacts(
        &self,
        customer: &Customer,
    ) -> Result<bool, MicrosoftError> {
        let q = ContactQuery {
            customer: Some(customer.id),
            source: Some(SourceKind::Microsoft365),
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

    /// Marks removed every Microsoft 365 contact of the customer not removed yet whose user
    /// is not in `seen` (the external ids a completed full round delivered). Returns how
    /// many were newly marked removed.
    pub(super) async fn sweep_unseen(
        &self,
        customer: &Customer,
        seen: &HashSet<String>,
    ) -> Result<i64, MicrosoftError> {
        let mut q = ContactQuery {
            customer: Some(customer.id),
            source: Some(SourceKind::Microsoft365),
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
            .upsert_synced_contacts(
                customer.org_id,
                customer.id,
                SourceKind::Microsoft365,
                &gone,
                self.now(),
            )
            .await?;
        Ok(i64::try_from(out.removed).unwrap_or(i64::MAX))
    }
}
