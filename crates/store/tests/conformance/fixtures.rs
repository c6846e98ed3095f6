//! Rows for the scenarios, with defaults for everything a scenario does not care about.

use countersign_domain::{InviteId, OrgId, Role, SessionId, TechnicianId, Timestamp};
use countersign_store::{
    Invite, InviteStore, Org, OrgStore, Session, SessionStage, SessionStore, Technician,
    TechnicianStore,
};
use std::time::Duration;

/// "Now" in the scenarios.
pub const T0: Timestamp = Timestamp(1_800_000_000_000);

/// `T0` plus some seconds.
pub fn at(seconds: u64) -> Timestamp {
    T0.plus(Duration::from_secs(seconds))
}

/// 32 random bytes (a token hash, a sealed value).
pub fn random_bytes() -> Vec<u8> {
    let mut b = uuid::Uuid::new_v4().as_bytes().to_vec();
    b.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    b
}

/// The password hash of every fixture technician.
pub const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

/// An org value (not stored).
pub fn new_org(slug: &str) -> Org {
    Org {
        id: OrgId::new(),
        name: format!("Org {slug}"),
        slug: slug.to_owned(),
        require_2fa: false,
        created_at: T0,
    }
}

/// Stores and returns an org.
pub async fn org<S: OrgStore>(store: &S, slug: &str) -> Org {
    let org = new_org(slug);
    store.create_org(&org).await.expect("create org");
    org
}

/// A technician value (not stored).
pub fn new_technician(org: &Org, email: &str, role: Role) -> Technician {
    Technician {
        id: TechnicianId::new(),
        org_id: org.id,
        email: email.to_owned(),
        name: format!("Name of {email}"),
        role,
        password_hash: PASSWORD_HASH.to_owned(),
        active: true,
        totp_secret: None,
        totp_pending_secret: None,
        totp_enabled_at: None,
        totp_last_step: 0,
        created_at: T0,
        last_login_at: None,
        permissions: countersign_domain::Permissions::none(),
    }
}

/// Stores and returns a technician.
pub async fn technician<S: TechnicianStore>(
    store: &S,
    org: &Org,
    email: &str,
    role: Role,
) -> Technician {
    let t = new_technician(org, email, role);
    store
        .create_technician(&t)
        .await
        .expect("create technician");
    t
}

/// Stores and returns a session of `t`, created at `created`, valid for a day.
pub async fn session<S: SessionStore>(store: &S, t: &Technician, created: Timestamp) -> Session {
    let s = Session {
        id: SessionId::new(),
        token_hash: random_bytes(),
        org_id: t.org_id,
        technician_id: t.id,
        stage: SessionStage::Full,
        created_at: created,
        last_seen_at: created,
        expires_at: created.plus(Duration::from_secs(86_400)),
        ip: "192.0.2.1".to_owned(),
        user_agent: "conformance".to_owned(),
        reauthenticated_at: Some(created),
    };
    store.create_session(&s).await.expect("create session");
    s
}

/// An invite value sent by `by` at `T0`, expiring at `expires_at` (not stored).
pub fn new_invite(by: &Technician, email: &str, expires_at: Timestamp) -> Invite {
    Invite {
        id: InviteId::new(),
        org_id: by.org_id,
        email: email.to_owned(),
        role: Role::Technician,
        token_hash: random_bytes(),
        invited_by: by.id,
        created_at: T0,
        expires_at,
        accepted_at: None,
        revoked_at: None,
    }
}

/// Stores and returns an invite sent by `by`, expiring an hour after `T0`.
pub async fn invite<S: InviteStore>(store: &S, by: &Technician, email: &str) -> Invite {
    let i = new_invite(by, email, at(3600));
    store.create_invite(&i).await.expect("create invite");
    i
}

/// The technician an invite turns into.
pub fn invitee(invite: &Invite, org: &Org) -> Technician {
    let mut t = new_technician(org, &invite.email, invite.role);
    t.created_at = at(60);
    t
}
