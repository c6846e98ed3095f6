//! Everything a request handler can reach, shared behind one `Arc` (no globals).

use crate::clock::Clock;
use crate::faults::Faults;
use crate::identity::grants::Grants;
use crate::identity::jwt::{IdTokenSigner, Signer};
use crate::throttle::Throttle;
use crate::world::World;
use countersign_domain::Timestamp;
use serde::Serialize;
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// Where each face of the emulator is served.
#[derive(Clone, Debug)]
pub struct Urls {
    /// Stands in for `https://login.microsoftonline.com`.
    pub login: String,
    /// Stands in for `https://graph.microsoft.com`.
    pub graph: String,
    pub control: String,
    /// Stands in for `https://api.twilio.com`.
    pub twilio: String,
}

/// One write Graph received (PATCH), as the control API lists it.
#[derive(Clone, Debug, Serialize)]
pub struct WriteRecord {
    pub at: Timestamp,
    pub method: String,
    pub path: String,
    pub tenant_id: Uuid,
    pub app_id: Uuid,
    /// The signed-in user for delegated tokens.
    pub user_id: Option<Uuid>,
    pub target_user_id: Option<Uuid>,
    pub body: serde_json::Value,
    pub status: u16,
}

/// One email Graph accepted through `sendMail`, as the control API lists it.
#[derive(Clone, Debug, Serialize)]
pub struct SentMail {
    pub at: Timestamp,
    pub tenant_id: Uuid,
    pub app_id: Uuid,
    /// The sending mailbox's user id and userPrincipalName.
    pub mailbox_user_id: Uuid,
    pub from: String,
    pub subject: String,
    /// `HTML` or `Text`, as sent.
    pub content_type: String,
    pub body: String,
    pub to: Vec<String>,
    pub reply_to: Vec<String>,
    pub save_to_sent_items: bool,
}

#[derive(Debug)]
pub struct Shared {
    pub world: World,
    pub clock: Clock,
    pub signer: Signer,
    /// RS256 key of `id_token`s, published at `jwks_uri`.
    pub id_signer: IdTokenSigner,
    pub grants: Grants,
    pub throttle: Throttle,
    pub faults: Faults,
    pub urls: Urls,
    pub sms: crate::sms::SmsState,
    /// Sync-state resets of `/users/delta` (control API).
    pub delta_resets: crate::graph::delta::SyncResets,
    /// Per tenant: Graph refuses access tokens issued at or before this second (control API
    /// `revoke_tokens`, a revocation such as a continuous-access-evaluation event).
    pub token_cutoffs: Mutex<std::collections::HashMap<Uuid, i64>>,
    writes: Mutex<Vec<WriteRecord>>,
    mail: Mutex<Vec<SentMail>>,
}

pub type AppState = Arc<Shared>;

impl Shared {
    /// Whether Graph refuses a token of `tenant` issued at `iat` (see `token_cutoffs`).
    #[must_use]
    pub fn token_revoked(&self, tenant: Uuid, iat: i64) -> bool {
        self.token_cutoffs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&tenant)
            .is_some_and(|cutoff| iat <= *cutoff)
    }

    #[must_use]
    pub fn new(
        world: World,
        clock: Clock,
        throttle: Throttle,
        faults: Faults,
        urls: Urls,
        sms: crate::sms::SmsState,
    ) -> Self {
        Shared {
            world,
            clock,
            signer: Signer::random(),
            id_signer: IdTokenSigner::new(),
            grants: Grants::default(),
            throttle,
            faults,
            urls,
            sms,
            delta_resets: crate::graph::delta::SyncResets::default(),
            token_cutoffs: Mutex::new(std::collections::HashMap::new()),
            writes: Mutex::new(Vec::new()),
            mail: Mutex::new(Vec::new()),
        }
    }

    pub fn record_write(&self, record: WriteRecord) {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    #[must_use]
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn clear_writes(&self) {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn record_mail(&self, mail: SentMail) {
        self.mail
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(mail);
    }

    #[must_use]
    pub fn sent_mail(&self) -> Vec<SentMail> {
        self.mail
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
