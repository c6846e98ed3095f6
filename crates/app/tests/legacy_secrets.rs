//! Issue 19.4: migration 0027 makes an integration row generic, but it cannot move the sealed
//! GDAP columns (each seal names its old column; only the server holds the key). The server's
//! start-up carries them into the row's one sealed value: here, on SQLite and PostgreSQL, a
//! row holding values as migration 0027 leaves them is carried when the server starts again,
//! its secrets open to the same values, nothing else changes, a value that does not open is
//! left in place (the start still succeeds), and a third start changes nothing.

#![allow(clippy::unwrap_used)]

mod support;

use countersign_app::microsoft::{GdapStatus, PendingGdap};
use countersign_app::{App, Principal, Settings};
use countersign_crypto::SealAad;
use countersign_domain::{IntegrationId, OrgId};
use countersign_store::{IntegrationKind, IntegrationStore};
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use support::start;

const LEGACY: [&str; 3] = [
    "gdap_client_secret",
    "gdap_refresh_token",
    "gdap_pending_client_secret",
];
const VALUES: [&str; 3] = ["client~secret-1", "refresh-token-1", "pending~secret-2"];

/// Runs one statement with the database's own client, as the migration left the row.
async fn raw(settings: &Settings, sql: &str, binds: Vec<Option<Vec<u8>>>, id: IntegrationId) {
    if settings.storage.database_url.is_empty() {
        let url = format!("sqlite://{}", settings.sqlite_path().display());
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        q.bind(id.0).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    } else {
        let mut conn = PgConnection::connect(&settings.storage.database_url)
            .await
            .unwrap();
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        q.bind(id.0).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
}

/// Whether the row still holds a value in a legacy column.
async fn has_legacy(app: &App, id: IntegrationId) -> bool {
    // The store lists exactly the rows with a legacy value left.
    app.store()
        .legacy_integration_secrets(100)
        .await
        .unwrap()
        .iter()
        .any(|l| l.id == id)
}

fn sealed_as_0027_left_it(
    app: &App,
    org: OrgId,
    row: IntegrationId,
    column: &str,
    value: &str,
) -> Vec<u8> {
    let row = row.to_string();
    app.keyring.seal(
        value.as_bytes(),
        &SealAad {
            org_id: Some(org),
            table: "integrations",
            column,
            row_id: &row,
        },
    )
}

async fn carried_at_start(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let settings = support::settings(&dir, |s| {
        s.storage.database_url = database_url.to_owned();
    });
    let app = start(&settings).await;
    let admin = support::first_admin(&app).await;
    let org = admin.org_id;
    let by = Principal::technician(&admin, [127, 0, 0, 1].into());
    let connected = app
        .create_integration(&by, IntegrationKind::Microsoft365, "Northwind GDAP")
        .await
        .unwrap();
    let unopenable = app
        .create_integration(&by, IntegrationKind::Microsoft365, "Other")
        .await
        .unwrap();
    // What migration 0027 leaves: the settings in JSON, the three values in their old
    // columns, sealed for those columns.
    app.seed_microsoft(org, connected.id, |s, _| {
        s.gdap_domain = Some("northwind.example".into());
        s.gdap_partner_tenant_id = Some("pt-1".into());
        s.gdap_client_id = Some("cid-1".into());
        s.gdap_status = GdapStatus::Connected;
        s.gdap_pending = Some(PendingGdap {
            domain: "northwind2.example".into(),
            partner_tenant_id: "pt-2".into(),
            client_id: "cid-2".into(),
        });
    })
    .await
    .unwrap();
    let before = app.inspect_microsoft(org, connected.id).await.unwrap().0;
    let update = "UPDATE integrations SET gdap_client_secret = $1, gdap_refresh_token = $2, \
                  gdap_pending_client_secret = $3 WHERE id = $4";
    let binds = LEGACY
        .iter()
        .zip(VALUES)
        .map(|(column, value)| {
            Some(sealed_as_0027_left_it(
                &app,
                org,
                connected.id,
                column,
                value,
            ))
        })
        .collect();
    raw(&settings, update, binds, connected.id).await;
    // Sealed for another row: it does not open here.
    let wrong = sealed_as_0027_left_it(&app, org, connected.id, LEGACY[0], "stolen");
    raw(
        &settings,
        update,
        vec![Some(wrong), None, None],
        unopenable.id,
    )
    .await;
    assert!(has_legacy(&app, connected.id).await);
    drop(app);

    let app = start(&settings).await;
    let (after, secrets) = app.inspect_microsoft(org, connected.id).await.unwrap();
    assert_eq!(
        (
            secrets.gdap_client_secret.as_deref(),
            secrets.gdap_refresh_token.as_deref(),
            secrets.gdap_pending_client_secret.as_deref()
        ),
        (Some(VALUES[0]), Some(VALUES[1]), Some(VALUES[2]))
    );
    assert_eq!(
        after.settings, before.settings,
        "the settings are untouched"
    );
    assert!(
        !has_legacy(&app, connected.id).await,
        "the old columns are emptied"
    );
    // The value that does not open stays where it was, nothing lost; its row has no secrets.
    assert!(has_legacy(&app, unopenable.id).await);
    let (_, none) = app.inspect_microsoft(org, unopenable.id).await.unwrap();
    assert!(none.gdap_client_secret.is_none());
    let revision = app
        .store()
        .integration(org, connected.id)
        .await
        .unwrap()
        .revision;
    drop(app);

    // Again: nothing left to carry, nothing written.
    let app = start(&settings).await;
    assert_eq!(
        app.store()
            .integration(org, connected.id)
            .await
            .unwrap()
            .revision,
        revision
    );
    let (_, again) = app.inspect_microsoft(org, connected.id).await.unwrap();
    assert_eq!(again.gdap_refresh_token.as_deref(), Some(VALUES[1]));
}

#[tokio::test]
async fn legacy_gdap_secrets_are_carried_at_start_sqlite() {
    carried_at_start("").await;
}

#[tokio::test]
async fn legacy_gdap_secrets_are_carried_at_start_postgres() {
    let admin = std::env::var("COUNTERSIGN_TEST_POSTGRES_URL")
        .expect("COUNTERSIGN_TEST_POSTGRES_URL must point at a PostgreSQL server");
    let name = format!("cs_legacy_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    carried_at_start(&url).await;
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
}
