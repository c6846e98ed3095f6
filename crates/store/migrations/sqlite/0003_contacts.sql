-- Contacts schema (SQLite): customers, contacts with their search terms and change history,
-- verifications, and the org's Pod settings. Append-only. Kept in step with
-- migrations/postgres/0003_contacts.sql (same tables, columns, constraint and index names).
--
-- Search (see crates/domain/src/search.rs): contact_terms holds, per contact, each folded
-- name word, the lowercased email/UPN and their domains, and every suffix (3+ digits) of each
-- phone number marked with '#'. A query token is a prefix: one range scan of the primary key.
-- SQLite compares TEXT byte by byte (BINARY), which the range scans rely on.

CREATE TABLE customers (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id          BLOB    NOT NULL REFERENCES orgs (id),
    name            TEXT    NOT NULL,
    name_key        TEXT    NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('manual', 'microsoft365')),
    external_id     TEXT,
    default_country TEXT,
    last_synced_at  INTEGER,
    created_at      INTEGER NOT NULL,
    -- Target of the (org_id, customer_id) foreign key of contacts.
    CONSTRAINT customers_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT customers_org_id_source_external_id_key UNIQUE (org_id, source, external_id)
) STRICT;
CREATE INDEX customers_org_id_name_key_idx ON customers (org_id, name_key, id);

CREATE TABLE contacts (
    id               BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id           BLOB    NOT NULL REFERENCES orgs (id),
    customer_id      BLOB    NOT NULL,
    source           TEXT    NOT NULL CHECK (source IN ('manual', 'microsoft365')),
    external_id      TEXT,
    upn              TEXT,
    given_name       TEXT    NOT NULL,
    surname          TEXT    NOT NULL,
    display_name     TEXT    NOT NULL,
    email            TEXT,
    mobile           TEXT,
    mobile_e164      TEXT,
    business_phones  TEXT    NOT NULL,
    job_title        TEXT    NOT NULL,
    department       TEXT    NOT NULL,
    account_enabled  INTEGER NOT NULL CHECK (account_enabled IN (0, 1)),
    user_type        TEXT    NOT NULL,
    removed_at       INTEGER,
    last_synced_at   INTEGER,
    phone_changed_at INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- Sort keys: folded display name, lowercased email ('' when none).
    name_key         TEXT    NOT NULL,
    email_key        TEXT    NOT NULL,
    CONSTRAINT contacts_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT contacts_org_id_customer_id_external_id_key UNIQUE (org_id, customer_id, external_id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
) STRICT;
CREATE INDEX contacts_org_id_name_key_idx ON contacts (org_id, name_key, id);
CREATE INDEX contacts_org_id_email_key_idx ON contacts (org_id, email_key, id);
CREATE INDEX contacts_org_id_customer_id_name_key_idx ON contacts (org_id, customer_id, name_key, id);

-- No foreign key: the store writes and deletes terms with their contact in one transaction,
-- and a key check per term would double the cost of a sync.
CREATE TABLE contact_terms (
    org_id     BLOB NOT NULL,
    term       TEXT NOT NULL,
    contact_id BLOB NOT NULL,
    CONSTRAINT contact_terms_pkey PRIMARY KEY (org_id, term, contact_id)
) STRICT, WITHOUT ROWID;

-- Changes of a contact's mobile number and email address (sync or edit), for the SIM-swap
-- warning (security.md 2.5) and the contact page. technician_id NULL: a sync changed it.
CREATE TABLE contact_changes (
    id            INTEGER NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL,
    contact_id    BLOB    NOT NULL,
    field         TEXT    NOT NULL CHECK (field IN ('mobile', 'email')),
    old_value     TEXT,
    new_value     TEXT,
    technician_id BLOB,
    at            INTEGER NOT NULL,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX contact_changes_org_id_contact_id_at_idx ON contact_changes (org_id, contact_id, at);

CREATE TABLE verifications (
    id                 BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    org_id             BLOB    NOT NULL,
    contact_id         BLOB    NOT NULL,
    technician_id      BLOB,
    method             TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    destination_masked TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'verified', 'failed', 'expired')),
    at                 INTEGER NOT NULL,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
) STRICT;
CREATE INDEX verifications_org_id_contact_id_at_idx ON verifications (org_id, contact_id, at);

-- frame_ancestors: origins separated by single spaces ('' = none may frame the Pod).
CREATE TABLE pod_settings (
    org_id                  BLOB    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    frame_ancestors         TEXT    NOT NULL,
    verified_window_minutes INTEGER NOT NULL CHECK (verified_window_minutes >= 1),
    history_length          INTEGER NOT NULL CHECK (history_length >= 1),
    updated_at              INTEGER NOT NULL
) STRICT;

-- Technicians who may use the Pod only ("Allow access to UI" off).
CREATE TABLE pod_only_technicians (
    org_id        BLOB NOT NULL,
    technician_id BLOB NOT NULL,
    CONSTRAINT pod_only_technicians_pkey PRIMARY KEY (org_id, technician_id),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
) STRICT;
