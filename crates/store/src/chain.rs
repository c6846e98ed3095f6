//! The audit hash chain: each entry's hash covers the previous entry's hash and every field of
//! the entry, so changing, inserting or removing a stored entry breaks every later link.

use crate::model::NewAuditEntry;
use countersign_domain::Timestamp;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first entry of the chain.
pub const AUDIT_GENESIS: [u8; 32] = [0; 32];

/// Version tag hashed first, so a future change of the encoding cannot collide with this one.
const DOMAIN: &[u8] = b"countersign.audit.v1";

/// `SHA-256(encoding)`, where the encoding is, in order:
///
/// 1. `bytes("countersign.audit.v1")`, then `bytes(prev_hash)`;
/// 2. `opt_uuid(org_id)`, `i64(at)`, `opt_uuid(actor_id)`, `bytes(actor_label)`,
///    `bytes(action)`, `bytes(target)`, `bytes(detail)`, `opt_bytes(ip)`;
///
/// with `bytes(x)` = the length of `x` as a big-endian `u64` followed by `x` (strings as UTF-8),
/// `i64(n)` = 8 bytes big-endian, `opt_*(None)` = the byte `0`, and `opt_*(Some(x))` = the byte
/// `1` followed by the encoding of `x` (a UUID as `bytes` of its 16 bytes). Every field is
/// length-prefixed or fixed-size, so two different entries never encode to the same bytes.
#[must_use]
pub fn audit_hash(prev_hash: &[u8], entry: &NewAuditEntry) -> Vec<u8> {
    let NewAuditEntry {
        org_id,
        at,
        actor_id,
        actor_label,
        action,
        target,
        detail,
        ip,
    } = entry;
    let mut h = Sha256::new();
    put_bytes(&mut h, DOMAIN);
    put_bytes(&mut h, prev_hash);
    put_opt_uuid(&mut h, org_id.map(|o| o.0));
    put_timestamp(&mut h, *at);
    put_opt_uuid(&mut h, actor_id.map(|a| a.0));
    put_bytes(&mut h, actor_label.as_bytes());
    put_bytes(&mut h, action.as_bytes());
    put_bytes(&mut h, target.as_bytes());
    put_bytes(&mut h, detail.as_bytes());
    match ip {
        None => h.update([0]),
        Some(ip) => {
            h.update([1]);
            put_bytes(&mut h, ip.as_bytes());
        }
    }
    h.finalize().to_vec()
}

fn put_bytes(h: &mut Sha256, b: &[u8]) {
    // usize -> u64 is lossless on every supported target.
    h.update((b.len() as u64).to_be_bytes());
    h.update(b);
}

fn put_opt_uuid(h: &mut Sha256, u: Option<Uuid>) {
    match u {
        None => h.update([0]),
        Some(u) => {
            h.update([1]);
            put_bytes(h, u.as_bytes());
        }
    }
}

fn put_timestamp(h: &mut Sha256, t: Timestamp) {
    h.update(t.0.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign_domain::OrgId;

    fn entry() -> NewAuditEntry {
        NewAuditEntry {
            org_id: Some(OrgId(Uuid::nil())),
            at: Timestamp(1),
            actor_id: None,
            actor_label: "ab".into(),
            action: "c".into(),
            target: String::new(),
            detail: "{}".into(),
            ip: None,
        }
    }

    #[test]
    fn hash_depends_on_every_field_and_on_field_boundaries() {
        let base = audit_hash(&AUDIT_GENESIS, &entry());
        assert_eq!(base.len(), 32);
        assert_eq!(base, audit_hash(&AUDIT_GENESIS, &entry()));
        assert_ne!(base, audit_hash(&[1; 32], &entry()));

        // Moving a character from one field to the next must change the hash.
        let mut shifted = entry();
        shifted.actor_label = "a".into();
        shifted.action = "bc".into();
        assert_ne!(base, audit_hash(&AUDIT_GENESIS, &shifted));

        let mut e = entry();
        e.org_id = None;
        assert_ne!(base, audit_hash(&AUDIT_GENESIS, &e));
        let mut e = entry();
        e.ip = Some(String::new());
        assert_ne!(base, audit_hash(&AUDIT_GENESIS, &e));
        let mut e = entry();
        e.at = Timestamp(2);
        assert_ne!(base, audit_hash(&AUDIT_GENESIS, &e));
    }
}
