-- Messaging schema (PostgreSQL): the job queue, outgoing messages with their state history, SMS
-- opt-outs and org branding. Append-only. Kept in step with migrations/sqlite/0002_messaging.sql
-- (same tables, columns, constraint and index names).

-- The durable job queue. `run_at` is when a queued job may start; while a job runs it holds
-- the end of the lease, so a job whose worker died becomes claimable again when it passes.
CREATE TABLE jobs (
    id           UUID    NOT NULL PRIMARY KEY,
    org_id       UUID    NOT NULL REFERENCES orgs (id),
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'dead')),
    attempts     BIGINT  NOT NULL DEFAULT 0,
    max_attempts BIGINT  NOT NULL CHECK (max_attempts >= 1),
    run_at       BIGINT  NOT NULL,
    locked_by    TEXT,
    last_error   TEXT,
    dedup_key    TEXT,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    CONSTRAINT jobs_org_id_dedup_key_key UNIQUE (org_id, dedup_key)
);
-- The claim query: live jobs by due time.
CREATE INDEX jobs_run_at_idx ON jobs (run_at) WHERE state <> 'dead';
CREATE INDEX jobs_org_id_state_idx ON jobs (org_id, state, created_at);

-- One row per outgoing message to one recipient. The bodies are cleared once a live transport
-- has accepted the message (they may carry codes or links); the outbox keeps them to show.
CREATE TABLE messages (
    id              UUID    NOT NULL PRIMARY KEY,
    org_id          UUID    NOT NULL REFERENCES orgs (id),
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
    attempts        BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT,
    error_code      TEXT,
    idempotency_key TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    CONSTRAINT messages_org_id_idempotency_key_key UNIQUE (org_id, idempotency_key),
    -- Target of the (org_id, message_id) foreign key of message_events; also the org index.
    CONSTRAINT messages_org_id_id_key UNIQUE (org_id, id)
);
CREATE INDEX messages_org_id_created_at_idx ON messages (org_id, created_at);
CREATE INDEX messages_provider_id_idx ON messages (provider_id);
CREATE INDEX messages_channel_recipient_idx ON messages (channel, recipient);

-- The state history of each message, oldest first by id.
CREATE TABLE message_events (
    id         BIGSERIAL NOT NULL PRIMARY KEY,
    org_id     UUID    NOT NULL,
    message_id UUID    NOT NULL,
    at         BIGINT  NOT NULL,
    state      TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE
);
CREATE INDEX message_events_org_id_message_id_idx ON message_events (org_id, message_id, id);

-- SMS consent per org and E.164 number (STOP / START keywords). Contacts will join on phone.
CREATE TABLE sms_opt_outs (
    org_id     UUID    NOT NULL REFERENCES orgs (id),
    phone      TEXT    NOT NULL,
    opted_out  BOOLEAN NOT NULL,
    keyword    TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    CONSTRAINT sms_opt_outs_pkey PRIMARY KEY (org_id, phone)
);

-- How an org's messages look (Settings ▸ Branding).
CREATE TABLE branding (
    org_id       UUID    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    display_name TEXT    NOT NULL,
    logo_url     TEXT    NOT NULL,
    colour       TEXT    NOT NULL,
    footer       TEXT    NOT NULL,
    reply_to     TEXT    NOT NULL,
    updated_at   BIGINT  NOT NULL
);
