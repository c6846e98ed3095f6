//! Session rows (alone, and joined with their technician and org) as both drivers decode them, the column list that selects them, and their conversion into
//! the model (where a bad stored value becomes `StoreError::Corrupt`).

use crate::orgs::rows::OrgRow;
use crate::technicians::rows::TechnicianRow;
use crate::{Org, Session, SessionStage, StoreError, StoreResult, Technician};
use countersign_domain::Timestamp;
use uuid::Uuid;

/// Columns of [`SessionRow`], as a literal for `concat!` (so queries stay `&'static str`).
macro_rules! session_columns {
    () => {
        "id, token_hash, org_id, technician_id, stage, \
         created_at, last_seen_at, expires_at, ip, user_agent, reauthenticated_at"
    };
}
pub(crate) use session_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    token_hash: Vec<u8>,
    org_id: Uuid,
    technician_id: Uuid,
    stage: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    ip: String,
    user_agent: String,
    reauthenticated_at: Option<i64>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            token_hash: r.token_hash,
            org_id: r.org_id.into(),
            technician_id: r.technician_id.into(),
            stage: SessionStage::parse(&r.stage).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown session stage {:?}", r.stage))
            })?,
            created_at: Timestamp(r.created_at),
            last_seen_at: Timestamp(r.last_seen_at),
            expires_at: Timestamp(r.expires_at),
            ip: r.ip,
            user_agent: r.user_agent,
            reauthenticated_at: r.reauthenticated_at.map(Timestamp),
        })
    }
}

/// Columns of [`SessionOwnerRow`]: the session (`s`), its technician (`t`) and org (`o`), in
/// the order of the row types' fields (the technician's permissions last: added later).
macro_rules! session_owner_columns {
    () => {
        "s.id, s.token_hash, s.org_id, s.technician_id, s.stage, s.created_at, \
         s.last_seen_at, s.expires_at, s.ip, s.user_agent, \
         t.id, t.org_id, t.email, t.name, t.role, t.password_hash, t.active, t.totp_secret, \
         t.totp_pending_secret, t.totp_enabled_at, t.totp_last_step, t.created_at, \
         t.last_login_at, \
         o.id, o.name, o.slug, o.require_2fa, o.created_at, t.permissions, s.reauthenticated_at"
    };
}
pub(crate) use session_owner_columns;

/// A session with its technician and org from one joined read (every request resolves its
/// session: one round trip instead of three). Decoded by position, since the three tables
/// share column names.
pub(crate) struct SessionOwnerRow {
    session: SessionRow,
    technician: TechnicianRow,
    org: OrgRow,
}

impl<'r, R> sqlx::FromRow<'r, R> for SessionOwnerRow
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self {
            session: SessionRow {
                id: row.try_get(0)?,
                token_hash: row.try_get(1)?,
                org_id: row.try_get(2)?,
                technician_id: row.try_get(3)?,
                stage: row.try_get(4)?,
                created_at: row.try_get(5)?,
                last_seen_at: row.try_get(6)?,
                expires_at: row.try_get(7)?,
                ip: row.try_get(8)?,
                user_agent: row.try_get(9)?,
                // Last in the column list (added later), so the others keep their places.
                reauthenticated_at: row.try_get(29)?,
            },
            technician: TechnicianRow {
                id: row.try_get(10)?,
                org_id: row.try_get(11)?,
                email: row.try_get(12)?,
                name: row.try_get(13)?,
                role: row.try_get(14)?,
                password_hash: row.try_get(15)?,
                active: row.try_get(16)?,
                totp_secret: row.try_get(17)?,
                totp_pending_secret: row.try_get(18)?,
                totp_enabled_at: row.try_get(19)?,
                totp_last_step: row.try_get(20)?,
                created_at: row.try_get(21)?,
                last_login_at: row.try_get(22)?,
                permissions: row.try_get(28)?,
            },
            org: OrgRow {
                id: row.try_get(23)?,
                name: row.try_get(24)?,
                slug: row.try_get(25)?,
                require_2fa: row.try_get(26)?,
                created_at: row.try_get(27)?,
            },
        })
    }
}

impl TryFrom<SessionOwnerRow> for (Session, Technician, Org) {
    type Error = StoreError;
    fn try_from(r: SessionOwnerRow) -> StoreResult<Self> {
        Ok((
            r.session.try_into()?,
            r.technician.try_into()?,
            r.org.into(),
        ))
    }
}
