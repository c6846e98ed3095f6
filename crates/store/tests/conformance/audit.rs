//! Audit log: the hash chain, filters and org scoping.

use crate::fixtures::{at, org};
use crate::harness::concurrently;
use countersign_domain::{OrgId, TechnicianId, Timestamp};
use countersign_store::{
    AUDIT_GENESIS, AuditEntry, AuditFilter, AuditKey, AuditStore, NewAuditEntry, Store, audit_mac,
};

/// The MAC key of the scenarios' audit entries.
pub fn audit_key() -> AuditKey {
    AuditKey::new("k-test", [42; 32])
}

/// An entry of `org` by `actor`.
pub fn entry(
    org: Option<OrgId>,
    actor: Option<TechnicianId>,
    action: &str,
    when: Timestamp,
) -> NewAuditEntry {
    NewAuditEntry {
        org_id: org,
        at: when,
        actor_id: actor,
        actor_label: actor.map_or_else(|| "system".to_owned(), |a| format!("tech {a}")),
        action: action.to_owned(),
        target: "target".to_owned(),
        detail: r#"{"k":"v"}"#.to_owned(),
        ip: actor.map(|_| "192.0.2.9".to_owned()),
    }
}

/// Reads the whole chain in pages and checks every link; returns it.
pub async fn verified_chain(store: &Store) -> Vec<AuditEntry> {
    let mut chain: Vec<AuditEntry> = Vec::new();
    loop {
        let after = chain.last().map_or(0, |e| e.seq);
        let page = store.audit_chain(after, 7).await.unwrap();
        if page.is_empty() {
            break;
        }
        chain.extend(page);
    }
    let mut prev = AUDIT_GENESIS.to_vec();
    for (i, e) in chain.iter().enumerate() {
        assert_eq!(e.seq, i64::try_from(i).unwrap() + 1, "no gaps");
        assert_eq!(
            e.prev_hash, prev,
            "entry {} links to the previous one",
            e.seq
        );
        assert_eq!(
            e.hash,
            audit_mac(&audit_key(), &e.prev_hash, &e.entry),
            "entry {} hash",
            e.seq
        );
        assert_eq!(
            e.key_id.as_deref(),
            Some("k-test"),
            "entry {} key id",
            e.seq
        );
        prev.clone_from(&e.hash);
    }
    chain
}

