-- The Pod's own sessions (docs/security.md "The Pod inside a PSA"): stage 'pod' is a session
-- that only the Pod's routes accept, carried by a partitioned cookie scoped to /pod. SQLite
-- cannot change a CHECK constraint in place, so the table is rebuilt (nothing references it).
CREATE TABLE sessions_new (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    token_hash    BLOB    NOT NULL,
    org_id        BLOB    NOT NULL REFERENCES orgs (id),
    technician_id BLOB    NOT NULL,
    stage         TEXT    NOT NULL CHECK (stage IN ('second_factor', 'full', 'pod')),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO sessions_new (id, token_hash, org_id, technician_id, stage, created_at,
                          last_seen_at, expires_at, ip, user_agent)
    SELECT id, token_hash, org_id, technician_id, stage, created_at, last_seen_at, expires_at,
           ip, user_agent
    FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_org_id_technician_id_idx ON sessions (org_id, technician_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at_idx ON sessions (last_seen_at);

-- One-time codes that hand a signed-in technician's identity from the top-level
-- /pod/connect window to the Pod in a PSA's iframe. Only the SHA-256 of the code is stored;
-- a code lives 60 seconds and is deleted when used. Looked up by hash (not org-scoped: the
-- frame presenting it has no session yet).
CREATE TABLE pod_handoffs (
    code_hash     BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES orgs (id),
    technician_id BLOB    NOT NULL,
    frame_origin  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX pod_handoffs_expires_at_idx ON pod_handoffs (expires_at);
