-- Issue 19.4: an integration row is generic. What it is (kind, name) stays in columns; what
-- only its kind knows moves into two opaque values that kind's module reads and writes:
--
--   settings  JSON text, not secret (Microsoft 365: the cloud, the sync filters and the GDAP
--             connection's domain, partner tenant, client id, status and pending sign-in);
--   secrets   one sealed JSON value (Microsoft 365: the GDAP client secret, refresh token and
--             pending client secret), bound to org, `integrations`, `secrets` and the row id;
--   revision  bumped by every write of the two, so a read-modify-write of them is a
--             compare-and-swap and never loses a concurrent change (a rotated refresh token
--             while an admin edits the filters).
--
-- No CHECK names the kinds any more, so a new kind (a PSA) needs no rebuild of this table.
--
-- The sealed GDAP columns cannot be carried across in SQL: their seal names the old column,
-- and only the server holds the key. They stay until the server's start-up has moved every
-- value into `secrets` (compare-and-swap, idempotent; app/src/microsoft/legacy.rs) and are
-- read by nothing else; a later migration drops them. `keys rotate` still covers them.
--
-- SQLite runs a migration inside a transaction, where foreign keys cannot be switched off,
-- so the table is not rebuilt (dropping it would cascade to oauth_states and sync_sources):
-- columns are dropped one by one, and `kind` is dropped and added again to lose its CHECK.
ALTER TABLE integrations ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE integrations ADD COLUMN secrets BLOB;
ALTER TABLE integrations ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

UPDATE integrations SET settings = json_object(
    'cloud', cloud,
    'skip_guests', json(CASE WHEN skip_guests = 1 THEN 'true' ELSE 'false' END),
    'skip_disabled', json(CASE WHEN skip_disabled = 1 THEN 'true' ELSE 'false' END),
    'skip_unlicensed', json(CASE WHEN skip_unlicensed = 1 THEN 'true' ELSE 'false' END),
    'gdap_domain', gdap_domain,
    'gdap_partner_tenant_id', gdap_partner_tenant_id,
    'gdap_client_id', gdap_client_id,
    'gdap_status', gdap_status,
    'gdap_error', gdap_error,
    'gdap_pending', json(CASE
        WHEN gdap_pending_domain IS NOT NULL AND gdap_pending_partner_tenant_id IS NOT NULL
         AND gdap_pending_client_id IS NOT NULL AND gdap_pending_client_secret IS NOT NULL
        THEN json_object('domain', gdap_pending_domain,
                         'partner_tenant_id', gdap_pending_partner_tenant_id,
                         'client_id', gdap_pending_client_id)
        ELSE 'null' END));

ALTER TABLE integrations DROP COLUMN cloud;
ALTER TABLE integrations DROP COLUMN login_base_url;
ALTER TABLE integrations DROP COLUMN graph_base_url;
ALTER TABLE integrations DROP COLUMN skip_guests;
ALTER TABLE integrations DROP COLUMN skip_disabled;
ALTER TABLE integrations DROP COLUMN skip_unlicensed;
ALTER TABLE integrations DROP COLUMN gdap_domain;
ALTER TABLE integrations DROP COLUMN gdap_partner_tenant_id;
ALTER TABLE integrations DROP COLUMN gdap_client_id;
ALTER TABLE integrations DROP COLUMN gdap_status;
ALTER TABLE integrations DROP COLUMN gdap_error;
ALTER TABLE integrations DROP COLUMN gdap_pending_domain;
ALTER TABLE integrations DROP COLUMN gdap_pending_partner_tenant_id;
ALTER TABLE integrations DROP COLUMN gdap_pending_client_id;

ALTER TABLE integrations ADD COLUMN kind_text TEXT NOT NULL DEFAULT '';
UPDATE integrations SET kind_text = kind;
ALTER TABLE integrations DROP COLUMN kind;
ALTER TABLE integrations RENAME COLUMN kind_text TO kind;
