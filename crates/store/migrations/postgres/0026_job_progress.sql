-- Issue 19.3: jobs that take a while (Sync Customer) record how far they got, and the row stays
-- after the job is done (a completed job's row is deleted), so a page shows the progress and
-- then the result. One row per org and subject: the next run of the same work replaces it.
-- failures is a JSON array of {"subject": ..., "reason": ...}.
CREATE TABLE job_progress (
    org_id     UUID    NOT NULL REFERENCES orgs (id),
    subject    TEXT    NOT NULL,
    total      BIGINT  NOT NULL,
    done       BIGINT  NOT NULL,
    failures   TEXT    NOT NULL,
    finished   BOOLEAN NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (org_id, subject)
);

-- Server-wide periodic jobs (expiry sweeps, the session purge) belong to no MSP, but every job
-- row names an org (for the jobs page and the de-duplication key). They are queued under this
-- reserved org, which has no technicians and which no slug typed by a person can name
-- (slugs are lowercase letters, digits and dashes). The app calls it SERVER_ORG.
INSERT INTO orgs (id, name, slug, require_2fa, created_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'Countersign server', '_server', FALSE, 0);
