//! Webhook endpoints and deliveries: org scoping, subscriptions, queuing with jobs once per
//! event, and attempts.

use crate::fixtures::{at, org, random_bytes};
use crate::jobs::new_job;
use countersign_domain::{OrgId, WebhookDeliveryId, WebhookEndpointId, WebhookEventId};
use countersign_store::{
    JobStore, NewWebhookDelivery, Store, StoreError, WebhookAttempt, WebhookDeliveryState,
    WebhookEndpoint, WebhookStore,
};

/// An enabled endpoint value (not stored) subscribed to `events`.
pub fn endpoint(org: OrgId, events: &[&str]) -> WebhookEndpoint {
    WebhookEndpoint {
        id: WebhookEndpointId::new(),
        org_id: org,
        url: "https://hooks.example/countersign".into(),
        description: "Rewst".into(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        sealed_secret: random_bytes(),
        enabled: true,
        created_by: None,
        created_at: at(0),
        updated_at: at(0),
    }
}

fn delivery(e: &WebhookEndpoint, event: WebhookEventId) -> NewWebhookDelivery {
    NewWebhookDelivery {
        id: WebhookDeliveryId::new(),
        org_id: e.org_id,
        endpoint_id: e.id,
        event_id: event,
        event_kind: "verification.verified".into(),
        payload: r#"{"type":"verification.verified"}"#.into(),
        created_at: at(1),
    }
}

pub async fn endpoints_are_org_scoped_and_managed(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let e1 = endpoint(a.id, &["verification.verified", "verification.denied"]);
    let e2 = endpoint(a.id, &["verification.requested"]);
    let eb = endpoint(b.id, &["verification.verified"]);
    for e in [&e1, &e2, &eb] {
        store.create_webhook_endpoint(e).await.unwrap();
    }
    assert_eq!(store.webhook_endpoint(a.id, e1.id).await.unwrap(), e1);
    assert!(matches!(
        store.webhook_endpoint(a.id, eb.id).await,
        Err(StoreError::NotFound)
    ));
    let ids: Vec<_> = store
        .webhook_endpoints(a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [e1.id, e2.id]);
    // Subscriptions match whole kinds, in the org only, enabled only.
    let sub = |kind: &'static str| async move {
        store
            .subscribed_webhook_endpoints(a.id, kind)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(sub("verification.verified").await, [e1.id]);
    assert_eq!(sub("verification.denied").await, [e1.id]);
    assert!(sub("verification").await.is_empty());
    assert!(sub("verification.%").await.is_empty());
    assert!(sub("verification.expired").await.is_empty());
    store
        .set_webhook_endpoint_enabled(a.id, e1.id, false, at(5))
        .await
        .unwrap();
    assert!(sub("verification.verified").await.is_empty());
    // Another org's id changes nothing.
    for r in [
        store
            .set_webhook_endpoint_enabled(a.id, eb.id, false, at(5))
            .await,
        store.set_webhook_secret(a.id, eb.id, b"x", at(5)).await,
        store.delete_webhook_endpoint(a.id, eb.id).await,
    ] {
        assert!(matches!(r, Err(StoreError::NotFound)));
    }
    assert_eq!(store.webhook_endpoint(b.id, eb.id).await.unwrap(), eb);
    store
        .set_webhook_secret(a.id, e2.id, b"new", at(6))
        .await
        .unwrap();
    let e2_now = store.webhook_endpoint(a.id, e2.id).await.unwrap();
    assert_eq!(
        (e2_now.sealed_secret.as_slice(), e2_now.updated_at),
        (&b"new"[..], at(6))
    );
    store.delete_webhook_endpoint(a.id, e2.id).await.unwrap();
    assert!(matches!(
        store.webhook_endpoint(a.id, e2.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn deliveries_queue_once_per_event_with_their_jobs(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let e1 = endpoint(a.id, &["verification.verified"]);
    let e2 = endpoint(a.id, &["verification.verified"]);
    let eb = endpoint(b.id, &["verification.verified"]);
    for e in [&e1, &e2, &eb] {
        store.create_webhook_endpoint(e).await.unwrap();
    }
    let event = WebhookEventId::new();
    let batch = vec![
        (delivery(&e1, event), new_job(a.id, at(1), None)),
        (delivery(&e2, event), new_job(a.id, at(1), None)),
    ];
    assert_eq!(store.queue_webhook_deliveries(&batch).await.unwrap(), 2);
    assert_eq!(store.job_counts(a.id).await.unwrap().queued, 2);
    // The same event again: nothing new, no new job.
    let again = vec![
        (delivery(&e1, event), new_job(a.id, at(2), None)),
        (delivery(&e2, event), new_job(a.id, at(2), None)),
    ];
    assert_eq!(store.queue_webhook_deliveries(&again).await.unwrap(), 0);
    assert_eq!(store.job_counts(a.id).await.unwrap().queued, 2);
    // A delivery naming another org's endpoint is refused, and the whole batch with it.
    let mut forged = delivery(&eb, WebhookEventId::new());
    forged.org_id = a.id;
    let mixed = vec![
        (
            delivery(&e1, WebhookEventId::new()),
            new_job(a.id, at(3), None),
        ),
        (forged, new_job(a.id, at(3), None)),
    ];
    assert!(store.queue_webhook_deliveries(&mixed).await.is_err());
    assert_eq!(store.job_counts(a.id).await.unwrap().queued, 2);
    assert_eq!(
        store
            .webhook_deliveries(a.id, e1.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // A job of another org than its delivery is refused.
    let wrong_job = vec![(
        delivery(&e1, WebhookEventId::new()),
        new_job(b.id, at(3), None),
    )];
    assert!(store.queue_webhook_deliveries(&wrong_job).await.is_err());
    // Reads are org-scoped.
    let d = &batch[0].0;
    let stored = store.webhook_delivery(a.id, d.id).await.unwrap();
    assert_eq!(
        (&stored.delivery, stored.state, stored.attempts),
        (d, WebhookDeliveryState::Pending, 0)
    );
    assert!(matches!(
        store.webhook_delivery(b.id, d.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .webhook_deliveries(b.id, e1.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Deleting the endpoint deletes its deliveries.
    store.delete_webhook_endpoint(a.id, e1.id).await.unwrap();
    assert!(matches!(
        store.webhook_delivery(a.id, d.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.webhook_delivery(a.id, batch[1].0.id).await.is_ok());
}

pub async fn attempts_record_status_until_final(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let e = endpoint(a.id, &["verification.verified"]);
    store.create_webhook_endpoint(&e).await.unwrap();
    let d = delivery(&e, WebhookEventId::new());
    store
        .queue_webhook_deliveries(&[(d.clone(), new_job(a.id, at(1), None))])
        .await
        .unwrap();
    let failed = WebhookAttempt {
        state: WebhookDeliveryState::Pending,
        status: Some(500),
        error: Some("HTTP 500".into()),
        next_attempt_at: Some(at(60)),
        at: at(2),
    };
    assert!(
        !store
            .record_webhook_attempt(b.id, d.id, &failed)
            .await
            .unwrap(),
        "another org's delivery is not touched"
    );
    assert!(
        store
            .record_webhook_attempt(a.id, d.id, &failed)
            .await
            .unwrap()
    );
    let now = store.webhook_delivery(a.id, d.id).await.unwrap();
    assert_eq!(
        (
            now.attempts,
            now.last_status,
            now.last_error.as_deref(),
            now.next_attempt_at
        ),
        (1, Some(500), Some("HTTP 500"), Some(at(60)))
    );
    let ok = WebhookAttempt {
        state: WebhookDeliveryState::Delivered,
        status: Some(204),
        error: None,
        next_attempt_at: None,
        at: at(61),
    };
    assert!(store.record_webhook_attempt(a.id, d.id, &ok).await.unwrap());
    let now = store.webhook_delivery(a.id, d.id).await.unwrap();
    assert_eq!(
        (
            now.state,
            now.attempts,
            now.last_status,
            now.last_error,
            now.delivered_at
        ),
        (
            WebhookDeliveryState::Delivered,
            2,
            Some(204),
            None,
            Some(at(61))
        )
    );
    // Final: a late attempt (a retried job) changes nothing.
    assert!(
        !store
            .record_webhook_attempt(a.id, d.id, &failed)
            .await
            .unwrap()
    );
    assert_eq!(
        store.webhook_delivery(a.id, d.id).await.unwrap().attempts,
        2
    );
}

/// The orgs the `audit.head` schedule queues jobs for: an enabled endpoint subscribed to the
/// whole kind, each org once.
pub async fn orgs_subscribed_to_a_kind(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let c = org(store, "c").await;
    let mut disabled = endpoint(c.id, &["audit.head"]);
    disabled.enabled = false;
    for e in [
        endpoint(a.id, &["verification.verified", "audit.head"]),
        endpoint(a.id, &["audit.head"]),
        endpoint(b.id, &["audit.headless", "verification.denied"]),
        disabled,
    ] {
        store.create_webhook_endpoint(&e).await.unwrap();
    }
    assert_eq!(
        store
            .orgs_subscribed_to_webhook("audit.head")
            .await
            .unwrap(),
        vec![a.id]
    );
    assert_eq!(
        store
            .orgs_subscribed_to_webhook("verification.verified")
            .await
            .unwrap(),
        vec![a.id]
    );
    assert!(
        store
            .orgs_subscribed_to_webhook("audit.%")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .orgs_subscribed_to_webhook("")
            .await
            .unwrap()
            .is_empty()
    );
    let denied = store
        .orgs_subscribed_to_webhook("verification.denied")
        .await
        .unwrap();
    assert_eq!(denied, vec![b.id]);
}
