-- Issue 21.8, end-user pages and messages in the recipient's language (SQLite). Append-only;
-- kept in step with migrations/postgres/0035_end_user_languages.sql.
--
-- The language of a contact as its source says (Microsoft Graph's preferredLanguage, e.g.
-- 'de-DE'; NULL: the source says none), and the language an admin set for a customer (a
-- primary subtag such as 'de'; NULL: none). Which one a page or message uses is decided in
-- code (messaging/src/end_user/language.rs): contact, else customer, else the browser's, else
-- English.
ALTER TABLE contacts ADD COLUMN preferred_language TEXT;
ALTER TABLE customers ADD COLUMN language TEXT;

-- An org's override of one end-user text in one language: the value of a Fluent message,
-- checked when saved (it parses, and uses only its default's placeholders). No row: the
-- default of the bundled .ftl file.
CREATE TABLE end_user_texts (
    org_id     BLOB    NOT NULL REFERENCES orgs (id),
    language   TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT end_user_texts_pkey PRIMARY KEY (org_id, language, message_id)
) STRICT;
