//! The keyset cursor in URLs (`after=`): the sort key of the last contact of a page and its
//! id, as `<id>.<base64url(key)>`, so any key text survives the round trip.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_store::ContactCursor;

/// The `after=` value for a cursor.
#[must_use]
pub fn encode_cursor(c: &ContactCursor) -> String {
    format!("{}.{}", c.id, URL_SAFE_NO_PAD.encode(c.key.as_bytes()))
}

/// Parses an `after=` value; `None` for anything malformed (the list then starts at the top).
#[must_use]
pub fn decode_cursor(raw: &str) -> Option<ContactCursor> {
    let (id, key) = raw.split_once('.')?;
    let key = String::from_utf8(URL_SAFE_NO_PAD.decode(key).ok()?).ok()?;
    Some(ContactCursor {
        key,
        id: id.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let c = ContactCursor {
            key: "zoë å&b=c".into(),
            id: countersign_domain::ContactId::new(),
        };
        assert_eq!(decode_cursor(&encode_cursor(&c)), Some(c));
        assert_eq!(decode_cursor("nonsense"), None);
    }
}
