//! The SQL of opt-outs and of an org's broadcast settings, called from
//! [`crate::BroadcastStore`]'s implementation in `sql.rs` with the connection it chose.

use super::sql::channel;
use crate::sql::{changed, corrupt, sql_impl};
use crate::{BroadcastSettings, OptOut, StoreResult};
use countersign_domain::{Channel, ContactId, OptOutSource, OrgId, Timestamp};
use uuid::Uuid;

type OptOutRow = (Uuid, String, String, String, i64);

fn opt_out(org: OrgId, (contact, ch, address, source, at): OptOutRow) -> StoreResult<OptOut> {
    Ok(OptOut {
        org_id: org,
        contact_id: contact.into(),
        channel: channel(&ch)?,
        address,
        source: OptOutSource::parse(&source).ok_or_else(|| corrupt("opt-out source", &source))?,
        at: Timestamp(at),
    })
}

sql_impl! {
/// Records an opt-out, replacing the contact's earlier one on that channel.
pub(super) async fn record<DB>(conn: &mut DB::Connection, o: &OptOut) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO broadcast_opt_outs (org_id, contact_id, channel, address, source, at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, contact_id, channel) \
         DO UPDATE SET address = $4, source = $5, at = $6",
    )
    .bind(o.org_id.0)
    .bind(o.contact_id.0)
    .bind(o.channel.as_str())
    .bind(o.address.as_str())
    .bind(o.source.as_str())
    .bind(o.at.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
}

sql_impl! {
/// Removes a contact's opt-out on a channel; `false`: there was none.
pub(super) async fn remove<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    contact: ContactId,
    channel: Channel,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "DELETE FROM broadcast_opt_outs WHERE org_id = $1 AND contact_id = $2 \
         AND channel = $3",
    )
    .bind(org.0)
    .bind(contact.0)
    .bind(channel.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(changed::<DB>(&done))
}
}

sql_impl! {
/// A contact's opt-outs, and those of the addresses it has.
pub(super) async fn of_contact<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    contact: ContactId,
) -> StoreResult<Vec<OptOut>> {
    let rows: Vec<OptOutRow> = sqlx::query_as(
        "SELECT o.contact_id, o.channel, o.address, o.source, o.at \
         FROM broadcast_opt_outs o WHERE o.org_id = $1 AND (o.contact_id = $2 \
         OR (o.channel = 'sms' AND o.address = (SELECT c.mobile_e164 FROM contacts c \
             WHERE c.org_id = $1 AND c.id = $2)) \
         OR (o.channel = 'email' AND o.address = (SELECT c.email_key FROM contacts c \
             WHERE c.org_id = $1 AND c.id = $2))) \
         ORDER BY o.at, o.channel",
    )
    .bind(org.0)
    .bind(contact.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(|r| opt_out(org, r)).collect()
}
}

sql_impl! {
/// The org's broadcast settings, `None` when never saved.
pub(super) async fn settings<DB>(conn: &mut DB::Connection, org: OrgId) -> StoreResult<Option<BroadcastSettings>> {
    type Row = (Option<i64>, Option<i64>, Option<String>, Option<i64>, Option<i64>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT approval_threshold, daily_recipient_cap, time_zone, quiet_start_minute, \
         quiet_end_minute FROM broadcast_settings WHERE org_id = $1",
    )
    .bind(org.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(approval_threshold, daily_recipient_cap, time_zone, start, end)| {
        BroadcastSettings {
            approval_threshold,
            daily_recipient_cap,
            time_zone,
            quiet_hours: start.zip(end),
        }
    }))
}
}

sql_impl! {
/// Saves the org's broadcast settings.
pub(super) async fn save_settings<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    s: &BroadcastSettings,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO broadcast_settings (org_id, approval_threshold, daily_recipient_cap, \
         updated_at, time_zone, quiet_start_minute, quiet_end_minute) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET \
         approval_threshold = $2, daily_recipient_cap = $3, updated_at = $4, time_zone = $5, \
         quiet_start_minute = $6, quiet_end_minute = $7",
    )
    .bind(org.0)
    .bind(s.approval_threshold)
    .bind(s.daily_recipient_cap)
    .bind(at.0)
    .bind(s.time_zone.as_deref())
    .bind(s.quiet_hours.map(|q| q.0))
    .bind(s.quiet_hours.map(|q| q.1))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
}

/// What an opt-out or opt-in keyword received on the broadcast lane's sender changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LaneKeywordOutcome {
    /// Orgs that texted the number on the broadcast lane (the ones the keyword concerns).
    pub orgs: u64,
    /// Opt-outs written (STOP) or removed (START).
    pub opt_outs: u64,
}

/// The orgs a keyword from `$1` on the broadcast lane concerns: those that sent it a
/// broadcast SMS (`messages_broadcast_sms_recipient_idx`).
const LANE_ORGS: &str = "SELECT DISTINCT org_id FROM messages \
     WHERE lane = 'broadcast' AND channel = 'sms' AND recipient = $1";

sql_impl! {
/// A STOP (`opted_out`) or START from `phone` received on the broadcast lane's sender, in one
/// write transaction on `conn`. STOP: every contact of the concerned orgs whose mobile is
/// `phone` gets an SMS opt-out (source `stop_keyword`); a contact already opted out keeps its
/// earlier opt-out and reason. START: the `stop_keyword` SMS opt-outs of that address in those
/// orgs are removed (an opt-out the contact source set stays). SMS consent of the verification
/// lane (`sms_opt_outs`) is not touched.
pub(super) async fn lane_keyword<DB>(
    conn: &mut DB::Connection,
    phone: &str,
    opted_out: bool,
    at: Timestamp,
) -> StoreResult<LaneKeywordOutcome> {
    let mut tx = DB::begin_write(conn).await?;
    let orgs: Vec<(Uuid,)> = sqlx::query_as(LANE_ORGS).bind(phone).fetch_all(&mut *tx).await?;
    let done = if opted_out {
        // SQLite needs the WHERE of an INSERT … SELECT before an upsert clause.
        sqlx::query(&format!(
            "INSERT INTO broadcast_opt_outs (org_id, contact_id, channel, address, source, at) \
             SELECT c.org_id, c.id, 'sms', $1, 'stop_keyword', $2 FROM contacts c \
             WHERE c.mobile_e164 = $1 AND c.org_id IN ({LANE_ORGS}) \
             ON CONFLICT (org_id, contact_id, channel) DO NOTHING"
        ))
        .bind(phone)
        .bind(at.0)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query(&format!(
            "DELETE FROM broadcast_opt_outs WHERE channel = 'sms' AND address = $1 \
             AND source = 'stop_keyword' AND org_id IN ({LANE_ORGS})"
        ))
        .bind(phone)
        .execute(&mut *tx)
        .await?
    };
    let opt_outs = DB::rows_affected(&done);
    tx.commit().await?;
    Ok(LaneKeywordOutcome {
        orgs: u64::try_from(orgs.len()).unwrap_or(u64::MAX),
        opt_outs,
    })
}
}

sql_impl! {
/// Whether `address` opted out of the org's broadcasts on `channel` (through any contact).
pub(super) async fn address_opted_out<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    channel: Channel,
    address: &str,
) -> StoreResult<bool> {
    let (opted_out,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM broadcast_opt_outs WHERE org_id = $1 AND channel = $2 \
         AND address = $3)",
    )
    .bind(org.0)
    .bind(channel.as_str())
    .bind(address)
    .fetch_one(&mut *conn)
    .await?;
    Ok(opted_out)
}
}
