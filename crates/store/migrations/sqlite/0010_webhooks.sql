-- Outgoing webhooks (SQLite): the https endpoints an org registered for events, and each
-- delivery of an event to one of them. Append-only. Kept in step with
-- migrations/postgres/0010_webhooks.sql.

-- `events` is the space-separated list of subscribed event kinds (`verification.verified …`);
-- `secret` is the signing secret, sealed for (org, webhook_endpoints, secret, id).
CREATE TABLE webhook_endpoints (
    id          BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id      BLOB    NOT NULL REFERENCES orgs (id),
    url         TEXT    NOT NULL,
    description TEXT    NOT NULL,
    events      TEXT    NOT NULL,
    secret      BLOB    NOT NULL,
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_by  BLOB,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    -- Target of the (org_id, endpoint_id) foreign key of webhook_deliveries; also the org index.
    CONSTRAINT webhook_endpoints_org_id_id_key UNIQUE (org_id, id)
) STRICT;

-- `payload` is the exact JSON body sent (ids and metadata only), so every attempt sends the
-- same bytes. One row per event and endpoint: emitting an event twice delivers it once.
CREATE TABLE webhook_deliveries (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id          BLOB    NOT NULL,
    endpoint_id     BLOB    NOT NULL,
    event_id        BLOB    NOT NULL CHECK (length(event_id) = 16),
    event_kind      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    next_attempt_at INTEGER,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    FOREIGN KEY (org_id, endpoint_id) REFERENCES webhook_endpoints (org_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_endpoint_id_event_id_key UNIQUE (endpoint_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_org_id_endpoint_id_created_at_idx
    ON webhook_deliveries (org_id, endpoint_id, created_at);
