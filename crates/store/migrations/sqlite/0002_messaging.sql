-- Messaging schema (SQLite): the job queue, outgoing messages with their state history, SMS
-- opt-outs and org branding. Append-only. Kept in step with migrations/postgres/0002_messaging.sql
-- (same tables, columns, constraint and index names).

-- The durable job queue. `run_at` is when a queued job may start; while a job runs it holds
-- the end of the lease, so a job whose worker died becomes claimable again when it passes.
CREATE TABLE jobs (
    id           BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id       BLOB    NOT NULL REFERENCES orgs (id),
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at       INTEGER NOT NULL,
    locked_by    TEXT,
    last_error   TEXT,
    dedup_key    TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CONSTRAINT jobs_org_id_dedup_key_key UNIQUE (org_id, dedup_key)
) STRICT;
-- The claim query: live jobs by due time.
CREATE INDEX jobs_run_at_idx ON jobs (run_at) WHERE state <> 'dead';
CREATE INDEX jobs_org_id_state_idx ON jobs (org_id, state, created_at);

-- One row per outgoing message to one recipient. The bodies are cleared once a live transport
-- has accepted the message (they may carry codes or links); the outbox keeps them to show.
CREATE TABLE messages (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id          BLOB    NOT NULL REFERENCES orgs (id),
    channel         TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    template        TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT,
    body_html       TEXT,
    transport       TEXT    NOT NULL CHECK (transport IN ('outbox', 'twilio', 'smtp')),
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'accepted', 'sent',
                                                      'delivered', 'undelivered', 'failed',
                                                      'outbox')),
    provider_id     TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    error_code      TEXT,
    idempotency_key TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT messages_org_id_idempotency_key_key UNIQUE (org_id, idempotency_key),
    -- Target of the (org_id, message_id) foreign key of message_events; also the org index.
    CONSTRAINT messages_org_id_id_key UNIQUE (org_id, id)
) STRICT;
CREATE INDEX messages_org_id_created_at_idx ON messages (org_id, created_at);
CREATE INDEX messages_provider_id_idx ON messages (provider_id);
CREATE INDEX messages_channel_recipient_idx ON messages (channel, recipient);

-- The state history of each message, oldest first by id.
CREATE TABLE message_events (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    org_id     BLOB    NOT NULL,
    message_id BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX message_events_org_id_message_id_idx ON message_events (org_id, message_id, id);

-- SMS consent per org and E.164 number (STOP / START keywords). Contacts will join on phone.
CREATE TABLE sms_opt_outs (
    org_id     BLOB    NOT NULL REFERENCES orgs (id),
    phone      TEXT    NOT NULL,
    opted_out  INTEGER NOT NULL CHECK (opted_out IN (0, 1)),
    keyword    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT sms_opt_outs_pkey PRIMARY KEY (org_id, phone)
) STRICT;

-- How an org's messages look (Settings ▸ Branding).
CREATE TABLE branding (
    org_id       BLOB    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    display_name TEXT    NOT NULL,
    logo_url     TEXT    NOT NULL,
    colour       TEXT    NOT NULL,
    footer       TEXT    NOT NULL,
    reply_to     TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
