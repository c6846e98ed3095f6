//! Starting a verification ([`crate::ChallengeStore::start_challenge`]): the send limits, the
//! new verification superseding the contact's pending ones, its message and delivery job, and
//! the send counts, all in the caller's write transaction.
//!
//! Two ways to the same rows. PostgreSQL runs the steps one statement at a time. SQLite runs
//! them as **one** multi-statement query, its own transaction included (`BEGIN IMMEDIATE` …
//! `COMMIT`), whose inserts are conditional on the limits: its single write connection
//! serialises every writer of the process, and each statement is a hand-off to that
//! connection's thread and back, so a start that takes one hand-off instead of nine holds the
//! write lock for a fraction of the time (docs/benchmarks.md, verify). sqlx runs every
//! statement of such a query on the connection's thread in one go, binding `$n` by its number
//! across all of them. A failed statement leaves the transaction open: it is rolled back at
//! once, or, if the caller was dropped mid-query, by the next user of the connection
//! ([`crate::sql::conns::Conn::fetch_all_committing`]).

use crate::VerificationStatus;
use crate::sql::SqlStore;
use crate::sql::conns::Conn;
use crate::sql::sql_impl;
use crate::verifications::sql::bind_verification_row;
use crate::{LimitHit, NewChallenge, SendLimits};
use crate::{StoreError, StoreResult};
use countersign_domain::Timestamp;
use sqlx::query::Query;
use sqlx::{Database, Row};

/// Width of a technician's send-count buckets (the window is an hour). The migration that
/// created the table backfilled with the same widths.
pub(crate) const TECHNICIAN_BUCKET_MS: i64 = 60_000;
/// Width of an org's send-count buckets (the window is a day).
pub(crate) const ORG_BUCKET_MS: i64 = 3_600_000;

/// The start of the bucket of width `width` holding `at` (Unix ms).
pub(crate) fn bucket(at: i64, width: i64) -> i64 {
    at.div_euclid(width) * width
}

/// The method text of "who I am" (`VerificationMethod::TechnicianVerification`). Its sends are
/// counted apart from the end-user verifications' (issue 21.3): a technician who reached a
/// verification limit can still tell the contact who they are, and "who I am" uses up no
/// verification. Both kinds have limits of the same sizes, each on its own counts.
const WHO_I_AM: &str = "technician_verification";

/// SQL true when the row's `method` is of the same kind (end-user verification or "who I
/// am") as the method text `param` (a parameter, `$n`).
fn same_kind(param: &str) -> String {
    format!("((method = '{WHO_I_AM}') = ({param} = '{WHO_I_AM}'))")
}

/// SQL for the send-count scope of `base` (`org`, `technician`) for the method text `param`:
/// `who_i_am_org` / `who_i_am_technician` for "who I am".
fn scope_of(param: &str, base: &str) -> String {
    format!("(CASE WHEN {param} = '{WHO_I_AM}' THEN 'who_i_am_{base}' ELSE '{base}' END)")
}

/// The send-count scope of `base` for a send of `method`, as [`scope_of`] computes it in SQL.
pub(crate) fn scope_name(method: crate::VerificationMethod, base: &str) -> String {
    if method.as_str() == WHO_I_AM {
        format!("who_i_am_{base}")
    } else {
        base.to_owned()
    }
}

/// The three send-limit counts. Every send counts, whatever became of it. The recipient
/// window counts its rows (a few at most, by index); the technician and org windows sum
/// send-count buckets (at most 61 and 25 rows), since their rows grow with the org's traffic
/// and this runs under the write lock on every send. A bucket that straddles the window's
/// start counts whole: the limits err on the strict side, never the loose one.
/// Each kind ([`WHO_I_AM`]) counts only its own sends.
/// Parameters: `$1` org, `$2` recipient key, `$3` recipient window start, `$4` technician,
/// `$5` technician bucket start, `$6` org bucket start, `$7` the new send's method.
fn counts_sql() -> String {
    format!(
        "SELECT \
         (SELECT COUNT(*) FROM verifications WHERE org_id = $1 AND recipient_key = $2 \
          AND at > $3 AND {kind}), \
         (SELECT CAST(COALESCE(SUM(sends), 0) AS BIGINT) FROM verification_send_counts \
          WHERE org_id = $1 AND scope = {technician} AND scope_id = $4 \
          AND bucket_start >= $5), \
         (SELECT CAST(COALESCE(SUM(sends), 0) AS BIGINT) FROM verification_send_counts \
          WHERE org_id = $1 AND scope = {org} AND scope_id = $1 AND bucket_start >= $6)",
        kind = same_kind("$7"),
        technician = scope_of("$7", "technician"),
        org = scope_of("$7", "org"),
    )
}

