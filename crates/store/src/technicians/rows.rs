//! The technician row as both drivers decode it, the column list that selects it, and its conversion into
//! the model (where a bad stored value becomes `StoreError::Corrupt`).

use crate::{StoreError, StoreResult, Technician};
use countersign_domain::{Role, Timestamp};
use uuid::Uuid;

/// Columns of [`TechnicianRow`], as a literal for `concat!` (so queries stay `&'static str`).
macro_rules! technician_columns {
    () => {
        "id, org_id, email, name, role, password_hash, \
         active, totp_secret, totp_pending_secret, totp_enabled_at, totp_last_step, created_at, \
         last_login_at, permissions"
    };
}
pub(crate) use technician_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct TechnicianRow {
    pub(crate) id: Uuid,
    pub(crate) org_id: Uuid,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) password_hash: String,
    pub(crate) active: bool,
    pub(crate) totp_secret: Option<Vec<u8>>,
    pub(crate) totp_pending_secret: Option<Vec<u8>>,
    pub(crate) totp_enabled_at: Option<i64>,
    pub(crate) totp_last_step: i64,
    pub(crate) created_at: i64,
    pub(crate) last_login_at: Option<i64>,
    pub(crate) permissions: String,
}

impl TryFrom<TechnicianRow> for Technician {
    type Error = StoreError;
    fn try_from(r: TechnicianRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            email: r.email,
            name: r.name,
            role: parse_role(&r.role)?,
            password_hash: r.password_hash,
            active: r.active,
            totp_secret: r.totp_secret,
            totp_pending_secret: r.totp_pending_secret,
            totp_enabled_at: r.totp_enabled_at.map(Timestamp),
            totp_last_step: r.totp_last_step,
            created_at: Timestamp(r.created_at),
            last_login_at: r.last_login_at.map(Timestamp),
            permissions: r.permissions.parse().map_err(StoreError::Corrupt)?,
        })
    }
}

pub(crate) fn parse_role(s: &str) -> StoreResult<Role> {
    s.parse().map_err(StoreError::Corrupt)
}
