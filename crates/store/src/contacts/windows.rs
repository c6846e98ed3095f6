//! Broad searches in name order, in windows of the search terms (issue #5: search p99 at a
//! million contacts).
//!
//! A token is broad when it matches more than `BROAD_TERMS` terms, e.g. the first letters of a
//! common given name. Walking the contacts in name order from the cursor and testing each is
//! cheap when the matches are spread through the order (a surname prefix), but a given name
//! starts the name key, so its matches are one block of the order and the walk crosses every
//! contact sorted before it (up to the whole org) before it finds the first.
//!
//! Instead, every term row carries its contact's name key (migration 0015), so the next
//! matches in name order come from the first token's ranges alone: one scan of the ranges'
//! index entries with a top-N sort (SQLite keeps at most N rows in its sorter; PostgreSQL does
//! an index-only scan and a top-N heapsort), no contact row read. That window's contacts are
//! then filtered like any search (the other tokens, source, removed and disabled) and sorted.
//! When the filters leave the page short, the next window starts after the last candidate;
//! after [`WINDOW_ROUNDS`] windows the matches are evidently sparse, so the rest of the page
//! comes from the walk, starting where the windows stopped.

use crate::StoreResult;
use crate::contacts::sql::{MAX_CONTACT_PAGE, Param, Plan, bind_params, search_sql};
use crate::sql::sql_impl;
use crate::sql::{SqlStore, page_size};
use crate::{Contact, ContactCursor, ContactQuery, ContactSort};
use countersign_domain::OrgId;
use countersign_domain::search::Token;
use uuid::Uuid;

/// Windows tried before walking (see the module documentation).
const WINDOW_ROUNDS: usize = 4;

/// Candidates per window for a page of `limit`: twice the page, so the usual few removed or
/// disabled contacts among them still leave a full page.
fn window_size(limit: i64) -> i64 {
    2 * limit + 16
}

/// The next `size` `(name_key, contact_id)` of `token`'s term rows after `after` in name
/// order (descending: before it, in reverse order). A contact matching through several terms
/// appears once per term.
fn window_sql(
    org: OrgId,
    token: &Token,
    after: Option<&ContactCursor>,
    descending: bool,
    size: i64,
) -> (String, Vec<Param>) {
    let mut params = vec![Param::Id(org.0)];
    let next = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        format!("${}", params.len())
    };
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let keyset = after.map(|a| {
        let key = next(&mut params, Param::Text(a.key.clone()));
        let id = next(&mut params, Param::Id(a.id.0));
        format!(" AND (t.name_key, t.contact_id) {cmp} ({key}, {id})")
    });
    let ranges: Vec<String> = token
        .ranges()
        .into_iter()
        .map(|(low, high)| {
            let low = next(&mut params, Param::Text(low));
            let high = next(&mut params, Param::Text(high));
            format!(
                "SELECT t.name_key, t.contact_id FROM contact_terms t \
                 WHERE t.org_id = $1 AND t.term >= {low} AND t.term < {high}{}",
                keyset.as_deref().unwrap_or("")
            )
        })
        .collect();
    let size = next(&mut params, Param::Int(size));
    let sql = format!(
        "SELECT w.name_key, w.contact_id FROM ({}) w \
         ORDER BY w.name_key {dir}, w.contact_id {dir} LIMIT {size}",
        ranges.join(" UNION ALL ")
    );
    (sql, params)
}

sql_impl! {
impl SqlStore<DB> {
    /// A page of a search whose tokens are all broad, in name order over the whole org
    /// (see the module documentation); `walk` is the plan for sparse matches.
    pub(crate) async fn search_in_windows(
        &self,
        org: OrgId,
        query: &ContactQuery,
        walk: Plan,
    ) -> StoreResult<Vec<Contact>> {
        let limit = page_size(query.limit, MAX_CONTACT_PAGE);
        let Some(first) = query.tokens.first() else {
            return self
                .fetch_contacts(search_sql(org, query, walk, None))
                .await;
        };
        let descending = query.sort == ContactSort::NameDesc;
        let size = window_size(limit);
        let mut found = Vec::new();
        let mut after = query.after.clone();
        for _ in 0..WINDOW_ROUNDS {
            if found.len() as i64 >= limit {
                return Ok(found);
            }
            let (sql, params) = window_sql(org, first, after.as_ref(), descending, size);
            let q = bind_params(sqlx::query_as::<DB, (String, Uuid)>(&sql), params);
            let window = q.fetch_all(&mut *self.reads.acquire().await?).await?;
            let Some((last_key, last_id)) = window.last().cloned() else {
                return Ok(found);
            };
            // A contact's term rows are adjacent in the window (same key, same id).
            let mut ids: Vec<Uuid> = window.iter().map(|(_, id)| *id).collect();
            ids.dedup();
            let rest = ContactQuery {
                after: after.clone(),
                limit: limit - found.len() as i64,
                ..query.clone()
            };
            found.extend(
                self.fetch_contacts(search_sql(org, &rest, Plan::Matches, Some(&ids)))
                    .await?,
            );
            if (window.len() as i64) < size {
                // The ranges hold no more matches.
                return Ok(found);
            }
            after = Some(ContactCursor {
                key: last_key,
                id: last_id.into(),
            });
        }
        if found.len() as i64 >= limit {
            return Ok(found);
        }
        let rest = ContactQuery {
            after,
            limit: limit - found.len() as i64,
            ..query.clone()
        };
        found.extend(
            self.fetch_contacts(search_sql(org, &rest, walk, None))
                .await?,
        );
        Ok(found)
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign_domain::ContactId;
    use countersign_domain::search::parse_query;

    #[test]
    fn a_window_reads_only_the_tokens_terms_from_the_cursor() {
        let token = &parse_query("0101")[0];
        let after = ContactCursor {
            key: "ann smith".into(),
            id: ContactId::new(),
        };
        let (sql, params) = window_sql(OrgId::new(), token, Some(&after), true, 116);
        assert_eq!(params.len(), 8, "{sql}");
        assert_eq!(
            sql,
            "SELECT w.name_key, w.contact_id FROM (SELECT t.name_key, t.contact_id FROM \
             contact_terms t WHERE t.org_id = $1 AND t.term >= $4 AND t.term < $5 AND \
             (t.name_key, t.contact_id) < ($2, $3) UNION ALL SELECT t.name_key, t.contact_id \
             FROM contact_terms t WHERE t.org_id = $1 AND t.term >= $6 AND t.term < $7 AND \
             (t.name_key, t.contact_id) < ($2, $3)) w ORDER BY w.name_key DESC, \
             w.contact_id DESC LIMIT $8"
        );
        let (sql, params) = window_sql(OrgId::new(), &parse_query("ann")[0], None, false, 1);
        assert_eq!(params.len(), 4);
        assert!(
            sql.ends_with("ORDER BY w.name_key ASC, w.contact_id ASC LIMIT $4"),
            "{sql}"
        );
        assert_eq!(window_size(50), 116);
    }
}
