//! The Pod's sessions and handoff codes: a `pod` session round-trips and is revoked with the
//! technician's other sessions; a code is taken once (even by racing requests), expired codes
//! are swept, and the frame ancestors of every org are listed once each.

use crate::fixtures::{at, org, session, technician};
use crate::harness::concurrently;
use countersign_domain::{Role, SessionId};
use countersign_store::{
    PodHandoff, PodHandoffStore, PodSettings, PodStore, Session, SessionStage, SessionStore, Store,
};
use std::time::Duration;

fn handoff(t: &countersign_store::Technician, code: &[u8], created_s: u64) -> PodHandoff {
    PodHandoff {
        code_hash: code.to_vec(),
        org_id: t.org_id,
        technician_id: t.id,
        frame_origin: "https://psa.example".into(),
        created_at: at(created_s),
        expires_at: at(created_s).plus(Duration::from_secs(60)),
    }
}

pub async fn pod_sessions_are_sessions(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let main = session(store, &amy, at(0)).await;
    let pod = Session {
        id: SessionId::new(),
        token_hash: vec![7; 32],
        stage: SessionStage::Pod,
        ..main.clone()
    };
    store.create_session(&pod).await.unwrap();
    let got = store.session_by_token_hash(&pod.token_hash).await.unwrap();
    assert_eq!(got.map(|s| s.stage), Some(SessionStage::Pod));
    assert_eq!(store.sessions_of(acme.id, amy.id).await.unwrap().len(), 2);
    assert_eq!(store.delete_sessions_of(acme.id, amy.id).await.unwrap(), 2);
    assert_eq!(
        store.session_by_token_hash(&pod.token_hash).await.unwrap(),
        None
    );
}

pub async fn codes_are_taken_once(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let h = handoff(&amy, &[1; 32], 0);
    store.create_pod_handoff(&h).await.unwrap();
    assert_eq!(store.take_pod_handoff(&[2; 32]).await.unwrap(), None);
    assert_eq!(
        store.take_pod_handoff(&h.code_hash).await.unwrap(),
        Some(h.clone())
    );
    assert_eq!(store.take_pod_handoff(&h.code_hash).await.unwrap(), None);

    // Racing requests with the same code: exactly one gets it.
    let racer = handoff(&amy, &[3; 32], 0);
    store.create_pod_handoff(&racer).await.unwrap();
    let results = concurrently(8, |_| {
        let (store, code) = (store.clone(), racer.code_hash.clone());
        async move { store.take_pod_handoff(&code).await.unwrap().is_some() }
    })
    .await;
    assert_eq!(results.iter().filter(|won| **won).count(), 1, "{results:?}");

    // A new code sweeps the expired ones.
    let old = handoff(&amy, &[4; 32], 0);
    store.create_pod_handoff(&old).await.unwrap();
    store
        .create_pod_handoff(&handoff(&amy, &[5; 32], 61))
        .await
        .unwrap();
    assert_eq!(store.take_pod_handoff(&old.code_hash).await.unwrap(), None);
    assert!(store.take_pod_handoff(&[5; 32]).await.unwrap().is_some());
}

pub async fn frame_ancestors_of_every_org(store: &Store) {
    assert!(store.all_frame_ancestors().await.unwrap().is_empty());
    let acme = org(store, "acme").await;
    let beta = org(store, "beta").await;
    let _gamma = org(store, "gamma").await;
    for (o, list) in [
        (&acme, vec!["https://psa.example", "https://*.halo.example"]),
        (&beta, vec!["https://psa.example", "http://localhost:8081"]),
    ] {
        store
            .save_pod_settings(&PodSettings {
                frame_ancestors: list.into_iter().map(str::to_owned).collect(),
                ..PodSettings::defaults(o.id)
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store.all_frame_ancestors().await.unwrap(),
        vec![
            "http://localhost:8081",
            "https://*.halo.example",
            "https://psa.example"
        ]
    );
}