pub async fn chain_links(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let actor = TechnicianId::new();
    let new = [
        entry(Some(a.id), Some(actor), "login.ok", at(1)),
        entry(None, None, "server.started", at(2)),
        entry(Some(b.id), None, "org.created", at(3)),
        entry(Some(a.id), Some(actor), "technician.invited", at(4)),
    ];
    let mut appended = Vec::new();
    for e in &new {
        let stored = store.append_audit(&audit_key(), e).await.unwrap();
        assert_eq!(&stored.entry, e);
        appended.push(stored);
    }
    assert_eq!(appended[0].prev_hash, AUDIT_GENESIS.to_vec());
    let chain = verified_chain(store).await;
    assert_eq!(chain, appended);

    let page = store.audit_chain(1, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
    assert!(store.audit_chain(4, 10).await.unwrap().is_empty());
    assert!(store.audit_chain(0, -1).await.unwrap().is_empty());
}

pub async fn filters(store: &Store) {
    let a = org(store, "a").await;
    let (amy, bob) = (TechnicianId::new(), TechnicianId::new());
    let o = Some(a.id);
    let plan = [
        (Some(amy), "login.ok", 10),
        (Some(bob), "login.failed", 20),
        (Some(amy), "logout", 30),
        (None, "a_b", 40),
        (Some(bob), "technician.invited", 50),
        (Some(amy), "login.ok", 60),
    ];
    let mut seqs = Vec::new();
    for (actor, action, t) in plan {
        seqs.push(
            store
                .append_audit(&audit_key(), &entry(o, actor, action, at(t)))
                .await
                .unwrap()
                .seq,
        );
    }
    let query = |f: AuditFilter| async move {
        let found = store.audit_entries(a.id, &f).await.unwrap();
        found.iter().map(|e| e.seq).collect::<Vec<_>>()
    };
    let base = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    // Newest first.
    assert_eq!(
        query(base.clone()).await,
        seqs.iter().rev().copied().collect::<Vec<_>>()
    );
    let s = |i: usize| seqs[i];

    let by_amy = AuditFilter {
        actor_id: Some(amy),
        ..base.clone()
    };
    assert_eq!(query(by_amy).await, vec![s(5), s(2), s(0)]);

    let prefix = |p: &str| AuditFilter {
        action_prefix: Some(p.to_owned()),
        ..base.clone()
    };
    assert_eq!(query(prefix("login")).await, vec![s(5), s(1), s(0)]);
    assert_eq!(query(prefix("login.ok")).await, vec![s(5), s(0)]);
    assert_eq!(query(prefix("log")).await, vec![s(5), s(2), s(1), s(0)]);
    // Wildcards and case are literal.
    assert_eq!(query(prefix("a_")).await, vec![s(3)]);
    assert!(query(prefix("a%")).await.is_empty());
    assert!(query(prefix("_")).await.is_empty());
    assert!(query(prefix("LOGIN")).await.is_empty());

    let window = AuditFilter {
        from: Some(at(20)),
        to: Some(at(50)),
        ..base.clone()
    };
    assert_eq!(query(window).await, vec![s(3), s(2), s(1)]);
    let combined = AuditFilter {
        actor_id: Some(amy),
        action_prefix: Some("log".into()),
        from: Some(at(10)),
        to: Some(at(60)),
        ..base.clone()
    };
    assert_eq!(query(combined).await, vec![s(2), s(0)]);

    // Keyset pages.
    let page1 = AuditFilter {
        limit: 4,
        ..base.clone()
    };
    assert_eq!(query(page1).await, vec![s(5), s(4), s(3), s(2)]);
    let page2 = AuditFilter {
        limit: 4,
        before_seq: Some(s(2)),
        ..base.clone()
    };
    assert_eq!(query(page2).await, vec![s(1), s(0)]);
    assert!(
        query(AuditFilter {
            limit: 0,
            ..base.clone()
        })
        .await
        .is_empty()
    );
    assert!(query(AuditFilter { limit: -5, ..base }).await.is_empty());
}

pub async fn org_scoping(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let ea = store
        .append_audit(&audit_key(), &entry(Some(a.id), None, "x", at(1)))
        .await
        .unwrap();
    store
        .append_audit(&audit_key(), &entry(Some(b.id), None, "x", at(2)))
        .await
        .unwrap();
    store
        .append_audit(&audit_key(), &entry(None, None, "x", at(3)))
        .await
        .unwrap();
    let filter = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    assert_eq!(store.audit_entries(a.id, &filter).await.unwrap(), vec![ea]);
    let nobody = store.audit_entries(OrgId::new(), &filter).await.unwrap();
    assert!(nobody.is_empty());
}

pub async fn concurrent_appends_form_one_chain(store: &Store) {
    let a = org(store, "a").await;
    let appended = concurrently(20, |i| {
        let store = store.clone();
        let e = entry(
            Some(a.id),
            None,
            &format!("race.{i}"),
            at(u64::try_from(i).unwrap()),
        );
        async move { store.append_audit(&audit_key(), &e).await.unwrap() }
    })
    .await;
    let chain = verified_chain(store).await;
    assert_eq!(chain.len(), 20);
    for e in appended {
        assert_eq!(chain[usize::try_from(e.seq - 1).unwrap()], e);
    }
}

pub async fn batches_append_in_order_as_one_chain(store: &Store) {
    let a = org(store, "a").await;
    store
        .append_audit(&audit_key(), &entry(Some(a.id), None, "single", at(1)))
        .await
        .unwrap();
    // More than one multi-row INSERT's worth, with and without actors and addresses.
    let batch: Vec<NewAuditEntry> = (0..150)
        .map(|i| {
            let actor = (i % 2 == 0).then(TechnicianId::new);
            entry(Some(a.id), actor, &format!("batch.{i}"), at(2 + i))
        })
        .collect();
    let appended = store
        .append_audit_batch(&audit_key(), &batch)
        .await
        .unwrap();
    assert_eq!(appended.len(), 150);
    assert!(
        store
            .append_audit_batch(&audit_key(), &[])
            .await
            .unwrap()
            .is_empty()
    );
    let chain = verified_chain(store).await;
    assert_eq!(chain.len(), 151);
    for (i, e) in appended.iter().enumerate() {
        assert_eq!(e.entry, batch[i], "returned in the order given");
        assert_eq!(chain[i + 1], *e, "stored as returned");
    }
}
