//! `expire_verifications`: marks pending verifications whose time ran out as expired
//! (`App::expire_verifications`), every minute.

super::sweep::sweep_job!(
    /// Payload of the verification expiry sweep.
    ExpireVerifications,
    "expire_verifications",
    |app| app.expire_verifications()
);
