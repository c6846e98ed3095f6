//! Writes shared by the contact methods and the sync upsert: contact rows, their search
//! terms, and the change history. Each takes the connection of the caller's transaction, so a
//! contact and its terms are always written together.

use crate::StoreResult;
use crate::contacts::rows::{
    CONTACT_INSERT_ARITY, CONTACT_INSERT_COLUMNS, phones_json, sort_keys, terms_of,
};
use crate::sql::sql_impl;
use crate::sql::{Dialect, SqlStore, values_rows};
use crate::{ChangedField, Contact};
use countersign_domain::{ContactId, Country, OrgId, TechnicianId, Timestamp};
use std::collections::BTreeSet;

/// Rows per multi-row `INSERT` (25 parameters each), written with [`row_lists`]: sqlx's SQLite
/// driver binds anonymous placeholders in linear time, numbered ones in time that grows with
/// the square of the parameters (60 % of a sync's time at 400 rows, 16 % at 16). Larger
/// statements measured no faster (the sync bench: 30.0 s at 16 and at 40 rows) and keep more
/// memory in each connection's statement cache.
const CONTACTS_PER_INSERT: usize = 16;
/// Terms per multi-row `INSERT` (4 parameters each); see [`CONTACTS_PER_INSERT`].
const TERMS_PER_INSERT: usize = 64;
/// Terms per multi-row `DELETE` (numbered parameters: the org, `$1`, repeats in every row).
const TERMS_PER_DELETE: usize = 64;

/// `(…), (…)` for `rows` rows of `arity` parameters, for a statement that has no other
/// parameters ([`values_rows`]: anonymous `?` where the backend prefers them).
pub(crate) fn row_lists<DB: Dialect>(rows: usize, arity: usize) -> String {
    values_rows::<DB>(rows, &format!("({})", vec!["?"; arity].join(", ")))
}

/// One row of `contact_terms`: a search term of a contact, with the contact's name sort key
/// (which lets a broad search find its page in name order from the terms alone; see
/// `windows.rs`).
pub(crate) struct TermRow {
    pub(crate) contact: ContactId,
    pub(crate) term: String,
    pub(crate) name_key: String,
}

/// `($a, $b, …), (…)` for `rows` rows of `arity` parameters, numbered from `first`.
pub(crate) fn value_lists(rows: usize, arity: usize, first: usize) -> String {
    let mut out = String::with_capacity(rows * arity * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..arity {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(first + r * arity + c).to_string());
        }
        out.push(')');
    }
    out
}

/// The terms of `before` that `after` lacks, and those `after` adds.
pub(crate) fn term_diff(
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
) -> (Vec<String>, Vec<String>) {
    (
        before.difference(after).cloned().collect(),
        after.difference(before).cloned().collect(),
    )
}

/// Adds the terms `before` has and `after` lacks to `gone`, and those `after` adds to
/// `added` (nothing when the searchable fields did not change). Every term row carries the
/// name sort key, so when that key changes all of them are rewritten.
pub(crate) fn push_term_diff(
    before: &Contact,
    after: &Contact,
    gone: &mut Vec<(ContactId, String)>,
    added: &mut Vec<TermRow>,
) {
    let name_key = sort_keys(after).0;
    let (g, a) = if sort_keys(before).0 == name_key {
        term_diff(&terms_of(before), &terms_of(after))
    } else {
        (
            terms_of(before).into_iter().collect(),
            terms_of(after).into_iter().collect(),
        )
    };
    gone.extend(g.into_iter().map(|t| (after.id, t)));
    added.extend(a.into_iter().map(|term| TermRow {
        contact: after.id,
        term,
        name_key: name_key.clone(),
    }));
}

