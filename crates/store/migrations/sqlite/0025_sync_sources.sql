-- Issue 19.4: contact sources are a shape. A linked company of any source (a Microsoft 365
-- tenant today, a PSA company tomorrow) is one generic `sync_sources` row: who it is at the
-- source (external_id, and `link`, how it is reached when a source has several ways: for
-- Microsoft 365 'admin_consent' or 'gdap'), its customer, and the state of its sync (cursor,
-- state, counters, last error, ended). What only one source knows about a company lives in
-- `descriptor`, JSON the source's module reads (Microsoft 365: default_domain, relationships,
-- roles). No CHECK names the links or the descriptor's keys, so a new source needs no
-- rebuild of this table.
--
-- The rows of tenant_links are carried across with their ids, so jobs, audit entries and
-- pages that name a link keep naming the same row. No table references tenant_links, so it
-- is dropped without the table rebuild that an ALTER would need on SQLite.
CREATE TABLE sync_sources (
    id             BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id         BLOB    NOT NULL,
    integration_id BLOB    NOT NULL,
    external_id    TEXT    NOT NULL,
    link           TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    descriptor     TEXT    NOT NULL,
    customer_id    BLOB,
    cursor         TEXT,
    state          TEXT    NOT NULL CHECK (state IN ('idle', 'queued', 'running')),
    started_at     INTEGER,
    last_run_at    INTEGER,
    last_ok        INTEGER CHECK (last_ok IN (0, 1)),
    last_error     TEXT,
    pages          INTEGER NOT NULL DEFAULT 0,
    seen           INTEGER NOT NULL DEFAULT 0,
    added          INTEGER NOT NULL DEFAULT 0,
    changed        INTEGER NOT NULL DEFAULT 0,
    removed        INTEGER NOT NULL DEFAULT 0,
    ended_at       INTEGER,
    ended_reason   TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT sync_sources_integration_id_external_id_link_key UNIQUE (integration_id, external_id, link),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sync_sources_org_id_integration_id_idx ON sync_sources (org_id, integration_id);
CREATE INDEX sync_sources_last_run_at_idx ON sync_sources (last_run_at);

INSERT INTO sync_sources (id, org_id, integration_id, external_id, link, display_name,
    descriptor, customer_id, cursor, state, started_at, last_run_at, last_ok, last_error,
    pages, seen, added, changed, removed, ended_at, ended_reason, created_at, updated_at)
SELECT id, org_id, integration_id, tenant_id, link, display_name,
    json_object('default_domain', default_domain, 'relationships', relationships,
                'roles', roles),
    customer_id, delta_link, sync_state, sync_started_at, last_sync_at, last_sync_ok,
    last_error, pages, users_seen, added, changed, removed, ended_at, ended_reason,
    created_at, updated_at
FROM tenant_links;

DROP TABLE tenant_links;
