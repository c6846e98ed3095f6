//! The sync upsert ([`crate::ContactStore::upsert_synced_contacts`]): one batch of users of
//! one customer, keyed by external id, in one transaction. A changed mobile number is recorded
//! with the time of the sync, because a number that changed recently is a SIM-swap or
//! number-port risk the Pod warns about (security.md 2.5).

use crate::contacts::rows::{ContactRow, contact_columns};
use crate::contacts::writes::{push_term_diff, value_lists};
use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{ChangedField, Contact, SourceKind, SyncedContact, UpsertOutcome};
use crate::{StoreError, StoreResult};
use countersign_domain::{ContactId, CustomerId, OrgId, Timestamp};
use std::collections::HashMap;
use uuid::Uuid;

/// External ids per lookup of known contacts.
const LOOKUP_CHUNK: usize = 200;

/// What identifies the mobile number for change detection: the E.164 form, or the text when
/// it did not parse (so reformatting `425-555-0101` as `(425) 555-0101` is no change).
fn mobile_identity(mobile: Option<&str>, e164: Option<&str>) -> Option<String> {
    e164.map(str::to_owned).or_else(|| {
        mobile
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
    })
}

/// Whether the mobile number itself changed: the E.164 forms when both parsed, the digits as
/// written otherwise. A number that only parses now (its country became known, issue 17.11)
/// or no longer does is the same number read differently, not a SIM-swap risk.
fn mobile_changed(before: &Contact, after: &SyncedContact) -> bool {
    let digits = |m: Option<&str>| -> String {
        m.unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    };
    match (before.mobile_e164.as_deref(), after.mobile_e164.as_deref()) {
        (Some(a), Some(b)) => a != b,
        _ => digits(before.mobile.as_deref()) != digits(after.mobile.as_deref()),
    }
}

/// A new contact from a synced user.
fn new_contact(
    org: OrgId,
    customer: CustomerId,
    source: SourceKind,
    s: &SyncedContact,
    at: Timestamp,
) -> Contact {
    Contact {
        id: ContactId::new(),
        org_id: org,
        customer_id: customer,
        source,
        external_id: Some(s.external_id.clone()),
        upn: s.upn.clone(),
        given_name: s.given_name.clone(),
        surname: s.surname.clone(),
        display_name: s.display_name.clone(),
        email: s.email.clone(),
        mobile: s.mobile.clone(),
        mobile_e164: s.mobile_e164.clone(),
        phone_country: s.phone_country,
        business_phones: s.business_phones.clone(),
        job_title: s.job_title.clone(),
        department: s.department.clone(),
        account_enabled: s.account_enabled,
        user_type: s.user_type.clone(),
        removed_at: s.removed.then_some(at),
        last_synced_at: Some(at),
        phone_changed_at: None,
        created_at: at,
        updated_at: at,
        unlinked_at: None,
    }
}

/// The stored fields of a contact the source removed, so the removal changes nothing else.
fn kept_on_removal(before: &Contact) -> SyncedContact {
    SyncedContact {
        external_id: before.external_id.clone().unwrap_or_default(),
        upn: before.upn.clone(),
        given_name: before.given_name.clone(),
        surname: before.surname.clone(),
        display_name: before.display_name.clone(),
        email: before.email.clone(),
        mobile: before.mobile.clone(),
        mobile_e164: before.mobile_e164.clone(),
        phone_country: before.phone_country,
        business_phones: before.business_phones.clone(),
        job_title: before.job_title.clone(),
        department: before.department.clone(),
        account_enabled: before.account_enabled,
        user_type: before.user_type.clone(),
        removed: true,
        broadcast_opt_out: None,
        preferred_language: None,
    }
}

/// Whether `after` stores the same contact as `before` (apart from when it was synced).
fn same_content(before: &Contact, after: &Contact) -> bool {
    before.upn == after.upn
        && before.given_name == after.given_name
        && before.surname == after.surname
        && before.display_name == after.display_name
        && before.email == after.email
        && before.mobile == after.mobile
        && before.mobile_e164 == after.mobile_e164
        && before.phone_country == after.phone_country
        && before.business_phones == after.business_phones
        && before.job_title == after.job_title
        && before.department == after.department
        && before.account_enabled == after.account_enabled
        && before.user_type == after.user_type
        && before.removed_at == after.removed_at
        && before.phone_changed_at == after.phone_changed_at
}

