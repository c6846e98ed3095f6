-- Microsoft 365 integrations (PostgreSQL): integrations of an org, the tenants linked through
-- them with their sync state, and pending consent/sign-in round trips. Append-only. Kept in
-- step with migrations/sqlite/0004_microsoft.sql (same tables, columns and names).

-- One configured contact source. Sealed columns (gdap_client_secret, gdap_refresh_token)
-- are bound to org, table, column and row id (see SealedColumn).
CREATE TABLE integrations (
    id                     UUID    NOT NULL PRIMARY KEY,
    org_id                 UUID    NOT NULL REFERENCES orgs (id),
    kind                   TEXT    NOT NULL CHECK (kind IN ('microsoft365')),
    name                   TEXT    NOT NULL,
    cloud                  TEXT    NOT NULL,
    login_base_url         TEXT    NOT NULL,
    graph_base_url         TEXT    NOT NULL,
    skip_guests            BOOLEAN NOT NULL,
    skip_disabled          BOOLEAN NOT NULL,
    skip_unlicensed        BOOLEAN NOT NULL,
    gdap_domain            TEXT,
    gdap_partner_tenant_id TEXT,
    gdap_client_id         TEXT,
    gdap_client_secret     BYTEA,
    gdap_refresh_token     BYTEA,
    gdap_status            TEXT    NOT NULL CHECK (gdap_status IN ('none', 'pending', 'connected', 'sign_in_again')),
    gdap_error             TEXT,
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL,
    CONSTRAINT integrations_org_id_id_key UNIQUE (org_id, id)
);
CREATE INDEX integrations_org_id_created_at_idx ON integrations (org_id, created_at);

-- A customer tenant reached through an integration, by admin consent or GDAP, with the
-- state of its sync (one background job per tenant).
CREATE TABLE tenant_links (
    id              UUID    NOT NULL PRIMARY KEY,
    org_id          UUID    NOT NULL,
    integration_id  UUID    NOT NULL,
    tenant_id       TEXT    NOT NULL,
    link            TEXT    NOT NULL CHECK (link IN ('admin_consent', 'gdap')),
    display_name    TEXT    NOT NULL,
    default_domain  TEXT    NOT NULL,
    relationships   TEXT    NOT NULL,
    roles           TEXT    NOT NULL,
    customer_id     UUID,
    delta_link      TEXT,
    sync_state      TEXT    NOT NULL CHECK (sync_state IN ('idle', 'queued', 'running')),
    sync_started_at BIGINT,
    last_sync_at    BIGINT,
    last_sync_ok    BOOLEAN,
    last_error      TEXT,
    pages           BIGINT  NOT NULL DEFAULT 0,
    users_seen      BIGINT  NOT NULL DEFAULT 0,
    added           BIGINT  NOT NULL DEFAULT 0,
    changed         BIGINT  NOT NULL DEFAULT 0,
    removed         BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    CONSTRAINT tenant_links_integration_id_tenant_id_link_key UNIQUE (integration_id, tenant_id, link),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX tenant_links_org_id_integration_id_idx ON tenant_links (org_id, integration_id);
CREATE INDEX tenant_links_last_sync_at_idx ON tenant_links (last_sync_at);

-- A consent or sign-in round trip in progress: the hash of its `state` (single use, bound to
-- the session and the integration) and, for sign-in, the sealed PKCE verifier.
CREATE TABLE oauth_states (
    id             UUID    NOT NULL PRIMARY KEY,
    org_id         UUID    NOT NULL,
    integration_id UUID    NOT NULL,
    session_id     UUID    NOT NULL,
    state_hash     BYTEA    NOT NULL,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('consent', 'gdap')),
    pkce_verifier  BYTEA,
    expires_at     BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL,
    CONSTRAINT oauth_states_state_hash_key UNIQUE (state_hash),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);
