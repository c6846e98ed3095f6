-- Issue 21.6: unlinking one tenant (any sync source) of an integration, and the sync history
-- the Jobs page shows.
--
-- An unlinked sync source is no longer synced (its cursor is forgotten); its contacts are
-- hidden everywhere a technician finds or acts on contacts, but kept for the audit trail
-- until `purge_at`, when the purge sweep deletes them and sets `purged_at`. `purge_at` is
-- fixed when it is unlinked (the date the page promised); re-linking clears all three.
ALTER TABLE sync_sources ADD COLUMN unlinked_at INTEGER;
ALTER TABLE sync_sources ADD COLUMN purge_at INTEGER;
ALTER TABLE sync_sources ADD COLUMN purged_at INTEGER;
CREATE INDEX sync_sources_purge_at_idx ON sync_sources (purge_at)
    WHERE purge_at IS NOT NULL AND purged_at IS NULL;

-- Set on the contacts of an unlinked source (none of the org's linked sources reaches their
-- customer any more): every list, search, picker, audience and verification start skips them.
ALTER TABLE contacts ADD COLUMN unlinked_at INTEGER;

-- How long an org keeps the contacts of an unlinked source (no row: 30 days).
CREATE TABLE unlink_settings (
    org_id         BLOB    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    retention_days INTEGER NOT NULL CHECK (retention_days BETWEEN 1 AND 365),
    updated_at     INTEGER NOT NULL
) STRICT;

-- One row per finished sync run of a source (sync_sources keeps only the last): written by
-- the statement that finishes the run, the newest 50 per source kept.
CREATE TABLE sync_runs (
    id             BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id         BLOB    NOT NULL,
    integration_id BLOB    NOT NULL,
    source_id      BLOB    NOT NULL REFERENCES sync_sources (id) ON DELETE CASCADE,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER NOT NULL,
    ok             INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error          TEXT,
    pages          INTEGER NOT NULL,
    seen           INTEGER NOT NULL,
    added          INTEGER NOT NULL,
    changed        INTEGER NOT NULL,
    removed        INTEGER NOT NULL
) STRICT;
CREATE INDEX sync_runs_org_id_finished_at_idx ON sync_runs (org_id, finished_at);
CREATE INDEX sync_runs_source_id_finished_at_idx ON sync_runs (source_id, finished_at);
