//! Secure Data Send and Request (docs/security.md): one-time links whose ciphertext the
//! browser makes. So far: the purge of links whose time ran out.

mod purge;
