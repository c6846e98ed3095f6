//! Accounts and settings: technicians, invites, one's own account, the org's settings (sign-in,
//! Pod, verification, branding, mail), webhook endpoints, the audit log and the outbox.

use crate::{Case, Env, case};
use countersign_domain::{
    Email, InviteId, MessageId, Permissions, Role, SessionId, TechnicianId, Timestamp,
    WebhookEndpointId,
};
use countersign_store::{Channel, Session, SessionStage};

/// A full session of the org's admin (never stored: each use case refuses before reading it).
fn session(env: &Env) -> Session {
    Session {
        id: SessionId::new(),
        token_hash: vec![0; 32],
        org_id: env.admin.org_id,
        technician_id: env.admin.id,
        stage: SessionStage::Full,
        created_at: Timestamp(0),
        last_seen_at: Timestamp(0),
        expires_at: Timestamp(i64::MAX),
        ip: "192.0.2.1".into(),
        user_agent: String::new(),
        reauthenticated_at: None,
    }
}

fn email() -> Email {
    Email::parse("new@acme.test").unwrap()
}

pub fn cases(env: &Env) -> Vec<Case<'_>> {
    let me = env.admin.id;
    let nobody = &env.nobody;
    vec![
        // Technicians and invites.
        case!(env.app, technicians_view(nobody)),
        case!(env.app, technician_view(nobody, me)),
        case!(env.app, change_role(nobody, me, Role::Technician)),
        case!(env.app, set_technician_active(nobody, me, false)),
        case!(env.app, end_sessions_of(nobody, me)),
        case!(
            env.app,
            set_technician_permissions(nobody, me, Permissions::none())
        ),
        case!(env.app, unlock_sign_in(nobody, me)),
        case!(env.app, reset_credentials(nobody, TechnicianId::new())),
        case!(
            env.app,
            invite_technician(nobody, &email(), Role::Technician)
        ),
        case!(env.app, revoke_invite(nobody, InviteId::new())),
        case!(env.app, set_pod_only(nobody, me, true)),
        // One's own account.
        case!(env.app, account_view(nobody)),
        case!(
            env.app,
            change_password(nobody, &session(env), "x", "y", "y", "test")
        ),
        case!(env.app, reauthenticate(nobody, &session(env), "x", "test")),
        case!(
            env.app,
            end_own_session(nobody, SessionId::new(), SessionId::new())
        ),
        case!(env.app, sign_out_everywhere(nobody)),
        case!(env.app, begin_totp_enrollment(nobody)),
        case!(env.app, confirm_totp_enrollment(nobody, "000000")),
        case!(env.app, disable_totp(nobody, "000000")),
        case!(env.app, logout(nobody, &session(env))),
        case!(env.app, change_own_name(nobody, "Amy Pond")),
        case!(env.app, pending_email_change(nobody)),
        case!(env.app, request_email_change(nobody, "new@acme.test")),
        case!(env.app, cancel_email_change(nobody)),
        // The Pod's handoff from a signed-in window.
        case!(
            env.app,
            check_frame_origin(nobody, "https://psa.example.com")
        ),
        case!(
            env.app,
            create_pod_handoff(nobody, "https://psa.example.com")
        ),
        // The org's settings.
        case!(env.app, org_settings(nobody)),
        case!(env.app, update_org_settings(nobody, "Acme IT", true)),
        case!(env.app, pod_settings_view(nobody)),
        case!(env.app, save_pod_settings(nobody, &Default::default())),
        case!(env.app, verification_settings_view(nobody)),
        case!(env.app, technician_outreach_view(nobody)),
        case!(
            env.app,
            save_verification_settings(nobody, &Default::default())
        ),
        case!(env.app, branding_view(nobody)),
        case!(env.app, save_branding(nobody, &Default::default())),
        case!(
            env.app,
            send_branding_test(nobody, Channel::Email, "x@acme.test", "n")
        ),
        case!(env.app, graph_mail_view(nobody)),
        case!(env.app, set_graph_mail(nobody, &Default::default())),
        // Webhook endpoints.
        case!(env.app, webhook_endpoints_view(nobody)),
        case!(
            env.app,
            webhook_endpoint_view(nobody, WebhookEndpointId::new(), 10)
        ),
        case!(
            env.app,
            create_webhook_endpoint(nobody, &Default::default())
        ),
        case!(
            env.app,
            set_webhook_endpoint_enabled(nobody, WebhookEndpointId::new(), false)
        ),
        case!(
            env.app,
            rotate_webhook_secret(nobody, WebhookEndpointId::new())
        ),
        case!(
            env.app,
            delete_webhook_endpoint(nobody, WebhookEndpointId::new())
        ),
        case!(env.app, send_test_webhook(nobody, WebhookEndpointId::new())),
        // The audit log and the outbox.
        case!(env.app, audit_view(nobody, None)),
        case!(env.app, outbox_view(nobody)),
        case!(env.app, message_view(nobody, MessageId::new())),
    ]
}
