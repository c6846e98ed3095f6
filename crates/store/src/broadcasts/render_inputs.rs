//! The recipient rows behind broadcast messages that were queued without their bodies: a
//! worker renders each message from its broadcast and its row when it hands it over
//! (`BroadcastStore::recipients_of_messages`).
//!
//! Looked up by the row's key, `(broadcast_id, channel, address)`: the broadcast is named by
//! the message's idempotency key and the address is the message's recipient, so each group
//! is one primary-key range.

use super::delivery::broadcast_of_key;
use super::sql::RecipientRow;
use crate::sql::sql_impl;
use crate::{Recipient, StoreResult};
use countersign_domain::{BroadcastId, Channel, OrgId};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A broadcast message to render: its idempotency key, channel and recipient address.
pub type MessageKey<'a> = (&'a str, Channel, &'a str);

/// The broadcast a delivery's idempotency key names (`broadcast:{id}:{channel}:{contact}`,
/// with `:r{n}` after a retry), if it names one.
#[must_use]
pub fn broadcast_named_by(key: &str) -> Option<BroadcastId> {
    broadcast_of_key(key).map(Into::into)
}

/// The messages grouped by the broadcast their key names and their channel; keys that name
/// no broadcast are left out.
pub(super) fn groups<'a>(
    messages: &[MessageKey<'a>],
) -> BTreeMap<(Uuid, &'static str), Vec<&'a str>> {
    let mut groups: BTreeMap<(Uuid, &'static str), Vec<&'a str>> = BTreeMap::new();
    for &(key, channel, address) in messages {
        if let Some(broadcast) = broadcast_of_key(key) {
            groups
                .entry((broadcast, channel.as_str()))
                .or_default()
                .push(address);
        }
    }
    groups
}

sql_impl! {
/// The rows of one group: one broadcast, one channel, these addresses.
pub(super) async fn rows<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    broadcast: Uuid,
    channel: &str,
    addresses: &[&str],
) -> StoreResult<Vec<Recipient>> {
    let list = (0..addresses.len())
        .map(|i| format!("${}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT r.broadcast_id, r.channel, r.contact_id, r.customer_id, r.address, \
         r.first_name, r.customer_name, r.status, r.provider_error, r.idempotency_key, \
         r.updated_at FROM broadcast_recipients r \
         WHERE r.org_id = $1 AND r.broadcast_id = $2 AND r.channel = $3 AND r.address IN ({list})"
    );
    let mut q = sqlx::query_as::<DB, RecipientRow>(&sql)
        .bind(org.0)
        .bind(broadcast)
        .bind(channel);
    for a in addresses {
        q = q.bind(*a);
    }
    q.fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(Recipient::try_from)
        .collect()
}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_group_by_broadcast_and_channel_and_other_keys_are_left_out() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let key =
            |id: Uuid, ch: &str| format!("broadcast:{}:{ch}:{}", id.simple(), Uuid::nil().simple());
        let (ka, kb, ke) = (key(a, "sms"), key(b, "sms"), key(a, "email"));
        let messages = [
            (ka.as_str(), Channel::Sms, "+15550001"),
            (kb.as_str(), Channel::Sms, "+15550002"),
            (ka.as_str(), Channel::Sms, "+15550003"),
            (ke.as_str(), Channel::Email, "x@example.com"),
            ("verification:1", Channel::Sms, "+15550004"),
        ];
        let g = groups(&messages);
        assert_eq!(g.len(), 3);
        assert_eq!(g[&(a, "sms")], ["+15550001", "+15550003"]);
        assert_eq!(g[&(b, "sms")], ["+15550002"]);
        assert_eq!(g[&(a, "email")], ["x@example.com"]);
    }
}
