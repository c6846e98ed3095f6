-- Each search term carries its contact's name sort key (contacts.name_key), so a broad search
-- (a given-name prefix matches a few percent of an org, in one block of the name order) finds
-- its first page in name order from the term index alone: an index-only scan of the token's
-- range with a top-N sort, instead of walking every contact sorted before the block (issue #5,
-- crates/store/src/sql/contact_windows.rs). The store rewrites a contact's terms when its name
-- key changes. The primary key INCLUDEs the key, so the scan never visits the heap.
ALTER TABLE contact_terms ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE contact_terms t SET name_key = c.name_key
FROM contacts c WHERE c.org_id = t.org_id AND c.id = t.contact_id;

ALTER TABLE contact_terms DROP CONSTRAINT contact_terms_pkey,
    ADD CONSTRAINT contact_terms_pkey PRIMARY KEY (org_id, term, contact_id) INCLUDE (name_key);
