//! Sealed values (key rotation) and key canaries.

use crate::fixtures::{at, org, random_bytes, technician};
use countersign_domain::{IntegrationId, OAuthStateId, Role};
use countersign_store::{
    IntegrationStore, SealedColumn, SealedStore, SealedValue, SecretStore, Store, StoreError,
    TechnicianStore, WebhookStore, constraints,
};

/// Stores `value` in `column` of technician row `t`. The exhaustive match makes a new
/// `SealedColumn` variant fail to compile here until the suite covers it.
async fn put(store: &Store, column: SealedColumn, t: &countersign_store::Technician, value: &[u8]) {
    match column {
        SealedColumn::TechnicianTotpSecret => {
            store
                .enable_totp(t.org_id, t.id, value, &[], at(0))
                .await
                .unwrap();
        }
        SealedColumn::TechnicianTotpPendingSecret => {
            store
                .set_totp_pending(t.org_id, t.id, Some(value))
                .await
                .unwrap();
        }
        // Integration rows share the technician's id, so the suite's row ids still match.
        SealedColumn::IntegrationSecrets => {
            let i = crate::integrations::integration(t.org_id, IntegrationId(t.id.0));
            store.create_integration(&i).await.unwrap();
            let config = countersign_store::IntegrationConfig {
                revision: i.revision,
                settings: &i.settings,
                secrets: Some(value),
                forget_cursors: false,
            };
            assert!(
                store
                    .replace_integration_config(t.org_id, i.id, &config, at(0))
                    .await
                    .unwrap()
            );
        }
        SealedColumn::OAuthStatePkceVerifier => {
            let i = crate::integrations::integration(t.org_id, IntegrationId::new());
            store.create_integration(&i).await.unwrap();
            let mut s = crate::integrations::round_trip(
                t.org_id,
                i.id,
                OAuthStateId(t.id.0),
                t.id.0.as_bytes(),
            );
            s.pkce_verifier = Some(value.to_vec());
            store.create_oauth_state(&s).await.unwrap();
        }
        // Endpoint rows share the technician's id too.
        SealedColumn::WebhookEndpointSecret => {
            let mut e = crate::webhooks::endpoint(t.org_id, &["verification.verified"]);
            e.id = countersign_domain::WebhookEndpointId(t.id.0);
            e.sealed_secret = value.to_vec();
            store.create_webhook_endpoint(&e).await.unwrap();
        }
        // Secret rows share the technician's id too; one row holds both sealed columns, so
        // the share's put stores a placeholder key (the row id's bytes) that the key's put
        // replaces through the compare-and-swap.
        SealedColumn::SecretServerShare => {
            let mut s =
                crate::secrets::new_secret(t.org_id, t.id, countersign_store::SecretKind::Send, 1);
            s.id = countersign_domain::SecretId(t.id.0);
            s.server_share = Some(value.to_vec());
            s.private_key = Some(t.id.0.as_bytes().to_vec());
            store.create_secret(&s).await.unwrap();
        }
        SealedColumn::SecretPrivateKey => {
            assert!(
                store
                    .reseal(column, &t.id.to_string(), t.id.0.as_bytes(), value)
                    .await
                    .unwrap()
            );
        }
    }
}

/// The value in `column` of technician row `t`.
async fn get(
    store: &Store,
    column: SealedColumn,
    t: &countersign_store::Technician,
) -> Option<Vec<u8>> {
    let row = store.technician(t.org_id, t.id).await.unwrap();
    match column {
        SealedColumn::TechnicianTotpSecret => row.totp_secret,
        SealedColumn::TechnicianTotpPendingSecret => row.totp_pending_secret,
        SealedColumn::IntegrationSecrets => {
            store
                .integration(t.org_id, IntegrationId(t.id.0))
                .await
                .unwrap()
                .secrets
        }
        // Round trips have no reader but the single-use take; the listing shows the value.
        SealedColumn::OAuthStatePkceVerifier => store
            .sealed_values(column, None, 1000)
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.row_id == t.id.to_string())
            .map(|v| v.value),
        SealedColumn::WebhookEndpointSecret => store
            .webhook_endpoint(t.org_id, countersign_domain::WebhookEndpointId(t.id.0))
            .await
            .ok()
            .map(|e| e.sealed_secret),
        // Claims hand out a secret's sealed values; the listing shows them without claiming.
        SealedColumn::SecretServerShare | SealedColumn::SecretPrivateKey => store
            .sealed_values(column, None, 1000)
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.row_id == t.id.to_string())
            .map(|v| v.value),
    }
}

