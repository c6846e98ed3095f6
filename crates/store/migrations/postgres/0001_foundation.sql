-- Foundation schema (PostgreSQL). Append-only: change the schema in a new migration, never here.
-- Kept in step with migrations/sqlite/0001_foundation.sql (same tables, columns, constraint
-- and index names).
--
-- Types: ids are UUID, timestamps BIGINT Unix milliseconds, booleans BOOLEAN, sealed values and
-- hashes BYTEA. Every org-scoped table has org_id NOT NULL, a foreign key to orgs and an index
-- starting with org_id. Rows that belong to a technician reference technicians (org_id, id), so
-- the database itself refuses a row whose org differs from its technician's org.

CREATE TABLE orgs (
    id          UUID    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    slug        TEXT    NOT NULL,
    require_2fa BOOLEAN NOT NULL,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT orgs_slug_key UNIQUE (slug)
);

CREATE TABLE technicians (
    id                  UUID    NOT NULL PRIMARY KEY,
    org_id              UUID    NOT NULL REFERENCES orgs (id),
    email               TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('admin', 'technician')),
    password_hash       TEXT    NOT NULL,
    active              BOOLEAN NOT NULL,
    totp_secret         BYTEA,
    totp_pending_secret BYTEA,
    totp_enabled_at     BIGINT,
    totp_last_step      BIGINT  NOT NULL DEFAULT 0,
    created_at          BIGINT  NOT NULL,
    last_login_at       BIGINT,
    -- Emails are the login name, so they are unique on the whole server.
    CONSTRAINT technicians_email_key UNIQUE (email),
    -- Target of the (org_id, technician_id) foreign keys below; also the org_id index.
    CONSTRAINT technicians_org_id_id_key UNIQUE (org_id, id)
);
CREATE INDEX technicians_org_id_email_idx ON technicians (org_id, email);

CREATE TABLE recovery_codes (
    org_id        UUID   NOT NULL REFERENCES orgs (id),
    technician_id UUID   NOT NULL,
    code_hash     BYTEA  NOT NULL,
    used_at       BIGINT,
    CONSTRAINT recovery_codes_pkey PRIMARY KEY (org_id, technician_id, code_hash),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);

CREATE TABLE invites (
    id          UUID   NOT NULL PRIMARY KEY,
    org_id      UUID   NOT NULL REFERENCES orgs (id),
    email       TEXT   NOT NULL,
    role        TEXT   NOT NULL CHECK (role IN ('admin', 'technician')),
    token_hash  BYTEA  NOT NULL,
    invited_by  UUID   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at  BIGINT,
    CONSTRAINT invites_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, invited_by) REFERENCES technicians (org_id, id)
);
CREATE INDEX invites_org_id_created_at_idx ON invites (org_id, created_at);

CREATE TABLE sessions (
    id            UUID   NOT NULL PRIMARY KEY,
    token_hash    BYTEA  NOT NULL,
    org_id        UUID   NOT NULL REFERENCES orgs (id),
    technician_id UUID   NOT NULL,
    stage         TEXT   NOT NULL CHECK (stage IN ('second_factor', 'full')),
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ip            TEXT   NOT NULL,
    user_agent    TEXT   NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_org_id_technician_id_idx ON sessions (org_id, technician_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at_idx ON sessions (last_seen_at);

-- Not org-scoped: keys are `account:<email>` or `ip:<addr>`, checked before the org is known.
CREATE TABLE login_throttles (
    key              TEXT   NOT NULL PRIMARY KEY,
    failures         BIGINT NOT NULL,
    first_failure_at BIGINT NOT NULL,
    last_failure_at  BIGINT NOT NULL
);

-- seq is assigned by the store (last seq + 1) while it holds the audit advisory lock, so the
-- chain has no gaps. org_id is NULL for server-wide events. actor_id has no foreign key: the
-- log must outlive whatever it mentions.
CREATE TABLE audit_log (
    seq         BIGINT NOT NULL PRIMARY KEY,
    org_id      UUID   REFERENCES orgs (id),
    at          BIGINT NOT NULL,
    actor_id    UUID,
    actor_label TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    target      TEXT   NOT NULL,
    detail      TEXT   NOT NULL,
    ip          TEXT,
    prev_hash   BYTEA  NOT NULL,
    hash        BYTEA  NOT NULL
);
CREATE INDEX audit_log_org_id_seq_idx ON audit_log (org_id, seq);

-- The chain makes tampering evident; this trigger makes accidental edits impossible.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- One value sealed under each key id when the key was first used, to check at start-up that
-- the configured keys still open the data.
CREATE TABLE key_canaries (
    key_id TEXT  NOT NULL PRIMARY KEY,
    sealed BYTEA NOT NULL
);
