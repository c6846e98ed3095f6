-- Email through Microsoft Graph `sendMail` (SQLite): the `graph` transport of messages, and
-- each org's choice of a Microsoft 365 mailbox to send from (Settings ▸ Branding).
-- Append-only. Kept in step with migrations/postgres/0006_graph_mail.sql.
--
-- SQLite cannot change a CHECK constraint, so messages is rebuilt (with its events, whose
-- foreign key names it): copy, drop, rename, recreate the indexes.

CREATE TABLE messages_new (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id          BLOB    NOT NULL REFERENCES orgs (id),
    channel         TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    template        TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT,
    body_html       TEXT,
    transport       TEXT    NOT NULL CHECK (transport IN ('outbox', 'twilio', 'smtp', 'graph')),
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
INSERT INTO messages_new SELECT * FROM messages;

CREATE TABLE message_events_keep AS SELECT * FROM message_events;
DROP TABLE message_events;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_org_id_created_at_idx ON messages (org_id, created_at);
CREATE INDEX messages_provider_id_idx ON messages (provider_id);
CREATE INDEX messages_channel_recipient_idx ON messages (channel, recipient);

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
INSERT INTO message_events (id, org_id, message_id, at, state, detail)
    SELECT id, org_id, message_id, at, state, detail FROM message_events_keep;
DROP TABLE message_events_keep;

-- The Microsoft 365 mailbox an org's email goes out from, through one of its integrations
-- (client credentials of the integration's own app against the MSP's tenant). No row: SMTP.
CREATE TABLE graph_mail (
    org_id         BLOB    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    integration_id BLOB    NOT NULL CHECK (length(integration_id) = 16),
    mailbox        TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
