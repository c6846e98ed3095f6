//! Authorization codes and refresh tokens the emulator has issued, and session revocations.

use countersign_domain::Timestamp;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use uuid::Uuid;

/// Codes live about ten minutes [S3].
pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// Refresh tokens of confidential clients expire after 90 days without use [S6].
pub const REFRESH_INACTIVITY_MS: i64 = 90 * 24 * 3600 * 1000;

#[derive(Clone, Debug)]
pub struct CodeGrant {
    pub client_id: Uuid,
    pub redirect_uri: String,
    pub tenant: Uuid,
    pub user: Uuid,
    pub scope: String,
    pub challenge: Option<(String, String)>,
    pub nonce: Option<String>,
    pub expires: Timestamp,
    pub redeemed: bool,
}

#[derive(Clone, Debug)]
pub struct RefreshGrant {
    pub client_id: Uuid,
    pub home_tenant: Uuid,
    pub user: Uuid,
    /// The scope of the original sign-in (decides `id_token` on refresh).
    pub scope: String,
    pub issued: Timestamp,
    pub last_used: Timestamp,
}

#[derive(Debug, Default)]
pub struct Grants {
    codes: Mutex<HashMap<String, CodeGrant>>,
    refresh: Mutex<HashMap<String, RefreshGrant>>,
    /// (home tenant, user) → tokens issued before this instant are revoked.
    valid_from: Mutex<HashMap<(Uuid, Uuid), Timestamp>>,
}

/// An opaque random handle, shaped like Microsoft's (`prefix` + base64url).
#[must_use]
pub fn opaque(prefix: &str, bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
    )
}

impl Grants {
    pub fn new_code(&self, grant: CodeGrant) -> String {
        let code = opaque("1.AQ", 48);
        self.codes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(code.clone(), grant);
        code
    }

    /// Runs `f` on the code's record under the lock, so check-and-mark-redeemed is atomic.
    pub fn with_code<T>(&self, code: &str, f: impl FnOnce(Option<&mut CodeGrant>) -> T) -> T {
        let mut codes = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
        f(codes.get_mut(code))
    }

    pub fn new_refresh(&self, grant: RefreshGrant) -> String {
        let token = opaque("1.AQ0A", 96);
        self.refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.clone(), grant);
        token
    }

    #[must_use]
    pub fn refresh(&self, token: &str) -> Option<RefreshGrant> {
        self.refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .cloned()
    }

    pub fn touch_refresh(&self, token: &str, now: Timestamp) {
        if let Some(g) = self
            .refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(token)
        {
            g.last_used = now;
        }
    }

    /// "Revoke sessions" / password reset: refresh tokens issued before `now` stop working.
    pub fn revoke_user(&self, home_tenant: Uuid, user: Uuid, now: Timestamp) {
        self.valid_from
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((home_tenant, user), now);
    }

    #[must_use]
    pub fn valid_from(&self, home_tenant: Uuid, user: Uuid) -> Option<Timestamp> {
        self.valid_from
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(home_tenant, user))
            .copied()
    }
}