/// A known contact with the synced user's fields.
fn merged(before: &Contact, s: &SyncedContact, at: Timestamp, mobile_changed: bool) -> Contact {
    Contact {
        upn: s.upn.clone(),
        given_name: s.given_name.clone(),
        surname: s.surname.clone(),
        display_name: s.display_name.clone(),
        email: s.email.clone(),
        mobile: s.mobile.clone(),
        mobile_e164: s.mobile_e164.clone(),
        phone_country: s.phone_country,
        business_phones: s.business_phones.clone(),
        job_title: s.job_title.clone(),
        department: s.department.clone(),
        account_enabled: s.account_enabled,
        user_type: s.user_type.clone(),
        removed_at: if s.removed {
            before.removed_at.or(Some(at))
        } else {
            None
        },
        last_synced_at: Some(at),
        phone_changed_at: if mobile_changed {
            Some(at)
        } else {
            before.phone_changed_at
        },
        updated_at: at,
        ..before.clone()
    }
}

sql_impl! {
impl SqlStore<DB> {
    pub(crate) async fn upsert_batch(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
        batch: &[SyncedContact],
        at: Timestamp,
    ) -> StoreResult<UpsertOutcome> {
        // The last occurrence of an external id wins, as it would in a sequence of writes.
        let mut latest: HashMap<&str, &SyncedContact> = HashMap::with_capacity(batch.len());
        let mut order: Vec<&str> = Vec::with_capacity(batch.len());
        for s in batch {
            if latest.insert(s.external_id.as_str(), s).is_none() {
                order.push(s.external_id.as_str());
            }
        }
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let known: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM customers WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(customer.0)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut existing: HashMap<String, Contact> = HashMap::new();
        for chunk in order.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "SELECT {} FROM contacts WHERE org_id = $1 AND customer_id = $2 \
                 AND external_id IN {}",
                contact_columns!(),
                value_lists(1, chunk.len(), 3)
            );
            let mut q = sqlx::query_as::<DB, ContactRow>(&sql)
                .bind(org.0)
                .bind(customer.0);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&mut *tx).await? {
                let c = Contact::try_from(row)?;
                if let Some(key) = c.external_id.clone() {
                    existing.insert(key, c);
                }
            }
        }
        let mut outcome = UpsertOutcome::default();
        let mut newly_removed = Vec::new();
        let mut inserts = Vec::new();
        let mut unchanged = Vec::new();
        // Term changes of the updated contacts, written together after the loop.
        let mut gone_terms = Vec::new();
        let mut added_terms = Vec::new();
        // The source's opt-out flags, applied once the rows are written.
        let mut opt_out_flags: Vec<(Uuid, bool)> = Vec::new();
        // The users' languages, written once the rows are (only those that differ).
        let mut languages: Vec<(&str, Option<&str>)> = Vec::new();
        for key in order {
            let Some(s) = latest.get(key) else { continue };
            if !s.removed {
                languages.push((key, s.preferred_language.as_deref()));
            }
            if let (Some(flag), false) = (s.broadcast_opt_out, s.removed) {
                let id = existing.get(key).map(|c| c.id.0);
                opt_out_flags.push((id.unwrap_or_default(), flag));
            }
            let Some(before) = existing.get(key) else {
                // A removal of a user never stored (removed before the first sync, or skipped
                // by the integration's filters) has nothing to keep: no blank row.
                if !s.removed {
                    let c = new_contact(org, customer, source, s, at);
                    if let Some(last) = opt_out_flags.last_mut()
                        && last.0.is_nil()
                    {
                        last.0 = c.id.0;
                    }
                    inserts.push(c);
                }
                continue;
            };
            // A removal (delta `@removed`) carries only the id: keep what is known, for
            // history, and only mark the contact removed.
            let kept;
            let s: &SyncedContact = if s.removed {
                kept = kept_on_removal(before);
                &kept
            } else {
                s
            };
            let old_mobile =
                mobile_identity(before.mobile.as_deref(), before.mobile_e164.as_deref());
            let new_mobile = mobile_identity(s.mobile.as_deref(), s.mobile_e164.as_deref());
            let mobile_changed = mobile_changed(before, s);
            let after = merged(before, s, at, mobile_changed);
            if same_content(before, &after) {
                // Nothing changed: only the time of the sync is recorded (below, in bulk).
                unchanged.push(before.id.0);
                continue;
            }
            if after.removed_at.is_some() && before.removed_at.is_none() {
                outcome.removed += 1;
                newly_removed.push(after.id.0);
            }
            Self::rewrite_row(&mut *tx, &after).await?;
            push_term_diff(before, &after, &mut gone_terms, &mut added_terms);
            if mobile_changed {
                outcome.mobile_changes += 1;
                Self::record_change(
                    &mut *tx,
                    &after,
                    ChangedField::Mobile,
                    old_mobile.as_deref(),
                    new_mobile.as_deref(),
                    None,
                    at,
                )
                .await?;
            }
            if before.email != after.email {
                Self::record_change(
                    &mut *tx,
                    &after,
                    ChangedField::Email,
                    before.email.as_deref(),
                    after.email.as_deref(),
                    None,
                    at,
                )
                .await?;
            }
            outcome.updated += 1;
        }
        Self::delete_terms(&mut *tx, org, &gone_terms).await?;
        Self::insert_terms(&mut *tx, org, &added_terms).await?;
        outcome.inserted = inserts.len() as u64;
        Self::insert_contacts(&mut *tx, &inserts).await?;
        // A removed contact cannot be verified: a code or approve link sent before the removal
        // fails now (issue 17.12), in the transaction that removes it.
        for chunk in newly_removed.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "UPDATE verifications SET status = 'failed', completed_at = $2 \
                 WHERE org_id = $1 AND status = 'pending' AND contact_id IN {}",
                value_lists(1, chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql).bind(org.0).bind(at.0);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in unchanged.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "UPDATE contacts SET last_synced_at = $2 WHERE org_id = $1 AND id IN {}",
                value_lists(1, chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql).bind(org.0).bind(at.0);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        for (id, opted_out) in opt_out_flags {
            Self::apply_source_opt_out(&mut *tx, org, id, opted_out, at).await?;
        }
        // `VALUES` columns are `column1`, `column2` on both backends (SQLite names no others);
        // a row whose language is already the source's is not written.
        for chunk in languages.chunks(LOOKUP_CHUNK / 2) {
            let sql = format!(
                "UPDATE contacts SET preferred_language = v.column2 FROM (VALUES {}) AS v \
                 WHERE contacts.org_id = $1 AND contacts.customer_id = $2 \
                 AND contacts.external_id = v.column1 \
                 AND contacts.preferred_language IS DISTINCT FROM v.column2",
                value_lists(chunk.len(), 2, 3)
            );
            let mut q = sqlx::query(&sql).bind(org.0).bind(customer.0);
            for (external_id, language) in chunk {
                q = q.bind(*external_id).bind(*language);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// A source's opt-out flag for one contact: opted out, an SMS and an email opt-out
    /// (source `contact_source`) for the addresses it has, keeping an earlier opt-out's
    /// reason; opted back in, only the `contact_source` ones are removed (a STOP or an
    /// unsubscribe stays).
    async fn apply_source_opt_out(
        conn: &mut DB::Connection,
        org: OrgId,
        contact: Uuid,
        opted_out: bool,
        at: Timestamp,
    ) -> StoreResult<()> {
        if opted_out {
            for (channel, address) in [("sms", "mobile_e164"), ("email", "email_key")] {
                // SQLite needs the WHERE of an INSERT … SELECT before an upsert clause.
                sqlx::query(&format!(
                    "INSERT INTO broadcast_opt_outs (org_id, contact_id, channel, address, \
                     source, at) SELECT c.org_id, c.id, '{channel}', c.{address}, \
                     'contact_source', $3 FROM contacts c WHERE c.org_id = $1 AND c.id = $2 \
                     AND c.{address} IS NOT NULL AND c.{address} <> '' \
                     ON CONFLICT (org_id, contact_id, channel) DO NOTHING"
                ))
                .bind(org.0)
                .bind(contact)
                .bind(at.0)
                .execute(&mut *conn)
                .await?;
            }
        } else {
            sqlx::query(
                "DELETE FROM broadcast_opt_outs WHERE org_id = $1 AND contact_id = $2 \
                 AND source = 'contact_source'",
            )
            .bind(org.0)
            .bind(contact)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}
}
