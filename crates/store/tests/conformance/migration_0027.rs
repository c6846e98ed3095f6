//! Migration 0027 (issue 19.4): an integration row becomes generic. On a database populated
//! with the schema before it, on both backends: the Microsoft 365 columns land in the kind's
//! settings JSON with the same values, the sealed GDAP values are kept byte for byte for the
//! start-up to carry (listed, then carried once by compare-and-swap), and the rows that
//! reference the integration (round trips, sync sources) are all still there.

use countersign_domain::{IntegrationId, OrgId, SyncSourceId, Timestamp};
use countersign_store::{
    IntegrationKind, IntegrationStore, LegacyIntegrationSecrets, Store, SyncSourceStore,
};
use serde_json::{Value, json};

/// A GDAP integration in the middle of a re-connection: every column set, three sealed
/// values (their bytes stand in for sealed ones: the store never opens them).
const CONNECTED: &str = "INSERT INTO integrations (id, org_id, kind, name, cloud, \
     login_base_url, graph_base_url, skip_guests, skip_disabled, skip_unlicensed, gdap_domain, \
     gdap_partner_tenant_id, gdap_client_id, gdap_client_secret, gdap_refresh_token, \
     gdap_status, gdap_error, created_at, updated_at, gdap_pending_domain, \
     gdap_pending_partner_tenant_id, gdap_pending_client_id, gdap_pending_client_secret) \
     VALUES ($1, $2, 'microsoft365', 'Northwind GDAP', 'usgov', '', '', FALSE, TRUE, TRUE, \
     'northwind.example', 'pt-1', 'cid-1', $3, $4, 'connected', NULL, 7, 8, \
     'northwind2.example', 'pt-2', 'cid-2', $5)";

/// An integration that never set GDAP up.
const PLAIN: &str = "INSERT INTO integrations (id, org_id, kind, name, cloud, login_base_url, \
     graph_base_url, skip_guests, skip_disabled, skip_unlicensed, gdap_status, gdap_error, \
     created_at, updated_at) VALUES ($1, $2, 'microsoft365', 'Consent only', 'global', '', '', \
     TRUE, TRUE, FALSE, 'sign_in_again', 'the sign-in expired', 9, 9)";

/// A round trip and a sync source of the connected integration: they reference it with
/// `ON DELETE CASCADE`, so a migration that dropped the table would take them along.
const ROUND_TRIP: &str = "INSERT INTO oauth_states (id, org_id, integration_id, session_id, \
     state_hash, purpose, pkce_verifier, expires_at, created_at) \
     VALUES ($1, $2, $3, $1, $4, 'gdap', NULL, 9999999999999, 1)";
const SOURCE: &str = "INSERT INTO sync_sources (id, org_id, integration_id, external_id, link, \
     display_name, descriptor, state, created_at, updated_at) \
     VALUES ($1, $2, $3, 't-contoso', 'gdap', 'Contoso', '{}', 'idle', 1, 1)";

struct Old {
    org: OrgId,
    connected: IntegrationId,
    plain: IntegrationId,
    source: SyncSourceId,
    state_hash: Vec<u8>,
}

const CLIENT_SECRET: &[u8] = b"sealed client secret";
const REFRESH_TOKEN: &[u8] = b"sealed refresh token";
const PENDING_SECRET: &[u8] = b"sealed pending secret";

macro_rules! insert_old_rows {
    ($conn:expr) => {{
        let old = Old {
            org: OrgId::new(),
            connected: IntegrationId::new(),
            plain: IntegrationId::new(),
            source: SyncSourceId::new(),
            state_hash: vec![7; 32],
        };
        sqlx::query(CONNECTED)
            .bind(old.connected.0)
            .bind(old.org.0)
            .bind(CLIENT_SECRET)
            .bind(REFRESH_TOKEN)
            .bind(PENDING_SECRET)
            .execute(&mut $conn)
            .await
            .unwrap();
        sqlx::query(PLAIN)
            .bind(old.plain.0)
            .bind(old.org.0)
            .execute(&mut $conn)
            .await
            .unwrap();
        sqlx::query(ROUND_TRIP)
            .bind(uuid::Uuid::now_v7())
            .bind(old.org.0)
            .bind(old.connected.0)
            .bind(old.state_hash.as_slice())
            .execute(&mut $conn)
            .await
            .unwrap();
        sqlx::query(SOURCE)
            .bind(old.source.0)
            .bind(old.org.0)
            .bind(old.connected.0)
            .execute(&mut $conn)
            .await
            .unwrap();
        old
    }};
}

