//! Role and activity changes that never leave an org without an active admin (issue 18.7).
//!
//! Checking the count and then writing, as two steps, lets two admins who demote (or
//! deactivate) each other at the same moment both pass the check and leave none. Here the
//! check is part of the `UPDATE` itself, inside a write transaction that first takes the
//! org's admin lock: on SQLite the immediate transaction already holds the single write lock;
//! on PostgreSQL (READ COMMITTED) the advisory lock serialises the org's admin changes, and
//! the `UPDATE` that follows takes a fresh snapshot, so it counts what the previous holder
//! committed. (Row locks on the admin rows alone would not do: a concurrent transaction's
//! subquery reads its snapshot, not the locked rows' new versions.)

use crate::StoreResult;
use crate::TechnicianChange;
use crate::sql::org_lock_key;
use crate::sql::sql_impl;
use countersign_domain::{OrgId, TechnicianId};
use uuid::Uuid;

/// The advisory-lock purpose of an org's admin changes ("ADMINS" + 1).
const ADMINS_LOCK: i64 = 0x4144_4d49_4e53_0001;

/// Active admins of the org other than the target (`$1` org, `$2` technician).
const OTHER_ACTIVE_ADMINS: &str = "(SELECT COUNT(*) FROM technicians o \
     WHERE o.org_id = $1 AND o.role = 'admin' AND o.active = TRUE AND o.id <> $2)";

sql_impl! {
/// Applies `change` to the technician unless it would leave the org with no active admin.
/// `Ok(false)`: refused, nothing changed; `NotFound`: the org has no such technician.
/// Deactivation also deletes the technician's sessions, in the same transaction.
pub(crate) async fn change_keeping_an_admin<DB>(
    writer: &mut DB::Connection,
    org: OrgId,
    id: TechnicianId,
    change: TechnicianChange,
) -> StoreResult<bool> {
    let mut tx = DB::begin_write(writer).await?;
    DB::lock_key(&mut tx, org_lock_key(org, ADMINS_LOCK)).await?;
    // Allowed when the target is not an active admin now, stays one, or another remains.
    let (set, stays_active_admin) = match change {
        TechnicianChange::Role(_) => ("role = $3", "($3 = 'admin' AND active = TRUE)"),
        TechnicianChange::Active(_) => ("active = $3", "($3 = TRUE AND role = 'admin')"),
    };
    let q = format!(
        "UPDATE technicians SET {set} WHERE org_id = $1 AND id = $2 \
         AND (NOT (role = 'admin' AND active = TRUE) OR {stays_active_admin} \
              OR {OTHER_ACTIVE_ADMINS} >= 1)"
    );
    let query = sqlx::query(&q).bind(org.0).bind(id.0);
    let done = match change {
        TechnicianChange::Role(role) => query.bind(role.as_str()),
        TechnicianChange::Active(active) => query.bind(active),
    }
    .execute(&mut *tx)
    .await?;
    if DB::rows_affected(&done) == 0 {
        // Dropping `tx` rolls back (nothing was written).
        let exists: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM technicians WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        return match exists {
            Some(_) => Ok(false),
            None => Err(crate::StoreError::NotFound),
        };
    }
    if change == TechnicianChange::Active(false) {
        // In the same transaction: a deactivated technician is signed out at once.
        sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND technician_id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}
}
