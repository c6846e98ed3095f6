//! `expire_secrets`: ends one-time links past their expiry, deleting their ciphertext
//! (`App::expire_secrets`), every minute.

super::sweep::sweep_job!(
    /// Payload of the secret expiry sweep.
    ExpireSecrets,
    "expire_secrets",
    |app| app.expire_secrets()
);
