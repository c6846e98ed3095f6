//! Store errors, built from `sqlx::Error` in one place.

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched (including: it exists but belongs to another org).
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write; carries the constraint name.
    ///
    /// Both backends report the same names for unique constraints (see [`constraints`]);
    /// SQLite does not name foreign keys, so a foreign-key refusal carries its message there.
    ///
    /// [`constraints`]: crate::constraints
    #[error("conflict on {constraint}")]
    Conflict {
        /// The constraint's name, e.g. [`crate::constraints::ORG_SLUG`].
        constraint: String,
    },
    /// The operation does not exist for this backend, or cannot be carried out as asked.
    #[error("{0}")]
    Unsupported(String),
    /// Migration failure.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else from the database driver.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A stored value could not be decoded (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db)
                if db.is_unique_violation() || db.is_foreign_key_violation() =>
            {
                let constraint = match db.constraint() {
                    Some(name) => name.to_owned(),
                    None => sqlite_constraint_name(db.message()),
                };
                Self::Conflict { constraint }
            }
            other => Self::Database(other),
        }
    }
}

/// SQLite does not report constraint names for unique violations, only the columns
/// (`UNIQUE constraint failed: orgs.slug`). The migrations name every unique constraint the
/// PostgreSQL way (`<table>_<columns>_key`, `<table>_pkey`), so the name is rebuilt from the
/// columns here and callers see one name on both backends.
fn sqlite_constraint_name(message: &str) -> String {
    let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") else {
        return message.to_owned();
    };
    if let Some(index) = columns.strip_prefix("index '") {
        return index.trim_end_matches('\'').to_owned();
    }
    let mut table = "";
    let mut names = Vec::new();
    for qualified in columns.split(", ") {
        let Some((t, c)) = qualified.split_once('.') else {
            return message.to_owned();
        };
        table = t;
        names.push(c);
    }
    match (table, names.as_slice()) {
        // Single-column primary keys of this schema are all named `id` (or `key`, `key_id`).
        ("login_throttles", ["key"]) | ("key_canaries", ["key_id"]) | (_, ["id"]) => {
            format!("{table}_pkey")
        }
        ("recovery_codes", ["org_id", "technician_id", "code_hash"]) => format!("{table}_pkey"),
        _ => format!("{table}_{}_key", names.join("_")),
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_constraint_name;

    #[test]
    fn sqlite_messages_map_to_postgres_names() {
        let n = |m: &str| sqlite_constraint_name(m);
        assert_eq!(n("UNIQUE constraint failed: orgs.slug"), "orgs_slug_key");
        assert_eq!(n("UNIQUE constraint failed: orgs.id"), "orgs_pkey");
        assert_eq!(
            n("UNIQUE constraint failed: key_canaries.key_id"),
            "key_canaries_pkey"
        );
        assert_eq!(
            n("UNIQUE constraint failed: technicians.org_id, technicians.id"),
            "technicians_org_id_id_key"
        );
        assert_eq!(n("UNIQUE constraint failed: index 'x_idx'"), "x_idx");
        assert_eq!(
            n("FOREIGN KEY constraint failed"),
            "FOREIGN KEY constraint failed"
        );
    }
}
