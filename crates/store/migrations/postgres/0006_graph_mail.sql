-- Email through Microsoft Graph `sendMail` (PostgreSQL): the `graph` transport of messages,
-- and each org's choice of a Microsoft 365 mailbox to send from (Settings ▸ Branding).
-- Append-only. Kept in step with migrations/sqlite/0006_graph_mail.sql.

ALTER TABLE messages DROP CONSTRAINT messages_transport_check;
ALTER TABLE messages ADD CONSTRAINT messages_transport_check
    CHECK (transport IN ('outbox', 'twilio', 'smtp', 'graph'));

-- The Microsoft 365 mailbox an org's email goes out from, through one of its integrations
-- (client credentials of the integration's own app against the MSP's tenant). No row: SMTP.
CREATE TABLE graph_mail (
    org_id         UUID    NOT NULL PRIMARY KEY REFERENCES orgs (id),
    integration_id UUID    NOT NULL,
    mailbox        TEXT    NOT NULL,
    updated_at     BIGINT  NOT NULL
);
