-- A technician's change of their own email address (issue 21.5, docs/security.md "Changing
-- one's own email address").
--
-- The change takes effect only when the link sent to the NEW address is used. Only the
-- SHA-256 of the link token is stored (the primary key: the link is looked up by it, not
-- org-scoped, since the person opening it may have no session there; the token is the
-- capability). A technician has at most one pending change: a newer request replaces the
-- older (the store deletes the older in the transaction that inserts it). Using the link
-- deletes it in the transaction that sets the address, so it works once.
CREATE TABLE email_changes (
    token_hash    BYTEA   NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL REFERENCES orgs (id),
    technician_id UUID    NOT NULL,
    new_email     TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);
CREATE INDEX email_changes_org_id_technician_id_idx ON email_changes (org_id, technician_id);

-- Secure Send "My links" (issue 21.5): a technician's own links, newest first, and an
-- admin's view of every link of the org, newest first.
CREATE INDEX secrets_org_id_technician_id_created_at_idx ON secrets (org_id, technician_id, created_at);
CREATE INDEX secrets_org_id_created_at_idx ON secrets (org_id, created_at);
