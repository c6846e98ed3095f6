//! Verifying the audit chain, optionally against a head published earlier.
//!
//! A head is `(org, seq, mac)`: the MAC of the newest entry (of one org, or of the whole chain)
//! at the time it was published outside the database. Since every MAC covers all the entries
//! before it, an operator who kept a head detects any later rewrite of the chain up to it, even
//! by someone holding the key, who could otherwise re-MAC everything consistently.

use crate::AuditEntry;
use crate::{AUDIT_GENESIS, AuditKey, audit_hash, audit_mac};
use crate::{AuditStore, StoreResult};
use countersign_domain::OrgId;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// A published chain head: the entry at `seq` (of `org`, or any entry for the server-wide
/// head) had MAC `mac`. Written `<org uuid|server>:<seq>:<mac in hex>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditHead {
    /// The org whose newest entry this is; `None` for the head of the whole chain.
    pub org: Option<OrgId>,
    /// Position of the entry in the chain.
    pub seq: i64,
    /// The entry's MAC.
    pub mac: Vec<u8>,
}

impl AuditHead {
    /// The head naming `entry` (as the newest entry of `org`, or of the whole chain).
    #[must_use]
    pub fn of(org: Option<OrgId>, entry: &AuditEntry) -> Self {
        Self {
            org,
            seq: entry.seq,
            mac: entry.hash.clone(),
        }
    }
}

impl fmt::Display for AuditHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.org {
            Some(org) => write!(f, "{}:", org.0)?,
            None => f.write_str("server:")?,
        }
        write!(f, "{}:", self.seq)?;
        self.mac.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl FromStr for AuditHead {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        const FORMAT: &str = "a head looks like <org id or \"server\">:<seq>:<64 hex digits>";
        let mut parts = s.trim().split(':');
        let (Some(org), Some(seq), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("{FORMAT}; got {} parts", s.split(':').count()));
        };
        let org = match org {
            "server" => None,
            id => Some(OrgId(id.parse().map_err(|_| {
                format!("{FORMAT}; {id:?} is neither an org id nor \"server\"")
            })?)),
        };
        let seq = seq
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("{FORMAT}; the seq {seq:?} is not a positive number"))?;
        if mac.len() != 64 || !mac.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{FORMAT}; the MAC is not 64 hex digits"));
        }
        let mac = (0..32)
            .map(|i| u8::from_str_radix(&mac[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| format!("{FORMAT}; the MAC is not 64 hex digits"))?;
        Ok(Self { org, seq, mac })
    }
}

/// Why verification stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's `prev_hash` is not the previous entry's MAC (an entry was removed, inserted
    /// or reordered), or `seq` has a gap.
    Link,
    /// The entry's MAC (or legacy hash) does not match its contents.
    Mac,
    /// The entry names a key the keyring does not hold (retired too early, or forged).
    UnknownKey(String),
    /// An unkeyed entry after the first keyed one: unkeyed entries exist only from before the
    /// chain was keyed.
    UnkeyedAfterKeyed,
    /// The entry at the head's position no longer has the head's MAC (or is not of its org).
    HeadMismatch,
    /// The chain ends before the head's position.
    HeadNotReached,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Link => f.write_str("it does not link to the entry before it"),
            Self::Mac => f.write_str("its MAC does not match its contents"),
            Self::UnknownKey(id) => write!(f, "it names key {id:?}, which the keyring does not hold"),
            Self::UnkeyedAfterKeyed => {
                f.write_str("it is unkeyed, after keyed entries (only entries from before the chain was keyed may be)")
            }
            Self::HeadMismatch => f.write_str("it no longer has the MAC of the published head"),
            Self::HeadNotReached => f.write_str("the chain no longer reaches the published head"),
        }
    }
}

/// The result of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// Of these, unkeyed entries from before the chain was keyed.
    pub unkeyed_entries: u64,
    /// The first problem: the entry's seq (the head's, for head problems) and what is wrong.
    pub broken: Option<(i64, ChainBreak)>,
    /// The head of the whole chain as verified (`None` if empty or broken).
    pub head: Option<AuditHead>,
}

/// Walks the chain from the start, checking every link and MAC. `key` returns the MAC key
/// derived from the keyring key with the given id (`None` if the keyring lacks it). With
/// `against`, the entry at the head's position must still carry the head's MAC.
///
/// # Errors
/// The store failed.
pub async fn verify_audit_chain(
    store: &impl AuditStore,
    key: impl Fn(&str) -> Option<AuditKey>,
    against: Option<&AuditHead>,
) -> StoreResult<ChainReport> {
    let mut keys: HashMap<String, Option<AuditKey>> = HashMap::new();
    let mut report = ChainReport {
        entries: 0,
        unkeyed_entries: 0,
        broken: None,
        head: None,
    };
    let mut prev = AUDIT_GENESIS.to_vec();
    let (mut after, mut keyed) = (0, false);
    loop {
        let page = store.audit_chain(after, 1000).await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            report.entries += 1;
            let problem = if e.prev_hash != prev || e.seq != after + 1 {
                Some(ChainBreak::Link)
            } else {
                match &e.key_id {
                    None if keyed => Some(ChainBreak::UnkeyedAfterKeyed),
                    None => {
                        report.unkeyed_entries += 1;
                        (audit_hash(&e.prev_hash, &e.entry) != e.hash).then_some(ChainBreak::Mac)
                    }
                    Some(id) => {
                        keyed = true;
                        match keys.entry(id.clone()).or_insert_with(|| key(id)) {
                            None => Some(ChainBreak::UnknownKey(id.clone())),
                            Some(k) if k.id != *id => Some(ChainBreak::UnknownKey(id.clone())),
                            Some(k) => (audit_mac(k, &e.prev_hash, &e.entry) != e.hash)
                                .then_some(ChainBreak::Mac),
                        }
                    }
                }
            };
            if let Some(problem) = problem {
                report.broken = Some((e.seq, problem));
                return Ok(report);
            }
            if let Some(head) = against.filter(|h| h.seq == e.seq) {
                let org_matches = head.org.is_none_or(|o| e.entry.org_id == Some(o));
                if !org_matches || head.mac != e.hash {
                    report.broken = Some((e.seq, ChainBreak::HeadMismatch));
                    return Ok(report);
                }
            }
            after = e.seq;
            report.head = Some(AuditHead::of(None, &e));
            prev = e.hash;
        }
    }
    if let Some(head) = against.filter(|h| h.seq > after) {
        report.broken = Some((head.seq, ChainBreak::HeadNotReached));
        report.head = None;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_round_trip_and_bad_ones_are_refused_with_a_reason() {
        let org = OrgId(uuid::Uuid::now_v7());
        for head in [
            AuditHead {
                org: Some(org),
                seq: 42,
                mac: vec![0xab; 32],
            },
            AuditHead {
                org: None,
                seq: 1,
                mac: (0..32).collect(),
            },
        ] {
            assert_eq!(head.to_string().parse::<AuditHead>(), Ok(head.clone()));
        }
        let mac = "ab".repeat(32);
        for (bad, why) in [
            (format!("server:1:{mac}:x"), "parts"),
            (format!("nobody:1:{mac}"), "neither an org id"),
            (format!("server:0:{mac}"), "not a positive number"),
            (format!("server:x:{mac}"), "not a positive number"),
            ("server:1:abcd".to_owned(), "64 hex digits"),
            (format!("server:1:{}", "zz".repeat(32)), "64 hex digits"),
        ] {
            let err = bad.parse::<AuditHead>().unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
