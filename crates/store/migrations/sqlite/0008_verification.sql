-- End-user and technician verification (SQLite). Kept in step with
-- migrations/postgres/0008_verification.sql (same tables, columns, constraint and index names).
--
-- verifications gains the live state of a verification: the code or link secret (only an
-- HMAC / SHA-256 of it), its expiry, the wrong attempts, number matching, and who it was for.
-- SQLite cannot change a CHECK constraint in place ('denied' and the technician-verification
-- statuses are new), so the table is rebuilt; nothing references it.

CREATE TABLE verifications_new (
    id                 BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id             BLOB    NOT NULL,
    contact_id         BLOB    NOT NULL,
    technician_id      BLOB,
    method             TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    destination_masked TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'verified', 'failed', 'denied', 'expired', 'sent')),
    at                 INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL DEFAULT 0,
    completed_at       INTEGER,
    -- HMAC-SHA256 of (verification id, code), or SHA-256 of the approve-link token.
    secret_hash        BLOB,
    -- Id of the master key the code's HMAC key was derived from (rotation-safe checks).
    key_id             TEXT    NOT NULL DEFAULT '',
    attempts           INTEGER NOT NULL DEFAULT 0,
    -- Approve links: the two digits the technician's Pod shows, and the choices offered.
    match_number       INTEGER,
    match_choices      TEXT    NOT NULL DEFAULT '',
    -- HMAC of the normalised destination: rate limits per recipient without the full number.
    recipient_key      BLOB,
    -- The contact whose Pod started this, when it is not the contact verified.
    pod_contact_id     BLOB,
    note               TEXT    NOT NULL DEFAULT '',
    -- 1 when an admin typed a destination that is not of record.
    typed_destination  INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
) STRICT;
INSERT INTO verifications_new (id, org_id, contact_id, technician_id, method, channel,
    destination_masked, status, at, expires_at)
    SELECT id, org_id, contact_id, technician_id, method, channel, destination_masked, status,
        at, at FROM verifications;
DROP TABLE verifications;
ALTER TABLE verifications_new RENAME TO verifications;
CREATE INDEX verifications_org_id_contact_id_at_idx ON verifications (org_id, contact_id, at);
CREATE UNIQUE INDEX verifications_secret_hash_key ON verifications (secret_hash)
    WHERE method IN ('sms_link', 'email_link');
-- Send limits count recent verifications per recipient and per technician.
CREATE INDEX verifications_org_id_recipient_key_at_idx ON verifications (org_id, recipient_key, at);
CREATE INDEX verifications_org_id_technician_id_at_idx ON verifications (org_id, technician_id, at);
CREATE INDEX verifications_org_id_at_idx ON verifications (org_id, at);

-- Consecutive wrong codes per recipient across verifications (security.md 2.4: a new code
-- never resets it; a success does).
CREATE TABLE verification_recipient_failures (
    org_id         BLOB    NOT NULL,
    recipient_key  BLOB    NOT NULL,
    failures       INTEGER NOT NULL,
    last_failed_at INTEGER NOT NULL,
    CONSTRAINT verification_recipient_failures_pkey PRIMARY KEY (org_id, recipient_key)
) STRICT;

-- The org's verification rules (defaults in crates/store/src/verification.rs).
CREATE TABLE verification_settings (
    org_id                     BLOB    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    code_minutes               INTEGER NOT NULL CHECK (code_minutes BETWEEN 1 AND 10),
    link_minutes               INTEGER NOT NULL CHECK (link_minutes BETWEEN 1 AND 10),
    per_recipient_10min        INTEGER NOT NULL CHECK (per_recipient_10min BETWEEN 1 AND 3),
    per_technician_hour        INTEGER NOT NULL CHECK (per_technician_hour BETWEEN 1 AND 1000000),
    per_org_day                INTEGER NOT NULL CHECK (per_org_day BETWEEN 1 AND 100000000),
    require_note_for_other     INTEGER NOT NULL CHECK (require_note_for_other IN (0, 1)),
    updated_at                 INTEGER NOT NULL
) STRICT;

-- Technician verification started by the end user (/t/{slug}/verify-technician): a link to
-- the contact's channel of record, the technician they pick, the technician's confirmation
-- and the code shown to both. token_hash is SHA-256 of the link token.
CREATE TABLE technician_checks (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id        BLOB    NOT NULL,
    contact_id    BLOB    NOT NULL,
    token_hash    BLOB    NOT NULL,
    technician_id BLOB,
    status        TEXT    NOT NULL CHECK (status IN ('sent', 'chosen', 'confirmed', 'expired')),
    -- Shown to the end user and the technician once confirmed; it grants nothing (it only lets
    -- two people compare), so it is kept as text to be shown again on reload.
    code          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    chosen_at     INTEGER,
    confirmed_at  INTEGER,
    CONSTRAINT technician_checks_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
) STRICT;
CREATE INDEX technician_checks_org_id_technician_id_status_idx
    ON technician_checks (org_id, technician_id, status);
