-- Secure Data Send and Request (SQLite): one row per one-time link. Append-only. Kept in step
-- with migrations/postgres/0011_secrets.sql.

-- `envelope` is the browser-made ciphertext (opaque to the server); it is set to NULL the
-- moment the last view is claimed, the secret is burned or it expires, and the row stays as
-- the tombstone (who/when metadata). `server_share` (sealed for (org, secrets, server_share,
-- id)) is the key share released only after recipient verification; `private_key` (sealed
-- for (org, secrets, private_key, id)) is a request's decryption key.
CREATE TABLE secrets (
    id                   BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id               BLOB    NOT NULL REFERENCES orgs (id),
    kind                 TEXT    NOT NULL CHECK (kind IN ('send', 'request')),
    token_hash           BLOB    NOT NULL,
    technician_id        BLOB    NOT NULL,
    contact_id           BLOB,
    channel              TEXT    NOT NULL CHECK (channel IN ('sms', 'email', 'copy')),
    recipient_masked     TEXT    NOT NULL,
    label                TEXT    NOT NULL,
    state                TEXT    NOT NULL CHECK (state IN ('waiting', 'active', 'revealed',
                                                           'expired', 'burned')),
    envelope             BLOB,
    server_share         BLOB,
    private_key          BLOB,
    public_key           TEXT    NOT NULL,
    has_passphrase       INTEGER NOT NULL,
    require_verification INTEGER NOT NULL,
    verification_id      BLOB,
    max_views            INTEGER NOT NULL CHECK (max_views BETWEEN 1 AND 10),
    views_left           INTEGER NOT NULL CHECK (views_left >= 0),
    notify_on_reveal     INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    opened_at            INTEGER,
    submitted_at         INTEGER,
    first_revealed_at    INTEGER,
    last_revealed_at     INTEGER,
    last_reveal_ip       TEXT,
    ended_at             INTEGER,
    CONSTRAINT secrets_token_hash_key UNIQUE (token_hash),
    CONSTRAINT secrets_org_id_id_key UNIQUE (org_id, id)
) STRICT;
CREATE INDEX secrets_org_id_contact_id_created_at_idx ON secrets (org_id, contact_id, created_at);
-- The purge: live rows by expiry.
CREATE INDEX secrets_expires_at_idx ON secrets (expires_at) WHERE state IN ('waiting', 'active');
