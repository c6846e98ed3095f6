//! Broadcast use cases (issue 20): what a draft refuses, who may submit and approve, the
//! second-admin threshold (the author never approves their own above it), the daily cap,
//! the previews, and the audit entries they leave.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use countersign_app::broadcasts::{BroadcastError, BroadcastInput, BroadcastRules};
use countersign_app::contacts::ContactInput;
use countersign_app::{App, ErrorKind, Principal, Refusal, UseCaseError};
use countersign_domain::{
    BroadcastChannels, BroadcastStatus, ContactId, CustomerId, Permission, Permissions, Role,
    TechnicianId,
};
use countersign_store::{
    Audience, AuditFilter, AuditStore, BroadcastStore, Contact, Technician, TechnicianStore,
};
use std::net::IpAddr;

fn principal(t: &Technician) -> Principal {
    Principal::technician(t, IpAddr::from([192, 0, 2, 1]))
}

/// Another technician of the admin's org, stored.
async fn colleague(
    app: &App,
    admin: &Technician,
    email: &str,
    role: Role,
    grants: &[Permission],
) -> Technician {
    let t = Technician {
        id: TechnicianId::new(),
        email: email.into(),
        name: email.into(),
        role,
        permissions: grants.iter().copied().collect::<Permissions>(),
        ..admin.clone()
    };
    app.store().create_technician(&t).await.unwrap();
    t
}

/// A customer with `n` contacts that have a mobile number and an email address.
async fn customer_with(
    app: &App,
    admin: &Technician,
    name: &str,
    n: usize,
) -> (CustomerId, Vec<Contact>) {
    let c = app
        .create_customer(&principal(admin), name, None)
        .await
        .unwrap()
        .id;
    let mut contacts = Vec::new();
    for i in 0..n {
        let input = ContactInput {
            given_name: format!("Person{i}"),
            surname: "Lee".into(),
            email: format!("p{i}@{name}.example").to_lowercase(),
            mobile: format!("+1425555{i:04}"),
            ..ContactInput::default()
        };
        let contact = app
            .create_contact(&principal(admin), c, &input)
            .await
            .unwrap();
        contacts.push(contact);
    }
    (c, contacts)
}

fn input(audience: Audience) -> BroadcastInput {
    BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "{msp_name}: Exchange is down for {customer}, {first_name}.".into(),
        email_subject: "Exchange outage at {customer}".into(),
        email_body: "Dear {first_name},\n\nExchange is down.\n".into(),
        audience,
        scheduled_at: None,
        respect_quiet_hours: false,
    }
}

fn field_of(e: &BroadcastError) -> Option<&'static str> {
    e.fields()[0].field
}

async fn actions(app: &App, admin: &Technician, prefix: &str) -> Vec<String> {
    let filter = AuditFilter {
        action_prefix: Some(prefix.into()),
        limit: 50,
        ..AuditFilter::default()
    };
    let entries = app
        .store()
        .audit_entries(admin.org_id, &filter)
        .await
        .unwrap();
    entries.into_iter().map(|e| e.entry.action).collect()
}

#[tokio::test]
async fn a_draft_refuses_unknown_merge_fields_and_missing_texts_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    let by = principal(&admin);
    let mut typo = input(Audience::AllCustomers);
    typo.sms_text = "Hi {firstname}".into();
    let err = app.create_broadcast_draft(&by, &typo).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(field_of(&err), Some("sms_text"));
    assert!(err.to_string().contains("{firstname}"), "{err}");
    let mut no_subject = input(Audience::AllCustomers);
    no_subject.email_subject = "  ".into();
    let err = app
        .create_broadcast_draft(&by, &no_subject)
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), Some("email_subject"));
    let mut two_lines = input(Audience::AllCustomers);
    two_lines.email_subject = "Outage\r\nBcc: x@evil.example".into();
    let err = app
        .create_broadcast_draft(&by, &two_lines)
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), Some("email_subject"));
    // The SMS text of an email-only broadcast is not checked (it is not sent).
    let mut email_only = typo.clone();
    email_only.channels = BroadcastChannels::EMAIL;
    app.create_broadcast_draft(&by, &email_only).await.unwrap();
    let err = app
        .create_broadcast_draft(&by, &input(Audience::Customers(vec![CustomerId::new()])))
        .await
        .unwrap_err();
    assert_eq!(
        field_of(&err),
        Some("audience"),
        "another org's or no customer"
    );
    assert_eq!(actions(&app, &admin, "broadcast.created").await.len(), 1);
}

