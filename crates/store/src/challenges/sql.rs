//! [`ChallengeStore`] for both backends: verifications in progress. Every state change is
//! one conditional `UPDATE … WHERE status = 'pending' AND expires_at > now`, so racing
//! requests (two approvals, a flood of guesses) cannot both win.

use crate::sql::{SqlStore, changed, page_size};
use crate::sql::{corrupt, sql_impl};
use crate::{
    Challenge, ClaimedAttempt, LimitHit, LinkAnswer, NewChallenge, RecipientFailures, SendLimits,
    VerificationSettings,
};
use crate::{ChallengeStore, StoreError, StoreResult};
use crate::{Verification, VerificationMethod, VerificationStatus};
use countersign_domain::{OrgId, Timestamp, VerificationId};
use uuid::Uuid;

/// Columns of [`ChallengeRow`], `v` being `verifications`.
const CHALLENGE_COLUMNS: &str = "v.id, v.org_id, v.contact_id, v.technician_id, v.method, \
     v.channel, v.destination_masked, v.status, v.at, v.expires_at, v.completed_at, \
     v.secret_hash, v.key_id, v.attempts, v.match_number, v.match_choices, v.recipient_key, \
     v.pod_contact_id, v.note, v.typed_destination, t.name AS technician_name";

const CHALLENGE_FROM: &str = "FROM verifications v LEFT JOIN technicians t \
     ON t.org_id = v.org_id AND t.id = v.technician_id";

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    id: Uuid,
    org_id: Uuid,
    contact_id: Uuid,
    technician_id: Option<Uuid>,
    method: String,
    channel: String,
    destination_masked: String,
    status: String,
    at: i64,
    expires_at: i64,
    completed_at: Option<i64>,
    secret_hash: Option<Vec<u8>>,
    key_id: String,
    attempts: i64,
    match_number: Option<i64>,
    match_choices: String,
    recipient_key: Option<Vec<u8>>,
    pod_contact_id: Option<Uuid>,
    note: String,
    typed_destination: i64,
    technician_name: Option<String>,
}

impl TryFrom<ChallengeRow> for Challenge {
    type Error = StoreError;
    fn try_from(r: ChallengeRow) -> StoreResult<Self> {
        Ok(Self {
            verification: Verification {
                id: r.id.into(),
                org_id: r.org_id.into(),
                contact_id: r.contact_id.into(),
                technician_id: r.technician_id.map(Into::into),
                method: VerificationMethod::parse(&r.method)
                    .ok_or_else(|| corrupt("verification method", &r.method))?,
                channel: r.channel,
                destination_masked: r.destination_masked,
                status: VerificationStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("verification status", &r.status))?,
                at: Timestamp(r.at),
            },
            expires_at: Timestamp(r.expires_at),
            completed_at: r.completed_at.map(Timestamp),
            secret_hash: r.secret_hash.unwrap_or_default(),
            key_id: r.key_id,
            attempts: r.attempts,
            match_number: r.match_number,
            match_choices: r
                .match_choices
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect(),
            recipient_key: r.recipient_key.unwrap_or_default(),
            pod_contact_id: r.pod_contact_id.map(Into::into),
            note: r.note,
            typed_destination: r.typed_destination != 0,
            technician_name: r.technician_name,
        })
    }
}

/// Send-count buckets older than this are purged: no window reaches back that far.
const SEND_COUNT_KEEP_MS: i64 = 25 * 3_600_000;

/// The advisory-lock key of an org's verification starts (PostgreSQL).
fn org_lock_key(org: OrgId) -> i64 {
    crate::sql::org_lock_key(org, 0x5645_5249_4659_0001)
}

/// secret_hash, key_id, attempts, recipient_key, recipient failures of a claimed attempt.
type AttemptRow = (Option<Vec<u8>>, String, i64, Option<Vec<u8>>, i64, bool);

type SettingsRow = (i64, i64, i64, i64, i64, i64, i64, i64);

