-- Phone numbers read with Microsoft's own data (issue 17.11). A synced contact keeps the
-- country of its user (Graph `usageLocation`, else `country`, as an ISO 3166-1 alpha-2 code),
-- and a customer the country of its tenant (`/organization` `countryLetterCode`), so that a
-- change of either, or of the customer's default country, re-derives `mobile_e164` from the
-- stored `mobile` text without a resync. Kept in step with migrations/sqlite.
ALTER TABLE contacts ADD COLUMN phone_country TEXT;
ALTER TABLE customers ADD COLUMN tenant_country TEXT;

-- A contact's phone terms now come from the E.164 form and the text as written (so what the
-- Pod shows, `07700 900634`, matches a search too; crates/domain/src/search.rs). Contacts
-- whose mobile parsed had terms of the E.164 form only: add those of the text.
INSERT INTO contact_terms (org_id, term, contact_id, name_key)
SELECT c.org_id, t.term, c.id, c.name_key
FROM (
    SELECT org_id, id, name_key, regexp_replace(mobile, '[^0-9]', '', 'g') AS digits
    FROM contacts WHERE mobile IS NOT NULL AND mobile_e164 IS NOT NULL
) c
CROSS JOIN LATERAL (VALUES ('#' || c.digits), ('!' || reverse(c.digits))) AS t (term)
WHERE length(c.digits) >= 3
ON CONFLICT DO NOTHING;