sql_impl! {
impl SqlStore<DB> {
    /// Inserts contacts with their search terms.
    pub(crate) async fn insert_contacts(
        conn: &mut DB::Connection,
        contacts: &[Contact],
    ) -> StoreResult<()> {
        let keys: Vec<(String, String)> = contacts.iter().map(sort_keys).collect();
        for (chunk, keys) in contacts
            .chunks(CONTACTS_PER_INSERT)
            .zip(keys.chunks(CONTACTS_PER_INSERT))
        {
            let sql = format!(
                "INSERT INTO contacts ({CONTACT_INSERT_COLUMNS}) VALUES {}",
                row_lists::<DB>(chunk.len(), CONTACT_INSERT_ARITY)
            );
            let phones: Vec<String> = chunk
                .iter()
                .map(|c| phones_json(&c.business_phones))
                .collect();
            let mut q = sqlx::query(&sql);
            for ((c, (name_key, email_key)), phones) in chunk.iter().zip(keys).zip(&phones) {
                q = q
                    .bind(c.id.0)
                    .bind(c.org_id.0)
                    .bind(c.customer_id.0)
                    .bind(c.source.as_str())
                    .bind(c.external_id.as_deref())
                    .bind(c.upn.as_deref())
                    .bind(c.given_name.as_str())
                    .bind(c.surname.as_str())
                    .bind(c.display_name.as_str())
                    .bind(c.email.as_deref())
                    .bind(c.mobile.as_deref())
                    .bind(c.mobile_e164.as_deref())
                    .bind(phones.as_str())
                    .bind(c.job_title.as_str())
                    .bind(c.department.as_str())
                    .bind(c.account_enabled)
                    .bind(c.user_type.as_str())
                    .bind(c.removed_at.map(|t| t.0))
                    .bind(c.last_synced_at.map(|t| t.0))
                    .bind(c.phone_changed_at.map(|t| t.0))
                    .bind(c.created_at.0)
                    .bind(c.updated_at.0)
                    .bind(c.phone_country.map(Country::code))
                    .bind(c.unlinked_at.map(|t| t.0))
                    .bind(name_key.as_str())
                    .bind(email_key.as_str());
            }
            q.execute(&mut *conn).await?;
        }
        let mut terms: Vec<TermRow> = contacts
            .iter()
            .zip(&keys)
            .flat_map(|(c, (name_key, _))| {
                terms_of(c).into_iter().map(move |term| TermRow {
                    contact: c.id,
                    term,
                    name_key: name_key.clone(),
                })
            })
            .collect();
        // In index order: each statement then touches a few neighbouring index pages.
        terms.sort_unstable_by(|a, b| a.term.cmp(&b.term).then(a.contact.0.cmp(&b.contact.0)));
        if let Some(first) = contacts.first() {
            Self::insert_terms(conn, first.org_id, &terms).await?;
        }
        Ok(())
    }

    /// Replaces every column of an existing contact of its org (not the id, org or
    /// customer) and brings its terms in step with `before`'s.
    pub(crate) async fn rewrite_contact(
        conn: &mut DB::Connection,
        before: &Contact,
        after: &Contact,
    ) -> StoreResult<()> {
        Self::rewrite_row(conn, after).await?;
        let mut gone = Vec::new();
        let mut added = Vec::new();
        push_term_diff(before, after, &mut gone, &mut added);
        Self::delete_terms(conn, after.org_id, &gone).await?;
        Self::insert_terms(conn, after.org_id, &added).await
    }

    /// Replaces every column of an existing contact of its org (not the id, org or
    /// customer), not its terms: see [`push_term_diff`].
    pub(crate) async fn rewrite_row(conn: &mut DB::Connection, after: &Contact) -> StoreResult<()> {
        let (name_key, email_key) = sort_keys(after);
        sqlx::query(
            "UPDATE contacts SET upn = $3, given_name = $4, surname = $5, display_name = $6, \
             email = $7, mobile = $8, mobile_e164 = $9, business_phones = $10, job_title = $11, \
             department = $12, account_enabled = $13, user_type = $14, removed_at = $15, \
             last_synced_at = $16, phone_changed_at = $17, updated_at = $18, name_key = $19, \
             email_key = $20, phone_country = $21 WHERE org_id = $1 AND id = $2",
        )
        .bind(after.org_id.0)
        .bind(after.id.0)
        .bind(after.upn.as_deref())
        .bind(after.given_name.as_str())
        .bind(after.surname.as_str())
        .bind(after.display_name.as_str())
        .bind(after.email.as_deref())
        .bind(after.mobile.as_deref())
        .bind(after.mobile_e164.as_deref())
        .bind(phones_json(&after.business_phones))
        .bind(after.job_title.as_str())
        .bind(after.department.as_str())
        .bind(after.account_enabled)
        .bind(after.user_type.as_str())
        .bind(after.removed_at.map(|t| t.0))
        .bind(after.last_synced_at.map(|t| t.0))
        .bind(after.phone_changed_at.map(|t| t.0))
        .bind(after.updated_at.0)
        .bind(name_key)
        .bind(email_key)
        .bind(after.phone_country.map(Country::code))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Inserts search terms of contacts of `org`.
    pub(crate) async fn insert_terms(
        conn: &mut DB::Connection,
        org: OrgId,
        terms: &[TermRow],
    ) -> StoreResult<()> {
        for chunk in terms.chunks(TERMS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO contact_terms (org_id, term, contact_id, name_key) VALUES {} \
                 ON CONFLICT DO NOTHING",
                row_lists::<DB>(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for t in chunk {
                q = q
                    .bind(org.0)
                    .bind(t.term.as_str())
                    .bind(t.contact.0)
                    .bind(t.name_key.as_str());
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Deletes search terms of contacts of `org`, by primary key (so no index on
    /// `contact_id` is needed), [`TERMS_PER_DELETE`] per statement.
    pub(crate) async fn delete_terms(
        conn: &mut DB::Connection,
        org: OrgId,
        terms: &[(ContactId, String)],
    ) -> StoreResult<()> {
        for chunk in terms.chunks(TERMS_PER_DELETE) {
            let keys: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "(org_id = $1 AND term = ${} AND contact_id = ${})",
                        2 + 2 * i,
                        3 + 2 * i
                    )
                })
                .collect();
            let sql = format!("DELETE FROM contact_terms WHERE {}", keys.join(" OR "));
            let mut q = sqlx::query(&sql).bind(org.0);
            for (id, term) in chunk {
                q = q.bind(term.as_str()).bind(id.0);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Records a change of a contact's mobile number or email address.
    pub(crate) async fn record_change(
        conn: &mut DB::Connection,
        contact: &Contact,
        field: ChangedField,
        old: Option<&str>,
        new: Option<&str>,
        technician: Option<TechnicianId>,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contact_changes (org_id, contact_id, field, old_value, new_value, \
             technician_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(contact.org_id.0)
        .bind(contact.id.0)
        .bind(field.as_str())
        .bind(old)
        .bind(new)
        .bind(technician.map(|t| t.0))
        .bind(at.0)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_lists_number_every_parameter() {
        assert_eq!(value_lists(2, 3, 1), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(value_lists(1, 2, 4), "($4, $5)");
        assert_eq!(row_lists::<sqlx::Sqlite>(2, 2), "(?, ?), (?, ?)");
        assert_eq!(row_lists::<sqlx::Postgres>(2, 2), "($1, $2), ($3, $4)");
    }
}
