//! TOTP enrollment, the second-factor check (TOTP or recovery code) and disabling.
//!
//! Seeds are sealed with the (table, column) of `countersign_store::SealedColumn`, so key
//! rotation can find and re-seal them. Recovery codes are stored as HMACs under a pepper
//! derived from the keyring (outside the database); checking tries every key in the keyring,
//! so codes keep working after a key rotation.

use super::AccountError;
use crate::audit::Actor;
use crate::{App, Principal};
use countersign_crypto::{
    SealAad, TotpSecret, generate_recovery_codes, hash_recovery_code, normalize_recovery_code,
    otpauth_uri, purpose, qr_svg, verify_totp,
};
use countersign_domain::Permission;
use countersign_store::{OrgStore, SealedColumn, Technician, TechnicianStore, ThrottleStore};
use serde_json::json;

/// Recovery codes issued at enrollment.
pub const RECOVERY_CODES: usize = 10;

/// What the setup page shows.
#[derive(Clone, Debug)]
pub struct TotpEnrollment {
    pub otpauth_uri: String,
    /// For typing into an app that cannot scan.
    pub secret_base32: String,
    /// Inline SVG from our own QR generator (no user-controlled markup).
    pub qr_svg: String,
}

/// Which second factor was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Factor {
    Totp,
    RecoveryCode,
}

fn aad<'a>(t: &Technician, column: SealedColumn, row_id: &'a str) -> SealAad<'a> {
    // `row_id` is passed in because the AAD borrows it.
    let (table, column) = column.table_column();
    SealAad {
        org_id: Some(t.org_id),
        table,
        column,
        row_id,
    }
}

