//! The dashboard (issue 21.1) on SQLite and PostgreSQL: figures from known verifications
//! (counts, success rate, the approximate median), who sees the per-technician breakdown,
//! the CSV (formula-safe), the period, and that one org's dashboard never counts another's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use countersign_app::dashboard::{DashboardError, MedianTime, NextRun, Period};
use countersign_app::{App, ErrorKind, Principal, UseCaseError};
use countersign_domain::{
    ContactId, CustomerId, Email, OrgId, Permissions, Role, TechnicianId, Timestamp, VerificationId,
};
use countersign_store::{
    ChallengeStore, ContactStore, CustomerStore, IntegrationKind, LinkAnswer, NewChallenge,
    NewSyncSource, PhoneStore, SendLimits, SourceKind, SyncSourceStore, SyncedContact, Technician,
    TechnicianStore, Verification, VerificationMethod, VerificationStatus,
};
use std::net::IpAddr;

fn principal(t: &Technician) -> Principal {
    Principal::technician(t, IpAddr::from([192, 0, 2, 1]))
}

struct Env {
    app: App,
    admin: Technician,
    database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

async fn env(postgres: bool) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let (settings, database) = support::settings_on(postgres, "cs_dash", &dir, |_| {}).await;
    let app = support::start(&settings).await;
    let admin = support::first_admin(&app).await;
    Env {
        app,
        admin,
        database,
        _dir: dir,
    }
}

impl Env {
    async fn finish(self) {
        self.app.store().close().await;
        if let Some((admin, name)) = &self.database {
            support::drop_postgres_database(admin, name).await;
        }
    }
}

/// A synced customer with one contact; the contact's id.
async fn customer_contact(app: &App, org: OrgId, name: &str) -> (CustomerId, ContactId) {
    let customer = app
        .store()
        .upsert_synced_customer(org, SourceKind::Microsoft365, name, name, app.now())
        .await
        .unwrap();
    let email = format!("ann@{}.example", customer.id);
    let contact = SyncedContact {
        external_id: "u1".into(),
        upn: Some(email.clone()),
        given_name: "Ann".into(),
        surname: "Lee".into(),
        display_name: "Ann Lee".into(),
        email: Some(email),
        mobile: Some("+1 425 555 0101".into()),
        mobile_e164: Some("+14255550101".into()),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    };
    app.store()
        .upsert_synced_contacts(
            org,
            customer.id,
            SourceKind::Microsoft365,
            &[contact],
            app.now(),
        )
        .await
        .unwrap();
    let id = app
        .store()
        .contacts_with_mobile(org, customer.id, SourceKind::Microsoft365)
        .await
        .unwrap()[0]
        .id;
    (customer.id, id)
}

/// Starts a verification at `at` and ends it as `end` says, `took` ms later.
async fn verification(
    app: &App,
    org: OrgId,
    contact: ContactId,
    technician: TechnicianId,
    at: Timestamp,
    end: Option<VerificationStatus>,
    took: i64,
) {
    let link = end == Some(VerificationStatus::Denied);
    let c = NewChallenge {
        verification: Verification {
            id: VerificationId::new(),
            org_id: org,
            contact_id: contact,
            technician_id: Some(technician),
            method: if link {
                VerificationMethod::SmsLink
            } else {
                VerificationMethod::SmsCode
            },
            channel: "sms".into(),
            destination_masked: "+•••••••0101".into(),
            status: VerificationStatus::Pending,
            at,
        },
        expires_at: Timestamp(at.0 + 300_000),
        secret_hash: uuid::Uuid::new_v4().as_bytes().to_vec(),
        key_id: "k".into(),
        match_number: Some(42),
        match_choices: vec![17, 42, 88],
        recipient_key: uuid::Uuid::new_v4().as_bytes().to_vec(),
        pod_contact_id: None,
        note: String::new(),
        typed_destination: false,
        message: None,
    };
    let limits = SendLimits {
        recipient_since: at,
        recipient_max: 1000,
        technician_since: at,
        technician_max: 1000,
        org_since: at,
        org_max: 1000,
    };
    app.store()
        .start_challenge(&c, &limits)
        .await
        .unwrap()
        .unwrap();
    let id = c.verification.id;
    let done = Timestamp(at.0 + took);
    match end {
        Some(VerificationStatus::Denied) => {
            app.store()
                .answer_link(org, id, LinkAnswer::Deny, done)
                .await
                .unwrap();
        }
        Some(VerificationStatus::Expired) => {
            app.store()
                .expire_challenges(Timestamp(at.0 + 300_000), 100)
                .await
                .unwrap();
        }
        Some(status) => {
            assert!(
                app.store()
                    .finish_challenge(org, id, status, done)
                    .await
                    .unwrap()
            );
        }
        None => {}
    }
}

