-- Microsoft 365 integrations (SQLite): integrations of an org, the tenants linked through
-- them with their sync state, and pending consent/sign-in round trips. Append-only. Kept in
-- step with migrations/postgres/0004_microsoft.sql (same tables, columns and names).

-- One configured contact source. Sealed columns (gdap_client_secret, gdap_refresh_token)
-- are bound to org, table, column and row id (see SealedColumn).
CREATE TABLE integrations (
    id                     BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id                 BLOB    NOT NULL REFERENCES orgs (id),
    kind                   TEXT    NOT NULL CHECK (kind IN ('microsoft365')),
    name                   TEXT    NOT NULL,
    cloud                  TEXT    NOT NULL,
    login_base_url         TEXT    NOT NULL,
    graph_base_url         TEXT    NOT NULL,
    skip_guests            INTEGER NOT NULL CHECK (skip_guests IN (0, 1)),
    skip_disabled          INTEGER NOT NULL CHECK (skip_disabled IN (0, 1)),
    skip_unlicensed        INTEGER NOT NULL CHECK (skip_unlicensed IN (0, 1)),
    gdap_domain            TEXT,
    gdap_partner_tenant_id TEXT,
    gdap_client_id         TEXT,
    gdap_client_secret     BLOB,
    gdap_refresh_token     BLOB,
    gdap_status            TEXT    NOT NULL CHECK (gdap_status IN ('none', 'pending', 'connected', 'sign_in_again')),
    gdap_error             TEXT,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    CONSTRAINT integrations_org_id_id_key UNIQUE (org_id, id)
) STRICT;
CREATE INDEX integrations_org_id_created_at_idx ON integrations (org_id, created_at);

-- A customer tenant reached through an integration, by admin consent or GDAP, with the
-- state of its sync (one background job per tenant).
CREATE TABLE tenant_links (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id          BLOB    NOT NULL,
    integration_id  BLOB    NOT NULL,
    tenant_id       TEXT    NOT NULL,
    link            TEXT    NOT NULL CHECK (link IN ('admin_consent', 'gdap')),
    display_name    TEXT    NOT NULL,
    default_domain  TEXT    NOT NULL,
    relationships   TEXT    NOT NULL,
    roles           TEXT    NOT NULL,
    customer_id     BLOB,
    delta_link      TEXT,
    sync_state      TEXT    NOT NULL CHECK (sync_state IN ('idle', 'queued', 'running')),
    sync_started_at INTEGER,
    last_sync_at    INTEGER,
    last_sync_ok    INTEGER CHECK (last_sync_ok IN (0, 1)),
    last_error      TEXT,
    pages           INTEGER NOT NULL DEFAULT 0,
    users_seen      INTEGER NOT NULL DEFAULT 0,
    added           INTEGER NOT NULL DEFAULT 0,
    changed         INTEGER NOT NULL DEFAULT 0,
    removed         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT tenant_links_integration_id_tenant_id_link_key UNIQUE (integration_id, tenant_id, link),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX tenant_links_org_id_integration_id_idx ON tenant_links (org_id, integration_id);
CREATE INDEX tenant_links_last_sync_at_idx ON tenant_links (last_sync_at);

-- A consent or sign-in round trip in progress: the hash of its `state` (single use, bound to
-- the session and the integration) and, for sign-in, the sealed PKCE verifier.
CREATE TABLE oauth_states (
    id             BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id         BLOB    NOT NULL,
    integration_id BLOB    NOT NULL,
    session_id     BLOB    NOT NULL,
    state_hash     BLOB    NOT NULL,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('consent', 'gdap')),
    pkce_verifier  BLOB,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    CONSTRAINT oauth_states_state_hash_key UNIQUE (state_hash),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);
