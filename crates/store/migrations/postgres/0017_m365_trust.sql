-- Issue 17, Microsoft 365 behaviour.
--
-- 17.2: an integration's endpoints are never a stored host any more. National clouds have
-- their well-known hosts; "custom" now means the server's own [microsoft] Custom entry
-- (custom_login_base_url / custom_graph_base_url, set by the operator). Integrations that
-- stored custom URLs keep the kind "custom": they use the server's Custom entry when one is
-- configured, else they refuse every request and their page asks an admin to pick a cloud
-- again. The stored hosts are erased so that nothing can read them again.
UPDATE integrations SET login_base_url = '', graph_base_url = '';

-- 17.8: GDAP credentials entered in the dialog wait here until their sign-in succeeds; the
-- working connection (gdap_client_id, gdap_client_secret, gdap_refresh_token) is replaced
-- only then. gdap_pending_client_secret is sealed like gdap_client_secret.
ALTER TABLE integrations ADD COLUMN gdap_pending_domain TEXT;
ALTER TABLE integrations ADD COLUMN gdap_pending_partner_tenant_id TEXT;
ALTER TABLE integrations ADD COLUMN gdap_pending_client_id TEXT;
ALTER TABLE integrations ADD COLUMN gdap_pending_client_secret BYTEA;

-- 17.6: a GDAP tenant whose relationships ended stays listed with its contacts, marked ended
-- with the reason in words; it is no longer synced.
ALTER TABLE tenant_links ADD COLUMN ended_at BIGINT;
ALTER TABLE tenant_links ADD COLUMN ended_reason TEXT;
