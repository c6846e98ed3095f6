//! The `Store` enum's side of every store trait, generated: [`store_trait!`] declares a trait
//! and forwards each of its methods to the backend inside a `Store`, so a new method needs no
//! forwarding by hand.

/// Forwards a call to the backend inside a `Store`.
macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            $crate::Store::Sqlite($s) => $call,
            $crate::Store::Postgres($s) => $call,
        }
    };
}
pub(crate) use dispatch;

/// Declares a store trait (one per aggregate, documented, every method `async fn(&self, …)`)
/// and implements it for [`Store`](crate::Store) by forwarding each method to the backend the
/// store wraps. Both backends implement the trait once, in the aggregate's `sql` module.
///
/// The trait inside keeps the indentation it would have without the macro, so it reads (and
/// diffs) as plain Rust; rustfmt does not format inside macro calls, so keep it as `cargo fmt`
/// would leave it.
macro_rules! store_trait {
    (
        $(#[$attr:meta])*
        pub trait $store_trait:ident {
            $(
                $(#[$method_attr:meta])*
                async fn $method:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;
            )*
        }
    ) => {
        $(#[$attr])*
        pub trait $store_trait {
            $(
                $(#[$method_attr])*
                async fn $method(&self $(, $arg: $ty)*) -> $ret;
            )*
        }

        impl $store_trait for $crate::Store {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> $ret {
                    $crate::forwarding::dispatch!(
                        self, s => $store_trait::$method(s $(, $arg)*).await
                    )
                }
            )*
        }
    };
}
pub(crate) use store_trait;
