-- Issue 17.1: a tenant is linked only after an OpenID Connect sign-in to it proves the consent
-- (the `tenant` of the admin-consent redirect can be forged). The sign-in is a second round
-- trip of the same flow: purpose 'consent_sign_in', the tenant the consent redirect named
-- (`tenant_id`), the SHA-256 of the sign-in's `nonce` and the sealed PKCE verifier.
-- Round trips live 15 minutes, so the table is rebuilt (SQLite cannot change a CHECK in
-- place); one in progress during the upgrade is started again.
DROP TABLE oauth_states;
CREATE TABLE oauth_states (
    id             BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id         BLOB    NOT NULL,
    integration_id BLOB    NOT NULL,
    session_id     BLOB    NOT NULL,
    state_hash     BLOB    NOT NULL,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('consent', 'consent_sign_in', 'gdap')),
    pkce_verifier  BLOB,
    tenant_id      TEXT,
    nonce_hash     BLOB,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    CONSTRAINT oauth_states_state_hash_key UNIQUE (state_hash),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);
