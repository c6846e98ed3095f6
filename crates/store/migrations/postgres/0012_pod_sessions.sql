-- The Pod's own sessions (docs/security.md "The Pod inside a PSA"): stage 'pod' is a session
-- that only the Pod's routes accept, carried by a partitioned cookie scoped to /pod.
ALTER TABLE sessions DROP CONSTRAINT sessions_stage_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_stage_check
    CHECK (stage IN ('second_factor', 'full', 'pod'));

-- One-time codes that hand a signed-in technician's identity from the top-level
-- /pod/connect window to the Pod in a PSA's iframe. Only the SHA-256 of the code is stored;
-- a code lives 60 seconds and is deleted when used. Looked up by hash (not org-scoped: the
-- frame presenting it has no session yet).
CREATE TABLE pod_handoffs (
    code_hash     BYTEA  NOT NULL PRIMARY KEY,
    org_id        UUID   NOT NULL REFERENCES orgs (id),
    technician_id UUID   NOT NULL,
    frame_origin  TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);
CREATE INDEX pod_handoffs_expires_at_idx ON pod_handoffs (expires_at);