sql_impl! {
impl ChallengeStore for SqlStore<DB> {
    async fn verification_settings(&self, org: OrgId) -> StoreResult<VerificationSettings> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT code_minutes, link_minutes, per_recipient_10min, per_technician_hour, \
             per_org_day, require_note_for_other, updated_at, secret_max_hours \
             FROM verification_settings WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(match row {
            None => VerificationSettings::defaults(org),
            Some((code, link, recipient, technician, day, note, updated_at, secret_hours)) => {
                VerificationSettings {
                    org_id: org,
                    code_minutes: code,
                    link_minutes: link,
                    per_recipient_10min: recipient,
                    per_technician_hour: technician,
                    per_org_day: day,
                    require_note_for_other: note != 0,
                    secret_max_hours: secret_hours,
                    updated_at: Some(Timestamp(updated_at)),
                }
            }
        })
    }

    async fn save_verification_settings(&self, s: &VerificationSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO verification_settings (org_id, code_minutes, link_minutes, \
             per_recipient_10min, per_technician_hour, per_org_day, require_note_for_other, \
             updated_at, secret_max_hours) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (org_id) DO UPDATE SET code_minutes = excluded.code_minutes, \
             link_minutes = excluded.link_minutes, \
             per_recipient_10min = excluded.per_recipient_10min, \
             per_technician_hour = excluded.per_technician_hour, \
             per_org_day = excluded.per_org_day, \
             require_note_for_other = excluded.require_note_for_other, \
             updated_at = excluded.updated_at, secret_max_hours = excluded.secret_max_hours",
        )
        .bind(s.org_id.0)
        .bind(s.code_minutes)
        .bind(s.link_minutes)
        .bind(s.per_recipient_10min)
        .bind(s.per_technician_hour)
        .bind(s.per_org_day)
        .bind(i64::from(s.require_note_for_other))
        .bind(s.updated_at.map_or(0, |t| t.0))
        .bind(s.secret_max_hours)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn start_challenge(
        &self,
        c: &NewChallenge,
        limits: &SendLimits,
    ) -> StoreResult<Result<(), LimitHit>> {
        let mut writer = self.pool.acquire().await?;
        if DB::MULTI_STATEMENT_QUERIES {
            return Ok(
                match Self::start_in_one_query(&mut writer, c, limits).await? {
                    Some(hit) => Err(hit),
                    None => Ok(()),
                },
            );
        }
        let mut tx = DB::begin_write(&mut writer).await?;
        DB::lock_key(&mut tx, org_lock_key(c.verification.org_id)).await?;
        if let Some(hit) = Self::start_in_steps(&mut tx, c, limits).await? {
            return Ok(Err(hit));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn next_send_at(
        &self,
        c: &NewChallenge,
        limits: &SendLimits,
        hit: LimitHit,
    ) -> StoreResult<Option<Timestamp>> {
        let mut conn = self.reads.acquire().await?;
        Self::next_send(&mut conn, c, limits, hit).await
    }

    async fn challenge(&self, org: OrgId, id: VerificationId) -> StoreResult<Challenge> {
        let sql = format!(
            "SELECT {CHALLENGE_COLUMNS} {CHALLENGE_FROM} WHERE v.org_id = $1 AND v.id = $2"
        );
        let row: Option<ChallengeRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    async fn challenge_by_link(&self, token_hash: &[u8]) -> StoreResult<Option<Challenge>> {
        let sql = format!(
            "SELECT {CHALLENGE_COLUMNS} {CHALLENGE_FROM} WHERE v.secret_hash = $1 \
             AND v.method IN ('sms_link', 'email_link')"
        );
        let row: Option<ChallengeRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn claim_attempt(
        &self,
        org: OrgId,
        id: VerificationId,
        now: Timestamp,
        max_attempts: i64,
    ) -> StoreResult<Option<ClaimedAttempt>> {
        let row: Option<AttemptRow> = sqlx::query_as(
            "UPDATE verifications SET attempts = attempts + 1 WHERE org_id = $1 AND id = $2 \
             AND status = 'pending' AND expires_at > $3 AND attempts < $4 \
             AND method IN ('sms_code', 'email_code') \
             RETURNING secret_hash, key_id, attempts, recipient_key, \
             (SELECT COALESCE(MAX(f.failures), 0) FROM verification_recipient_failures f \
              WHERE f.org_id = $1 AND f.recipient_key = verifications.recipient_key), \
             EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.org_id = $1 \
              AND e.enabled = TRUE)",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(now.0)
        .bind(max_attempts)
        .fetch_optional(&mut *self.pool.acquire().await?)
        .await?;
        Ok(row.map(
            |(hash, key_id, attempts, recipient, failures, webhooks)| ClaimedAttempt {
                secret_hash: hash.unwrap_or_default(),
                key_id,
                attempts,
                recipient_key: recipient.unwrap_or_default(),
                recipient_failures: failures,
                org_has_webhooks: webhooks,
            },
        ))
    }

    async fn finish_challenge(
        &self,
        org: OrgId,
        id: VerificationId,
        status: VerificationStatus,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE verifications SET status = $3, completed_at = $4 WHERE org_id = $1 \
             AND id = $2 AND status = 'pending' AND expires_at > $4",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(status.as_str())
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&result))
    }

    async fn answer_link(
        &self,
        org: OrgId,
        id: VerificationId,
        answer: LinkAnswer,
        now: Timestamp,
    ) -> StoreResult<Option<VerificationStatus>> {
        // A wrong number fails the link at once: a scanner or a person who was not on the
        // call can only guess, and one guess is all they get.
        let (sql, pick) = match answer {
            LinkAnswer::Approve(n) => (
                "UPDATE verifications SET status = CASE WHEN match_number = $4 \
                 THEN 'verified' ELSE 'failed' END, completed_at = $3, attempts = attempts + 1 \
                 WHERE org_id = $1 AND id = $2 AND status = 'pending' AND expires_at > $3 \
                 AND method IN ('sms_link', 'email_link') RETURNING status",
                n,
            ),
            LinkAnswer::Deny => (
                "UPDATE verifications SET status = 'denied', completed_at = $3 \
                 WHERE org_id = $1 AND id = $2 AND status = 'pending' AND expires_at > $3 \
                 AND method IN ('sms_link', 'email_link') AND $4 = 0 RETURNING status",
                0,
            ),
        };
        let row: Option<(String,)> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .bind(now.0)
            .bind(pick)
            .fetch_optional(&mut *self.pool.acquire().await?)
            .await?;
        row.map(|(s,)| VerificationStatus::parse(&s).ok_or_else(|| corrupt("status", &s)))
            .transpose()
    }

    async fn expire_challenges(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Challenge>> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let ids: Vec<(Uuid,)> = sqlx::query_as(
            "UPDATE verifications SET status = 'expired', completed_at = $1 WHERE id IN \
             (SELECT id FROM verifications WHERE status = 'pending' AND expires_at <= $1 \
             LIMIT $2) AND status = 'pending' RETURNING id",
        )
        .bind(now.0)
        .bind(page_size(limit, 1000))
        .fetch_all(&mut *tx)
        .await?;
        // Send counts no limit window reaches any more (the table holds a few dozen rows per
        // technician, so the scan is small).
        sqlx::query("DELETE FROM verification_send_counts WHERE bucket_start < $1")
            .bind(now.0 - SEND_COUNT_KEEP_MS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            let sql = format!("SELECT {CHALLENGE_COLUMNS} {CHALLENGE_FROM} WHERE v.id = $1");
            let row: Option<ChallengeRow> = sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
            if let Some(row) = row {
                out.push(row.try_into()?);
            }
        }
        Ok(out)
    }

    async fn record_recipient_failure(
        &self,
        org: OrgId,
        recipient_key: &[u8],
        at: Timestamp,
    ) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "INSERT INTO verification_recipient_failures (org_id, recipient_key, failures, \
             last_failed_at) VALUES ($1, $2, 1, $3) ON CONFLICT (org_id, recipient_key) \
             DO UPDATE SET failures = verification_recipient_failures.failures + 1, \
             last_failed_at = excluded.last_failed_at RETURNING failures",
        )
        .bind(org.0)
        .bind(recipient_key)
        .bind(at.0)
        .fetch_one(&mut *self.pool.acquire().await?)
        .await?;
        Ok(n)
    }

    async fn recipient_failures(
        &self,
        org: OrgId,
        recipient_key: &[u8],
    ) -> StoreResult<Option<RecipientFailures>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT failures, last_failed_at FROM verification_recipient_failures \
             WHERE org_id = $1 AND recipient_key = $2",
        )
        .bind(org.0)
        .bind(recipient_key)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(row.map(|(failures, last)| RecipientFailures {
            failures,
            last_failed_at: Timestamp(last),
        }))
    }

    async fn clear_recipient_failures(&self, org: OrgId, recipient_key: &[u8]) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM verification_recipient_failures WHERE org_id = $1 AND recipient_key = $2",
        )
        .bind(org.0)
        .bind(recipient_key)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }
}
}
