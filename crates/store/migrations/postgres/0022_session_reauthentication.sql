-- When the session's technician last proved themselves (issue 18.2, ASVS 7.5.1): set at
-- sign-in (password, and the second factor when on) and by the "Confirm it's you" page.
-- Sensitive actions need it within `security.reauth_window_seconds`. NULL (sessions from
-- before this migration, second-factor and Pod sessions): never proven, so they are asked.
ALTER TABLE sessions ADD COLUMN reauthenticated_at BIGINT;
