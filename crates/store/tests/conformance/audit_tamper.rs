//! The audit chain against someone with database access (issue 18.6): each scenario plays the
//! attacker on the database directly (dropping the append-only triggers first), then checks
//! what `verify_audit_chain` reports.

use crate::audit::{audit_key, entry};
use crate::fixtures::{at, org};
use countersign_domain::OrgId;
use countersign_store::{
    AUDIT_GENESIS, AuditEntry, AuditFilter, AuditHead, AuditKey, AuditStore, ChainBreak,
    ChainReport, NewAuditEntry, Store, audit_hash, audit_mac, verify_audit_chain,
};

/// A direct connection to the store's database: what an attacker with database access has.
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs one query on whichever backend, with the same binds.
macro_rules! on_raw {
    ($raw:expr, $q:ident => $body:expr) => {
        match $raw {
            Raw::Sqlite(pool) => {
                let $q = sqlx::query::<sqlx::Sqlite>;
                $body.execute(pool).await.unwrap();
            }
            Raw::Postgres(pool) => {
                let $q = sqlx::query::<sqlx::Postgres>;
                $body.execute(pool).await.unwrap();
            }
        }
    };
}

impl Raw {
    /// Connects to `url` and drops the triggers that make the log append-only.
    pub async fn attacker(url: &str) -> Self {
        let raw = if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await.unwrap())
        } else {
            Self::Postgres(sqlx::PgPool::connect(url).await.unwrap())
        };
        match &raw {
            Raw::Sqlite(_) => {
                on_raw!(&raw, q => q("DROP TRIGGER audit_log_no_update"));
                on_raw!(&raw, q => q("DROP TRIGGER audit_log_no_delete"));
            }
            Raw::Postgres(_) => {
                on_raw!(&raw, q => q("DROP TRIGGER audit_log_no_update ON audit_log"));
            }
        }
        raw
    }

    async fn close(self) {
        match self {
            Raw::Sqlite(pool) => pool.close().await,
            Raw::Postgres(pool) => pool.close().await,
        }
    }

    /// Overwrites the stored entry `e.seq` with `e`.
    async fn write(&self, e: &AuditEntry) {
        on_raw!(self, q => q(
            "UPDATE audit_log SET action = $1, target = $2, prev_hash = $3, hash = $4, \
             key_id = $5 WHERE seq = $6",
        )
        .bind(e.entry.action.as_str())
        .bind(e.entry.target.as_str())
        .bind(e.prev_hash.as_slice())
        .bind(e.hash.as_slice())
        .bind(e.key_id.as_deref())
        .bind(e.seq));
    }

    /// Inserts an unkeyed entry as the code before the keyed chain wrote them.
    async fn insert_unkeyed(&self, seq: i64, prev_hash: &[u8], e: &NewAuditEntry) -> Vec<u8> {
        let hash = audit_hash(prev_hash, e);
        on_raw!(self, q => q(
            "INSERT INTO audit_log (seq, org_id, at, actor_id, actor_label, action, target, \
             detail, ip, prev_hash, hash) VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, NULL, $8, $9)",
        )
        .bind(seq)
        .bind(e.org_id.map(|o| o.0))
        .bind(e.at.0)
        .bind(e.actor_label.as_str())
        .bind(e.action.as_str())
        .bind(e.target.as_str())
        .bind(e.detail.as_str())
        .bind(prev_hash)
        .bind(hash.as_slice()));
        hash
    }

    async fn delete_from(&self, seq: i64) {
        on_raw!(self, q => q("DELETE FROM audit_log WHERE seq >= $1").bind(seq));
    }
}

/// Generates a SQLite and a PostgreSQL test per scenario `async fn(&Store, &Raw)`.
macro_rules! tamper_scenarios {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let db = crate::harness::TestDb::sqlite().await;
                    let raw = super::Raw::attacker(&db.url).await;
                    super::$scenario(&db.store, &raw).await;
                    raw.close().await;
                    db.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let Some(db) = crate::harness::TestDb::postgres().await else {
                        return;
                    };
                    let raw = super::Raw::attacker(&db.url).await;
                    super::$scenario(&db.store, &raw).await;
                    raw.close().await;
                    db.close().await;
                }
            )*
        }
    };
}

tamper_scenarios!(
    an_edit_rehashed_with_plain_sha256_is_detected,
    a_key_holders_rewrite_is_caught_by_an_earlier_head,
    rotated_keys_keep_old_entries_verifiable,
    unkeyed_entries_are_accepted_only_before_the_first_keyed_one,
);

