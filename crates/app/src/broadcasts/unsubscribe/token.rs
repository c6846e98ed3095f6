//! The bytes of an unsubscribe link's token (see the parent module): what it names in the
//! clear, then an HMAC-SHA256 of all of it, as base64url.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_crypto::{ct_eq, hmac_sha256};
use countersign_domain::{BroadcastId, ContactId, OrgId};
use uuid::Uuid;

/// Format of the token's bytes; a different layout gets a new number.
const VERSION: u8 = 1;
/// The channel byte of an email link (the only channel with a link: SMS has STOP).
const EMAIL: u8 = 1;
/// Bytes of the MAC at the end of the token.
const MAC_LEN: usize = 32;
/// The longest token accepted before decoding: a longer one is not ours (a link holds three
/// ids, a key id of at most 64 characters and an address of at most 254).
const MAX_TOKEN_CHARS: usize = 700;
/// What an unsubscribe link names, once its MAC checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Link {
    pub(super) org: OrgId,
    pub(super) broadcast: BroadcastId,
    pub(super) contact: ContactId,
    /// The lowercased address the broadcast went to.
    pub(super) address: String,
}

/// The token's bytes before the MAC: version, org, broadcast and contact ids, channel, then
/// the key id and the address, each after its length in one byte.
fn payload(link: &Link, key_id: &str) -> Option<Vec<u8>> {
    let key_len = u8::try_from(key_id.len()).ok()?;
    let address_len = u8::try_from(link.address.len()).ok()?;
    let mut out = Vec::with_capacity(52 + key_id.len() + link.address.len() + MAC_LEN);
    out.push(VERSION);
    out.extend_from_slice(link.org.0.as_bytes());
    out.extend_from_slice(link.broadcast.0.as_bytes());
    out.extend_from_slice(link.contact.0.as_bytes());
    out.push(EMAIL);
    out.push(key_len);
    out.extend_from_slice(key_id.as_bytes());
    out.push(address_len);
    out.extend_from_slice(link.address.as_bytes());
    Some(out)
}

/// The MAC of a payload. The domain string keeps it apart from any other MAC one might ever
/// make under the same derived key.
fn mac(key: &[u8], payload: &[u8]) -> [u8; 32] {
    hmac_sha256(key, &[b"countersign.unsubscribe", payload])
}

/// Reads a token's fields (nothing is trusted yet): the link, its key id, the payload and the
/// MAC. `None` when it is not a token of this format.
fn parse(token: &str) -> Option<(Link, String, Vec<u8>, Vec<u8>)> {
    if token.len() > MAX_TOKEN_CHARS {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let split = bytes.len().checked_sub(MAC_LEN)?;
    let (payload, tag) = bytes.split_at(split);
    let (&version, rest) = payload.split_first()?;
    if version != VERSION || rest.len() < 49 {
        return None;
    }
    let id = |at: usize| Uuid::from_slice(&rest[at..at + 16]).ok();
    let (org, broadcast, contact) = (id(0)?, id(16)?, id(32)?);
    let rest = &rest[48..];
    let (&channel, rest) = rest.split_first()?;
    if channel != EMAIL {
        return None;
    }
    let (&key_len, rest) = rest.split_first()?;
    let key_id = rest.get(..usize::from(key_len))?;
    let rest = &rest[usize::from(key_len)..];
    let (&address_len, rest) = rest.split_first()?;
    if rest.len() != usize::from(address_len) {
        return None;
    }
    let link = Link {
        org: OrgId(org),
        broadcast: BroadcastId(broadcast),
        contact: ContactId(contact),
        address: String::from_utf8(rest.to_vec()).ok()?,
    };
    let key_id = String::from_utf8(key_id.to_vec()).ok()?;
    Some((link, key_id, payload.to_vec(), tag.to_vec()))
}

/// The token of `link`, MAC'd with `key`, whose id the token names.
pub(super) fn encode(link: &Link, key_id: &str, key: &[u8]) -> String {
    // Key ids are at most 64 characters and a contact's address at most 254 (`Email`), so
    // both lengths fit their byte; a longer address is not one we send to.
    let mut bytes = payload(link, key_id).unwrap_or_default();
    let tag = mac(key, &bytes);
    bytes.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(&bytes)
}

/// The link a token names, when its MAC checks out (compared in constant time) under the key
/// that `key_of` gives for the key id the token names (`None`: a key the server does not
/// have).
pub(super) fn verify<K: AsRef<[u8]>>(
    token: &str,
    key_of: impl FnOnce(&str) -> Option<K>,
) -> Option<Link> {
    let (link, key_id, payload, tag) = parse(token)?;
    let key = key_of(&key_id)?;
    ct_eq(&tag, &mac(key.as_ref(), &payload)).then_some(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Link {
        Link {
            org: OrgId::new(),
            broadcast: BroadcastId::new(),
            contact: ContactId::new(),
            address: "amy@customer.test".into(),
        }
    }

    #[test]
    fn a_token_reads_back_its_fields_and_its_mac() {
        let l = link();
        let t = encode(&l, "k-1", b"key");
        let (read, key_id, payload, tag) = parse(&t).unwrap();
        assert_eq!((read, key_id.as_str()), (l.clone(), "k-1"));
        assert!(ct_eq(&tag, &mac(b"key", &payload)));
        assert!(!ct_eq(&tag, &mac(b"other key", &payload)));
        assert_eq!(verify(&t, |id| (id == "k-1").then_some(b"key")), Some(l));
        assert_eq!(verify(&t, |_| Some(b"other")), None);
        assert_eq!(verify(&t, |_| None::<&[u8]>), None);
    }

    #[test]
    fn truncated_padded_or_foreign_tokens_do_not_parse() {
        let t = encode(&link(), "k-1", b"key");
        let bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        for n in 0..bytes.len() - MAC_LEN {
            let cut = URL_SAFE_NO_PAD.encode(&bytes[..n]);
            assert!(parse(&cut).is_none(), "{n} bytes");
        }
        let mut longer = bytes.clone();
        longer.insert(60, b'x');
        assert!(parse(&URL_SAFE_NO_PAD.encode(&longer)).is_none());
        let mut v2 = bytes;
        v2[0] = 2;
        assert!(parse(&URL_SAFE_NO_PAD.encode(&v2)).is_none());
        assert!(parse("not base64!").is_none());
        assert!(parse(&"A".repeat(MAX_TOKEN_CHARS + 1)).is_none());
    }
}
