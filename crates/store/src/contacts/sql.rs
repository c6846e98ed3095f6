//! [`ContactStore`] for both backends: reads, manual writes and search. The sync upsert is in
//! `sync.rs`, the shared writes in `writes.rs`.
//!
//! # Search
//!
//! Each query token is one or two prefix ranges over `contact_terms` (see
//! crates/domain/src/search.rs); the contacts whose ids are in every token's ranges are then
//! filtered and ordered by the sort key and id, which is also the keyset: the next page starts
//! strictly after the last `(key, id)` of the previous one, so rows written meanwhile never
//! shift a page.
//!
//! Three plans: when some token matches few terms (a capped count, at most [`BROAD_TERMS`]),
//! its matches are fetched and sorted. When every token is broad (a name prefix can match a
//! few percent of an org) and the list is in name order over the whole org, the page is found
//! in windows of the first token's terms, which carry the name key (`windows.rs`).
//! Otherwise (a customer's contacts, or email order) the contacts are walked in sort order
//! from the cursor through `(org_id, key, id)` and each is tested against the tokens'
//! matches, which stops after one page. SQLite is told so (`+c.id`, so the primary key does
//! not drive, and `INDEXED BY`); PostgreSQL's planner finds the ordered walk with a hash
//! semi-join itself.

use crate::contacts::rows::{
    ChangeRow, ContactRow, change_from, contact_columns, contacts_from, terms_of,
};
use crate::sql::sql_impl;
use crate::sql::{Dialect, SqlStore, expect_changed, page_size};
use crate::{
    ChangedField, Contact, ContactChange, ContactEdit, ContactQuery, ContactSort, SourceKind,
    SyncedContact, UpsertOutcome,
};
use crate::{ContactStore, StoreResult};
use countersign_domain::{ContactId, CustomerId, OrgId, TechnicianId, Timestamp};
use uuid::Uuid;

/// Most contacts one `search_contacts` call returns.
pub const MAX_CONTACT_PAGE: i64 = 500;

/// Above this many matching terms, a token is broad (see the module documentation).
const BROAD_TERMS: i64 = 2000;

/// A value bound to the search statement, in placeholder order.
pub(crate) enum Param {
    Id(Uuid),
    Text(String),
    Int(i64),
}

sql_impl! {
/// Binds `params` to `q`, in order.
pub(crate) fn bind_params<'q, DB, O>(
    mut q: sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>>,
    params: Vec<Param>,
) -> sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>> {
    for p in params {
        q = match p {
            Param::Id(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
            Param::Int(v) => q.bind(v),
        };
    }
    q
}
}

/// How the search statement is planned (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// From the matches of the tokens.
    Matches,
    /// Walking the contacts in sort order, spelled out to the planner
    /// ([`Dialect::HINT_ORDERED_WALK`]).
    WalkHinted,
    /// Walking the contacts in sort order, left to the planner.
    Walk,
}

/// How this backend walks the contacts in sort order (see the module documentation).
fn walk_plan<DB: Dialect>() -> Plan {
    if DB::HINT_ORDERED_WALK {
        Plan::WalkHinted
    } else {
        Plan::Walk
    }
}

/// Counts the terms in a token's ranges, up to [`BROAD_TERMS`] + 1 per range.
fn count_sql(ranges: usize) -> String {
    let counts: Vec<String> = (0..ranges)
        .map(|i| {
            format!(
                "(SELECT count(*) FROM (SELECT 1 FROM contact_terms WHERE org_id = $1 \
                 AND term >= ${} AND term < ${} LIMIT {}) r{i})",
                2 + 2 * i,
                3 + 2 * i,
                BROAD_TERMS + 1
            )
        })
        .collect();
    format!("SELECT {}", counts.join(" + "))
}

