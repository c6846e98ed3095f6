-- Issue 20, delivering a broadcast (SQLite). Append-only; kept in step with
-- migrations/postgres/0030_broadcast_delivery.sql (same tables, columns and index names).
--
-- A frozen recipient row (0028) becomes one message (messages, 0001/0029) when the delivery
-- job queues it: the message carries the row's idempotency_key, so "has this delivery been
-- queued" is "does a message with that key exist" (the unique (org_id, idempotency_key) index
-- of messages answers it), and a restarted job can never queue it twice. The row's own status
-- stays 'pending' until then, or becomes 'opted_out' / 'cancelled', decided before a message
-- exists; once there is a message, the message's state is the delivery's.
--
-- attempt: how many times "retry failed only" gave the row a new message. The key of attempt
-- n > 0 is the original key with ':r<n>' appended, so each retry is itself sent once.
ALTER TABLE broadcast_recipients ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;

-- Quiet hours (optional, per broadcast): messages to a customer whose local time is inside
-- the org's quiet window wait until it ends.
ALTER TABLE broadcasts ADD COLUMN respect_quiet_hours INTEGER NOT NULL DEFAULT 0
    CHECK (respect_quiet_hours IN (0, 1));

-- The org's time zone (IANA name; NULL: UTC), in which schedules are entered and shown and
-- which customers without their own zone are in; the quiet window in minutes after local
-- midnight (both NULL: none; start > end wraps midnight, e.g. 21:00-08:00).
ALTER TABLE broadcast_settings ADD COLUMN time_zone TEXT;
ALTER TABLE broadcast_settings ADD COLUMN quiet_start_minute INTEGER
    CHECK (quiet_start_minute BETWEEN 0 AND 1439);
ALTER TABLE broadcast_settings ADD COLUMN quiet_end_minute INTEGER
    CHECK (quiet_end_minute BETWEEN 0 AND 1439);

-- A customer's own time zone (IANA name; NULL: the org's).
ALTER TABLE customers ADD COLUMN time_zone TEXT;

-- Replies to a broadcast SMS, received on the broadcast sender (Twilio's inbound webhook),
-- attributed to the latest broadcast that texted the number in the org. is_stop: an opt-out
-- keyword (STOP, UNSUBSCRIBE, ...), counted on the broadcast. No foreign key to broadcasts:
-- replies go with their broadcast's org, like the recipients (0028).
CREATE TABLE broadcast_replies (
    id           BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id       BLOB    NOT NULL REFERENCES orgs (id),
    broadcast_id BLOB    NOT NULL,
    from_address TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    is_stop      INTEGER NOT NULL CHECK (is_stop IN (0, 1)),
    provider_id  TEXT,
    at           INTEGER NOT NULL,
    CONSTRAINT broadcast_replies_provider_id_key UNIQUE (org_id, provider_id)
) STRICT;
CREATE INDEX broadcast_replies_broadcast_idx ON broadcast_replies (org_id, broadcast_id, at);

-- Broadcasts due to start (approved, their schedule reached) and those sending are found by
-- status.
CREATE INDEX broadcasts_status_idx ON broadcasts (status, scheduled_at);
