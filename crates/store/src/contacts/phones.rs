//! [`PhoneStore`] for both backends: a customer's mobile numbers read again with another
//! country (issue 17.11). The text of each number is stored as its source wrote it, so a new
//! E.164 form is derived without asking the source again.

use crate::contacts::rows::{ContactRow, contact_columns, contacts_from};
use crate::contacts::writes::{push_term_diff, value_lists};
use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{Contact, SourceKind};
use crate::{PhoneStore, StoreResult};
use countersign_domain::{ContactId, CustomerId, OrgId, Timestamp};
use std::collections::HashMap;
use uuid::Uuid;

/// Contacts per lookup and per `UPDATE` batch.
const CHUNK: usize = 200;

sql_impl! {
impl PhoneStore for SqlStore<DB> {
    async fn contacts_with_mobile(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
    ) -> StoreResult<Vec<Contact>> {
        let sql = concat!(
            "SELECT ",
            contact_columns!(),
            " FROM contacts WHERE org_id = $1 AND customer_id = $2 AND source = $3 \
             AND mobile IS NOT NULL ORDER BY id"
        );
        let rows: Vec<ContactRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(customer.0)
            .bind(source.as_str())
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        contacts_from(rows)
    }

    async fn set_mobile_e164s(
        &self,
        org: OrgId,
        changes: &[(ContactId, Option<String>)],
        at: Timestamp,
    ) -> StoreResult<u64> {
        let wanted: HashMap<Uuid, Option<&str>> = changes
            .iter()
            .map(|(id, e164)| (id.0, e164.as_deref()))
            .collect();
        let ids: Vec<Uuid> = wanted.keys().copied().collect();
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let mut changed = 0;
        let mut gone = Vec::new();
        let mut added = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {} FROM contacts WHERE org_id = $1 AND id IN {}",
                contact_columns!(),
                value_lists(1, chunk.len(), 2)
            );
            let mut q = sqlx::query_as::<DB, ContactRow>(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(*id);
            }
            for before in contacts_from(q.fetch_all(&mut *tx).await?)? {
                let Some(e164) = wanted.get(&before.id.0) else {
                    continue;
                };
                if before.mobile_e164.as_deref() == *e164 {
                    continue;
                }
                let after = Contact {
                    mobile_e164: e164.map(str::to_owned),
                    updated_at: at,
                    ..before.clone()
                };
                sqlx::query(
                    "UPDATE contacts SET mobile_e164 = $3, updated_at = $4 \
                     WHERE org_id = $1 AND id = $2",
                )
                .bind(org.0)
                .bind(after.id.0)
                .bind(after.mobile_e164.as_deref())
                .bind(at.0)
                .execute(&mut *tx)
                .await?;
                push_term_diff(&before, &after, &mut gone, &mut added);
                changed += 1;
            }
        }
        Self::delete_terms(&mut *tx, org, &gone).await?;
        Self::insert_terms(&mut *tx, org, &added).await?;
        tx.commit().await?;
        Ok(changed)
    }
}
}