fn settings(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

async fn carried_across(store: &Store, old: &Old) {
    let i = store.integration(old.org, old.connected).await.unwrap();
    assert_eq!(
        (i.kind, i.name.as_str(), i.revision, i.secrets.as_ref()),
        (IntegrationKind::Microsoft365, "Northwind GDAP", 0, None)
    );
    assert_eq!((i.created_at, i.updated_at), (Timestamp(7), Timestamp(8)));
    assert_eq!(
        settings(&i.settings),
        json!({
            "cloud": "usgov",
            "skip_guests": false,
            "skip_disabled": true,
            "skip_unlicensed": true,
            "gdap_domain": "northwind.example",
            "gdap_partner_tenant_id": "pt-1",
            "gdap_client_id": "cid-1",
            "gdap_status": "connected",
            "gdap_error": null,
            "gdap_pending": {
                "domain": "northwind2.example",
                "partner_tenant_id": "pt-2",
                "client_id": "cid-2"
            }
        })
    );
    let plain = store.integration(old.org, old.plain).await.unwrap();
    assert_eq!(
        settings(&plain.settings),
        json!({
            "cloud": "global",
            "skip_guests": true,
            "skip_disabled": true,
            "skip_unlicensed": false,
            "gdap_domain": null,
            "gdap_partner_tenant_id": null,
            "gdap_client_id": null,
            "gdap_status": "sign_in_again",
            "gdap_error": "the sign-in expired",
            "gdap_pending": null
        })
    );
    // Nothing that references the integration went with the migration.
    let source = store.sync_source(old.org, old.source).await.unwrap();
    assert_eq!(source.new.integration_id, old.connected);
    let round = store
        .take_oauth_state(&old.state_hash, Timestamp(2))
        .await
        .unwrap()
        .expect("the round trip is still there");
    assert_eq!(round.integration_id, old.connected);

    // The sealed values wait, byte for byte, for the start-up to carry them.
    let legacy = store.legacy_integration_secrets(10).await.unwrap();
    let expected = LegacyIntegrationSecrets {
        org_id: old.org,
        id: old.connected,
        revision: 0,
        secrets: None,
        gdap_client_secret: Some(CLIENT_SECRET.to_vec()),
        gdap_refresh_token: Some(REFRESH_TOKEN.to_vec()),
        gdap_pending_client_secret: Some(PENDING_SECRET.to_vec()),
    };
    assert!(legacy == vec![expected.clone()], "{legacy:?}");

    // Carried once: not at another revision, not over values that changed since read.
    let carried = b"one sealed value".to_vec();
    let stale = LegacyIntegrationSecrets {
        revision: 1,
        ..expected.clone()
    };
    assert!(
        !store
            .carry_legacy_integration_secrets(&stale, &carried)
            .await
            .unwrap()
    );
    let changed = LegacyIntegrationSecrets {
        gdap_refresh_token: Some(b"another token".to_vec()),
        ..expected.clone()
    };
    assert!(
        !store
            .carry_legacy_integration_secrets(&changed, &carried)
            .await
            .unwrap()
    );
    assert!(
        store
            .carry_legacy_integration_secrets(&expected, &carried)
            .await
            .unwrap()
    );
    assert!(
        !store
            .carry_legacy_integration_secrets(&expected, &carried)
            .await
            .unwrap(),
        "a second carry finds the row changed"
    );
    assert!(
        store
            .legacy_integration_secrets(10)
            .await
            .unwrap()
            .is_empty()
    );
    let i = store.integration(old.org, old.connected).await.unwrap();
    assert_eq!((i.secrets, i.revision), (Some(carried), 1));
}

crate::migration_0017::migration_tests!(
    migration_0027_makes_integrations_generic_sqlite,
    migration_0027_makes_integrations_generic_postgres,
    "0027",
    insert_old_rows,
    carried_across
);
