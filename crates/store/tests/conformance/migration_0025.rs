//! Migration 0025 (issue 19.4): every tenant link becomes a generic sync-source row with the
//! same id, its sync state and counters carried across and its Microsoft 365 fields in the
//! descriptor, on a database populated with the schema before it, on both backends.

use countersign_domain::{CustomerId, IntegrationId, OrgId, SyncSourceId, Timestamp};
use countersign_store::{NewSyncSource, Store, SyncProgress, SyncSourceStore, SyncState};

const INTEGRATION: &str = "INSERT INTO integrations (id, org_id, kind, name, cloud, \
     login_base_url, graph_base_url, skip_guests, skip_disabled, skip_unlicensed, gdap_status, \
     created_at, updated_at) VALUES ($1, $2, 'microsoft365', 'M365', 'global', '', '', $3, $3, \
     $3, 'connected', 1, 1)";

/// Two tenant links as they were before 0025: one consented, synced, with its delta link
/// and counters; one GDAP link that ended, with its relationships and roles. `TRUE` and
/// `FALSE` are booleans on both backends.
const LINKS: &str = "INSERT INTO tenant_links (id, org_id, integration_id, tenant_id, link, \
     display_name, default_domain, relationships, roles, customer_id, delta_link, sync_state, \
     sync_started_at, last_sync_at, last_sync_ok, last_error, pages, users_seen, added, changed, \
     removed, created_at, updated_at, ended_at, ended_reason) VALUES \
     ($1, $3, $4, 't-contoso', 'admin_consent', 'Contoso', 'contoso.example', '', '', $5, \
      'https://graph/delta?token=1', 'idle', 10, 20, TRUE, NULL, 3, 250, 200, 40, 10, 5, 20, \
      NULL, NULL), \
     ($2, $3, $4, 't-fabrikam', 'gdap', 'Fabrikam', 'fabrikam.example', 'Fabrikam – T', \
      'r1,r2', NULL, NULL, 'queued', NULL, 30, FALSE, 'throttled', 1, 2, 0, 0, 0, 6, 31, 31, \
      'the relationship expired')";

/// The rows written with the old schema.
struct Old {
    org: OrgId,
    integration: IntegrationId,
    synced: SyncSourceId,
    ended: SyncSourceId,
    customer: CustomerId,
}

/// Inserts an integration and its two tenant links ([`LINKS`]) with the old schema.
macro_rules! insert_old_rows {
    ($conn:expr) => {{
        let old = Old {
            org: OrgId::new(),
            integration: IntegrationId::new(),
            synced: SyncSourceId::new(),
            ended: SyncSourceId::new(),
            customer: CustomerId::new(),
        };
        sqlx::query(INTEGRATION)
            .bind(old.integration.0)
            .bind(old.org.0)
            .bind(true)
            .execute(&mut $conn)
            .await
            .unwrap();
        sqlx::query(LINKS)
            .bind(old.synced.0)
            .bind(old.ended.0)
            .bind(old.org.0)
            .bind(old.integration.0)
            .bind(old.customer.0)
            .execute(&mut $conn)
            .await
            .unwrap();
        old
    }};
}

/// The descriptor's fields.
fn descriptor(d: &str) -> (String, String, String) {
    let v: serde_json::Value = serde_json::from_str(d).unwrap();
    let field = |k: &str| v[k].as_str().unwrap().to_owned();
    (
        field("default_domain"),
        field("relationships"),
        field("roles"),
    )
}

async fn carried_across(store: &Store, old: &Old) {
    let synced = store.sync_source(old.org, old.synced).await.unwrap();
    assert_eq!(
        (
            synced.new.integration_id,
            synced.new.external_id.as_str(),
            synced.new.link.as_str(),
            synced.new.display_name.as_str(),
        ),
        (old.integration, "t-contoso", "admin_consent", "Contoso")
    );
    assert_eq!(
        descriptor(&synced.new.descriptor),
        ("contoso.example".into(), String::new(), String::new())
    );
    assert_eq!(synced.customer_id, Some(old.customer));
    assert_eq!(
        synced.cursor.as_deref(),
        Some("https://graph/delta?token=1")
    );
    assert_eq!(
        (
            synced.state,
            synced.started_at,
            synced.last_run_at,
            synced.last_ok,
            synced.last_error.as_deref()
        ),
        (
            SyncState::Idle,
            Some(Timestamp(10)),
            Some(Timestamp(20)),
            Some(true),
            None
        )
    );
    assert_eq!(
        synced.progress,
        SyncProgress {
            pages: 3,
            users_seen: 250,
            added: 200,
            changed: 40,
            removed: 10,
        }
    );
    assert_eq!(synced.created_at, Timestamp(5));

    let ended = store.sync_source(old.org, old.ended).await.unwrap();
    assert_eq!(
        (ended.new.external_id.as_str(), ended.new.link.as_str()),
        ("t-fabrikam", "gdap")
    );
    assert_eq!(
        descriptor(&ended.new.descriptor),
        (
            "fabrikam.example".into(),
            "Fabrikam – T".into(),
            "r1,r2".into()
        )
    );
    assert_eq!(
        (ended.customer_id, ended.cursor, ended.state, ended.last_ok),
        (None, None, SyncState::Queued, Some(false))
    );
    assert_eq!(ended.last_error.as_deref(), Some("throttled"));
    assert_eq!(
        (ended.ended_at, ended.ended_reason.as_deref()),
        (Some(Timestamp(31)), Some("the relationship expired"))
    );

    // Both are the integration's, by name; only the synced, idle one is due.
    let all = store.sync_sources(old.org, old.integration).await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![old.synced, old.ended]
    );
    let due = store.sync_sources_due(Timestamp(1_000), 10).await.unwrap();
    assert_eq!(due, vec![(old.org, old.synced)]);
    // The unique key holds on the new table: the same tenant and link is the same row.
    let again = store
        .upsert_sync_source(
            &NewSyncSource {
                org_id: old.org,
                integration_id: old.integration,
                external_id: "t-contoso".into(),
                link: "admin_consent".into(),
                display_name: "Contoso Ltd".into(),
                descriptor: synced.new.descriptor.clone(),
            },
            Timestamp(40),
        )
        .await
        .unwrap();
    assert_eq!(again.id, old.synced);
}

crate::migration_0017::migration_tests!(
    migration_0025_carries_tenant_links_to_sync_sources_sqlite,
    migration_0025_carries_tenant_links_to_sync_sources_postgres,
    "0025",
    insert_old_rows,
    carried_across
);