#[tokio::test]
async fn technicians_draft_but_need_the_grant_to_submit_and_cannot_edit_others_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    let tech = colleague(&app, &admin, "t@acme.test", Role::Technician, &[]).await;
    let other = colleague(&app, &admin, "o@acme.test", Role::Technician, &[]).await;
    let draft = app
        .create_broadcast_draft(&principal(&tech), &input(Audience::AllCustomers))
        .await
        .unwrap();
    assert_eq!(
        (draft.status, draft.author_id),
        (BroadcastStatus::Draft, tech.id)
    );
    let err = app
        .request_broadcast_approval(&principal(&tech), draft.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden(Refusal::Permission));
    let err = app
        .edit_broadcast_draft(&principal(&other), draft.id, &input(Audience::AllCustomers))
        .await
        .unwrap_err();
    assert!(matches!(err, BroadcastError::NotAuthor), "{err:?}");
    // An admin may tidy it and submit it; then nobody edits it.
    let mut tidy = input(Audience::AllCustomers);
    tidy.name = "Exchange outage (update)".into();
    app.edit_broadcast_draft(&principal(&admin), draft.id, &tidy)
        .await
        .unwrap();
    app.request_broadcast_approval(&principal(&admin), draft.id)
        .await
        .unwrap();
    let err = app
        .edit_broadcast_draft(&principal(&tech), draft.id, &tidy)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(matches!(
        err,
        BroadcastError::WrongState(BroadcastStatus::AwaitingApproval)
    ));
}

