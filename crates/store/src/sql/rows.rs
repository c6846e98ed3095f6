//! Multi-row `VALUES` lists whose placeholders suit the backend: anonymous `?` on SQLite
//! ([`Dialect::ANONYMOUS_PARAMS`]: sqlx resolves each numbered `$n` there by a linear search
//! of the statement's parameter names, so a statement's binding cost grows with the square of
//! its parameters), `$1, $2, …` in binding order on PostgreSQL.

use super::Dialect;

/// `row` repeated `rows` times, comma-separated, with each `?` of `row` made the backend's
/// placeholder (numbered from `$1` in order), for a statement that has no other parameters.
/// Each placeholder takes its own value, bound in the order they appear (a value used twice
/// is bound twice). `row` must not hold a `?` other than the placeholders (literals in it are
/// plain words or numbers).
pub(crate) fn values_rows<DB: Dialect>(rows: usize, row: &str) -> String {
    let mut out = String::with_capacity(rows * (row.len() + 16));
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        for ch in row.chars() {
            if ch == '?' && !DB::ANONYMOUS_PARAMS {
                out.push('$');
                out.push_str(&n.to_string());
                n += 1;
            } else {
                out.push(ch);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::values_rows;

    #[test]
    fn postgres_numbers_every_placeholder_in_order() {
        assert_eq!(
            values_rows::<sqlx::Postgres>(2, "(?, 'queued', ?)"),
            "($1, 'queued', $2), ($3, 'queued', $4)"
        );
    }

    #[test]
    fn sqlite_keeps_them_anonymous() {
        assert_eq!(
            values_rows::<sqlx::Sqlite>(2, "(?, 0, ?)"),
            "(?, 0, ?), (?, 0, ?)"
        );
    }
}
