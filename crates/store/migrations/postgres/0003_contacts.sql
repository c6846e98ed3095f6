-- Contacts schema (PostgreSQL): customers, contacts with their search terms and change
-- history, verifications, and the org's Pod settings. Append-only. Kept in step with
-- migrations/sqlite/0003_contacts.sql (same tables, columns, constraint and index names).
--
-- Search (see crates/domain/src/search.rs): contact_terms holds, per contact, each folded
-- name word, the lowercased email/UPN and their domains, and every suffix (3+ digits) of each
-- phone number marked with '#'. A query token is a prefix: one range scan of the primary key.
-- Terms and sort keys use COLLATE "C" so they compare byte by byte, as on SQLite; the range
-- scans and keyset pages rely on it.

CREATE TABLE customers (
    id              UUID    NOT NULL PRIMARY KEY,
    org_id          UUID    NOT NULL REFERENCES orgs (id),
    name            TEXT    NOT NULL,
    name_key        TEXT    COLLATE "C" NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('manual', 'microsoft365')),
    external_id     TEXT,
    default_country TEXT,
    last_synced_at  BIGINT,
    created_at      BIGINT  NOT NULL,
    CONSTRAINT customers_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT customers_org_id_source_external_id_key UNIQUE (org_id, source, external_id)
);
CREATE INDEX customers_org_id_name_key_idx ON customers (org_id, name_key, id);

CREATE TABLE contacts (
    id               UUID    NOT NULL PRIMARY KEY,
    org_id           UUID    NOT NULL REFERENCES orgs (id),
    customer_id      UUID    NOT NULL,
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
    account_enabled  BOOLEAN NOT NULL,
    user_type        TEXT    NOT NULL,
    removed_at       BIGINT,
    last_synced_at   BIGINT,
    phone_changed_at BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    name_key         TEXT    COLLATE "C" NOT NULL,
    email_key        TEXT    COLLATE "C" NOT NULL,
    CONSTRAINT contacts_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT contacts_org_id_customer_id_external_id_key UNIQUE (org_id, customer_id, external_id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE INDEX contacts_org_id_name_key_idx ON contacts (org_id, name_key, id);
CREATE INDEX contacts_org_id_email_key_idx ON contacts (org_id, email_key, id);
CREATE INDEX contacts_org_id_customer_id_name_key_idx ON contacts (org_id, customer_id, name_key, id);

CREATE TABLE contact_terms (
    org_id     UUID NOT NULL,
    term       TEXT COLLATE "C" NOT NULL,
    contact_id UUID NOT NULL,
    CONSTRAINT contact_terms_pkey PRIMARY KEY (org_id, term, contact_id)
);

CREATE TABLE contact_changes (
    id            BIGSERIAL NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL,
    contact_id    UUID    NOT NULL,
    field         TEXT    NOT NULL CHECK (field IN ('mobile', 'email')),
    old_value     TEXT,
    new_value     TEXT,
    technician_id UUID,
    at            BIGINT  NOT NULL,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_changes_org_id_contact_id_at_idx ON contact_changes (org_id, contact_id, at);

CREATE TABLE verifications (
    id                 UUID    NOT NULL PRIMARY KEY,
    org_id             UUID    NOT NULL,
    contact_id         UUID    NOT NULL,
    technician_id      UUID,
    method             TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    destination_masked TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'verified', 'failed', 'expired')),
    at                 BIGINT  NOT NULL,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
);
CREATE INDEX verifications_org_id_contact_id_at_idx ON verifications (org_id, contact_id, at);

CREATE TABLE pod_settings (
    org_id                  UUID    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    frame_ancestors         TEXT    NOT NULL,
    verified_window_minutes BIGINT  NOT NULL CHECK (verified_window_minutes >= 1),
    history_length          BIGINT  NOT NULL CHECK (history_length >= 1),
    updated_at              BIGINT  NOT NULL
);

CREATE TABLE pod_only_technicians (
    org_id        UUID NOT NULL,
    technician_id UUID NOT NULL,
    CONSTRAINT pod_only_technicians_pkey PRIMARY KEY (org_id, technician_id),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);
