-- Credential recovery (issue 18.1, docs/security.md "Credential change and recovery").
--
-- One-time links that let a technician set a new password: "forgot password" (kind 'forgot',
-- 30 minutes) and an admin's or the CLI's reset (kind 'admin', 24 hours). Only the SHA-256 of
-- the link token is stored (the primary key: the link is looked up by it, not org-scoped,
-- since the person opening it has no session). A technician has at most one link: a newer one
-- replaces the older (the store deletes the older in the transaction that inserts it). Using
-- a link deletes it in the transaction that sets the password, so it works once.
CREATE TABLE password_resets (
    token_hash    BYTEA   NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL REFERENCES orgs (id),
    technician_id UUID    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('forgot', 'admin')),
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);
CREATE INDEX password_resets_org_id_technician_id_idx ON password_resets (org_id, technician_id);

-- The number a recovery code had in the list shown at enrolment (1-10), so the Account page
-- can say which ones were used without keeping anything of the code itself. NULL for codes
-- issued before this migration.
ALTER TABLE recovery_codes ADD COLUMN list_position BIGINT;
