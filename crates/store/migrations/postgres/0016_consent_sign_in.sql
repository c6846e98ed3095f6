-- Issue 17.1: a tenant is linked only after an OpenID Connect sign-in to it proves the consent
-- (the `tenant` of the admin-consent redirect can be forged). The sign-in is a second round
-- trip of the same flow: purpose 'consent_sign_in', the tenant the consent redirect named
-- (`tenant_id`), the SHA-256 of the sign-in's `nonce` and the sealed PKCE verifier.
-- Round trips live 15 minutes, so the table is rebuilt as on SQLite; one in progress during
-- the upgrade is started again.
DROP TABLE oauth_states;
CREATE TABLE oauth_states (
    id             UUID    NOT NULL PRIMARY KEY,
    org_id         UUID    NOT NULL,
    integration_id UUID    NOT NULL,
    session_id     UUID    NOT NULL,
    state_hash     BYTEA   NOT NULL,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('consent', 'consent_sign_in', 'gdap')),
    pkce_verifier  BYTEA,
    tenant_id      TEXT,
    nonce_hash     BYTEA,
    expires_at     BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL,
    CONSTRAINT oauth_states_state_hash_key UNIQUE (state_hash),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);