pub async fn values_keyset_and_reseal(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let mut techs = Vec::new();
    for (i, o) in [&a, &b, &a, &b].into_iter().enumerate() {
        techs.push(technician(store, o, &format!("t{i}@x.test"), Role::Technician).await);
    }
    // One row without values, to check NULLs are skipped.
    technician(store, &a, "none@x.test", Role::Technician).await;

    for &column in SealedColumn::ALL {
        let mut expected = Vec::new();
        for t in &techs {
            let value = random_bytes();
            put(store, column, t, &value).await;
            expected.push(SealedValue {
                org_id: t.org_id,
                row_id: t.id.to_string(),
                value,
            });
        }
        expected.sort_by(|x, y| x.row_id.cmp(&y.row_id));

        // Keyset pages in row order.
        let page1 = store.sealed_values(column, None, 3).await.unwrap();
        assert_eq!(page1, expected[..3], "{column:?}");
        let after = page1.last().map(|v| v.row_id.as_str());
        let page2 = store.sealed_values(column, after, 3).await.unwrap();
        assert_eq!(page2, expected[3..], "{column:?}");
        let after = page2.last().map(|v| v.row_id.as_str());
        assert!(
            store
                .sealed_values(column, after, 3)
                .await
                .unwrap()
                .is_empty()
        );
        let bad = store.sealed_values(column, Some("not-a-uuid"), 3).await;
        assert!(matches!(bad, Err(StoreError::Unsupported(_))), "{column:?}");

        // Compare-and-swap on the old value.
        let target = &expected[0];
        let t = techs
            .iter()
            .find(|t| t.id.to_string() == target.row_id)
            .unwrap();
        let new = random_bytes();
        let stale = random_bytes();
        assert!(
            !store
                .reseal(column, &target.row_id, &stale, &new)
                .await
                .unwrap()
        );
        assert_eq!(get(store, column, t).await, Some(target.value.clone()));
        assert!(
            store
                .reseal(column, &target.row_id, &target.value, &new)
                .await
                .unwrap()
        );
        assert_eq!(get(store, column, t).await, Some(new.clone()));
        assert!(
            !store
                .reseal(column, &target.row_id, &target.value, &stale)
                .await
                .unwrap()
        );
        assert_eq!(get(store, column, t).await, Some(new));
        assert!(
            !store
                .reseal(column, "not-a-uuid", &target.value, &stale)
                .await
                .unwrap()
        );
        // Other rows untouched.
        for other in &expected[1..] {
            let t = techs
                .iter()
                .find(|t| t.id.to_string() == other.row_id)
                .unwrap();
            assert_eq!(get(store, column, t).await, Some(other.value.clone()));
        }
    }
}

pub async fn key_canaries(store: &Store) {
    assert!(store.key_canaries().await.unwrap().is_empty());
    let (k2, k1) = (random_bytes(), random_bytes());
    store.add_key_canary("key-2", &k2).await.unwrap();
    store.add_key_canary("key-1", &k1).await.unwrap();
    assert_eq!(
        store.key_canaries().await.unwrap(),
        vec![("key-1".to_owned(), k1.clone()), ("key-2".to_owned(), k2)]
    );
    match store.add_key_canary("key-1", &random_bytes()).await {
        Err(StoreError::Conflict { constraint }) => assert_eq!(constraint, constraints::KEY_CANARY),
        r => panic!("expected a conflict, got {r:?}"),
    }
    assert_eq!(store.key_canaries().await.unwrap()[0].1, k1);
}
