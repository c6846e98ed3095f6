//! Settings ▸ Branding, Outbox, message page and Jobs: what admins see and do, what
//! technicians may not, and (from the isolation matrix) what another org's admin cannot reach.

use crate::{PW, get, location, signed_in};
use countersign_app::audit::Actor;
use countersign_app::messages::MessageRequest;
use countersign_domain::{JobId, MessageId, OrgId};
use countersign_messaging::TemplateName;
use countersign_store::{
    BrandingStore, Channel, JobState, JobStore, MessageFilter, MessageState, MessageStore,
    StoreError,
};
use countersign_testkit::TestApp;
use std::time::Duration;

const WORKER: &str = "test-worker";

/// Queues a test email of `org` to `recipient`; returns the message and its job.
async fn queue(app: &TestApp, org: OrgId, recipient: &str, key: &str) -> (MessageId, JobId) {
    let m = app
        .app
        .queue_message(
            &Actor::system(),
            MessageRequest {
                org,
                channel: Channel::Email,
                recipient: recipient.to_owned(),
                template: TemplateName::Test {
                    sender: "Amy".into(),
                },
                idempotency_key: key.to_owned(),
                lane: countersign_domain::Lane::Verification,
            },
        )
        .await
        .unwrap();
    let jobs = app.app.store().jobs(org, None, 100).await.unwrap();
    let needle = m.id.to_string();
    let job = jobs
        .iter()
        .find(|j| j.job.payload.contains(&needle))
        .expect("the message's job");
    (m.id, job.job.id)
}

/// Claims every due job and buries `id` with `error`; the others go back to the queue.
async fn bury(app: &TestApp, id: JobId, error: &str) {
    let now = app.app.now();
    let claimed = app
        .app
        .store()
        .claim_jobs(WORKER, now, now.plus(Duration::from_secs(60)), 100)
        .await
        .unwrap();
    assert!(claimed.iter().any(|j| j.job.id == id), "job {id} not due");
    for j in &claimed {
        if j.job.id == id {
            assert!(
                app.app
                    .store()
                    .bury_job(id, WORKER, error, now)
                    .await
                    .unwrap()
            );
        } else {
            assert!(
                app.app
                    .store()
                    .retry_job_later(j.job.id, WORKER, now, "released by the test", now)
                    .await
                    .unwrap()
            );
        }
    }
}

