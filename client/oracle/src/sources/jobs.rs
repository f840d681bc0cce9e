//! Scrape jobs: an asynchronous source's triggered batch, kept in the ledger with its deadline
//! until its result is pulled, it fails, or the deadline passes (its videos then fall through
//! to the next source).
use rusqlite::params;
use sha2::{Digest, Sha256};

use super::Wanted;
use crate::ledger::Ledger;
use crate::{Error, LedgerError};

/// A running job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// sha256(source, sorted ids, trigger time): one attempt, whatever the provider calls it.
    pub attempt_key: String,
    /// The provider's job (snapshot) id.
    pub job_id: String,
    /// The videos it covers.
    pub videos: Vec<Wanted>,
    /// Unix seconds after which it is abandoned.
    pub deadline: i64,
    /// Whether the provider pushed that it is ready.
    pub hinted: bool,
}

impl Ledger {
    /// Records a triggered job for `videos` on `source` at `now`, abandoned after `deadline`.
    pub fn insert_job(
        &self,
        source: &str,
        job_id: &str,
        videos: &[Wanted],
        now: i64,
        deadline: i64,
    ) -> Result<String, Error> {
        let mut ids: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
        ids.sort_unstable();
        let key = hex(&Sha256::digest(format!("{source}|{}|{now}", ids.join(","))));
        let pairs: Vec<(&str, &str)> = videos
            .iter()
            .map(|v| (v.id.as_str(), v.owner.as_str()))
            .collect();
        let videos_json = serde_json::to_string(&pairs).expect("strings always encode");
        self.conn
            .execute(
                "INSERT INTO scrape_jobs (attempt_key, source, job_id, videos, state, created_at, deadline)
                 VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6)",
                params![key, source, job_id, videos_json, now, deadline],
            )?;
        Ok(key)
    }

    /// `source`'s running jobs, oldest first.
    pub fn running_jobs(&self, source: &str) -> Result<Vec<Job>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT attempt_key, job_id, videos, deadline, hinted_at IS NOT NULL FROM scrape_jobs
                 WHERE source = ?1 AND state = 'running' ORDER BY created_at",
        )?;
        let rows: Vec<(String, String, String, i64, bool)> = stmt
            .query_map([source], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(attempt_key, job_id, videos, deadline, hinted)| {
                let pairs: Vec<(String, String)> =
                    serde_json::from_str(&videos).map_err(LedgerError::BadJobVideos)?;
                let videos = pairs
                    .into_iter()
                    .map(|(id, owner)| Wanted { id, owner })
                    .collect();
                Ok(Job {
                    attempt_key,
                    job_id,
                    videos,
                    deadline,
                    hinted,
                })
            })
            .collect()
    }

    /// Ends a job: `collected`, `expired` or `failed`, with why.
    pub fn finish_job(
        &self,
        attempt_key: &str,
        state: &str,
        detail: Option<&str>,
    ) -> Result<(), Error> {
        self.conn.execute(
            "UPDATE scrape_jobs SET state = ?2, detail = ?3 WHERE attempt_key = ?1",
            params![attempt_key, state, detail],
        )?;
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
