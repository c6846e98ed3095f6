//! What the server-wide sweeps share (verification expiry, secret expiry, the session purge):
//! they are queued under [`super::SERVER_ORG`] once per schedule slot, and they never retry or
//! die: a failure is logged and the next slot's sweep runs anyway, as a dead row would only
//! sit where no one can see it.

/// Defines a sweep job: a payload with the schedule slot it was queued for (its dedup key, so
/// several processes queue one per slot), and a `run` that logs a failure instead of
/// retrying. `$sweep` is an expression over `$app: &App` giving a
/// `Result<impl Into<u64>, StoreError>` future: how many rows it swept.
macro_rules! sweep_job {
    ($(#[$doc:meta])* $name:ident, $kind:literal, |$app:ident| $sweep:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            /// The schedule slot it was queued for (Unix ms / the task's period).
            #[serde(default)]
            pub slot: i64,
        }

        impl $crate::jobs::Job for $name {
            const KIND: &'static str = $kind;

            fn dedup_key(&self) -> Option<String> {
                Some(format!("{}:{}", $kind, self.slot))
            }

            async fn run(
                &self,
                $app: &$crate::App,
                _ctx: &$crate::jobs::JobContext<'_>,
            ) -> $crate::jobs::JobResult {
                match $sweep.await {
                    Ok(n) => {
                        let n: u64 = n.try_into().unwrap_or(u64::MAX);
                        if n > 0 {
                            tracing::info!(kind = $kind, rows = n, "sweep done");
                        }
                    }
                    Err(e) => tracing::warn!(kind = $kind, error = %e, "sweep failed; the next one runs on schedule"),
                }
                Ok($crate::jobs::Outcome::Complete)
            }

            async fn abandoned(
                &self,
                _app: &$crate::App,
                _ctx: &$crate::jobs::JobContext<'_>,
                error: String,
            ) -> $crate::jobs::JobResult {
                tracing::warn!(kind = $kind, error = %error, "sweep abandoned; the next one runs on schedule");
                Ok($crate::jobs::Outcome::Complete)
            }
        }
    };
}

pub(super) use sweep_job;
