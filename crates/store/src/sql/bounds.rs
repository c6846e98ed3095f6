//! [`sql_impl!`]: the one place that names the sqlx encodings the shared SQL uses.

/// Writes an item of the shared SQL (a store trait's `impl` for `SqlStore<DB>`, an inherent
/// `impl SqlStore<DB>`, an `async fn` over a connection of `DB`, or a `fn<'q, DB>` that binds a
/// query's parameters) generic over the backend,
/// with the bounds that make both drivers' encodings usable in it: UUIDs, `i64`, `bool`, text
/// and bytes (and their `Option`s), bound and decoded by name or position.
///
/// Why a macro: Rust does not treat `where` clauses about other types (`Uuid: Encode<'val, DB>`)
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
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident<$lt:lifetime, $db:ident $(, $generic:ident)*>($($params:tt)*)
            -> $ret:ty { $($body:tt)* }
    ) => {
        $crate::sql::sql_impl!(
            @bounded $db [$(#[$attr])* $vis fn $name<$lt, $db $(, $generic)*>($($params)*) -> $ret]
            { $($body)* }
        );
    };
    (@bounded $db:ident [$($head:tt)*] { $($body:tt)* }) => {
        $($head)*
        where
            $db: $crate::sql::Dialect,
            for<'conn> &'conn mut $db::Connection: ::sqlx::Executor<'conn, Database = $db>,
            for<'args> $db::Arguments<'args>: ::sqlx::IntoArguments<'args, $db>,
            for<'val> ::uuid::Uuid:
                ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> i64:
                ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> bool:
                ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> String:
                ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> Vec<u8>:
                ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> &'val str: ::sqlx::Encode<'val, $db>
                + ::sqlx::Type<$db>
                + ::sqlx::ColumnIndex<$db::Row>,
            for<'val> &'val [u8]: ::sqlx::Encode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> Option<::uuid::Uuid>: ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db>,
            for<'val> Option<i64>:
                ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db> + ::sqlx::Type<$db>,
            for<'val> Option<String>: ::sqlx::Decode<'val, $db>,
            for<'val> Option<Vec<u8>>: ::sqlx::Encode<'val, $db> + ::sqlx::Decode<'val, $db>,
            for<'val> Option<&'val str>: ::sqlx::Encode<'val, $db>,
            for<'val> Option<&'val [u8]>: ::sqlx::Encode<'val, $db>,
            usize: ::sqlx::ColumnIndex<$db::Row>,
        {
            $($body)*
        }
    };
}
pub(crate) use sql_impl;