/// Verifies with the given keyring keys.
async fn verify(store: &Store, keys: &[AuditKey], against: Option<&AuditHead>) -> ChainReport {
    verify_audit_chain(
        store,
        |id| keys.iter().find(|k| k.id == id).cloned(),
        against,
    )
    .await
    .unwrap()
}

async fn chain(store: &Store) -> Vec<AuditEntry> {
    store.audit_chain(0, 1000).await.unwrap()
}

/// Changes the action of entry `from`, then recomputes it and every later entry with `seal`
/// (returning the new hash and key id), as an attacker covering their tracks would.
async fn rewrite_from(
    store: &Store,
    raw: &Raw,
    from: i64,
    seal: impl Fn(&[u8], &NewAuditEntry) -> (Vec<u8>, Option<String>),
) {
    let mut prev = AUDIT_GENESIS.to_vec();
    for mut e in chain(store).await {
        if e.seq >= from {
            if e.seq == from {
                e.entry.action = "nothing.happened".into();
            }
            e.prev_hash.clone_from(&prev);
            (e.hash, e.key_id) = seal(&prev, &e.entry);
            raw.write(&e).await;
        }
        prev = e.hash;
    }
}

async fn append_five(store: &Store) -> OrgId {
    let a = org(store, "a").await;
    for t in 1..=5 {
        let o = (t != 2).then_some(a.id);
        store
            .append_audit(&audit_key(), &entry(o, None, &format!("act.{t}"), at(t)))
            .await
            .unwrap();
    }
    a.id
}

fn sha256_keeping(
    key_id: Option<&str>,
) -> impl Fn(&[u8], &NewAuditEntry) -> (Vec<u8>, Option<String>) {
    move |prev, e| (audit_hash(prev, e), key_id.map(str::to_owned))
}

pub async fn an_edit_rehashed_with_plain_sha256_is_detected(store: &Store, raw: &Raw) {
    append_five(store).await;
    let keys = [audit_key()];
    let intact = verify(store, &keys, None).await;
    assert_eq!((intact.entries, intact.broken), (5, None));
    let published = intact.head.unwrap();
    assert_eq!((published.org, published.seq), (None, 5));

    // Without the key, the attacker recomputes the chain with plain SHA-256 (all a plain
    // hash chain needs), keeping the key ids: the MAC of the edited entry no longer matches.
    rewrite_from(store, raw, 3, sha256_keeping(Some("k-test"))).await;
    assert_eq!(
        verify(store, &keys, None).await.broken,
        Some((3, ChainBreak::Mac))
    );

    // Passing the rewritten entries off as unkeyed ones from before the chain was keyed.
    rewrite_from(store, raw, 3, sha256_keeping(None)).await;
    assert_eq!(
        verify(store, &keys, None).await.broken,
        Some((3, ChainBreak::UnkeyedAfterKeyed))
    );

    // Passing the whole log off as unkeyed: consistent on its own, but the head published
    // before names a MAC the rewritten log does not have.
    rewrite_from(store, raw, 1, sha256_keeping(None)).await;
    let downgraded = verify(store, &keys, None).await;
    assert_eq!((downgraded.broken, downgraded.unkeyed_entries), (None, 5));
    assert_eq!(
        verify(store, &keys, Some(&published)).await.broken,
        Some((5, ChainBreak::HeadMismatch))
    );
}

