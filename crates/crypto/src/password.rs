//! Argon2id password hashing (OWASP parameters by default), with a dummy-hash check so that
//! "no such user" costs the same time as "wrong password" (style.md §8.7).
//!
//! Every method here burns tens of milliseconds of CPU on purpose. In async code call them
//! inside `tokio::task::spawn_blocking`, which is why [`PasswordHasher`] is `Clone + Send +
//! Sync` and cheap to clone (an `Arc` inside): clone it into the closure.

use std::sync::Arc;

use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore as _;
use rand::rngs::OsRng;
use std::cell::RefCell;

/// Argon2id cost parameters; normally from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordParams {
    /// Memory per hash in KiB.
    pub memory_kib: u32,
    /// Number of passes over memory.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl Default for PasswordParams {
    /// OWASP Password Storage Cheat Sheet minimum for Argon2id: m=19 MiB, t=2, p=1.
    fn default() -> Self {
        PasswordParams {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Why hashing failed. Verification never errors: it answers `false`.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The configured parameters are outside what Argon2 accepts.
    #[error("invalid Argon2 parameters: {0}")]
    Params(String),
    /// Hashing itself failed (e.g. a password longer than Argon2's 4 GiB limit).
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Hashes and verifies passwords with Argon2id. Clone freely; clones share state.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon2: Argon2<'static>,
    params: PasswordParams,
    /// A hash of a random password with the current parameters, verified against when the
    /// user does not exist so that the response takes as long as for a real account.
    dummy_phc: String,
}

impl PasswordHasher {
    /// A hasher with `params`. Computes one hash up front (the dummy for unknown users), so
    /// construction takes as long as one [`PasswordHasher::hash`].
    ///
    /// # Errors
    /// [`PasswordError::Params`] if Argon2 rejects the parameters (e.g. memory below 8 KiB
    /// per lane, zero iterations).
    pub fn new(params: PasswordParams) -> Result<PasswordHasher, PasswordError> {
        let argon_params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| PasswordError::Params(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
        let mut random_password = [0u8; 32];
        OsRng.fill_bytes(&mut random_password);
        let dummy_phc = hash_with(&argon2, &hex::encode(random_password))?;
        Ok(PasswordHasher {
            inner: Arc::new(Inner {
                argon2,
                params,
                dummy_phc,
            }),
        })
    }

    /// The parameters new hashes are made with.
    #[must_use]
    pub fn params(&self) -> PasswordParams {
        self.inner.params
    }

    /// Hash `password` with a fresh random salt, as a PHC string
    /// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that records its own parameters.
    ///
    /// # Errors
    /// [`PasswordError::Hash`] only for inputs Argon2 cannot process.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        hash_with(&self.inner.argon2, password)
    }

    /// Whether `password` matches the PHC string `phc`. Uses the parameters stored in `phc`,
    /// so hashes made under older settings still verify. A malformed `phc` is `false`.
    ///
    /// Argon2's memory is this thread's reused buffer (see [`verify_in_place`]), not a fresh
    /// allocation per check.
    #[must_use]
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => verify_in_place(&parsed, password.as_bytes()).unwrap_or(false),
            Err(_) => false,
        }
    }

    /// Spend the same time as [`PasswordHasher::verify`] of a wrong password, for a login with
    /// an unknown email, so timing does not reveal which accounts exist. Always `false`, so it
    /// can stand in for `verify` in a `match` on the user lookup.
    #[must_use]
    pub fn verify_unknown_user(&self, password: &str) -> bool {
        let _ = self.verify(password, &self.inner.dummy_phc);
        false
    }

    /// Whether `phc` was made with other parameters (or another algorithm) than the current
    /// ones, so the caller should re-hash the password after a successful login.
    #[must_use]
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        let Ok(current) = PasswordHash::new(&self.inner.dummy_phc) else {
            return true;
        };
        parsed.algorithm != current.algorithm
            || parsed.version != current.version
            || parsed.params != current.params
    }
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.inner.params)
            .finish()
    }
}