async fn colleague(app: &App, admin: &Technician) -> Technician {
    let t = Technician {
        id: TechnicianId::new(),
        email: "tech@acme.test".into(),
        name: "Tess Tech".into(),
        role: Role::Technician,
        permissions: Permissions::none(),
        ..admin.clone()
    };
    app.store().create_technician(&t).await.unwrap();
    t
}

async fn figures_from_known_verifications(postgres: bool) {
    let env = env(postgres).await;
    let (app, admin) = (&env.app, &env.admin);
    let org = admin.org_id;
    let tech = colleague(app, admin).await;
    let (_, alpha) = customer_contact(app, org, "Alpha Dental").await;
    let (_, bravo) = customer_contact(app, org, "=Bravo").await;
    // An hour ago, so each ends before now; several minutes apart, so no later one cancels
    // an earlier one that is still pending.
    let t = |min: i64| Timestamp(app.now().0 - 3_600_000 + min * 60_000);
    let verified = Some(VerificationStatus::Verified);
    verification(app, org, alpha, admin.id, t(0), verified, 20_000).await;
    verification(app, org, alpha, admin.id, t(10), verified, 40_000).await;
    verification(app, org, alpha, admin.id, t(20), verified, 100_000).await;
    verification(
        app,
        org,
        alpha,
        admin.id,
        t(30),
        Some(VerificationStatus::Expired),
        0,
    )
    .await;
    verification(
        app,
        org,
        bravo,
        tech.id,
        t(40),
        Some(VerificationStatus::Denied),
        9_000,
    )
    .await;
    // Still pending: not counted yet.
    verification(app, org, bravo, tech.id, t(59), None, 0).await;

    let v = app
        .dashboard(&principal(admin), Period::Days7)
        .await
        .unwrap();
    assert_eq!(v.days.len(), 7);
    assert_eq!(v.to.len(), 10);
    let total = v.total.counts;
    assert_eq!(
        (
            total.verified,
            total.failed,
            total.denied,
            total.expired,
            total.sent
        ),
        (3, 0, 1, 1, 0)
    );
    assert_eq!(v.days.iter().map(|d| d.counts.verified).sum::<i64>(), 3);
    assert!((v.total.success_rate.unwrap() - 60.0).abs() < 1e-9);
    // 20 s, 40 s and 100 s: the middle one is in the 30–60 s bucket, interpolated to 45 s.
    let Some(MedianTime::Seconds(median)) = v.total.median else {
        panic!("{:?}", v.total.median)
    };
    assert!((median - 45.0).abs() < 1e-9, "{median}");
    assert_eq!(v.methods.len(), 2);

    // Admins compare technicians: the admin did four, Tess one.
    let techs = v.technicians.as_ref().unwrap();
    assert_eq!(
        techs
            .iter()
            .map(|t| (t.name.as_str(), t.counts.answered_or_not()))
            .collect::<Vec<_>>(),
        vec![(admin.name.as_str(), 4), ("Tess Tech", 1)]
    );
    assert_eq!(
        v.customers
            .iter()
            .map(|c| (c.name.as_str(), c.counts.verified, c.counts.denied))
            .collect::<Vec<_>>(),
        vec![("Alpha Dental", 3, 0), ("=Bravo", 0, 1)]
    );

    // A technician sees the dashboard, but not colleagues compared.
    let theirs = app
        .dashboard(&principal(&tech), Period::Days30)
        .await
        .unwrap();
    assert!(theirs.technicians.is_none());
    assert_eq!(theirs.total.counts, total);
    let csv = app
        .dashboard_csv(&principal(&tech), Period::Days30)
        .await
        .unwrap();
    assert!(!csv.contains("by_technician"), "{csv}");
    assert!(csv.starts_with("section,day,name,figure,value\r\n"));
    assert!(
        csv.contains("by_customer,,Alpha Dental,verified,3\r\n"),
        "{csv}"
    );
    // A customer's name is never a formula in a spreadsheet.
    assert!(csv.contains("by_customer,,'=Bravo,denied,1\r\n"), "{csv}");
    assert!(
        csv.contains("total,,All verifications,median_seconds_approx,45\r\n"),
        "{csv}"
    );
    let admins = app
        .dashboard_csv(&principal(admin), Period::Days30)
        .await
        .unwrap();
    assert!(
        admins.contains("by_technician,,Tess Tech,denied,1\r\n"),
        "{admins}"
    );

    // Sync health: each company linked through an integration, its last run and error, and
    // when the scheduler syncs it next (one interval after its last run).
    let integration = app
        .create_integration(&principal(admin), IntegrationKind::Microsoft365, "M365")
        .await
        .unwrap();
    let source = app
        .store()
        .upsert_sync_source(
            &NewSyncSource {
                org_id: org,
                integration_id: integration.id,
                external_id: "t-contoso".into(),
                link: "admin_consent".into(),
                display_name: "Contoso".into(),
                descriptor: "{}".into(),
            },
            t(0),
        )
        .await
        .unwrap();
    app.store().start_sync(org, source.id, t(1)).await.unwrap();
    app.store()
        .finish_sync(org, source.id, false, Some("throttled"), None, t(2))
        .await
        .unwrap();
    let v = app
        .dashboard(&principal(&tech), Period::Days7)
        .await
        .unwrap();
    assert_eq!(v.sync.len(), 1);
    let h = &v.sync[0];
    assert_eq!(
        (
            h.integration.as_str(),
            h.source.as_str(),
            h.last_ok,
            h.error.as_deref()
        ),
        ("M365", "Contoso", Some(false), Some("throttled"))
    );
    assert_eq!(h.last_run, Some(t(2)));
    let every = app.settings.microsoft.sync_interval().unwrap();
    assert_eq!(h.next_run, NextRun::At(t(2).plus(every)));

    // Another org's dashboard counts none of it.
    let other = app
        .create_admin(
            "Other MSP",
            &Email::parse("admin@other.test").unwrap(),
            "plum orbit velvet 42",
        )
        .await
        .unwrap()
        .technician;
    let theirs = app
        .dashboard(&principal(&other), Period::Days90)
        .await
        .unwrap();
    assert_eq!(theirs.total.counts.answered_or_not(), 0);
    assert!(theirs.methods.is_empty());
    assert!(theirs.customers.is_empty());
    assert_eq!(theirs.technicians.as_ref().map(Vec::len), Some(0));
    assert_eq!(theirs.days.len(), 90);
    assert!(theirs.sync.is_empty());
    env.finish().await;
}

#[tokio::test]
async fn figures_from_known_verifications_sqlite() {
    figures_from_known_verifications(false).await;
}

#[tokio::test]
async fn figures_from_known_verifications_postgres() {
    if std::env::var("COUNTERSIGN_SKIP_POSTGRES").as_deref() == Ok("1") {
        return;
    }
    figures_from_known_verifications(true).await;
}

#[test]
fn a_period_is_7_30_or_90_days() {
    assert_eq!(Period::parse("7").unwrap(), Period::Days7);
    assert_eq!(Period::parse("90").unwrap().days(), 90);
    for bad in ["", "31", "x", "-7"] {
        let e = Period::parse(bad).unwrap_err();
        assert!(matches!(e, DashboardError::Period));
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert_eq!(e.to_string(), "The period must be 7, 30 or 90 days.");
    }
}
