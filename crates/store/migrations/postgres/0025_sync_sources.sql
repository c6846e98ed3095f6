-- Issue 19.4: contact sources are a shape. A linked company of any source (a Microsoft 365
-- tenant today, a PSA company tomorrow) is one generic `sync_sources` row: who it is at the
-- source (external_id, and `link`, how it is reached when a source has several ways: for
-- Microsoft 365 'admin_consent' or 'gdap'), its customer, and the state of its sync (cursor,
-- state, counters, last error, ended). What only one source knows about a company lives in
-- `descriptor`, JSON the source's module reads (Microsoft 365: default_domain, relationships,
-- roles). No CHECK names the links or the descriptor's keys, so a new source needs no
-- change of this table. Kept in step with migrations/sqlite/0025_sync_sources.sql.
--
-- The rows of tenant_links are carried across with their ids, so jobs, audit entries and
-- pages that name a link keep naming the same row.
CREATE TABLE sync_sources (
    id             UUID    NOT NULL PRIMARY KEY,
    org_id         UUID    NOT NULL,
    integration_id UUID    NOT NULL,
    external_id    TEXT    NOT NULL,
    link           TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    descriptor     TEXT    NOT NULL,
    customer_id    UUID,
    cursor         TEXT,
    state          TEXT    NOT NULL CHECK (state IN ('idle', 'queued', 'running')),
    started_at     BIGINT,
    last_run_at    BIGINT,
    last_ok        BOOLEAN,
    last_error     TEXT,
    pages          BIGINT  NOT NULL DEFAULT 0,
    seen           BIGINT  NOT NULL DEFAULT 0,
    added          BIGINT  NOT NULL DEFAULT 0,
    changed        BIGINT  NOT NULL DEFAULT 0,
    removed        BIGINT  NOT NULL DEFAULT 0,
    ended_at       BIGINT,
    ended_reason   TEXT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    CONSTRAINT sync_sources_integration_id_external_id_link_key UNIQUE (integration_id, external_id, link),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_sources_org_id_integration_id_idx ON sync_sources (org_id, integration_id);
CREATE INDEX sync_sources_last_run_at_idx ON sync_sources (last_run_at);

INSERT INTO sync_sources (id, org_id, integration_id, external_id, link, display_name,
    descriptor, customer_id, cursor, state, started_at, last_run_at, last_ok, last_error,
    pages, seen, added, changed, removed, ended_at, ended_reason, created_at, updated_at)
SELECT id, org_id, integration_id, tenant_id, link, display_name,
    json_build_object('default_domain', default_domain, 'relationships', relationships,
                      'roles', roles)::text,
    customer_id, delta_link, sync_state, sync_started_at, last_sync_at, last_sync_ok,
    last_error, pages, users_seen, added, changed, removed, ended_at, ended_reason,
    created_at, updated_at
FROM tenant_links;

DROP TABLE tenant_links;
