//! The org row as both drivers decode it, the column list that selects it, and its conversion into
//! the model (where a bad stored value becomes `StoreError::Corrupt`).

use crate::Org;
use countersign_domain::Timestamp;
use uuid::Uuid;

/// Columns of [`OrgRow`], as a literal for `concat!` (so queries stay `&'static str`).
macro_rules! org_columns {
    () => {
        "id, name, slug, require_2fa, created_at"
    };
}
pub(crate) use org_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct OrgRow {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) require_2fa: bool,
    pub(crate) created_at: i64,
}

impl From<OrgRow> for Org {
    fn from(r: OrgRow) -> Self {
        Self {
            id: r.id.into(),
            name: r.name,
            slug: r.slug,
            require_2fa: r.require_2fa,
            created_at: Timestamp(r.created_at),
        }
    }
}
