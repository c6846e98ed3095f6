-- Phone search terms, smaller (see crates/domain/src/search.rs, `phone_terms`): instead of
-- every suffix of 3+ digits, each phone number has at most three terms: '#' and its digits,
-- '#' and its national digits (written with '+' and calling code 1, 44, 49, 33, 31 or 61), and
-- '!' and its digits reversed (a search's digits reversed are a prefix of it when they end
-- the number). Kept in step with migrations/sqlite/0005_search_terms.sql.
--
-- The phones of a contact are its mobile (the E.164 form, else the text) and each business
-- phone; numbers with fewer than 3 digits have no terms.

DELETE FROM contact_terms WHERE term >= '#' AND term < '$';

WITH phones (org_id, contact_id, text) AS (
    SELECT org_id, id, coalesce(mobile_e164, mobile) FROM contacts
    WHERE coalesce(mobile_e164, mobile) IS NOT NULL
    UNION ALL
    SELECT c.org_id, c.id, j.value
    FROM contacts c, jsonb_array_elements_text(c.business_phones::jsonb) j (value)
),
numbers (org_id, contact_id, plus, digits) AS (
    SELECT org_id, contact_id, ltrim(text) LIKE '+%', regexp_replace(text, '[^0-9]', '', 'g')
    FROM phones
),
national (org_id, contact_id, digits) AS (
    SELECT org_id, contact_id,
        CASE WHEN substr(digits, 1, 1) = '1' THEN substr(digits, 2)
             WHEN substr(digits, 1, 2) IN ('44', '49', '33', '31', '61') THEN substr(digits, 3)
        END
    FROM numbers WHERE plus AND length(digits) >= 3
)
INSERT INTO contact_terms (org_id, term, contact_id)
SELECT org_id, '#' || digits, contact_id FROM numbers WHERE length(digits) >= 3
UNION ALL
SELECT org_id, '!' || reverse(digits), contact_id FROM numbers WHERE length(digits) >= 3
UNION ALL
SELECT org_id, '#' || digits, contact_id FROM national WHERE length(digits) >= 3
ON CONFLICT DO NOTHING;