/// The search statement and its parameters (`$1` is the org). With `window`, the first
/// token's matches are those ids (see `windows.rs`).
pub(crate) fn search_sql(
    org: OrgId,
    q: &ContactQuery,
    plan: Plan,
    window: Option<&[Uuid]>,
) -> (String, Vec<Param>) {
    let (column, descending) = match q.sort {
        ContactSort::NameAsc => ("name_key", false),
        ContactSort::NameDesc => ("name_key", true),
        ContactSort::EmailAsc => ("email_key", false),
        ContactSort::EmailDesc => ("email_key", true),
    };
    let mut sql = concat!("SELECT ", contact_columns!(), " FROM contacts c").to_owned();
    if plan == Plan::WalkHinted && q.customer.is_none() {
        sql.push_str(&format!(" INDEXED BY contacts_org_id_{column}_idx"));
    }
    sql.push_str(" WHERE c.org_id = $1");
    let mut params = vec![Param::Id(org.0)];
    let next = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        format!("${}", params.len())
    };
    let member = if plan == Plan::WalkHinted {
        "+c.id"
    } else {
        "c.id"
    };
    let mut tokens = q.tokens.iter();
    if let Some(ids) = window {
        tokens.next();
        let list: Vec<String> = ids
            .iter()
            .map(|id| next(&mut params, Param::Id(*id)))
            .collect();
        sql.push_str(&format!(" AND c.id IN ({})", list.join(", ")));
    }
    for token in tokens {
        let ranges: Vec<String> = token
            .ranges()
            .into_iter()
            .map(|(low, high)| {
                let low = next(&mut params, Param::Text(low));
                let high = next(&mut params, Param::Text(high));
                format!(
                    "SELECT t.contact_id FROM contact_terms t \
                     WHERE t.org_id = $1 AND t.term >= {low} AND t.term < {high}"
                )
            })
            .collect();
        sql.push_str(&format!(
            " AND {member} IN ({})",
            ranges.join(" UNION ALL ")
        ));
    }
    if let Some(customer) = q.customer {
        let p = next(&mut params, Param::Id(customer.0));
        sql.push_str(&format!(" AND c.customer_id = {p}"));
    }
    if let Some(source) = q.source {
        let p = next(&mut params, Param::Text(source.as_str().to_owned()));
        sql.push_str(&format!(" AND c.source = {p}"));
    }
    // A contact of an unlinked source is hidden even from "include inactive" (issue 21.6).
    sql.push_str(" AND c.unlinked_at IS NULL");
    if !q.include_inactive {
        sql.push_str(" AND c.removed_at IS NULL AND c.account_enabled = TRUE");
    }
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = &q.after {
        let key = next(&mut params, Param::Text(after.key.clone()));
        let id = next(&mut params, Param::Id(after.id.0));
        sql.push_str(&format!(" AND (c.{column}, c.id) {cmp} ({key}, {id})"));
    }
    let limit = next(
        &mut params,
        Param::Int(page_size(q.limit, MAX_CONTACT_PAGE)),
    );
    sql.push_str(&format!(
        " ORDER BY c.{column} {dir}, c.id {dir} LIMIT {limit}"
    ));
    (sql, params)
}

sql_impl! {
impl SqlStore<DB> {
    /// Whether some token of the query is narrow (see the module documentation).
    async fn search_plan(&self, org: OrgId, query: &ContactQuery) -> StoreResult<Plan> {
        if query.tokens.is_empty() {
            return Ok(Plan::Matches);
        }
        for token in &query.tokens {
            let ranges = token.ranges();
            let sql = count_sql(ranges.len());
            let mut q = sqlx::query_as::<DB, (i64,)>(&sql).bind(org.0);
            for (low, high) in ranges {
                q = q.bind(low).bind(high);
            }
            let (count,) = q.fetch_one(&mut *self.reads.acquire().await?).await?;
            if count <= BROAD_TERMS {
                return Ok(Plan::Matches);
            }
        }
        Ok(walk_plan::<DB>())
    }
}
}

sql_impl! {
impl SqlStore<DB> {
    /// Runs a statement of [`search_sql`] on a read connection.
    pub(crate) async fn fetch_contacts(
        &self,
        (sql, params): (String, Vec<Param>),
    ) -> StoreResult<Vec<Contact>> {
        let q = bind_params(sqlx::query_as::<DB, ContactRow>(&sql), params);
        contacts_from(q.fetch_all(&mut *self.reads.acquire().await?).await?)
    }
}
}