/// The verification's columns, in the order of `$1`…`$18` below (attempts is 0).
const VERIFICATION_COLUMNS: &str = "id, org_id, contact_id, technician_id, method, channel, \
     destination_masked, status, at, expires_at, secret_hash, key_id, attempts, match_number, \
     match_choices, recipient_key, pod_contact_id, note, typed_destination";

/// The one SQLite query, a transaction of its own. Parameters: `$1`–`$18` the verification (`$2` org, `$3` contact,
/// `$4` technician, `$9` at, `$15` recipient key), `$19`–`$24` the limits, `$25`/`$26` the
/// org's and technician's buckets of now, `$27`–`$38` the message, `$39`–`$46` its job. Each
/// statement after the first acts only if the first inserted the verification; the last
/// says whether it did.
fn one_query(pending: bool, message: bool) -> String {
    let made = "EXISTS (SELECT 1 FROM verifications WHERE id = $1)";
    // `$5` is the method: each kind counts only its own sends ([`WHO_I_AM`]).
    let kind = same_kind("$5");
    let technician = scope_of("$5", "technician");
    let org = scope_of("$5", "org");
    let mut sql = format!(
        "BEGIN IMMEDIATE; INSERT INTO verifications ({VERIFICATION_COLUMNS}) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16, $17, \
         $18 WHERE \
         (SELECT COUNT(*) FROM verifications WHERE org_id = $2 AND recipient_key = $15 \
          AND at > $19 AND {kind}) < $20 \
         AND ($4 IS NULL OR (SELECT COALESCE(SUM(sends), 0) FROM verification_send_counts \
          WHERE org_id = $2 AND scope = {technician} AND scope_id = $4 \
          AND bucket_start >= $21) < $22) \
         AND (SELECT COALESCE(SUM(sends), 0) FROM verification_send_counts \
          WHERE org_id = $2 AND scope = {org} AND scope_id = $2 AND bucket_start >= $23) < $24;"
    );
    if pending {
        // One outstanding request per contact: the new one supersedes the pending ones that
        // still work (one whose time is up already expired then, and keeps that time: the
        // sweep marks it so, and the Pod reads it as an unanswered check).
        sql.push_str(&format!(
            " UPDATE verifications SET status = 'expired', expires_at = $9 \
             WHERE org_id = $2 AND contact_id = $3 AND status = 'pending' AND id <> $1 \
             AND expires_at > $9 AND {made};"
        ));
    }
    if message {
        // As with a queued message elsewhere: a repeated idempotency key inserts nothing,
        // and then neither its history nor its job.
        let sent = "EXISTS (SELECT 1 FROM messages WHERE id = $27)";
        sql.push_str(&format!(
            " INSERT INTO messages (id, org_id, channel, template, recipient, subject, \
             body_text, body_html, transport, state, attempts, idempotency_key, created_at, \
             updated_at) SELECT $27, $28, $29, $30, $31, $32, $33, $34, $35, 'queued', 0, $36, \
             $37, $37 WHERE {made} ON CONFLICT (org_id, idempotency_key) DO NOTHING;\
             INSERT INTO message_events (org_id, message_id, at, state, detail) \
             SELECT $28, $27, $37, 'queued', $38 WHERE {sent};\
             INSERT INTO jobs (id, org_id, kind, payload, state, attempts, max_attempts, \
             run_at, dedup_key, created_at, updated_at) \
             SELECT $39, $40, $41, $42, 'queued', 0, $43, $44, $45, $46, $46 WHERE {sent} \
             ON CONFLICT (org_id, dedup_key) DO NOTHING;"
        ));
    }
    sql.push_str(&format!(
        " INSERT INTO verification_send_counts (org_id, scope, scope_id, bucket_start, sends) \
         SELECT $2, {org}, $2, $25, 1 WHERE {made} \
         UNION ALL SELECT $2, {technician}, $4, $26, 1 WHERE $4 IS NOT NULL AND {made} \
         ON CONFLICT (org_id, scope, scope_id, bucket_start) \
         DO UPDATE SET sends = verification_send_counts.sends + 1;\
         SELECT CAST({made} AS BIGINT); COMMIT;"
    ));
    sql
}

