-- The org's longest Secure Send/Request link (issue #8: "expiry 1 h, 1 d, 7 d; an org
-- maximum"), in hours: 1, 24 or 168 (the default, the longest the product offers). Kept with
-- the other verification rules, on Settings ▸ Verification. Same in both backends.
ALTER TABLE verification_settings ADD COLUMN secret_max_hours BIGINT NOT NULL DEFAULT 168
    CHECK (secret_max_hours IN (1, 24, 168));