/// Runs every due job once (the outbox transport keeps the messages).
async fn run_due(app: &TestApp) {
    let transports =
        countersign_app::messages::Transports::from_settings(&app.app.settings).unwrap();
    let now = app.app.now();
    let jobs = app
        .app
        .store()
        .claim_jobs(WORKER, now, now.plus(Duration::from_secs(60)), 100)
        .await
        .unwrap();
    for job in &jobs {
        countersign_app::jobs::run_job(&app.app, &transports, job)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn branding_saves_validates_and_test_message_lands_in_outbox() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let org = admin.org.id;
    let c = signed_in(&app, "admin@acme.test").await;
    let page = "/settings/branding";

    let res = app
        .post_form(
            &c,
            page,
            page,
            &[
                ("display_name", "Acme Support"),
                ("logo_url", ""),
                ("colour", "#FF5500"),
                ("footer", "Acme IT, 1 Main Street"),
                ("reply_to", "help@acme.test"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/branding?notice=saved");
    let (status, body) = get(&app, &c, "/settings/branding?notice=saved").await;
    assert_eq!(status, 200);
    for s in [
        "Saved. New messages use this branding.",
        "value=\"Acme Support\"",
        "value=\"#ff5500\"",
        "value=\"Acme IT, 1 Main Street\"",
        "value=\"help@acme.test\"",
    ] {
        assert!(body.contains(s), "branding page lacks {s}");
    }
    let saved = app.app.store().branding(org).await.unwrap().unwrap();
    assert_eq!(saved.colour, "#ff5500");

    // An invalid colour: 422 with the reason, the form as entered, and nothing saved.
    let res = app
        .post_form(
            &c,
            page,
            page,
            &[
                ("display_name", "Changed Name"),
                ("logo_url", ""),
                ("colour", "orange"),
                ("footer", ""),
                ("reply_to", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("The colour must look like #2563eb."),
        "no colour error"
    );
    assert!(body.contains("value=\"Changed Name\""));
    let after = app.app.store().branding(org).await.unwrap().unwrap();
    assert_eq!(after, saved);

    // A test email: queued, kept in the outbox (not delivered), recipient masked in the list.
    let res = app
        .post_form(
            &c,
            page,
            "/settings/branding/test",
            &[
                ("channel", "email"),
                ("recipient", "amy.smith@example.com"),
                ("nonce", "n1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/branding?notice=test_queued");
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 10,
    };
    let messages = app.app.store().messages(org, &all).await.unwrap();
    assert_eq!(messages.len(), 1);
    let id = messages[0].id;
    assert_eq!(messages[0].state, MessageState::Queued);
    run_due(&app).await;
    assert_eq!(
        app.app.store().message(org, id).await.unwrap().state,
        MessageState::Outbox
    );

    let (status, body) = get(&app, &c, "/settings/outbox").await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!("/settings/messages/{id}")));
    assert!(body.contains("not delivered"));
    assert!(body.contains("a•••@example.com"), "recipient not masked");
    assert!(!body.contains("amy.smith@example.com"), "recipient leaked");
    assert!(body.contains("Acme Support"), "subject uses the branding");

    let (status, body) = get(&app, &c, &format!("/settings/messages/{id}")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Not delivered."));
    assert!(
        body.contains("<dt>Sender lane</dt><dd>verification</dd>"),
        "a test message goes out on the verification lane"
    );
    let events = app.app.store().message_events(org, id).await.unwrap();
    assert!(events.len() >= 2, "history: {}", events.len());
    assert_eq!(events.first().unwrap().state, MessageState::Queued);
    assert_eq!(events.last().unwrap().state, MessageState::Outbox);
    for state in ["<td>queued</td>", "<td>outbox</td>"] {
        assert!(body.contains(state), "history lacks {state}");
    }
}

#[tokio::test]
async fn jobs_page_lists_and_retries_and_deletes_dead_jobs_with_csrf() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let org = admin.org.id;
    let c = signed_in(&app, "admin@acme.test").await;
    let (_, job) = queue(&app, org, "amy@example.com", "k1").await;

    // TestApp runs no workers: the job stays queued.
    let (status, body) = get(&app, &c, "/settings/jobs?state=queued").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("data-job=\"{job}\"")),
        "queued job missing"
    );
    assert!(body.contains("send_message"));
    assert!(!body.contains(&format!("/settings/jobs/{job}/retry")));
    let (_, body) = get(&app, &c, "/settings/jobs?state=dead").await;
    assert!(!body.contains(&format!("data-job=\"{job}\"")));

    bury(&app, job, "relay said no").await;
    let (status, body) = get(&app, &c, "/settings/jobs?state=dead").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("data-job=\"{job}\"")),
        "dead job missing"
    );
    assert!(body.contains("relay said no"));
    assert!(body.contains(&format!("/settings/jobs/{job}/retry")));
    let dead = app.app.store().job(org, job).await.unwrap();
    assert_eq!(dead.state, JobState::Dead);

    // Without the CSRF token: 403 and nothing changes.
    for action in ["retry", "delete"] {
        let res = c
            .post(app.url(&format!("/settings/jobs/{job}/{action}")))
            .form(&[("x", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{action} without CSRF");
        assert_eq!(app.app.store().job(org, job).await.unwrap(), dead);
    }

    // Retry: queued again with fresh attempts.
    let res = app
        .post_form(
            &c,
            "/settings/jobs?state=dead",
            &format!("/settings/jobs/{job}/retry"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/jobs?notice=job_retried");
    let retried = app.app.store().job(org, job).await.unwrap();
    assert_eq!(retried.state, JobState::Queued);
    assert_eq!(retried.attempts, 0);
    let (_, body) = get(&app, &c, "/settings/jobs?notice=job_retried").await;
    assert!(body.contains("The job is queued again."));
    assert!(body.contains(&format!("data-job=\"{job}\"")));

    // Dead again, then deleted.
    bury(&app, job, "relay said no again").await;
    let res = app
        .post_form(
            &c,
            "/settings/jobs?state=dead",
            &format!("/settings/jobs/{job}/delete"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/jobs?notice=job_deleted");
    assert!(matches!(
        app.app.store().job(org, job).await,
        Err(StoreError::NotFound)
    ));
    let (_, body) = get(&app, &c, "/settings/jobs?notice=job_deleted").await;
    assert!(body.contains("The job is deleted."));
    assert!(!body.contains(&format!("data-job=\"{job}\"")));
}

#[tokio::test]
async fn technicians_get_403_on_messaging_pages() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    let org = admin.org.id;
    let (message, job) = queue(&app, org, "amy@example.com", "k1").await;
    bury(&app, job, "relay said no").await;
    let dead = app.app.store().job(org, job).await.unwrap();
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 10,
    };
    let before = app.app.store().messages(org, &all).await.unwrap().len();
    let c = signed_in(&app, "tech@acme.test").await;
    for path in [
        "/settings/jobs".to_owned(),
        "/settings/jobs?state=dead".to_owned(),
        "/settings/outbox".to_owned(),
        "/settings/branding".to_owned(),
        format!("/settings/messages/{message}"),
    ] {
        let (status, body) = get(&app, &c, &path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!body.contains("amy@example.com"), "{path} leaked");
    }
    for (url, fields) in [
        (format!("/settings/jobs/{job}/retry"), vec![]),
        (format!("/settings/jobs/{job}/delete"), vec![]),
        (
            "/settings/branding".to_owned(),
            vec![("display_name", "Mine"), ("colour", "#000000")],
        ),
        (
            "/settings/branding/test".to_owned(),
            vec![("channel", "email"), ("recipient", "x@example.com")],
        ),
    ] {
        let res = app.post_form(&c, "/account", &url, &fields).await;
        assert_eq!(res.status(), 403, "{url}");
    }
    assert_eq!(app.app.store().job(org, job).await.unwrap(), dead);
    assert!(app.app.store().branding(org).await.unwrap().is_none());
    assert_eq!(
        app.app.store().messages(org, &all).await.unwrap().len(),
        before
    );
    app.expect_jobs_left(
        "send_message",
        "the test buries a delivery to show it on the Jobs page",
    );
    // Deliver the rest of what the test queued, as a server's workers would.
    app.run_jobs().await;
}

/// For the isolation matrix: org B's message and (dead) job, requested by `c`, an admin of
/// another org: 404, nothing of B in any body, and B unchanged.
pub async fn isolation_matrix(app: &TestApp, b_org: OrgId, c: &reqwest::Client) {
    let recipient = "bravo.secret@b-mail.example";
    let (message, job) = queue(app, b_org, recipient, "b-isolation").await;
    bury(app, job, "bravo relay down").await;
    let before_message = app.app.store().message(b_org, message).await.unwrap();
    let before_events = app
        .app
        .store()
        .message_events(b_org, message)
        .await
        .unwrap();
    let before_job = app.app.store().job(b_org, job).await.unwrap();
    let secrets = [
        recipient.to_owned(),
        countersign_domain::mask::mask(recipient),
        message.to_string(),
        job.to_string(),
        "bravo relay down".to_owned(),
    ];
    let check = |what: &str, status: u16, body: &str, expected: u16| {
        assert_eq!(status, expected, "{what}");
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "{what} leaked {s}");
        }
    };
    let path = format!("/settings/messages/{message}");
    let (status, body) = get(app, c, &path).await;
    check(&path, status, &body, 404);
    for path in [
        "/settings/outbox",
        "/settings/jobs",
        "/settings/jobs?state=dead",
    ] {
        let (status, body) = get(app, c, path).await;
        check(path, status, &body, 200);
    }
    for action in ["retry", "delete"] {
        let url = format!("/settings/jobs/{job}/{action}");
        let res = app.post_form(c, "/settings/jobs", &url, &[]).await;
        let status = res.status().as_u16();
        check(&url, status, &res.text().await.unwrap(), 404);
    }
    // B is unchanged.
    assert_eq!(
        app.app.store().message(b_org, message).await.unwrap(),
        before_message
    );
    assert_eq!(
        app.app
            .store()
            .message_events(b_org, message)
            .await
            .unwrap()
            .len(),
        before_events.len()
    );
    assert_eq!(app.app.store().job(b_org, job).await.unwrap(), before_job);
}

/// Issue 19.3: a test that leaves a job on the queue fails when its `TestApp` is dropped.
#[tokio::test]
#[should_panic(expected = "the test left jobs on the queue")]
async fn a_test_that_leaves_a_job_fails() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let job = countersign_app::jobs::PublishAuditHead { hour: 1 };
    assert!(app.app.enqueue(admin.org.id, &job).await.unwrap());
}

/// …unless the test runs its jobs, or says why one stays.
#[tokio::test]
async fn run_or_named_jobs_pass_the_end_of_test_check() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let job = countersign_app::jobs::PublishAuditHead { hour: 1 };
    assert!(app.app.enqueue(admin.org.id, &job).await.unwrap());
    assert_eq!(app.run_jobs().await, 1);
    let later = countersign_app::jobs::PublishAuditHead { hour: 2 };
    assert!(app.app.enqueue(admin.org.id, &later).await.unwrap());
    app.expect_jobs_left("publish_audit_head", "this test checks the check itself");
}
