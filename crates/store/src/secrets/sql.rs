//! [`SecretStore`] for both backends. A view is claimed by one conditional
//! `UPDATE … WHERE views_left > 0 AND expires_at > now RETURNING …` inside a write
//! transaction (security.md §2.3); the last view deletes the ciphertext and keys before the
//! transaction commits, so a second reveal can never read them.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed, page_size};
use crate::{ClaimedSecret, NewSecret, Secret, SecretKind, SecretState};
use crate::{SecretStore, StoreError, StoreResult};
use countersign_domain::{ContactId, OrgId, SecretId, TechnicianId, Timestamp, VerificationId};
use sqlx::FromRow;
use uuid::Uuid;

/// Columns of [`SecretRow`].
const SECRET_COLUMNS: &str = "id, org_id, kind, technician_id, contact_id, channel, \
     recipient_masked, label, state, envelope IS NOT NULL AS has_envelope, public_key, \
     has_passphrase, require_verification, verification_id, max_views, views_left, \
     notify_on_reveal, created_at, expires_at, opened_at, submitted_at, first_revealed_at, \
     last_revealed_at, last_reveal_ip, ended_at";

/// What ending a link deletes: everything that could decrypt it.
const END_LINK: &str = "envelope = NULL, server_share = NULL, private_key = NULL";

#[derive(sqlx::FromRow)]
struct SecretRow {
    id: Uuid,
    org_id: Uuid,
    kind: String,
    technician_id: Uuid,
    contact_id: Option<Uuid>,
    channel: String,
    recipient_masked: String,
    label: String,
    state: String,
    has_envelope: bool,
    public_key: String,
    has_passphrase: i64,
    require_verification: i64,
    verification_id: Option<Uuid>,
    max_views: i64,
    views_left: i64,
    notify_on_reveal: i64,
    created_at: i64,
    expires_at: i64,
    opened_at: Option<i64>,
    submitted_at: Option<i64>,
    first_revealed_at: Option<i64>,
    last_revealed_at: Option<i64>,
    last_reveal_ip: Option<String>,
    ended_at: Option<i64>,
}

impl TryFrom<SecretRow> for Secret {
    type Error = StoreError;
    fn try_from(r: SecretRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            kind: SecretKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown secret kind {:?}", r.kind)))?,
            technician_id: r.technician_id.into(),
            contact_id: r.contact_id.map(Into::into),
            channel: r.channel,
            recipient_masked: r.recipient_masked,
            label: r.label,
            state: SecretState::parse(&r.state).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown secret state {:?}", r.state))
            })?,
            has_envelope: r.has_envelope,
            public_key: r.public_key,
            has_passphrase: r.has_passphrase != 0,
            require_verification: r.require_verification != 0,
            verification_id: r.verification_id.map(Into::into),
            max_views: r.max_views,
            views_left: r.views_left,
            notify_on_reveal: r.notify_on_reveal != 0,
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            opened_at: r.opened_at.map(Timestamp),
            submitted_at: r.submitted_at.map(Timestamp),
            first_revealed_at: r.first_revealed_at.map(Timestamp),
            last_revealed_at: r.last_revealed_at.map(Timestamp),
            last_reveal_ip: r.last_reveal_ip,
            ended_at: r.ended_at.map(Timestamp),
        })
    }
}

/// envelope, server_share, private_key, views_left of a claimed view.
type ClaimRow = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>, i64);

/// Claims one view (`$1` org, `$2` id, `$3` kind, `$4` now, `$5` the recipient's IP).
const CLAIM: &str = "UPDATE secrets SET views_left = views_left - 1, \
     first_revealed_at = COALESCE(first_revealed_at, $4), last_revealed_at = $4, \
     last_reveal_ip = $5 WHERE org_id = $1 AND id = $2 AND kind = $3 \
     AND state = 'active' AND views_left > 0 AND expires_at > $4 \
     AND envelope IS NOT NULL \
     AND (require_verification = 0 OR verification_id IS NOT NULL) \
     RETURNING envelope, server_share, private_key, views_left";

