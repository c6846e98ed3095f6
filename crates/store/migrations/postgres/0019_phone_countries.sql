-- Phone numbers read with Microsoft's own data (issue 17.11). A synced contact keeps the
-- country of its user (Graph `usageLocation`, else `country`, as an ISO 3166-1 alpha-2 code),
-- and a customer the country of its tenant (`/organization` `countryLetterCode`), so that a
-- change of either, or of the customer's default country, re-derives `mobile_e164` from the
-- stored `mobile` text without a resync. Kept in step with migrations/sqlite.
ALTER TABLE contacts ADD COLUMN phone_country TEXT;
ALTER TABLE customers ADD COLUMN tenant_country TEXT;