sql_impl! {
impl SqlStore<DB> {
    /// Which limit a start would pass, if any, as of the transaction's view.
    pub(crate) async fn limit_hit(
        conn: &mut DB::Connection,
        c: &NewChallenge,
        limits: &SendLimits,
    ) -> StoreResult<Option<LimitHit>> {
        let v = &c.verification;
        let sql = counts_sql();
        let (to_recipient, by_technician, in_org): (i64, i64, i64) = sqlx::query_as(&sql)
            .bind(v.org_id.0)
            .bind(c.recipient_key.as_slice())
            .bind(limits.recipient_since.0)
            .bind(v.technician_id.map(|t| t.0))
            .bind(bucket(limits.technician_since.0, TECHNICIAN_BUCKET_MS))
            .bind(bucket(limits.org_since.0, ORG_BUCKET_MS))
            .bind(v.method.as_str())
            .fetch_one(&mut *conn)
            .await?;
        Ok(if to_recipient >= limits.recipient_max {
            Some(LimitHit::Recipient)
        } else if v.technician_id.is_some() && by_technician >= limits.technician_max {
            Some(LimitHit::Technician)
        } else if in_org >= limits.org_max {
            Some(LimitHit::Org)
        } else {
            None
        })
    }

    /// See [`crate::ChallengeStore::next_send_at`]. The recipient window counts rows: the
    /// limit's `max`-th newest send leaves it one window after it was made. The technician
    /// and org windows sum buckets: a bucket stops counting once the window's start bucket
    /// is past it, so the oldest buckets are dropped until the rest are under the limit.
    pub(crate) async fn next_send(
        conn: &mut DB::Connection,
        c: &NewChallenge,
        limits: &SendLimits,
        hit: LimitHit,
    ) -> StoreResult<Option<Timestamp>> {
        let v = &c.verification;
        let now = v.at.0;
        if hit == LimitHit::Recipient {
            let sql = format!(
                "SELECT at FROM verifications WHERE org_id = $1 AND recipient_key = $2 \
                 AND at > $3 AND {} ORDER BY at DESC LIMIT 1 OFFSET $5",
                same_kind("$4")
            );
            let at: Option<(i64,)> = sqlx::query_as(&sql)
                .bind(v.org_id.0)
                .bind(c.recipient_key.as_slice())
                .bind(limits.recipient_since.0)
                .bind(v.method.as_str())
                .bind((limits.recipient_max - 1).max(0))
                .fetch_optional(&mut *conn)
                .await?;
            let window = now - limits.recipient_since.0;
            return Ok(at.map(|(at,)| Timestamp(at + window)));
        }
        let (base, scope_id, since, max, width) = match hit {
            LimitHit::Technician => match v.technician_id {
                Some(t) => (
                    "technician",
                    t.0,
                    limits.technician_since.0,
                    limits.technician_max,
                    TECHNICIAN_BUCKET_MS,
                ),
                None => return Ok(None),
            },
            _ => ("org", v.org_id.0, limits.org_since.0, limits.org_max, ORG_BUCKET_MS),
        };
        let buckets: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT bucket_start, CAST(sends AS BIGINT) FROM verification_send_counts \
             WHERE org_id = $1 AND scope = $2 AND scope_id = $3 AND bucket_start >= $4 \
             ORDER BY bucket_start",
        )
        .bind(v.org_id.0)
        .bind(scope_name(v.method, base))
        .bind(scope_id)
        .bind(bucket(since, width))
        .fetch_all(&mut *conn)
        .await?;
        Ok(leaves_window(&buckets, max, width, now - since))
    }

    /// SQLite: every write of a start in one query, its transaction included (see the module
    /// documentation). Returns the limit hit, in which case nothing was written.
    pub(crate) async fn start_in_one_query(
        writer: &mut Conn<'_, DB>,
        c: &NewChallenge,
        limits: &SendLimits,
    ) -> StoreResult<Option<LimitHit>> {
        let v = &c.verification;
        let sql = one_query(v.status == VerificationStatus::Pending, c.message.is_some());
        let choices = choices_text(&c.match_choices);
        let mut q = bind_verification(sqlx::query(&sql), c, &choices)
            .bind(limits.recipient_since.0)
            .bind(limits.recipient_max)
            .bind(bucket(limits.technician_since.0, TECHNICIAN_BUCKET_MS))
            .bind(limits.technician_max)
            .bind(bucket(limits.org_since.0, ORG_BUCKET_MS))
            .bind(limits.org_max)
            .bind(bucket(v.at.0, ORG_BUCKET_MS))
            .bind(bucket(v.at.0, TECHNICIAN_BUCKET_MS));
        if let Some((m, job)) = &c.message {
            q = q
                .bind(m.id.0)
                .bind(m.org_id.0)
                .bind(m.channel.as_str())
                .bind(m.template.as_str())
                .bind(m.recipient.as_str())
                .bind(m.subject.as_str())
                .bind(m.body_text.as_str())
                .bind(m.body_html.as_deref())
                .bind(m.transport.as_str())
                .bind(m.idempotency_key.as_str())
                .bind(m.created_at.0)
                .bind("queued")
                .bind(job.id.0)
                .bind(job.org_id.0)
                .bind(job.kind.as_str())
                .bind(job.payload.as_str())
                .bind(job.max_attempts)
                .bind(job.run_at.0)
                .bind(job.dedup_key.as_deref())
                .bind(job.created_at.0);
        }
        let rows = writer
            .fetch_all_committing(q)
            .await
            .map_err(|e| not_found_unless_pkey(e.into()))?;
        // The last statement's one row says whether the verification was made.
        if let Some(row) = rows.last()
            && row.try_get::<i64, _>(0)? == 1
        {
            return Ok(None);
        }
        // Nothing was written: say which limit stopped it.
        Ok(Some(
            Self::limit_hit(&mut **writer, c, limits)
                .await?
                .unwrap_or(LimitHit::Org),
        ))
    }

    /// PostgreSQL: the same writes one statement at a time. Returns the limit hit, in which
    /// case nothing was written.
    pub(crate) async fn start_in_steps(
        conn: &mut DB::Connection,
        c: &NewChallenge,
        limits: &SendLimits,
    ) -> StoreResult<Option<LimitHit>> {
        if let Some(hit) = Self::limit_hit(&mut *conn, c, limits).await? {
            return Ok(Some(hit));
        }
        let v = &c.verification;
        let org = v.org_id;
        if v.status == VerificationStatus::Pending {
            // As in the SQLite query: only those that still work are superseded.
            sqlx::query(
                "UPDATE verifications SET status = 'expired', expires_at = $3 \
                 WHERE org_id = $1 AND contact_id = $2 AND status = 'pending' \
                 AND expires_at > $3",
            )
            .bind(org.0)
            .bind(v.contact_id.0)
            .bind(v.at.0)
            .execute(&mut *conn)
            .await?;
        }
        let choices = choices_text(&c.match_choices);
        let sql = format!(
            "INSERT INTO verifications ({VERIFICATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16, $17, $18)"
        );
        bind_verification(sqlx::query(&sql), c, &choices)
            .execute(&mut *conn)
            .await
            .map_err(|e| not_found_unless_pkey(e.into()))?;
        if let Some((message, job)) = &c.message {
            crate::messages::sql::insert_message::<DB>(&mut *conn, message, Some(job)).await?;
        }
        // The org's bucket and, for a technician's send, theirs, in one statement; each
        // kind's own ([`WHO_I_AM`]).
        let org_bucket = bucket(v.at.0, ORG_BUCKET_MS);
        let upsert = " ON CONFLICT (org_id, scope, scope_id, bucket_start) \
                      DO UPDATE SET sends = verification_send_counts.sends + 1";
        let insert = "INSERT INTO verification_send_counts \
                      (org_id, scope, scope_id, bucket_start, sends) VALUES ($1, $3, $1, $2, 1)";
        let org_scope = scope_name(v.method, "org");
        match v.technician_id {
            Some(t) => {
                sqlx::query(&format!("{insert}, ($1, $4, $5, $6, 1){upsert}"))
                    .bind(org.0)
                    .bind(org_bucket)
                    .bind(org_scope)
                    .bind(scope_name(v.method, "technician"))
                    .bind(t.0)
                    .bind(bucket(v.at.0, TECHNICIAN_BUCKET_MS))
                    .execute(&mut *conn)
                    .await?;
            }
            None => {
                sqlx::query(&format!("{insert}{upsert}"))
                    .bind(org.0)
                    .bind(org_bucket)
                    .bind(org_scope)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(None)
    }
}
}

sql_impl! {
/// Binds the verification's columns as `$1`…`$18`, in [`VERIFICATION_COLUMNS`] order
/// (attempts, always 0, is not a parameter).
fn bind_verification<'q, DB>(
    q: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    c: &'q NewChallenge,
    choices: &'q str,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>> {
    bind_verification_row(q, &c.verification)
        .bind(c.expires_at.0)
        .bind(c.secret_hash.as_slice())
        .bind(c.key_id.as_str())
        .bind(c.match_number)
        .bind(choices)
        .bind(c.recipient_key.as_slice())
        .bind(c.pod_contact_id.map(|p| p.0))
        .bind(c.note.as_str())
        .bind(i64::from(c.typed_destination))
}
}