pub async fn a_key_holders_rewrite_is_caught_by_an_earlier_head(store: &Store, raw: &Raw) {
    let a = append_five(store).await;
    let keys = [audit_key()];
    // The head of org a as published: its newest entry.
    let newest = store
        .audit_entries(
            a,
            &AuditFilter {
                limit: 1,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let head = AuditHead::of(Some(a), &newest[0]);
    assert_eq!(head.seq, 5);
    assert_eq!(verify(store, &keys, Some(&head)).await.broken, None);
    // The head must name an entry of its org.
    let wrong_org = AuditHead {
        org: Some(OrgId::new()),
        ..head.clone()
    };
    assert_eq!(
        verify(store, &keys, Some(&wrong_org)).await.broken,
        Some((5, ChainBreak::HeadMismatch))
    );
    // Later entries do not disturb an earlier head.
    store
        .append_audit(&audit_key(), &entry(Some(a), None, "later", at(6)))
        .await
        .unwrap();
    assert_eq!(verify(store, &keys, Some(&head)).await.broken, None);

    // Someone holding the key edits entry 2 and re-MACs everything after it: the chain is
    // consistent again, but the entry at the head's position has another MAC.
    let key = audit_key();
    rewrite_from(store, raw, 2, |prev, e| {
        (audit_mac(&key, prev, e), Some(key.id.clone()))
    })
    .await;
    assert_eq!(verify(store, &keys, None).await.broken, None);
    assert_eq!(
        verify(store, &keys, Some(&head)).await.broken,
        Some((5, ChainBreak::HeadMismatch))
    );

    // Cutting the log short: the chain no longer reaches the head.
    raw.delete_from(4).await;
    assert_eq!(verify(store, &keys, None).await.broken, None);
    let cut = verify(store, &keys, Some(&head)).await;
    assert_eq!(cut.broken, Some((5, ChainBreak::HeadNotReached)));
    assert_eq!(cut.head, None);
}

pub async fn rotated_keys_keep_old_entries_verifiable(store: &Store, _raw: &Raw) {
    let a = org(store, "a").await;
    let old = AuditKey::new("k-old", [1; 32]);
    let new = AuditKey::new("k-new", [2; 32]);
    for (t, key) in [(1, &old), (2, &old), (3, &new), (4, &new)] {
        store
            .append_audit(key, &entry(Some(a.id), None, "x", at(t)))
            .await
            .unwrap();
    }
    let ids: Vec<_> = chain(store).await.into_iter().map(|e| e.key_id).collect();
    let named = |id: &str| Some(id.to_owned());
    assert_eq!(
        ids,
        vec![
            named("k-old"),
            named("k-old"),
            named("k-new"),
            named("k-new")
        ]
    );
    let both = verify(store, &[old.clone(), new.clone()], None).await;
    assert_eq!((both.entries, both.broken), (4, None));
    // A keyring that lost the old key cannot vouch for the old entries.
    assert_eq!(
        verify(store, &[new], None).await.broken,
        Some((1, ChainBreak::UnknownKey("k-old".into())))
    );
    // The right id with the wrong key bytes is a MAC mismatch.
    let forged = AuditKey::new("k-old", [9; 32]);
    assert_eq!(
        verify(store, &[forged, AuditKey::new("k-new", [2; 32])], None)
            .await
            .broken,
        Some((1, ChainBreak::Mac))
    );
}

pub async fn unkeyed_entries_are_accepted_only_before_the_first_keyed_one(
    store: &Store,
    raw: &Raw,
) {
    let a = org(store, "a").await;
    // Two entries as written before migration 0020: no key id, plain SHA-256.
    let first = raw
        .insert_unkeyed(1, &AUDIT_GENESIS, &entry(Some(a.id), None, "old.1", at(1)))
        .await;
    let second = raw
        .insert_unkeyed(2, &first, &entry(None, None, "old.2", at(2)))
        .await;
    // The keyed chain continues from the last unkeyed entry.
    let keyed = store
        .append_audit(&audit_key(), &entry(Some(a.id), None, "new.3", at(3)))
        .await
        .unwrap();
    assert_eq!((keyed.seq, &keyed.prev_hash), (3, &second));
    let keys = [audit_key()];
    let report = verify(store, &keys, None).await;
    assert_eq!(
        (report.entries, report.unkeyed_entries, report.broken),
        (3, 2, None)
    );
    // An edit of a legacy entry is still found: the first keyed MAC covers its hash.
    let mut legacy = chain(store).await.remove(0);
    legacy.entry.action = "old.edited".into();
    legacy.hash = audit_hash(&legacy.prev_hash, &legacy.entry);
    raw.write(&legacy).await;
    assert_eq!(
        verify(store, &keys, None).await.broken,
        Some((2, ChainBreak::Link))
    );
    raw.delete_from(1).await;

    // Unkeyed after keyed is refused even when its hash is right.
    let e1 = raw
        .insert_unkeyed(1, &AUDIT_GENESIS, &entry(Some(a.id), None, "old.1", at(1)))
        .await;
    let k2 = store
        .append_audit(&audit_key(), &entry(Some(a.id), None, "new.2", at(2)))
        .await
        .unwrap();
    assert_eq!(k2.prev_hash, e1);
    raw.insert_unkeyed(3, &k2.hash, &entry(Some(a.id), None, "sneaked.in", at(3)))
        .await;
    assert_eq!(
        verify(store, &keys, None).await.broken,
        Some((3, ChainBreak::UnkeyedAfterKeyed))
    );
}
