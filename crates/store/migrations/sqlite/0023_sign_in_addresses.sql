-- Addresses a technician has signed in from (issue 18.3): the account-wide login slow-down
-- spares them, so an attacker elsewhere cannot keep the owner out. Only an HMAC of the address
-- is kept (keyring-derived key), at most a few per technician (the store deletes the oldest).
CREATE TABLE sign_in_addresses (
    org_id        BLOB    NOT NULL,
    technician_id BLOB    NOT NULL,
    address_hash  BLOB    NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, technician_id, address_hash),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
) STRICT;
