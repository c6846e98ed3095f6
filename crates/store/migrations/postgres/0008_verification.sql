-- End-user and technician verification (PostgreSQL). Kept in step with
-- migrations/sqlite/0008_verification.sql (same tables, columns, constraint and index names).
--
-- verifications gains the live state of a verification: the code or link secret (only an
-- HMAC / SHA-256 of it), its expiry, the wrong attempts, number matching, and who it was for.

ALTER TABLE verifications DROP CONSTRAINT verifications_status_check;
ALTER TABLE verifications ADD CONSTRAINT verifications_status_check
    CHECK (status IN ('pending', 'verified', 'failed', 'denied', 'expired', 'sent'));
ALTER TABLE verifications
    ADD COLUMN expires_at        BIGINT  NOT NULL DEFAULT 0,
    ADD COLUMN completed_at      BIGINT,
    -- HMAC-SHA256 of (verification id, code), or SHA-256 of the approve-link token.
    ADD COLUMN secret_hash       BYTEA,
    -- Id of the master key the code's HMAC key was derived from (rotation-safe checks).
    ADD COLUMN key_id            TEXT    NOT NULL DEFAULT '',
    ADD COLUMN attempts          BIGINT  NOT NULL DEFAULT 0,
    -- Approve links: the two digits the technician's Pod shows, and the choices offered.
    ADD COLUMN match_number      BIGINT,
    ADD COLUMN match_choices     TEXT    NOT NULL DEFAULT '',
    -- HMAC of the normalised destination: rate limits per recipient without the full number.
    ADD COLUMN recipient_key     BYTEA,
    -- The contact whose Pod started this, when it is not the contact verified.
    ADD COLUMN pod_contact_id    UUID,
    ADD COLUMN note              TEXT    NOT NULL DEFAULT '',
    -- 1 when an admin typed a destination that is not of record.
    ADD COLUMN typed_destination BIGINT  NOT NULL DEFAULT 0;
UPDATE verifications SET expires_at = at;
CREATE UNIQUE INDEX verifications_secret_hash_key ON verifications (secret_hash)
    WHERE method IN ('sms_link', 'email_link');
-- Send limits count recent verifications per recipient and per technician.
CREATE INDEX verifications_org_id_recipient_key_at_idx ON verifications (org_id, recipient_key, at);
CREATE INDEX verifications_org_id_technician_id_at_idx ON verifications (org_id, technician_id, at);
CREATE INDEX verifications_org_id_at_idx ON verifications (org_id, at);

-- Consecutive wrong codes per recipient across verifications (security.md 2.4: a new code
-- never resets it; a success does).
CREATE TABLE verification_recipient_failures (
    org_id         UUID    NOT NULL,
    recipient_key  BYTEA   NOT NULL,
    failures       BIGINT  NOT NULL,
    last_failed_at BIGINT  NOT NULL,
    CONSTRAINT verification_recipient_failures_pkey PRIMARY KEY (org_id, recipient_key)
);

-- The org's verification rules (defaults in crates/store/src/verification.rs).
CREATE TABLE verification_settings (
    org_id                     UUID    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    code_minutes               BIGINT  NOT NULL CHECK (code_minutes BETWEEN 1 AND 10),
    link_minutes               BIGINT  NOT NULL CHECK (link_minutes BETWEEN 1 AND 10),
    per_recipient_10min        BIGINT  NOT NULL CHECK (per_recipient_10min BETWEEN 1 AND 3),
    per_technician_hour        BIGINT  NOT NULL CHECK (per_technician_hour BETWEEN 1 AND 1000000),
    per_org_day                BIGINT  NOT NULL CHECK (per_org_day BETWEEN 1 AND 100000000),
    require_note_for_other     BIGINT  NOT NULL CHECK (require_note_for_other IN (0, 1)),
    updated_at                 BIGINT  NOT NULL
);

-- Technician verification started by the end user (/t/{slug}/verify-technician): a link to
-- the contact's channel of record, the technician they pick, the technician's confirmation
-- and the code shown to both. token_hash is SHA-256 of the link token.
CREATE TABLE technician_checks (
    id            UUID    NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL,
    contact_id    UUID    NOT NULL,
    token_hash    BYTEA   NOT NULL,
    technician_id UUID,
    status        TEXT    NOT NULL CHECK (status IN ('sent', 'chosen', 'confirmed', 'expired')),
    -- Shown to the end user and the technician once confirmed; it grants nothing (it only lets
    -- two people compare), so it is kept as text to be shown again on reload.
    code          TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    chosen_at     BIGINT,
    confirmed_at  BIGINT,
    CONSTRAINT technician_checks_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
);
CREATE INDEX technician_checks_org_id_technician_id_status_idx
    ON technician_checks (org_id, technician_id, status);
