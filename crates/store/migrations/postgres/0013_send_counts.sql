-- Send counts per time bucket for the verification send limits (per technician per hour, per
-- org per day). Counting the rows of `verifications` in the window ran under the write lock
-- on every send and grew with the org's traffic; summing at most a few dozen buckets does
-- not. `scope_id` is the org's id (scope 'org') or the technician's (scope 'technician');
-- `bucket_start` is Unix ms, a multiple of the scope's bucket width.
CREATE TABLE verification_send_counts (
    org_id       UUID    NOT NULL,
    scope        TEXT    NOT NULL,
    scope_id     UUID    NOT NULL,
    bucket_start BIGINT  NOT NULL,
    sends        BIGINT  NOT NULL,
    CONSTRAINT verification_send_counts_pkey PRIMARY KEY (org_id, scope, scope_id, bucket_start)
);

-- Sends made before this migration still count (buckets older than a day are purged).
INSERT INTO verification_send_counts (org_id, scope, scope_id, bucket_start, sends)
SELECT org_id, 'org', org_id, (at / 3600000) * 3600000, COUNT(*)
FROM verifications GROUP BY org_id, (at / 3600000) * 3600000;
INSERT INTO verification_send_counts (org_id, scope, scope_id, bucket_start, sends)
SELECT org_id, 'technician', technician_id, (at / 60000) * 60000, COUNT(*)
FROM verifications WHERE technician_id IS NOT NULL
GROUP BY org_id, technician_id, (at / 60000) * 60000;
