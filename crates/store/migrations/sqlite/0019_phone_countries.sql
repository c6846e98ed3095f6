-- Phone numbers read with Microsoft's own data (issue 17.11). A synced contact keeps the
-- country of its user (Graph `usageLocation`, else `country`, as an ISO 3166-1 alpha-2 code),
-- and a customer the country of its tenant (`/organization` `countryLetterCode`), so that a
-- change of either, or of the customer's default country, re-derives `mobile_e164` from the
-- stored `mobile` text without a resync. Kept in step with migrations/postgres.
ALTER TABLE contacts ADD COLUMN phone_country TEXT;
ALTER TABLE customers ADD COLUMN tenant_country TEXT;

-- A contact's phone terms now come from the E.164 form and the text as written (so what the
-- Pod shows, `07700 900634`, matches a search too; crates/domain/src/search.rs). Contacts
-- whose mobile parsed had terms of the E.164 form only: add those of the text.
INSERT OR IGNORE INTO contact_terms (org_id, term, contact_id, name_key)
WITH RECURSIVE
phones (org_id, contact_id, name_key, text) AS (
    SELECT org_id, id, name_key, mobile FROM contacts
    WHERE mobile IS NOT NULL AND mobile_e164 IS NOT NULL
),
walk (org_id, contact_id, name_key, text, i, digits, reversed) AS (
    SELECT org_id, contact_id, name_key, text, 1, '', '' FROM phones
    UNION ALL
    SELECT org_id, contact_id, name_key, text, i + 1,
        digits || CASE WHEN substr(text, i, 1) BETWEEN '0' AND '9' THEN substr(text, i, 1) ELSE '' END,
        CASE WHEN substr(text, i, 1) BETWEEN '0' AND '9' THEN substr(text, i, 1) ELSE '' END || reversed
    FROM walk WHERE i <= length(text)
),
numbers (org_id, contact_id, name_key, digits, reversed) AS (
    SELECT org_id, contact_id, name_key, digits, reversed FROM walk
    WHERE i = length(text) + 1 AND length(digits) >= 3
)
SELECT org_id, '#' || digits, contact_id, name_key FROM numbers
UNION ALL
SELECT org_id, '!' || reversed, contact_id, name_key FROM numbers;
