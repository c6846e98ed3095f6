//! The invite row as both drivers decode it, the column list that selects it, and its conversion into
//! the model (where a bad stored value becomes `StoreError::Corrupt`).

use crate::technicians::rows::parse_role;
use crate::{Invite, StoreError, StoreResult};
use countersign_domain::Timestamp;
use uuid::Uuid;

/// Columns of [`InviteRow`], as a literal for `concat!` (so queries stay `&'static str`).
macro_rules! invite_columns {
    () => {
        "id, org_id, email, role, token_hash, invited_by, \
         created_at, expires_at, accepted_at, revoked_at"
    };
}
pub(crate) use invite_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    id: Uuid,
    org_id: Uuid,
    email: String,
    role: String,
    token_hash: Vec<u8>,
    invited_by: Uuid,
    created_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<InviteRow> for Invite {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            email: r.email,
            role: parse_role(&r.role)?,
            token_hash: r.token_hash,
            invited_by: r.invited_by.into(),
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            accepted_at: r.accepted_at.map(Timestamp),
            revoked_at: r.revoked_at.map(Timestamp),
        })
    }
}
