-- Phone search terms, smaller (see crates/domain/src/search.rs, `phone_terms`): instead of
-- every suffix of 3+ digits, each phone number has at most three terms: '#' and its digits,
-- '#' and its national digits (written with '+' and calling code 1, 44, 49, 33, 31 or 61), and
-- '!' and its digits reversed (a search's digits reversed are a prefix of it when they end
-- the number). Kept in step with migrations/postgres/0005_search_terms.sql.
--
-- The phones of a contact are its mobile (the E.164 form, else the text) and each business
-- phone; numbers with fewer than 3 digits have no terms.

DELETE FROM contact_terms WHERE term >= '#' AND term < '$';

INSERT OR IGNORE INTO contact_terms (org_id, term, contact_id)
WITH RECURSIVE
phones (org_id, contact_id, text) AS (
    SELECT org_id, id, coalesce(mobile_e164, mobile) FROM contacts
    WHERE coalesce(mobile_e164, mobile) IS NOT NULL
    UNION ALL
    SELECT c.org_id, c.id, j.value FROM contacts c, json_each(c.business_phones) j
    WHERE j.type = 'text'
),
walk (org_id, contact_id, text, i, digits, reversed) AS (
    SELECT org_id, contact_id, text, 1, '', '' FROM phones
    UNION ALL
    SELECT org_id, contact_id, text, i + 1,
        digits || CASE WHEN substr(text, i, 1) BETWEEN '0' AND '9' THEN substr(text, i, 1) ELSE '' END,
        CASE WHEN substr(text, i, 1) BETWEEN '0' AND '9' THEN substr(text, i, 1) ELSE '' END || reversed
    FROM walk WHERE i <= length(text)
),
numbers (org_id, contact_id, plus, digits, reversed) AS (
    SELECT org_id, contact_id, substr(ltrim(text), 1, 1) = '+', digits, reversed FROM walk
    WHERE i = length(text) + 1 AND length(digits) >= 3
),
national (org_id, contact_id, digits) AS (
    SELECT org_id, contact_id,
        CASE WHEN substr(digits, 1, 1) = '1' THEN substr(digits, 2)
             WHEN substr(digits, 1, 2) IN ('44', '49', '33', '31', '61') THEN substr(digits, 3)
        END
    FROM numbers WHERE plus
)
SELECT org_id, '#' || digits, contact_id FROM numbers
UNION ALL
SELECT org_id, '!' || reversed, contact_id FROM numbers
UNION ALL
SELECT org_id, '#' || digits, contact_id FROM national WHERE length(digits) >= 3;
