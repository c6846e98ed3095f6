//! The audit chain: each entry's MAC covers the previous entry's MAC and every field of the
//! entry, so changing, inserting or removing a stored entry breaks every later link.
//!
//! Entries are keyed: [`audit_mac`] is HMAC-SHA256 under a key derived from the keyring
//! ([`AuditKey`], its id stored with each entry), so someone with database access but without
//! the key cannot recompute the chain after an edit. Entries written before the chain was keyed
//! carry no key id and the plain SHA-256 of [`audit_hash`]; they are accepted only before the
//! first keyed entry (see [`crate::verify_audit_chain`]).

use crate::NewAuditEntry;
use countersign_domain::Timestamp;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first entry of the chain.
pub const AUDIT_GENESIS: [u8; 32] = [0; 32];

/// Version tag of unkeyed (legacy) entries, hashed first.
const DOMAIN: &[u8] = b"countersign.audit.v1";
/// Version tag of keyed entries, MACed first; differs from [`DOMAIN`] so that no keyed
/// encoding is ever an unkeyed one.
const KEYED_DOMAIN: &[u8] = b"countersign.audit.v2";

/// The key that MACs new audit entries: a 256-bit key derived from a keyring key, with the id
/// of that keyring key (stored with each entry, so verification finds the key after a rotation).
/// `Debug` prints the id only.
#[derive(Clone)]
pub struct AuditKey {
    /// Id of the keyring key the MAC key was derived from, e.g. `k-3f9a0c12`.
    pub id: String,
    /// HMAC state after absorbing the key: each entry clones it rather than re-keying.
    keyed: Hmac<Sha256>,
}

impl AuditKey {
    /// A MAC key with the id of the keyring key it was derived from.
    #[must_use]
    pub fn new(id: impl Into<String>, key: [u8; 32]) -> Self {
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(&key)
            .expect("HMAC-SHA256 accepts keys of any length");
        Self {
            id: id.into(),
            keyed,
        }
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey").field("id", &self.id).finish()
    }
}

/// `HMAC-SHA256(key, encoding)` of a keyed entry, where the encoding is
/// `bytes("countersign.audit.v2")`, `bytes(key id)`, then the fields exactly as in
/// [`audit_hash`] after its version tag (`bytes(prev_hash)`, `opt_uuid(org_id)`, …).
#[must_use]
pub fn audit_mac(key: &AuditKey, prev_hash: &[u8], entry: &NewAuditEntry) -> Vec<u8> {
    let mut mac = key.keyed.clone();
    let mut put = |b: &[u8]| mac.update(b);
    put_bytes(&mut put, KEYED_DOMAIN);
    put_bytes(&mut put, key.id.as_bytes());
    encode(&mut put, prev_hash, entry);
    mac.finalize().into_bytes().to_vec()
}

/// `SHA-256(encoding)` of an unkeyed (legacy) entry, where the encoding is, in order:
///
/// 1. `bytes("countersign.audit.v1")`, then `bytes(prev_hash)`;
/// 2. `opt_uuid(org_id)`, `i64(at)`, `opt_uuid(actor_id)`, `bytes(actor_label)`,
///    `bytes(action)`, `bytes(target)`, `bytes(detail)`, `opt_bytes(ip)`;
///
/// with `bytes(x)` = the length of `x` as a big-endian `u64` followed by `x` (strings as UTF-8),
/// `i64(n)` = 8 bytes big-endian, `opt_*(None)` = the byte `0`, and `opt_*(Some(x))` = the byte
/// `1` followed by the encoding of `x` (a UUID as `bytes` of its 16 bytes). Every field is
/// length-prefixed or fixed-size, so two different entries never encode to the same bytes.
///
/// New entries are never written this way any more: anyone can recompute it.
#[must_use]
pub fn audit_hash(prev_hash: &[u8], entry: &NewAuditEntry) -> Vec<u8> {
    let mut h = Sha256::new();
    let mut put = |b: &[u8]| h.update(b);
    put_bytes(&mut put, DOMAIN);
    encode(&mut put, prev_hash, entry);
    h.finalize().to_vec()
}

/// Everything after the version tag (and key id), shared by both forms.
fn encode(put: &mut impl FnMut(&[u8]), prev_hash: &[u8], entry: &NewAuditEntry) {
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
    put_bytes(put, prev_hash);
    put_opt_uuid(put, org_id.map(|o| o.0));
    put_timestamp(put, *at);
    put_opt_uuid(put, actor_id.map(|a| a.0));
    put_bytes(put, actor_label.as_bytes());
    put_bytes(put, action.as_bytes());
    put_bytes(put, target.as_bytes());
    put_bytes(put, detail.as_bytes());
    match ip {
        None => put(&[0]),
        Some(ip) => {
            put(&[1]);
            put_bytes(put, ip.as_bytes());
        }
    }
}

fn put_bytes(put: &mut impl FnMut(&[u8]), b: &[u8]) {
    // usize -> u64 is lossless on every supported target.
    put(&(b.len() as u64).to_be_bytes());
    put(b);
}

fn put_opt_uuid(put: &mut impl FnMut(&[u8]), u: Option<Uuid>) {
    match u {
        None => put(&[0]),
        Some(u) => {
            put(&[1]);
            put_bytes(put, u.as_bytes());
        }
    }
}

fn put_timestamp(put: &mut impl FnMut(&[u8]), t: Timestamp) {
    put(&t.0.to_be_bytes());
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

    #[test]
    fn mac_depends_on_the_key_and_its_id_and_differs_from_the_plain_hash() {
        let key = AuditKey::new("k-1", [7; 32]);
        let mac = audit_mac(&key, &AUDIT_GENESIS, &entry());
        assert_eq!(mac.len(), 32);
        assert_eq!(mac, audit_mac(&key, &AUDIT_GENESIS, &entry()));
        assert_ne!(mac, audit_hash(&AUDIT_GENESIS, &entry()));
        assert_ne!(
            mac,
            audit_mac(&AuditKey::new("k-1", [8; 32]), &AUDIT_GENESIS, &entry())
        );
        assert_ne!(
            mac,
            audit_mac(&AuditKey::new("k-2", [7; 32]), &AUDIT_GENESIS, &entry())
        );
        let mut e = entry();
        e.action = "d".into();
        assert_ne!(mac, audit_mac(&key, &AUDIT_GENESIS, &e));
    }
}
