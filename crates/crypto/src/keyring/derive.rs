//! Purpose-bound keys derived with HKDF-SHA256; see "Derived keys and rotation" in the
//! `keyring` module docs for which method to use when.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{KEY_LEN, Keyring, MasterKey};

/// HKDF salt: a fixed domain separator, so these keys differ from anything else one might
/// ever derive from the same master key.
const SALT: &[u8] = b"countersign.derive.v1";

/// Well-known purpose strings for [`Keyring::derive_key`] and friends. Using the constants
/// avoids two features accidentally sharing a key through a copy-pasted string.
pub mod purpose {
    /// Synchronizer CSRF tokens bound to a session.
    pub const CSRF: &str = "countersign.csrf.v1";
    /// HMACs of out-of-band verification codes (security.md §2.4 `k_otp`).
    pub const VERIFICATION_CODE: &str = "countersign.verification-code.v1";
    /// Pepper for MFA recovery-code hashes (long-lived: use `derive_key_with_id`).
    pub const RECOVERY_CODE: &str = "countersign.recovery-code.v1";
    /// Derives a technician check's code and keys the HMAC stored in its place.
    pub const TECHNICIAN_CHECK_CODE: &str = "countersign.technician-check-code.v1";
    /// MACs of the audit chain (long-lived: each entry stores the key id).
    pub const AUDIT_CHAIN: &str = "countersign.audit-chain.v1";
    /// HMACs of the client addresses a technician signed in from (the login throttle spares
    /// them; the addresses themselves are not stored).
    pub const SIGN_IN_ADDRESS: &str = "countersign.sign-in-address.v1";
    /// MACs of broadcast unsubscribe links (long-lived: each link names its key id, so links
    /// in mail already sent keep working after a rotation).
    pub const UNSUBSCRIBE_LINK: &str = "countersign.unsubscribe-link.v1";
}

impl Keyring {
    /// A 256-bit key for `purpose`, derived from the **active** master key.
    ///
    /// For short-lived values only: it changes when the keyring is rotated (see module docs).
    #[must_use]
    pub fn derive_key(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        derive(self.active_key(), purpose)
    }

    /// A key for `purpose` from the active master key, with that key's id. Store the id next
    /// to whatever the key protects and pass it to [`Keyring::derive_key_from`] later.
    #[must_use]
    pub fn derive_key_with_id(&self, purpose: &str) -> (String, Zeroizing<[u8; 32]>) {
        let master = self.active_key();
        (master.id.clone(), derive(master, purpose))
    }

    /// The key for `purpose` derived from the master key `key_id` (active or not), or `None` if
    /// the keyring no longer holds that key.
    #[must_use]
    pub fn derive_key_from(&self, key_id: &str, purpose: &str) -> Option<Zeroizing<[u8; 32]>> {
        self.find(key_id).map(|master| derive(master, purpose))
    }
}

fn derive(master: &MasterKey, purpose: &str) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(SALT), master.key.as_ref());
    let mut okm = Zeroizing::new([0u8; KEY_LEN]);
    // HKDF-SHA256 can produce up to 255 * 32 bytes; 32 is always within that.
    hk.expand(purpose.as_bytes(), okm.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}