/// When the sums of `buckets` (start, sends; oldest first) of width `width` fall below `max`
/// in a window of `window` ms: the newest bucket that must leave stops counting once the
/// window starts after it. `None` when they are below it already.
fn leaves_window(buckets: &[(i64, i64)], max: i64, width: i64, window: i64) -> Option<Timestamp> {
    let mut counted: i64 = buckets.iter().map(|(_, n)| n).sum();
    for (start, sends) in buckets {
        if counted < max {
            break;
        }
        counted -= sends;
        if counted < max {
            return Some(Timestamp(start + width + window));
        }
    }
    None
}

/// The number-matching choices as stored: space-separated.
fn choices_text(choices: &[i64]) -> String {
    choices
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A foreign-key refusal of the new verification means the contact (or technician) is not
/// the org's: say `NotFound`, as a lookup would. A repeated id stays a conflict.
fn not_found_unless_pkey(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { constraint } if !constraint.contains("pkey") => StoreError::NotFound,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bucket stops counting once the window starts after it: sends of 2 at 10:00 and 2 at
    /// 10:01 (one-minute buckets, an hour's window) count 2 from 11:01 and none from 11:02.
    #[test]
    fn the_oldest_buckets_leave_first() {
        let min = 60_000;
        let hour = 60 * min;
        let buckets = [(0, 2), (min, 2)];
        assert_eq!(
            leaves_window(&buckets, 3, min, hour),
            Some(Timestamp(min + hour))
        );
        assert_eq!(
            leaves_window(&buckets, 4, min, hour),
            Some(Timestamp(min + hour))
        );
        assert_eq!(
            leaves_window(&buckets, 2, min, hour),
            Some(Timestamp(2 * min + hour))
        );
        assert_eq!(leaves_window(&buckets, 5, min, hour), None);
        // At 11:01 the window's first bucket is 10:01's: 10:00's no longer counts.
        assert_eq!(bucket(min + hour - hour, min), min);
    }

    /// Every parameter the SQLite query names is one the binder supplies, in range.
    #[test]
    fn one_query_numbers_stay_within_the_bound_parameters() {
        let full = one_query(true, true);
        let max = (1..=60)
            .filter(|n| full.contains(&format!("${n}")))
            .max()
            .unwrap_or(0);
        assert_eq!(max, 46, "{full}");
        let bare = one_query(false, false);
        assert!(
            !bare.contains("$27") && !bare.contains("messages"),
            "{bare}"
        );
        assert!(bare.starts_with("BEGIN IMMEDIATE; INSERT INTO verifications"));
        assert!(bare.ends_with(
            "SELECT CAST(EXISTS (SELECT 1 FROM verifications WHERE id = $1) AS BIGINT); COMMIT;"
        ));
    }
}
