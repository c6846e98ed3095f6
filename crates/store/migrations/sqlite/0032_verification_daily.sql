-- Issue 21.1, the dashboard (SQLite): a daily rollup of finished verifications, kept by
-- triggers in the transaction that records a verification's outcome, so the dashboard of an
-- org with a million verifications reads a few thousand rows instead of a million; the
-- same for messages (message_daily, rolled up by a job, below), and an index for counting
-- Secure Send links. Append-only. Kept in step with
-- migrations/postgres/0032_verification_daily.sql (same tables, view, triggers and index).
--
-- One row per org, UTC day (Unix ms / 86,400,000 of the verification's start) and ONE of
-- three dimensions; the other two hold their "none" value ('' for the method, the nil UUID
-- for technician and customer):
--   method rows      (method, nil, nil)      the org's verifications by method;
--   technician rows  ('', technician, nil)   by technician (nil technician: none recorded);
--   customer rows    ('', nil, customer)     by the contact's customer.
-- Rolling the dimensions up separately keeps the table small: a row per technician and per
-- customer a day, not one per combination of them.
--
-- The counts are by outcome: verified, failed, denied, expired (a later request for the same
-- contact, or no answer in time) and sent ("who I am", which asks nothing back). within_*
-- and over_10m are a histogram of the time to verify (completed_at - at) of the verified
-- ones, so a median can be read from the buckets (bounds in crates/store/src/dashboard).
-- A pending verification is counted once it ends; every path that ends one (a code check, a
-- link's answer, the expiry sweep, a newer request, a removed contact) is an UPDATE of
-- status, so the triggers cannot miss one.

CREATE TABLE verification_daily (
    org_id        BLOB    NOT NULL,
    day           INTEGER NOT NULL,
    method        TEXT    NOT NULL,
    technician_id BLOB    NOT NULL,
    customer_id   BLOB    NOT NULL,
    verified      INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    denied        INTEGER NOT NULL DEFAULT 0,
    expired       INTEGER NOT NULL DEFAULT 0,
    sent          INTEGER NOT NULL DEFAULT 0,
    within_15s    INTEGER NOT NULL DEFAULT 0,
    within_30s    INTEGER NOT NULL DEFAULT 0,
    within_1m     INTEGER NOT NULL DEFAULT 0,
    within_2m     INTEGER NOT NULL DEFAULT 0,
    within_3m     INTEGER NOT NULL DEFAULT 0,
    within_5m     INTEGER NOT NULL DEFAULT 0,
    within_10m    INTEGER NOT NULL DEFAULT 0,
    over_10m      INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT verification_daily_pkey
        PRIMARY KEY (org_id, day, method, technician_id, customer_id)
) STRICT, WITHOUT ROWID;

-- The three rows one verification adds to (k: 0 method, 1 technician, 2 customer), with its
-- outcome and bucket as 0/1 columns: the one definition the backfill and the triggers share.
CREATE VIEW verification_daily_rows AS
SELECT v.id AS verification_id, v.status, v.org_id, v.at / 86400000 AS day,
    CASE WHEN k.k = 0 THEN v.method ELSE '' END AS method,
    CASE WHEN k.k = 1 THEN COALESCE(v.technician_id, X'00000000000000000000000000000000') ELSE X'00000000000000000000000000000000' END AS technician_id,
    CASE WHEN k.k = 2 THEN COALESCE(c.customer_id, X'00000000000000000000000000000000') ELSE X'00000000000000000000000000000000' END AS customer_id,
    CASE WHEN v.status = 'verified' THEN 1 ELSE 0 END AS verified,
    CASE WHEN v.status = 'failed' THEN 1 ELSE 0 END AS failed,
    CASE WHEN v.status = 'denied' THEN 1 ELSE 0 END AS denied,
    CASE WHEN v.status = 'expired' THEN 1 ELSE 0 END AS expired,
    CASE WHEN v.status = 'sent' THEN 1 ELSE 0 END AS sent,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at <= 15000 THEN 1 ELSE 0 END AS within_15s,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 15000 AND v.completed_at - v.at <= 30000 THEN 1 ELSE 0 END AS within_30s,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 30000 AND v.completed_at - v.at <= 60000 THEN 1 ELSE 0 END AS within_1m,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 60000 AND v.completed_at - v.at <= 120000 THEN 1 ELSE 0 END AS within_2m,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 120000 AND v.completed_at - v.at <= 180000 THEN 1 ELSE 0 END AS within_3m,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 180000 AND v.completed_at - v.at <= 300000 THEN 1 ELSE 0 END AS within_5m,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 300000 AND v.completed_at - v.at <= 600000 THEN 1 ELSE 0 END AS within_10m,
    CASE WHEN v.status = 'verified' AND v.completed_at - v.at > 600000 THEN 1 ELSE 0 END AS over_10m
FROM verifications v
CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k
LEFT JOIN contacts c ON c.org_id = v.org_id AND c.id = v.contact_id
-- No customer row without the contact's customer (which the foreign key guarantees): a nil
-- customer would land on the technician row of a verification without a technician.
WHERE k.k <> 2 OR c.customer_id IS NOT NULL;

-- Backfill: every verification that has ended so far.
INSERT INTO verification_daily (org_id, day, method, technician_id, customer_id,
    verified, failed, denied, expired, sent, within_15s, within_30s, within_1m, within_2m, within_3m, within_5m, within_10m, over_10m)
SELECT org_id, day, method, technician_id, customer_id, SUM(verified), SUM(failed), SUM(denied), SUM(expired), SUM(sent), SUM(within_15s), SUM(within_30s), SUM(within_1m), SUM(within_2m), SUM(within_3m), SUM(within_5m), SUM(within_10m), SUM(over_10m)
FROM verification_daily_rows WHERE status <> 'pending'
GROUP BY org_id, day, method, technician_id, customer_id;

-- A verification stored already ended ("who I am" is stored as sent).
CREATE TRIGGER verification_daily_on_insert AFTER INSERT ON verifications
WHEN NEW.status <> 'pending'
BEGIN
    INSERT INTO verification_daily (org_id, day, method, technician_id, customer_id,
        verified, failed, denied, expired, sent, within_15s, within_30s, within_1m, within_2m, within_3m, within_5m, within_10m, over_10m)
    SELECT org_id, day, method, technician_id, customer_id, verified, failed, denied, expired, sent, within_15s, within_30s, within_1m, within_2m, within_3m, within_5m, within_10m, over_10m
    FROM verification_daily_rows WHERE verification_id = NEW.id
    ON CONFLICT (org_id, day, method, technician_id, customer_id) DO UPDATE SET
        verified = verification_daily.verified + excluded.verified,
        failed = verification_daily.failed + excluded.failed,
        denied = verification_daily.denied + excluded.denied,
        expired = verification_daily.expired + excluded.expired,
        sent = verification_daily.sent + excluded.sent,
        within_15s = verification_daily.within_15s + excluded.within_15s,
        within_30s = verification_daily.within_30s + excluded.within_30s,
        within_1m = verification_daily.within_1m + excluded.within_1m,
        within_2m = verification_daily.within_2m + excluded.within_2m,
        within_3m = verification_daily.within_3m + excluded.within_3m,
        within_5m = verification_daily.within_5m + excluded.within_5m,
        within_10m = verification_daily.within_10m + excluded.within_10m,
        over_10m = verification_daily.over_10m + excluded.over_10m;
END;

-- A pending verification ends (at most once: only a pending one changes status).
CREATE TRIGGER verification_daily_on_end AFTER UPDATE OF status ON verifications
WHEN OLD.status = 'pending' AND NEW.status <> 'pending'
BEGIN
    INSERT INTO verification_daily (org_id, day, method, technician_id, customer_id,
        verified, failed, denied, expired, sent, within_15s, within_30s, within_1m, within_2m, within_3m, within_5m, within_10m, over_10m)
    SELECT org_id, day, method, technician_id, customer_id, verified, failed, denied, expired, sent, within_15s, within_30s, within_1m, within_2m, within_3m, within_5m, within_10m, over_10m
    FROM verification_daily_rows WHERE verification_id = NEW.id
    ON CONFLICT (org_id, day, method, technician_id, customer_id) DO UPDATE SET
        verified = verification_daily.verified + excluded.verified,
        failed = verification_daily.failed + excluded.failed,
        denied = verification_daily.denied + excluded.denied,
        expired = verification_daily.expired + excluded.expired,
        sent = verification_daily.sent + excluded.sent,
        within_15s = verification_daily.within_15s + excluded.within_15s,
        within_30s = verification_daily.within_30s + excluded.within_30s,
        within_1m = verification_daily.within_1m + excluded.within_1m,
        within_2m = verification_daily.within_2m + excluded.within_2m,
        within_3m = verification_daily.within_3m + excluded.within_3m,
        within_5m = verification_daily.within_5m + excluded.within_5m,
        within_10m = verification_daily.within_10m + excluded.within_10m,
        over_10m = verification_daily.over_10m + excluded.over_10m;
END;

-- Secure Send figures count a period's links of the org by their creation: a range of this
-- index (partial: Secure Request links are not counted there).
-- It covers what is counted (state, first reveal), so the count reads no table rows.
CREATE INDEX secrets_send_org_id_created_at_idx ON secrets (org_id, created_at, state, first_revealed_at)
    WHERE kind = 'send';

-- Messages per org, UTC day of creation and channel, by where they stood when their day was
-- rolled up. Not kept by a trigger: a message changes state several times on the workers'
-- delivery path, and PostgreSQL workers updating shared counter rows would wait on each
-- other. A periodic job (roll_up_message_days) writes the days before today, each run the
-- last one again (its late delivery receipts); the dashboard counts today live.
CREATE TABLE message_daily (
    org_id    BLOB    NOT NULL,
    day       INTEGER NOT NULL,
    channel   TEXT    NOT NULL,
    delivered INTEGER NOT NULL,
    sent      INTEGER NOT NULL,
    failed    INTEGER NOT NULL,
    waiting   INTEGER NOT NULL,
    CONSTRAINT message_daily_pkey PRIMARY KEY (org_id, day, channel)
) STRICT, WITHOUT ROWID;

-- Per org, the first day not rolled up yet: message_daily holds the days before it.
CREATE TABLE message_daily_marks (
    org_id        BLOB    NOT NULL PRIMARY KEY,
    rolled_to_day INTEGER NOT NULL
) STRICT;
