-- Issue 19.4: an integration row is generic. Kept in step with
-- migrations/sqlite/0027_generic_integrations.sql, which says why in full: the kind's
-- settings (JSON text) and sealed secrets (one sealed JSON value) replace its own columns,
-- `revision` makes their read-modify-write a compare-and-swap, and no CHECK names the kinds.
-- The sealed GDAP columns stay until the server's start-up has carried their values into
-- `secrets` (their seal names the old column; only the server holds the key).
ALTER TABLE integrations
    ADD COLUMN settings TEXT NOT NULL DEFAULT '{}',
    ADD COLUMN secrets BYTEA,
    ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

UPDATE integrations SET settings = json_build_object(
    'cloud', cloud,
    'skip_guests', skip_guests,
    'skip_disabled', skip_disabled,
    'skip_unlicensed', skip_unlicensed,
    'gdap_domain', gdap_domain,
    'gdap_partner_tenant_id', gdap_partner_tenant_id,
    'gdap_client_id', gdap_client_id,
    'gdap_status', gdap_status,
    'gdap_error', gdap_error,
    'gdap_pending', CASE
        WHEN gdap_pending_domain IS NOT NULL AND gdap_pending_partner_tenant_id IS NOT NULL
         AND gdap_pending_client_id IS NOT NULL AND gdap_pending_client_secret IS NOT NULL
        THEN json_build_object('domain', gdap_pending_domain,
                               'partner_tenant_id', gdap_pending_partner_tenant_id,
                               'client_id', gdap_pending_client_id)
        END)::text;

ALTER TABLE integrations
    DROP CONSTRAINT integrations_kind_check,
    DROP COLUMN cloud,
    DROP COLUMN login_base_url,
    DROP COLUMN graph_base_url,
    DROP COLUMN skip_guests,
    DROP COLUMN skip_disabled,
    DROP COLUMN skip_unlicensed,
    DROP COLUMN gdap_domain,
    DROP COLUMN gdap_partner_tenant_id,
    DROP COLUMN gdap_client_id,
    DROP COLUMN gdap_status,
    DROP COLUMN gdap_error,
    DROP COLUMN gdap_pending_domain,
    DROP COLUMN gdap_pending_partner_tenant_id,
    DROP COLUMN gdap_pending_client_id;
