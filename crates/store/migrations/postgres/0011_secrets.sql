-- Secure Data Send and Request (PostgreSQL): one row per one-time link. Append-only. Kept in step
-- with migrations/sqlite/0011_secrets.sql.

-- `envelope` is the browser-made ciphertext (opaque to the server); it is set to NULL the
-- moment the last view is claimed, the secret is burned or it expires, and the row stays as
-- the tombstone (who/when metadata). `server_share` (sealed for (org, secrets, server_share,
-- id)) is the key share released only after recipient verification; `private_key` (sealed
-- for (org, secrets, private_key, id)) is a request's decryption key.
CREATE TABLE secrets (
    id                   UUID    NOT NULL PRIMARY KEY,
    org_id               UUID    NOT NULL REFERENCES orgs (id),
    kind                 TEXT    NOT NULL CHECK (kind IN ('send', 'request')),
    token_hash           BYTEA    NOT NULL,
    technician_id        UUID    NOT NULL,
    contact_id           UUID,
    channel              TEXT    NOT NULL CHECK (channel IN ('sms', 'email', 'copy')),
    recipient_masked     TEXT    NOT NULL,
    label                TEXT    NOT NULL,
    state                TEXT    NOT NULL CHECK (state IN ('waiting', 'active', 'revealed',
                                                           'expired', 'burned')),
    envelope             BYTEA,
    server_share         BYTEA,
    private_key          BYTEA,
    public_key           TEXT    NOT NULL,
    has_passphrase       BIGINT NOT NULL,
    require_verification BIGINT NOT NULL,
    verification_id      UUID,
    max_views            BIGINT NOT NULL CHECK (max_views BETWEEN 1 AND 10),
    views_left           BIGINT NOT NULL CHECK (views_left >= 0),
    notify_on_reveal     BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    opened_at            BIGINT,
    submitted_at         BIGINT,
    first_revealed_at    BIGINT,
    last_revealed_at     BIGINT,
    last_reveal_ip       TEXT,
    ended_at             BIGINT,
    CONSTRAINT secrets_token_hash_key UNIQUE (token_hash),
    CONSTRAINT secrets_org_id_id_key UNIQUE (org_id, id)
);
CREATE INDEX secrets_org_id_contact_id_created_at_idx ON secrets (org_id, contact_id, created_at);
-- The purge: live rows by expiry.
CREATE INDEX secrets_expires_at_idx ON secrets (expires_at) WHERE state IN ('waiting', 'active');
