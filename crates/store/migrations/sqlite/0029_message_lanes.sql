-- Issue 20, two sender lanes (SQLite): each message records the lane it goes out on, which
-- picks its sender (verification: the [twilio] / [smtp] sender; broadcast: the broadcast
-- sender). Append-only. Kept in step with migrations/postgres/0029_message_lanes.sql.
--
-- Every message queued before this migration went out on the verification lane, which is
-- also the default: the verification start query (challenges/start.rs) inserts its code
-- without naming the lane.
ALTER TABLE messages ADD COLUMN lane TEXT NOT NULL DEFAULT 'verification'
    CHECK (lane IN ('verification', 'broadcast'));

-- A STOP or START received on the broadcast sender concerns the orgs that texted the number
-- on that lane: found through this index (broadcast SMS only, so verification traffic pays
-- nothing for it).
CREATE INDEX messages_broadcast_sms_recipient_idx ON messages (recipient, org_id)
    WHERE lane = 'broadcast' AND channel = 'sms';
