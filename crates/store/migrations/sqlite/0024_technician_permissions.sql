-- Permissions an admin grants a technician one by one (issue 18.5): the sorted names joined by
-- commas ('edit_contacts'), '' for none. Technicians start with none; admins hold every
-- permission by their role, whatever this column says. A new permission needs no migration.
--
-- The changed-number warning needs no column: contacts.phone_changed_at (0003) is set when the
-- normalised mobile number changes, by an edit or a sync, and never on first import;
-- contact_changes names the technician (NULL: a sync).
ALTER TABLE technicians ADD COLUMN permissions TEXT NOT NULL DEFAULT '';
