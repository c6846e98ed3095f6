-- Foundation schema (SQLite). Append-only: change the schema in a new migration, never here.
-- Kept in step with migrations/postgres/0001_foundation.sql (same tables, columns, constraint
-- and index names).
--
-- Types: ids are 16-byte UUID BLOBs, timestamps INTEGER Unix milliseconds, booleans INTEGER 0/1,
-- sealed values and hashes BLOBs. Tables are STRICT so a wrongly typed write fails loudly.
-- Every org-scoped table has org_id NOT NULL, a foreign key to orgs and an index starting with
-- org_id. Rows that belong to a technician reference technicians (org_id, id), so the database
-- itself refuses a row whose org differs from its technician's org.

CREATE TABLE orgs (
    id          BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    name        TEXT    NOT NULL,
    slug        TEXT    NOT NULL,
    require_2fa INTEGER NOT NULL CHECK (require_2fa IN (0, 1)),
    created_at  INTEGER NOT NULL,
    CONSTRAINT orgs_slug_key UNIQUE (slug)
) STRICT;

CREATE TABLE technicians (
    id                  BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id              BLOB    NOT NULL REFERENCES orgs (id),
    email               TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('admin', 'technician')),
    password_hash       TEXT    NOT NULL,
    active              INTEGER NOT NULL CHECK (active IN (0, 1)),
    totp_secret         BLOB,
    totp_pending_secret BLOB,
    totp_enabled_at     INTEGER,
    totp_last_step      INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    last_login_at       INTEGER,
    -- Emails are the login name, so they are unique on the whole server.
    CONSTRAINT technicians_email_key UNIQUE (email),
    -- Target of the (org_id, technician_id) foreign keys below; also the org_id index.
    CONSTRAINT technicians_org_id_id_key UNIQUE (org_id, id)
) STRICT;
CREATE INDEX technicians_org_id_email_idx ON technicians (org_id, email);

CREATE TABLE recovery_codes (
    org_id        BLOB    NOT NULL REFERENCES orgs (id),
    technician_id BLOB    NOT NULL,
    code_hash     BLOB    NOT NULL,
    used_at       INTEGER,
    CONSTRAINT recovery_codes_pkey PRIMARY KEY (org_id, technician_id, code_hash),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE invites (
    id          BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id      BLOB    NOT NULL REFERENCES orgs (id),
    email       TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'technician')),
    token_hash  BLOB    NOT NULL,
    invited_by  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    revoked_at  INTEGER,
    CONSTRAINT invites_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, invited_by) REFERENCES technicians (org_id, id)
) STRICT;
CREATE INDEX invites_org_id_created_at_idx ON invites (org_id, created_at);

CREATE TABLE sessions (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    token_hash    BLOB    NOT NULL,
    org_id        BLOB    NOT NULL REFERENCES orgs (id),
    technician_id BLOB    NOT NULL,
    stage         TEXT    NOT NULL CHECK (stage IN ('second_factor', 'full')),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_org_id_technician_id_idx ON sessions (org_id, technician_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at_idx ON sessions (last_seen_at);

-- Not org-scoped: keys are `account:<email>` or `ip:<addr>`, checked before the org is known.
CREATE TABLE login_throttles (
    key              TEXT    NOT NULL PRIMARY KEY,
    failures         INTEGER NOT NULL,
    first_failure_at INTEGER NOT NULL,
    last_failure_at  INTEGER NOT NULL
) STRICT;

-- seq is assigned by the store (last seq + 1) while it holds the write lock, so the chain has
-- no gaps. org_id is NULL for server-wide events. actor_id has no foreign key: the log must
-- outlive whatever it mentions.
CREATE TABLE audit_log (
    seq         INTEGER NOT NULL PRIMARY KEY,
    org_id      BLOB    REFERENCES orgs (id),
    at          INTEGER NOT NULL,
    actor_id    BLOB,
    actor_label TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    ip          TEXT,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL
) STRICT;
CREATE INDEX audit_log_org_id_seq_idx ON audit_log (org_id, seq);

-- The chain makes tampering evident; these triggers make accidental edits impossible.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- One value sealed under each key id when the key was first used, to check at start-up that
-- the configured keys still open the data.
CREATE TABLE key_canaries (
    key_id TEXT NOT NULL PRIMARY KEY,
    sealed BLOB NOT NULL
) STRICT;