thread_local! {
    /// Argon2's working memory, kept by each thread that verifies: tens of MiB allocated and
    /// freed per check leave the allocator holding freed buffers in many per-thread arenas
    /// (hundreds of MiB under a burst of logins), so the buffer is allocated once per thread
    /// and reused. The password-check threads are a fixed few, so this memory is too.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Recomputes `parsed`'s hash of `password` with its own parameters, salt and output length
/// in this thread's reused Argon2 memory (wiped after use), and compares in constant time.
/// `None` for a hash this module cannot check (unknown algorithm or parameters).
fn verify_in_place(parsed: &PasswordHash<'_>, password: &[u8]) -> Option<bool> {
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt_buf = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
    let count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let computed = BLOCKS.with(|cell| {
        let mut blocks = cell.borrow_mut();
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        let result =
            argon2.hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..count]);
        blocks[..count].fill(Block::default());
        result
    });
    computed.ok()?;
    let out = Output::new(&out).ok()?;
    // `Output`'s equality is constant-time.
    Some(out == expected)
}

fn hash_with(argon2: &Argon2<'static>, password: &str) -> Result<String, PasswordError> {
    // 16-byte salt, above the 32-bit minimum ASVS asks for and Argon2's recommended size.
    let salt = SaltString::generate(&mut OsRng);
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small parameters keep the tests fast; the logic does not depend on cost.
    fn fast() -> PasswordHasher {
        PasswordHasher::new(PasswordParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn hash_and_verify() {
        let hasher = fast();
        let phc = hasher.hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{phc}");
        assert!(hasher.verify("correct horse battery staple", &phc));
        assert!(!hasher.verify("correct horse battery stapler", &phc));
        assert!(!hasher.verify("", &phc));
        assert!(!hasher.verify("x", "not a phc string"));
        // Salted: the same password hashes differently each time.
        assert_ne!(phc, hasher.hash("correct horse battery staple").unwrap());
    }

    #[test]
    fn unknown_user_is_false_and_dummy_uses_same_params() {
        let hasher = fast();
        assert!(!hasher.verify_unknown_user("anything"));
        assert!(!hasher.needs_rehash(&hasher.inner.dummy_phc));
        assert!(
            hasher
                .inner
                .dummy_phc
                .starts_with("$argon2id$v=19$m=1024,t=1,p=1$")
        );
    }

    #[test]
    fn old_params_still_verify_and_need_rehash() {
        let old = fast();
        let phc = old.hash("pw").unwrap();
        let new = PasswordHasher::new(PasswordParams {
            memory_kib: 2048,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        assert!(new.verify("pw", &phc));
        assert!(new.needs_rehash(&phc));
        assert!(!new.needs_rehash(&new.hash("pw").unwrap()));
    }

    #[test]
    fn default_params_are_owasp_and_work() {
        let params = PasswordParams::default();
        assert_eq!(
            (params.memory_kib, params.iterations, params.parallelism),
            (19_456, 2, 1)
        );
        let hasher = PasswordHasher::new(params).unwrap();
        let phc = hasher.hash("pw").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("pw", &phc));
    }

    /// Verifying in the reused buffer agrees with the argon2 crate's own hashing for other
    /// algorithms, lanes and output lengths, and one after another on the same thread.
    #[test]
    fn verify_in_place_matches_the_crate() {
        let hasher = fast();
        for (alg, lanes, len) in [
            (Algorithm::Argon2id, 2, 16),
            (Algorithm::Argon2i, 1, 32),
            (Algorithm::Argon2d, 3, 64),
        ] {
            let argon2 = Argon2::new(
                alg,
                Version::V0x13,
                Params::new(2048, 2, lanes, Some(len)).unwrap(),
            );
            let salt = SaltString::generate(&mut OsRng);
            let phc = argon2.hash_password(b"pw 1", &salt).unwrap().to_string();
            assert!(hasher.verify("pw 1", &phc), "{phc}");
            assert!(!hasher.verify("pw 2", &phc), "{phc}");
        }
    }

    #[test]
    fn invalid_params_are_rejected() {
        let err = PasswordHasher::new(PasswordParams {
            memory_kib: 1,
            iterations: 0,
            parallelism: 1,
        });
        assert!(matches!(err, Err(PasswordError::Params(_))));
    }

    #[test]
    fn hasher_is_send_sync_clone() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<PasswordHasher>();
    }
}
