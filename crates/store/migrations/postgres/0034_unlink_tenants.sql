-- Issue 21.6: unlinking one tenant (any sync source) of an integration, and the sync history
-- the Jobs page shows.
--
-- An unlinked sync source is no longer synced (its cursor is forgotten); its contacts are
-- hidden everywhere a technician finds or acts on contacts, but kept for the audit trail
-- until `purge_at`, when the purge sweep deletes them and sets `purged_at`. `purge_at` is
-- fixed when it is unlinked (the date the page promised); re-linking clears all three.
ALTER TABLE sync_sources ADD COLUMN unlinked_at BIGINT;
ALTER TABLE sync_sources ADD COLUMN purge_at BIGINT;
ALTER TABLE sync_sources ADD COLUMN purged_at BIGINT;
CREATE INDEX sync_sources_purge_at_idx ON sync_sources (purge_at)
    WHERE purge_at IS NOT NULL AND purged_at IS NULL;

-- Set on the contacts of an unlinked source (none of the org's linked sources reaches their
-- customer any more): every list, search, picker, audience and verification start skips them.
ALTER TABLE contacts ADD COLUMN unlinked_at BIGINT;

-- How long an org keeps the contacts of an unlinked source (no row: 30 days).
CREATE TABLE unlink_settings (
    org_id         UUID    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    retention_days BIGINT  NOT NULL CHECK (retention_days BETWEEN 1 AND 365),
    updated_at     BIGINT  NOT NULL
);

-- One row per finished sync run of a source (sync_sources keeps only the last): written by
-- the statement that finishes the run, the newest 50 per source kept.
CREATE TABLE sync_runs (
    id             UUID    NOT NULL PRIMARY KEY,
    org_id         UUID    NOT NULL,
    integration_id UUID    NOT NULL,
    source_id      UUID    NOT NULL REFERENCES sync_sources (id) ON DELETE CASCADE,
    started_at     BIGINT  NOT NULL,
    finished_at    BIGINT  NOT NULL,
    ok             BOOLEAN NOT NULL,
    error          TEXT,
    pages          BIGINT  NOT NULL,
    seen           BIGINT  NOT NULL,
    added          BIGINT  NOT NULL,
    changed        BIGINT  NOT NULL,
    removed        BIGINT  NOT NULL
);
CREATE INDEX sync_runs_org_id_finished_at_idx ON sync_runs (org_id, finished_at);
CREATE INDEX sync_runs_source_id_finished_at_idx ON sync_runs (source_id, finished_at);
