//! [`JobProgressStore`] for both backends.

use crate::job_progress::{JobProgress, JobProgressStore, ProgressFailure};
use crate::sql::{SqlStore, sql_impl};
use crate::{StoreError, StoreResult};
use countersign_domain::{OrgId, Timestamp};

type ProgressRow = (String, i64, i64, String, bool, i64);

sql_impl! {
impl JobProgressStore for SqlStore<DB> {
    async fn save_job_progress(&self, p: &JobProgress) -> StoreResult<()> {
        let failures =
            serde_json::to_string(&p.failures).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO job_progress (org_id, subject, total, done, failures, finished, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (org_id, subject) DO UPDATE SET total = $3, done = $4, \
             failures = $5, finished = $6, updated_at = $7",
        )
        .bind(p.org_id.0)
        .bind(p.subject.as_str())
        .bind(p.total)
        .bind(p.done)
        .bind(failures)
        .bind(p.finished)
        .bind(p.updated_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn job_progress(&self, org: OrgId, subject: &str) -> StoreResult<Option<JobProgress>> {
        let row: Option<ProgressRow> = sqlx::query_as(
            "SELECT subject, total, done, failures, finished, updated_at FROM job_progress \
             WHERE org_id = $1 AND subject = $2",
        )
        .bind(org.0)
        .bind(subject)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        row.map(|(subject, total, done, failures, finished, updated_at)| {
            let failures: Vec<ProgressFailure> = serde_json::from_str(&failures)
                .map_err(|e| StoreError::Corrupt(format!("job progress failures: {e}")))?;
            Ok(JobProgress {
                org_id: org,
                subject,
                total,
                done,
                failures,
                finished,
                updated_at: Timestamp(updated_at),
            })
        })
        .transpose()
    }
}
}
