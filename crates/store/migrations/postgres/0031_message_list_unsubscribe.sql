-- Issue 20, one-click unsubscribe (PostgreSQL): a broadcast email carries the https link of
-- its List-Unsubscribe header (RFC 2369; with List-Unsubscribe-Post, RFC 8058), kept on the
-- message so that every attempt sends the same link. Append-only. Kept in step with
-- migrations/sqlite/0031_message_list_unsubscribe.sql.
--
-- NULL for every other message (SMS, verification codes and links, tests): no header then.
-- The link holds ids, the address and a MAC, nothing secret (security.md, "Broadcast").
ALTER TABLE messages ADD COLUMN list_unsubscribe TEXT;
