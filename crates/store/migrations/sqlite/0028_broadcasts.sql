-- Issue 20: Broadcast. One announcement of an org to a frozen audience of contacts, by SMS,
-- email or both. Append-only; kept in step with migrations/postgres/0028_broadcasts.sql (same
-- tables, columns, constraint and index names).
--
-- A broadcast is written as a draft whose audience is a specification (JSON, read by the
-- store: all customers, chosen customers, or a filter). At approval the specification is
-- resolved and FROZEN, in one transaction, into broadcast_recipients: one row per contact
-- and channel, with the address, first name and customer name copied, so a contact edited or
-- deleted afterwards changes nothing about what goes out or what the report shows.

CREATE TABLE broadcasts (
    id                 BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id             BLOB    NOT NULL REFERENCES orgs (id),
    name               TEXT    NOT NULL,
    channels           TEXT    NOT NULL CHECK (channels IN ('sms', 'email', 'sms,email')),
    sms_text           TEXT    NOT NULL,
    email_subject      TEXT    NOT NULL,
    email_body         TEXT    NOT NULL,
    audience           TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'awaiting_approval',
                               'approved', 'sending', 'completed', 'cancelled')),
    author_id          BLOB    NOT NULL,
    requested_by       BLOB,
    approver_id        BLOB,
    -- Set when the audience is frozen: contacts that get at least one channel, and per
    -- channel; exclusions is the JSON of the counts by reason at that moment.
    recipients         INTEGER,
    sms_recipients     INTEGER,
    email_recipients   INTEGER,
    exclusions         TEXT,
    scheduled_at       INTEGER,
    requested_at       INTEGER,
    approved_at        INTEGER,
    started_at         INTEGER,
    completed_at       INTEGER,
    cancelled_at       INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    CONSTRAINT broadcasts_org_id_id_key UNIQUE (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES technicians (org_id, id),
    FOREIGN KEY (org_id, requested_by) REFERENCES technicians (org_id, id),
    FOREIGN KEY (org_id, approver_id) REFERENCES technicians (org_id, id)
) STRICT;
CREATE INDEX broadcasts_org_id_created_at_idx ON broadcasts (org_id, created_at);
-- The daily recipient cap sums the broadcasts approved in the last 24 hours.
CREATE INDEX broadcasts_org_id_approved_at_idx ON broadcasts (org_id, approved_at);

-- The frozen audience: one row per contact and channel. The key is (broadcast, channel,
-- address): an address gets a broadcast once even when two contacts share it, and a contact
-- appears once per channel even when sources overlap (it has one address per channel, and
-- the freeze picks one contact per address). idempotency_key names the delivery
-- ('broadcast:{broadcast}:{channel}:{contact}', ids in 32 hex digits): the message a
-- delivery creates carries it, so a retry or a restart never sends twice.
--
-- No foreign keys, on purpose, as contact_terms (0003). To contacts: the delivery report of a
-- sent broadcast must survive a contact's deletion, and the copied address is what goes out.
-- To broadcasts: a key check per row costs PostgreSQL 0.9 s per 200,000 rows, half of issue
-- 20's 2-second budget for freezing 100,000 contacts; the store writes these rows only in the
-- freeze, which reads the broadcast by (org_id, id) in the same transaction, so org and
-- broadcast always match, and deletes them with their broadcast.
CREATE TABLE broadcast_recipients (
    org_id          BLOB    NOT NULL,
    broadcast_id    BLOB    NOT NULL,
    channel         TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    contact_id      BLOB    NOT NULL,
    customer_id     BLOB    NOT NULL,
    address         TEXT    NOT NULL,
    first_name      TEXT    NOT NULL,
    customer_name   TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'queued', 'sent',
                            'delivered', 'failed', 'opted_out', 'cancelled')),
    provider_error  TEXT,
    idempotency_key TEXT    NOT NULL,
    message_id      BLOB,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT broadcast_recipients_pkey PRIMARY KEY (broadcast_id, channel, address)
) STRICT, WITHOUT ROWID;

-- Reusable texts of an org.
CREATE TABLE broadcast_templates (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id        BLOB    NOT NULL REFERENCES orgs (id),
    name          TEXT    NOT NULL,
    channels      TEXT    NOT NULL CHECK (channels IN ('sms', 'email', 'sms,email')),
    sms_text      TEXT    NOT NULL,
    email_subject TEXT    NOT NULL,
    email_body    TEXT    NOT NULL,
    created_by    BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT broadcast_templates_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT broadcast_templates_org_id_name_key UNIQUE (org_id, name),
    FOREIGN KEY (org_id, created_by) REFERENCES technicians (org_id, id)
) STRICT;

-- Who does not want broadcasts, per contact and channel. The address that opted out is kept
-- too and excludes every contact that shares it (a STOP comes from a number, not a contact).
-- No foreign key to contacts, on purpose: an opt-out must outlive the contact row, or a
-- re-linked integration (which deletes and re-creates contacts) would message people who
-- said STOP. source: how they opted out.
CREATE TABLE broadcast_opt_outs (
    org_id     BLOB    NOT NULL REFERENCES orgs (id),
    contact_id BLOB    NOT NULL,
    channel    TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    address    TEXT    NOT NULL,
    source     TEXT    NOT NULL CHECK (source IN ('stop_keyword', 'unsubscribe_link',
                       'contact_source')),
    at         INTEGER NOT NULL,
    CONSTRAINT broadcast_opt_outs_pkey PRIMARY KEY (org_id, contact_id, channel)
) STRICT, WITHOUT ROWID;
CREATE INDEX broadcast_opt_outs_org_id_channel_address_idx
    ON broadcast_opt_outs (org_id, channel, address);

-- An org's broadcast rules. approval_threshold: above this many recipients a second admin
-- (neither author nor requester) must approve (NULL: never). daily_recipient_cap: recipients
-- an org may approve in any 24 hours (NULL: no cap). No row: the app's defaults.
CREATE TABLE broadcast_settings (
    org_id              BLOB    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    approval_threshold  INTEGER CHECK (approval_threshold >= 0),
    daily_recipient_cap INTEGER CHECK (daily_recipient_cap >= 0),
    updated_at          INTEGER NOT NULL
) STRICT;
