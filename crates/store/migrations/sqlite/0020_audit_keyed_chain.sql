-- The audit chain is keyed (issue 18.6): each new entry's `hash` is an HMAC-SHA256 under a key
-- derived from the keyring key named here. Entries written before this migration keep
-- key_id NULL and their plain SHA-256 hash; the first keyed entry links to the last of them,
-- and verification accepts unkeyed entries only before the first keyed one.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
