-- Each search term carries its contact's name sort key (contacts.name_key), so a broad search
-- (a given-name prefix matches a few percent of an org, in one block of the name order) finds
-- its first page in name order from the term index alone: one scan of the token's range with
-- a top-N sort, instead of walking every contact sorted before the block (issue #5,
-- crates/store/src/sql/contact_windows.rs). The store rewrites a contact's terms when its name
-- key changes. The table is WITHOUT ROWID, so the key is read from the primary key's B-tree.
ALTER TABLE contact_terms ADD COLUMN name_key TEXT NOT NULL DEFAULT '';

UPDATE contact_terms SET name_key = (
    SELECT c.name_key FROM contacts c
    WHERE c.org_id = contact_terms.org_id AND c.id = contact_terms.contact_id
);