#[tokio::test]
async fn above_the_threshold_only_a_second_admin_approves() {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    let second = colleague(&app, &admin, "b@acme.test", Role::Admin, &[]).await;
    let granted = colleague(
        &app,
        &admin,
        "g@acme.test",
        Role::Technician,
        &[Permission::SendBroadcasts],
    )
    .await;
    customer_with(&app, &admin, "Alpha", 3).await;
    let rules = BroadcastRules {
        approval_threshold: Some(2),
        daily_recipient_cap: None,
        ..BroadcastRules::default()
    };
    app.save_broadcast_rules(&principal(&admin), rules)
        .await
        .unwrap();
    let by = principal(&admin);
    let b = app
        .create_broadcast_draft(&by, &input(Audience::AllCustomers))
        .await
        .unwrap();
    app.request_broadcast_approval(&by, b.id).await.unwrap();
    // The author (and requester), and a granted technician who is not an admin: refused.
    for who in [&admin, &granted] {
        let err = app
            .approve_broadcast(&principal(who), b.id, 3)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                BroadcastError::NeedsSecondAdmin {
                    recipients: 3,
                    threshold: 2
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Forbidden(Refusal::Permission));
    }
    let kept = app.store().broadcast(admin.org_id, b.id).await.unwrap();
    assert_eq!(
        (kept.status, kept.frozen),
        (BroadcastStatus::AwaitingApproval, None)
    );
    let counts = app
        .approve_broadcast(&principal(&second), b.id, 3)
        .await
        .unwrap();
    assert_eq!((counts.recipients, counts.sms, counts.email), (3, 3, 3));
    let approved = app.store().broadcast(admin.org_id, b.id).await.unwrap();
    assert_eq!(
        (approved.status, approved.approver_id),
        (BroadcastStatus::Approved, Some(second.id))
    );
    let err = app
        .approve_broadcast(&principal(&second), b.id, 3)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "approved once");
    // An admin who asked for approval of a technician's draft is not a second admin either.
    let tech = colleague(&app, &admin, "t@acme.test", Role::Technician, &[]).await;
    let theirs = app
        .create_broadcast_draft(&principal(&tech), &input(Audience::AllCustomers))
        .await
        .unwrap();
    app.request_broadcast_approval(&principal(&second), theirs.id)
        .await
        .unwrap();
    assert!(matches!(
        app.approve_broadcast(&principal(&second), theirs.id, 3)
            .await,
        Err(BroadcastError::NeedsSecondAdmin { .. })
    ));
    app.approve_broadcast(&principal(&admin), theirs.id, 3)
        .await
        .unwrap();
    // At or below the threshold, the granted technician approves their own.
    let small = input(Audience::Filter(countersign_store::AudienceFilter {
        job_title_contains: Some("nobody has this".into()),
        ..Default::default()
    }));
    let own = app
        .create_broadcast_draft(&principal(&granted), &small)
        .await
        .unwrap();
    app.request_broadcast_approval(&principal(&granted), own.id)
        .await
        .unwrap();
    let none = app
        .approve_broadcast(&principal(&granted), own.id, 0)
        .await
        .unwrap();
    assert_eq!(none.recipients, 0);
    let approvals = actions(&app, &admin, "broadcast.approved").await;
    assert_eq!(approvals.len(), 3);
    assert_eq!(
        actions(&app, &admin, "broadcast.approval_requested")
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn the_daily_cap_counts_the_last_24_hours_of_approvals() {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    customer_with(&app, &admin, "Alpha", 2).await;
    let by = principal(&admin);
    let rules = BroadcastRules {
        approval_threshold: None,
        daily_recipient_cap: Some(3),
        ..BroadcastRules::default()
    };
    assert_eq!(
        app.save_broadcast_rules(&by, rules.clone()).await.unwrap(),
        rules
    );
    assert_eq!(app.broadcast_rules(&by).await.unwrap(), rules);
    let send = |b| {
        let app = app.clone();
        let by = by.clone();
        async move {
            let d = app.create_broadcast_draft(&by, &input(b)).await.unwrap();
            app.request_broadcast_approval(&by, d.id).await.unwrap();
            app.approve_broadcast(&by, d.id, 2).await
        }
    };
    send(Audience::AllCustomers).await.unwrap();
    let err = send(Audience::AllCustomers).await.unwrap_err();
    assert!(
        matches!(
            err,
            BroadcastError::OverDailyCap {
                recipients: 2,
                used: 2,
                cap: 3
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::RateLimited { retry_after: None });
    let negative = BroadcastRules {
        approval_threshold: Some(-1),
        daily_recipient_cap: None,
        ..BroadcastRules::default()
    };
    let err = app.save_broadcast_rules(&by, negative).await.unwrap_err();
    assert_eq!(field_of(&err), Some("approval_threshold"));
}

#[tokio::test]
async fn previews_count_the_audience_and_render_a_contacts_message() {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    let (alpha, people) = customer_with(&app, &admin, "Alpha", 2).await;
    customer_with(&app, &admin, "Beta", 1).await;
    let by = principal(&admin);
    let counts = app
        .preview_broadcast_audience(
            &by,
            &Audience::Customers(vec![alpha]),
            BroadcastChannels::SMS,
        )
        .await
        .unwrap();
    assert_eq!(
        (counts.matched, counts.recipients, counts.sms, counts.email),
        (2, 2, 2, 0)
    );
    let b = app
        .create_broadcast_draft(&by, &input(Audience::AllCustomers))
        .await
        .unwrap();
    let p = app
        .preview_broadcast_message(&by, b.id, people[1].id)
        .await
        .unwrap();
    let (sms, count) = p.sms.unwrap();
    assert_eq!(sms, "Acme IT: Exchange is down for Alpha, Person1.");
    assert_eq!((count.segments, count.characters), (1, sms.chars().count()));
    let (subject, body) = p.email.unwrap();
    assert_eq!(subject, "Exchange outage at Alpha");
    assert!(body.starts_with("Dear Person1,\n"), "{body}");
    // Another org's contact is not found.
    let err = app
        .preview_broadcast_message(&by, b.id, ContactId::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn templates_are_checked_like_drafts_named_once_and_kept_per_org() {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    let tech = colleague(&app, &admin, "t@acme.test", Role::Technician, &[]).await;
    let by = principal(&tech);
    let texts = [
        "{customer}: Exchange is down",
        "Outage",
        "Dear {first_name}",
    ];
    let t = app
        .save_broadcast_template(&by, None, " Outage ", BroadcastChannels::BOTH, texts)
        .await
        .unwrap();
    assert_eq!((t.name.as_str(), t.created_by), ("Outage", tech.id));
    let err = app
        .save_broadcast_template(&by, None, "Outage", BroadcastChannels::SMS, texts)
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), Some("name"), "{err}");
    let typo = ["Hi {frist_name}", "", ""];
    let err = app
        .save_broadcast_template(&by, None, "Typo", BroadcastChannels::SMS, typo)
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), Some("sms_text"));
    let renamed = app
        .save_broadcast_template(
            &principal(&admin),
            Some(t.id),
            "Outage (all)",
            BroadcastChannels::SMS,
            texts,
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.id, renamed.created_by, renamed.created_at),
        (t.id, tech.id, t.created_at)
    );
    let listed = app.broadcast_templates(&by).await.unwrap();
    assert_eq!(listed, vec![renamed]);
    app.delete_broadcast_template(&by, t.id).await.unwrap();
    let err = app.delete_broadcast_template(&by, t.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(actions(&app, &admin, "broadcast.template_").await.len(), 3);
}