sql_impl! {
impl SecretStore for SqlStore<DB> {
    async fn create_secret(&self, s: &NewSecret) -> StoreResult<()> {
        let state = match s.kind {
            SecretKind::Send => SecretState::Active,
            SecretKind::Request => SecretState::Waiting,
        };
        sqlx::query(
            "INSERT INTO secrets (id, org_id, kind, token_hash, technician_id, contact_id, \
             channel, recipient_masked, label, state, envelope, server_share, private_key, \
             public_key, has_passphrase, require_verification, max_views, views_left, \
             notify_on_reveal, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20)",
        )
        .bind(s.id.0)
        .bind(s.org_id.0)
        .bind(s.kind.as_str())
        .bind(s.token_hash.as_slice())
        .bind(s.technician_id.0)
        .bind(s.contact_id.map(|c| c.0))
        .bind(s.channel.as_str())
        .bind(s.recipient_masked.as_str())
        .bind(s.label.as_str())
        .bind(state.as_str())
        .bind(s.envelope.clone())
        .bind(s.server_share.clone())
        .bind(s.private_key.clone())
        .bind(s.public_key.as_str())
        .bind(i64::from(s.has_passphrase))
        .bind(i64::from(s.require_verification))
        .bind(s.max_views)
        .bind(i64::from(s.notify_on_reveal))
        .bind(s.created_at.0)
        .bind(s.expires_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn secret(&self, org: OrgId, id: SecretId) -> StoreResult<Secret> {
        let sql = format!("SELECT {SECRET_COLUMNS} FROM secrets WHERE org_id = $1 AND id = $2");
        let row: Option<SecretRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    async fn secret_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Secret>> {
        let sql = format!("SELECT {SECRET_COLUMNS} FROM secrets WHERE token_hash = $1");
        let row: Option<SecretRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn contact_secrets(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<Secret>> {
        let sql = format!(
            "SELECT {SECRET_COLUMNS} FROM secrets WHERE org_id = $1 AND contact_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let rows: Vec<SecretRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(contact.0)
            .bind(page_size(limit, 200))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn technician_secrets(
        &self,
        org: OrgId,
        technician: Option<TechnicianId>,
        limit: i64,
    ) -> StoreResult<Vec<Secret>> {
        // Two statements rather than one with an `IS NULL` test, so each uses its own index
        // (migration 0033).
        let by_technician = if technician.is_some() {
            "AND technician_id = $3 "
        } else {
            ""
        };
        let sql = format!(
            "SELECT {SECRET_COLUMNS} FROM secrets WHERE org_id = $1 {by_technician}\
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let mut query = sqlx::query_as::<DB, SecretRow>(&sql)
            .bind(org.0)
            .bind(page_size(limit, 200));
        if let Some(t) = technician {
            query = query.bind(t.0);
        }
        let rows = query
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn mark_secret_opened(
        &self,
        org: OrgId,
        id: SecretId,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE secrets SET opened_at = $3 WHERE org_id = $1 AND id = $2 \
             AND opened_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn set_secret_verified(
        &self,
        org: OrgId,
        id: SecretId,
        v: VerificationId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE secrets SET verification_id = $3 WHERE org_id = $1 AND id = $2 \
             AND state = 'active' AND expires_at > $4 AND require_verification = 1",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(v.0)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn claim_secret(
        &self,
        org: OrgId,
        id: SecretId,
        kind: SecretKind,
        now: Timestamp,
        ip: &str,
    ) -> StoreResult<Option<ClaimedSecret>> {
        let mut writer = self.pool.acquire().await?;
        let claimed = if DB::MULTI_STATEMENT_QUERIES {
            // SQLite: the claim, the end of the link after its last view and the transaction
            // in one query, so the single writer is held for one hand-off.
            let sql = format!(
                "BEGIN IMMEDIATE; {CLAIM}; UPDATE secrets SET state = 'revealed', \
                 ended_at = $4, {END_LINK} WHERE org_id = $1 AND id = $2 AND views_left = 0 \
                 AND changes() = 1; COMMIT;"
            );
            let q = sqlx::query::<DB>(&sql)
                .bind(org.0)
                .bind(id.0)
                .bind(kind.as_str())
                .bind(now.0)
                .bind(ip);
            let rows = writer.fetch_all_committing(q).await?;
            match rows.first() {
                Some(row) => Some(ClaimRow::from_row(row)?),
                None => None,
            }
        } else {
            let mut tx = DB::begin_write(&mut writer).await?;
            // PostgreSQL: a racing claim waits on this row's lock, then re-checks the WHERE
            // (state, views_left, envelope), which the winner's last view has already ended.
            let row: Option<ClaimRow> = sqlx::query_as(CLAIM)
                .bind(org.0)
                .bind(id.0)
                .bind(kind.as_str())
                .bind(now.0)
                .bind(ip)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((_, _, _, 0)) = row {
                let sql = format!(
                    "UPDATE secrets SET state = 'revealed', ended_at = $3, {END_LINK} \
                     WHERE org_id = $1 AND id = $2"
                );
                let done = sqlx::query(&sql)
                    .bind(org.0)
                    .bind(id.0)
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                expect_changed::<DB>(&done)?;
            }
            tx.commit().await?;
            row
        };
        Ok(claimed.map(
            |(envelope, server_share, private_key, views_left)| ClaimedSecret {
                envelope: envelope.unwrap_or_default(),
                server_share,
                private_key,
                views_left,
            },
        ))
    }

    async fn submit_secret_request(
        &self,
        org: OrgId,
        id: SecretId,
        envelope: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE secrets SET envelope = $3, state = 'active', submitted_at = $4 \
             WHERE org_id = $1 AND id = $2 AND kind = 'request' AND state = 'waiting' \
             AND expires_at > $4",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(envelope)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn burn_secret(
        &self,
        org: OrgId,
        id: SecretId,
        owner: Option<TechnicianId>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let by_owner = if owner.is_some() {
            " AND technician_id = $4"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE secrets SET state = 'burned', ended_at = $3, {END_LINK} \
             WHERE org_id = $1 AND id = $2 AND state IN ('waiting', 'active'){by_owner}"
        );
        let mut q = sqlx::query(&sql).bind(org.0).bind(id.0).bind(now.0);
        if let Some(owner) = owner {
            q = q.bind(owner.0);
        }
        let done = q.execute(&mut *self.pool.acquire().await?).await?;
        Ok(changed::<DB>(&done))
    }

    async fn set_secret_notify(
        &self,
        org: OrgId,
        id: SecretId,
        owner: TechnicianId,
        notify: bool,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE secrets SET notify_on_reveal = $3 \
             WHERE org_id = $1 AND id = $2 AND technician_id = $4",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(i64::from(notify))
        .bind(owner.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn expire_secrets(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Secret>> {
        let sql = format!(
            "UPDATE secrets SET state = 'expired', ended_at = $1, {END_LINK} WHERE id IN \
             (SELECT id FROM secrets WHERE state IN ('waiting', 'active') AND expires_at <= $1 \
             LIMIT $2) AND state IN ('waiting', 'active') RETURNING {SECRET_COLUMNS}"
        );
        let rows: Vec<SecretRow> = sqlx::query_as(&sql)
            .bind(now.0)
            .bind(page_size(limit, 1000))
            .fetch_all(&mut *self.pool.acquire().await?)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
}