sql_impl! {
impl ContactStore for SqlStore<DB> {
    async fn create_contact(&self, contact: &Contact) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // The composite foreign key refuses another org's customer; say NotFound, as a
        // lookup of that customer would.
        let known: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM customers WHERE org_id = $1 AND id = $2")
                .bind(contact.org_id.0)
                .bind(contact.customer_id.0)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(crate::StoreError::NotFound);
        }
        Self::insert_contacts(&mut *tx, std::slice::from_ref(contact)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn contact(&self, org: OrgId, id: ContactId) -> StoreResult<Contact> {
        let sql = concat!(
            "SELECT ",
            contact_columns!(),
            " FROM contacts WHERE org_id = $1 AND id = $2"
        );
        let row: ContactRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn update_contact(
        &self,
        org: OrgId,
        id: ContactId,
        edit: &ContactEdit,
        technician: Option<TechnicianId>,
        at: Timestamp,
    ) -> StoreResult<Contact> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let sql = concat!(
            "SELECT ",
            contact_columns!(),
            " FROM contacts WHERE org_id = $1 AND id = $2"
        );
        let row: ContactRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        let before = Contact::try_from(row)?;
        let mobile_changed = before.mobile_e164 != edit.mobile_e164;
        let email_changed = before.email != edit.email;
        let after = Contact {
            given_name: edit.given_name.clone(),
            surname: edit.surname.clone(),
            display_name: edit.display_name.clone(),
            email: edit.email.clone(),
            mobile: edit.mobile.clone(),
            mobile_e164: edit.mobile_e164.clone(),
            job_title: edit.job_title.clone(),
            department: edit.department.clone(),
            phone_changed_at: if mobile_changed {
                Some(at)
            } else {
                before.phone_changed_at
            },
            updated_at: at,
            ..before.clone()
        };
        Self::rewrite_contact(&mut *tx, &before, &after).await?;
        if mobile_changed {
            Self::record_change(
                &mut *tx,
                &after,
                ChangedField::Mobile,
                before.mobile_e164.as_deref(),
                after.mobile_e164.as_deref(),
                technician,
                at,
            )
            .await?;
        }
        if email_changed {
            Self::record_change(
                &mut *tx,
                &after,
                ChangedField::Email,
                before.email.as_deref(),
                after.email.as_deref(),
                technician,
                at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    async fn delete_contact(&self, org: OrgId, id: ContactId) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let sql = concat!(
            "SELECT ",
            contact_columns!(),
            " FROM contacts WHERE org_id = $1 AND id = $2"
        );
        let row: ContactRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        let contact = Contact::try_from(row)?;
        let terms: Vec<(ContactId, String)> =
            terms_of(&contact).into_iter().map(|t| (id, t)).collect();
        Self::delete_terms(&mut *tx, org, &terms).await?;
        for table in ["contact_changes", "verifications"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE org_id = $1 AND contact_id = $2"
            ))
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        let done = sqlx::query("DELETE FROM contacts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        expect_changed::<DB>(&done)?;
        tx.commit().await?;
        Ok(())
    }

    async fn search_contacts(&self, org: OrgId, query: &ContactQuery) -> StoreResult<Vec<Contact>> {
        let plan = self.search_plan(org, query).await?;
        let by_name = matches!(query.sort, ContactSort::NameAsc | ContactSort::NameDesc);
        if plan != Plan::Matches && by_name && query.customer.is_none() {
            return self.search_in_windows(org, query, plan).await;
        }
        self.fetch_contacts(search_sql(org, query, plan, None))
            .await
    }

    async fn upsert_synced_contacts(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
        batch: &[SyncedContact],
        at: Timestamp,
    ) -> StoreResult<UpsertOutcome> {
        self.upsert_batch(org, customer, source, batch, at).await
    }

    async fn contact_changes(
        &self,
        org: OrgId,
        id: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<ContactChange>> {
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT field, old_value, new_value, technician_id, at FROM contact_changes \
             WHERE org_id = $1 AND contact_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(page_size(limit, MAX_CONTACT_PAGE))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        rows.into_iter().map(change_from).collect()
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign_domain::search::parse_query;

    #[test]
    fn search_statement_numbers_its_parameters_in_order() {
        let q = ContactQuery {
            tokens: parse_query("ann 0101"),
            customer: Some(CustomerId::new()),
            sort: ContactSort::NameDesc,
            after: Some(crate::ContactCursor {
                key: "ann".into(),
                id: ContactId::new(),
            }),
            limit: 50,
            ..ContactQuery::default()
        };
        let (sql, params) = search_sql(OrgId::new(), &q, Plan::Matches, None);
        assert_eq!(params.len(), 11);
        assert!(sql.contains("t.term >= $2 AND t.term < $3"), "{sql}");
        assert!(
            sql.contains("t.term >= $4 AND t.term < $5 UNION ALL"),
            "{sql}"
        );
        assert!(sql.contains("t.term >= $6 AND t.term < $7"), "{sql}");
        assert!(sql.contains("c.customer_id = $8"), "{sql}");
        assert!(sql.contains("(c.name_key, c.id) < ($9, $10)"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY c.name_key DESC, c.id DESC LIMIT $11"),
            "{sql}"
        );
        assert!(sql.contains("removed_at IS NULL"), "{sql}");
        assert!(!sql.contains("INDEXED BY"), "{sql}");
    }

    #[test]
    fn only_sqlite_is_told_how_to_walk() {
        assert_eq!(walk_plan::<sqlx::Sqlite>(), Plan::WalkHinted);
        assert_eq!(walk_plan::<sqlx::Postgres>(), Plan::Walk);
    }

    #[test]
    fn walking_plans_say_so_on_sqlite() {
        let q = ContactQuery {
            tokens: parse_query("ann"),
            sort: ContactSort::EmailAsc,
            limit: 50,
            ..ContactQuery::default()
        };
        let (sql, _) = search_sql(OrgId::new(), &q, Plan::WalkHinted, None);
        assert!(
            sql.contains("FROM contacts c INDEXED BY contacts_org_id_email_key_idx WHERE"),
            "{sql}"
        );
        assert!(sql.contains("AND +c.id IN (SELECT"), "{sql}");
        let (sql, _) = search_sql(OrgId::new(), &q, Plan::Walk, None);
        assert!(
            sql.contains("AND c.id IN (SELECT") && !sql.contains("INDEXED"),
            "{sql}"
        );
        assert_eq!(
            count_sql(2),
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM contact_terms WHERE org_id = $1 \
             AND term >= $2 AND term < $3 LIMIT 2001) r0) + (SELECT count(*) FROM (SELECT 1 \
             FROM contact_terms WHERE org_id = $1 AND term >= $4 AND term < $5 LIMIT 2001) r1)"
        );
    }
}
