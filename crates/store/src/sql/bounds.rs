//! [`sql_impl!`]: the one place that names the sqlx encodings the shared SQL uses.

/// Writes an item of the shared SQL (a store trait's `impl` for `SqlStore<DB>`, an inherent
/// `impl SqlStore<DB>`, or an `async fn` over a connection of `DB`) generic over the backend,
/// with the bounds that make both drivers' encodings usable in it: UUIDs, `i64`, `bool`, text
/// and bytes (and their `Option`s), bound and decoded by name or position.
///
/// Why a macro: Rust does not treat `where` clauses about other types (`Uuid: Encode<'r, DB>`)
/// as implied by a trait bound on `DB`, so they cannot be folded into [`Dialect`] or a trait
/// alias; every generic item would have to repeat them. Here they are written once. They are
/// the union of what the shared SQL needs; both drivers meet all of them.
///
/// The item inside keeps the indentation it would have without the macro, so the files read
/// (and diff) as plain Rust. rustfmt does not format inside macro calls: keep the body as
/// `cargo fmt` would leave it.
///
/// ```ignore
/// sql_impl! {
/// impl OrgStore for SqlStore<DB> {
///     async fn org(&self, id: OrgId) -> StoreResult<Org> { … }
/// }
/// }
/// ```
///
/// [`Dialect`]: crate::Dialect
macro_rules! sql_impl {
    (impl SqlStore<$db:ident> { $($body:tt)* }) => {
        $crate::sql::sql_impl!(@bounded $db [impl<$db> SqlStore<$db>] { $($body)* });
    };
    (impl $store_trait:ident for SqlStore<$db:ident> { $($body:tt)* }) => {
        $crate::sql::sql_impl!(
            @bounded $db [impl<$db> $store_trait for SqlStore<$db>] { $($body)* }
        );
    };
    (
        $(#[$attr:meta])*
        $vis:vis async fn $name:ident<$db:ident>($($params:tt)*) -> $ret:ty { $($body:tt)* }
    ) => {
        $crate::sql::sql_impl!(
            @bounded $db [$(#[$attr])* $vis async fn $name<$db>($($params)*) -> $ret]
            { $($body)* }
        );
    };
    (@bounded $db:ident [$($head:tt)*] { $($body:tt)* }) => {
        $($head)*
        where
            $db: $crate::sql::Dialect,
            for<'c> &'c mut $db::Connection: ::sqlx::Executor<'c, Database = $db>,
            for<'q> $db::Arguments<'q>: ::sqlx::IntoArguments<'q, $db>,
            for<'r> ::uuid::Uuid:
                ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> i64: ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> bool: ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> String:
                ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> Vec<u8>:
                ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> &'r str: ::sqlx::Encode<'r, $db>
                + ::sqlx::Type<$db>
                + ::sqlx::ColumnIndex<$db::Row>,
            for<'r> &'r [u8]: ::sqlx::Encode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> Option<::uuid::Uuid>: ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db>,
            for<'r> Option<i64>:
                ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            for<'r> Option<String>: ::sqlx::Decode<'r, $db>,
            for<'r> Option<Vec<u8>>: ::sqlx::Encode<'r, $db> + ::sqlx::Decode<'r, $db>,
            for<'r> Option<&'r str>: ::sqlx::Encode<'r, $db>,
            for<'r> Option<&'r [u8]>: ::sqlx::Encode<'r, $db>,
            usize: ::sqlx::ColumnIndex<$db::Row>,
        {
            $($body)*
        }
    };
}
pub(crate) use sql_impl;
