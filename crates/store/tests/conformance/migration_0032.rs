//! Migration 0032 (issue 21.1): the daily verification rollup is backfilled from the
//! verifications that ended before it, on a database populated with the schema before it,
//! on both backends; pending ones are left for the trigger to count when they end.

use countersign_domain::{ContactId, OrgId, TechnicianId, Timestamp, VerificationId};
use countersign_store::{
    ChallengeStore, DAY_MS, DashboardStore, Store, VerificationMethod, VerificationStatus,
};

const DAY: i64 = 20_000;

/// Four verifications as they were before 0032 (no contacts: the connection does not check
/// foreign keys, so the customer rows are left out): a code verified after 40 s, one that
/// expired, a denied link, and a code still pending.
const VERIFICATIONS: &str = "INSERT INTO verifications (id, org_id, contact_id, technician_id, \
     method, channel, destination_masked, status, at, expires_at, completed_at) VALUES \
     ($1, $5, $6, $7, 'sms_code', 'sms', 'x', 'verified', $8, $9, $10), \
     ($2, $5, $6, $7, 'sms_code', 'sms', 'x', 'expired', $8, $9, $9), \
     ($3, $5, $6, $7, 'email_link', 'email', 'x', 'denied', $8, $9, $10), \
     ($4, $5, $6, $7, 'sms_code', 'sms', 'x', 'pending', $8, $11, NULL)";

struct Old {
    org: OrgId,
    technician: TechnicianId,
    pending: VerificationId,
}

macro_rules! insert_old_rows {
    ($conn:expr) => {{
        let old = Old {
            org: OrgId::new(),
            technician: TechnicianId::new(),
            pending: VerificationId::new(),
        };
        let start = DAY * DAY_MS + 1_000;
        sqlx::query(VERIFICATIONS)
            .bind(VerificationId::new().0)
            .bind(VerificationId::new().0)
            .bind(VerificationId::new().0)
            .bind(old.pending.0)
            .bind(old.org.0)
            .bind(ContactId::new().0)
            .bind(old.technician.0)
            .bind(start)
            .bind(start + 300_000)
            .bind(start + 40_000)
            .bind(i64::MAX)
            .execute(&mut $conn)
            .await
            .unwrap();
        old
    }};
}

async fn backfilled(store: &Store, old: &Old) {
    let days = store.verification_days(old.org, DAY, DAY).await.unwrap();
    let sms = days
        .iter()
        .find(|d| d.method == VerificationMethod::SmsCode)
        .unwrap();
    assert_eq!((sms.counts.verified, sms.counts.expired), (1, 1));
    assert_eq!(sms.counts.time_to_verify, [0, 0, 1, 0, 0, 0, 0, 0]);
    let link = days
        .iter()
        .find(|d| d.method == VerificationMethod::EmailLink)
        .unwrap();
    assert_eq!(link.counts.denied, 1);
    assert_eq!(days.len(), 2);
    let techs = store
        .verification_technicians(old.org, DAY, DAY)
        .await
        .unwrap();
    assert_eq!(techs.len(), 1);
    assert_eq!(techs[0].technician_id, Some(old.technician));
    assert_eq!(
        (
            techs[0].counts.verified,
            techs[0].counts.expired,
            techs[0].counts.denied
        ),
        (1, 1, 1)
    );

    // The pending one counts when it ends, through the trigger.
    store
        .finish_challenge(
            old.org,
            old.pending,
            VerificationStatus::Failed,
            Timestamp(DAY * DAY_MS + 2_000),
        )
        .await
        .unwrap();
    let days = store.verification_days(old.org, DAY, DAY).await.unwrap();
    let sms = days
        .iter()
        .find(|d| d.method == VerificationMethod::SmsCode)
        .unwrap();
    assert_eq!(
        (sms.counts.verified, sms.counts.failed, sms.counts.expired),
        (1, 1, 1)
    );
}

crate::migration_0017::migration_tests!(
    migration_0032_backfills_the_verification_rollup_sqlite,
    migration_0032_backfills_the_verification_rollup_postgres,
    "0032",
    insert_old_rows,
    backfilled
);