impl App {
    /// Starts (or resumes) enrollment: a seed is sealed into the pending column and shown as
    /// a QR code and URI. Revisiting the page shows the same seed, so a scanned code stays
    /// valid until confirmed.
    ///
    /// # Errors
    /// Already enrolled, or a store failure.
    pub async fn begin_totp_enrollment(
        &self,
        by: &Principal,
    ) -> Result<TotpEnrollment, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        // A fresh read: a seed written by an earlier visit is reused.
        let t = &self.own_technician(by).await?;
        let org = self.store.org(by.org_id()).await?;
        if t.totp_enabled_at.is_some() {
            return Err(AccountError::AlreadyEnrolled);
        }
        let row_id = t.id.to_string();
        let pending_aad = aad(t, SealedColumn::TechnicianTotpPendingSecret, &row_id);
        let existing = t
            .totp_pending_secret
            .as_deref()
            .and_then(|sealed| self.keyring.open(sealed, &pending_aad).ok())
            .map(|bytes| TotpSecret::from_bytes(&bytes));
        let secret = match existing {
            Some(s) => s,
            None => {
                let s = TotpSecret::generate();
                let sealed = self.keyring.seal(s.as_bytes(), &pending_aad);
                self.store
                    .set_totp_pending(t.org_id, t.id, Some(&sealed))
                    .await?;
                s
            }
        };
        let issuer = format!("Countersign ({})", org.name);
        let uri = otpauth_uri(&secret, &issuer, &t.email);
        Ok(TotpEnrollment {
            qr_svg: qr_svg(&uri),
            secret_base32: secret.to_base32(),
            otpauth_uri: uri,
        })
    }

    /// Confirms enrollment with a current code; turns TOTP on and returns the recovery codes,
    /// which exist in clear only in this return value (show them once).
    ///
    /// # Errors
    /// No enrollment in progress, a wrong code, or a store failure.
    pub async fn confirm_totp_enrollment(
        &self,
        by: &Principal,
        code: &str,
    ) -> Result<Vec<String>, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let t = &self.own_technician(by).await?;
        if t.totp_enabled_at.is_some() {
            return Err(AccountError::AlreadyEnrolled);
        }
        let row_id = t.id.to_string();
        let sealed = t
            .totp_pending_secret
            .as_deref()
            .ok_or(AccountError::NoEnrollment)?;
        let bytes = self
            .keyring
            .open(
                sealed,
                &aad(t, SealedColumn::TechnicianTotpPendingSecret, &row_id),
            )
            .map_err(|_| AccountError::NoEnrollment)?;
        let secret = TotpSecret::from_bytes(&bytes);
        let step = verify_totp(&secret, code, self.now().unix_seconds())
            .ok_or(AccountError::InvalidCode)?;
        let sealed = self.keyring.seal(
            secret.as_bytes(),
            &aad(t, SealedColumn::TechnicianTotpSecret, &row_id),
        );
        let codes = generate_recovery_codes(RECOVERY_CODES);
        let pepper = self.keyring.derive_key(purpose::RECOVERY_CODE);
        let hashes: Vec<Vec<u8>> = codes
            .iter()
            .map(|c| hash_recovery_code(pepper.as_ref(), c))
            .collect();
        self.store
            .enable_totp(t.org_id, t.id, &sealed, &hashes, self.now())
            .await?;
        // The confirming code is spent: it must not also work for the next login.
        self.store.claim_totp_step(t.org_id, t.id, step).await?;
        self.audit(
            &by.actor(),
            None,
            "2fa.enabled",
            &t.id.to_string(),
            json!({}),
        )
        .await?;
        Ok(codes)
    }

    /// Turns TOTP off, after proving possession with a current code or the password.
    ///
    /// # Errors
    /// Not enrolled, neither a valid code nor the password, or a store failure.
    pub async fn disable_totp(
        &self,
        by: &Principal,
        code_or_password: &str,
    ) -> Result<(), AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let t = &self.own_technician(by).await?;
        if t.totp_enabled_at.is_none() {
            return Err(AccountError::NotEnrolled);
        }
        // The same throttle as the second-factor login step: counted before the check.
        let key = super::login::second_factor_key(t);
        let keys = [(
            key.as_str(),
            self.settings.security.login_max_failures_per_account,
        )];
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
            return Err(AccountError::Locked { minutes });
        }
        let actor = by.actor();
        let proven = match self
            .prove_code_or_password(t, code_or_password, &actor)
            .await
        {
            Ok(proof) => proof,
            Err(e) => {
                if !e.is_user_error() {
                    // Not checked to the end: the attempt does not count.
                    self.release_attempts(&keys).await?;
                }
                return Err(e);
            }
        };
        let Some(by_code) = proven else {
            return Err(AccountError::WrongCodeOrPassword);
        };
        self.store.clear_throttle(&key).await?;
        self.store.disable_totp(t.org_id, t.id).await?;
        self.audit(
            &actor,
            None,
            "2fa.disabled",
            &t.id.to_string(),
            json!({ "proof": if by_code { "code" } else { "password" } }),
        )
        .await?;
        Ok(())
    }

    /// Whether `code_or_password` is a current TOTP code (`Some(true)`) or the password
    /// (`Some(false)`); `None` when it is neither.
    pub(super) async fn prove_code_or_password(
        &self,
        t: &Technician,
        code_or_password: &str,
        actor: &Actor,
    ) -> Result<Option<bool>, AccountError> {
        match self
            .check_second_factor(t, code_or_password, false, actor)
            .await
        {
            Ok(_) => return Ok(Some(true)),
            Err(e) if e.is_user_error() => {}
            Err(e) => return Err(e),
        }
        let ok = self
            .verify_password(code_or_password, Some(t.password_hash.clone()))
            .await?;
        Ok(ok.then_some(false))
    }

    /// Checks a TOTP code (single use through `claim_totp_step`) or, when allowed, a recovery
    /// code (single use through `use_recovery_code`).
    pub(crate) async fn check_second_factor(
        &self,
        t: &Technician,
        code: &str,
        allow_recovery: bool,
        actor: &Actor,
    ) -> Result<Factor, AccountError> {
        let row_id = t.id.to_string();
        let sealed = t.totp_secret.as_deref().ok_or(AccountError::NotEnrolled)?;
        let bytes = self
            .keyring
            .open(sealed, &aad(t, SealedColumn::TechnicianTotpSecret, &row_id))
            .map_err(|e| AccountError::Internal(format!("cannot open the TOTP seed: {e}")))?;
        let secret = TotpSecret::from_bytes(&bytes);
        if let Some(step) = verify_totp(&secret, code, self.now().unix_seconds()) {
            return if self.store.claim_totp_step(t.org_id, t.id, step).await? {
                Ok(Factor::Totp)
            } else {
                Err(AccountError::CodeReused)
            };
        }
        if allow_recovery && normalize_recovery_code(code).len() == 24 {
            let key_ids: Vec<String> = self.keyring.key_ids().map(str::to_owned).collect();
            for key_id in key_ids {
                let Some(pepper) = self
                    .keyring
                    .derive_key_from(&key_id, purpose::RECOVERY_CODE)
                else {
                    continue;
                };
                let hash = hash_recovery_code(pepper.as_ref(), code);
                if self
                    .store
                    .use_recovery_code(t.org_id, t.id, &hash, self.now())
                    .await?
                {
                    let left = self.store.recovery_codes_left(t.org_id, t.id).await?;
                    self.audit(
                        actor,
                        None,
                        "recovery_code.used",
                        &t.id.to_string(),
                        json!({ "left": left }),
                    )
                    .await?;
                    return Ok(Factor::RecoveryCode);
                }
            }
        }
        Err(AccountError::InvalidCode)
    }
}
