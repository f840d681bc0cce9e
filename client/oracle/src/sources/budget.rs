//! Per-source rate windows, daily quotas, blocks and attempt rows, kept in the ledger so that
//! every oracle process sharing it stays within a source's limits together.
//!
//! A request is taken from the budget in one `BEGIN IMMEDIATE` transaction (SQLite's write
//! lock): two processes can never both take the last request of a window.
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Limits;
use crate::Error;
use crate::ledger::Ledger;

/// The unix time (seconds) at which the quota day after the one holding `now` starts, days
/// starting at midnight at UTC offset `offset`.
pub fn next_day(now: i64, offset: i64) -> i64 {
    day_start(now, offset) + 86_400
}

fn day_start(now: i64, offset: i64) -> i64 {
    (now + offset).div_euclid(86_400) * 86_400 - offset
}

/// How much wider than a source's rate window the oracle's own window is: the slack for the
/// time a request takes to reach the source.
pub const GUARD_MS: i64 = 100;

/// What the budget allows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// One request taken.
    Go,
    /// This window is full: try again in `ms` milliseconds.
    Wait {
        /// Until the next window.
        ms: u64,
    },
    /// The source may not be called before `until` (unix seconds).
    Blocked {
        /// The reset.
        until: i64,
        /// Why.
        reason: String,
    },
}

/// One request's record.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The source.
    pub source: &'a str,
    /// Its platform.
    pub platform: &'a str,
    /// Unix ms at which it started.
    pub started_at: i64,
    /// How long it took.
    pub latency_ms: u64,
    /// `ok`, `transient`, `permanent`, `exhausted` or `triggered`.
    pub outcome: &'a str,
    /// Videos asked.
    pub videos: usize,
    /// Videos answered with a count.
    pub found: usize,
    /// Quota units spent.
    pub units: u64,
    /// Provider price, millionths of a dollar.
    pub micro_usd: u64,
    /// The failure, if any.
    pub detail: Option<&'a str>,
}

/// A source's record over the attempts kept: what `oracle sources` shows.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SourceStats {
    /// The source.
    pub source: String,
    /// Requests made.
    pub requests: u64,
    /// Requests answered.
    pub ok: u64,
    /// `ok / requests`.
    pub success_rate: f64,
    /// Median latency of the requests.
    pub p50_ms: u64,
    /// 95th percentile latency.
    pub p95_ms: u64,
    /// Videos answered with a count.
    pub videos_found: u64,
    /// Quota units spent.
    pub units: u64,
    /// Provider price spent, in dollars.
    pub usd: f64,
    /// Dollars per 1,000 videos answered.
    pub usd_per_1000_videos: f64,
    /// Quota units per 1,000 videos answered.
    pub units_per_1000_videos: f64,
}

impl Ledger {
    /// Takes one request (and its quota units) from `source`'s budget at `now_ms`, unless its
    /// last window already holds its limit, its daily quota is spent or it is blocked.
    ///
    /// The window is a sliding log widened by [`GUARD_MS`]: a request reaches the source a
    /// little after it is taken here, and the source counts it by its own clock.
    pub fn take_request(
        &mut self,
        source: &str,
        limits: &Limits,
        now_ms: i64,
    ) -> Result<Grant, Error> {
        self.atomically(|l| {
            if let Some((until, reason)) = l.source_block(source, now_ms / 1_000)? {
                return Ok(Grant::Blocked { until, reason });
            }
            let window = limits.window_ms as i64 + GUARD_MS;
            let recent = l.recent_requests(source, now_ms - window, limits.requests)?;
            if recent.len() as u64 >= limits.requests.max(1) {
                return Ok(Grant::Wait {
                    ms: (recent[0] + window - now_ms).max(1) as u64,
                });
            }
            if let Some(daily) = limits.daily_units {
                let day = day_start(now_ms / 1_000, limits.day_offset_secs);
                let spent = l.day_used(source, day)?;
                if spent + limits.units_per_request > daily {
                    return Ok(Grant::Blocked {
                        until: day + 86_400,
                        reason: format!("daily quota of {daily} units spent"),
                    });
                }
                l.set_day(source, day, spent + limits.units_per_request)?;
            }
            l.conn.execute(
                "DELETE FROM source_requests WHERE source = ?1 AND at_ms <= ?2",
                params![source, now_ms - window],
            )?;
            l.conn.execute(
                "INSERT INTO source_requests (source, at_ms) VALUES (?1, ?2)",
                params![source, now_ms],
            )?;
            Ok(Grant::Go)
        })
    }

    /// The newest `limit` requests taken after `since_ms`, oldest first.
    fn recent_requests(&self, source: &str, since_ms: i64, limit: u64) -> Result<Vec<i64>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at_ms FROM source_requests WHERE source = ?1 AND at_ms > ?2
                 ORDER BY at_ms DESC LIMIT ?3",
        )?;
        let mut times: Vec<i64> = stmt
            .query_map(params![source, since_ms, limit.max(1)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        times.reverse();
        Ok(times)
    }

    fn day_used(&self, source: &str, start: i64) -> Result<u64, Error> {
        let row: Option<(i64, u64)> = self
            .conn
            .query_row(
                "SELECT start, used FROM source_days WHERE source = ?1",
                params![source],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.filter(|(s, _)| *s == start).map_or(0, |(_, used)| used))
    }

    fn set_day(&self, source: &str, start: i64, used: u64) -> Result<(), Error> {
        self.conn.execute(
            "INSERT INTO source_days (source, start, used) VALUES (?1, ?2, ?3)
                 ON CONFLICT (source) DO UPDATE SET start = ?2, used = ?3",
            params![source, start, used],
        )?;
        Ok(())
    }

    /// Quota units `source` has left today (unix seconds `now`), when it has a daily quota.
    pub fn quota_left(
        &self,
        source: &str,
        limits: &Limits,
        now: i64,
    ) -> Result<Option<u64>, Error> {
        let Some(daily) = limits.daily_units else {
            return Ok(None);
        };
        if self.source_block(source, now)?.is_some() {
            return Ok(Some(0));
        }
        let spent = self.day_used(source, day_start(now, limits.day_offset_secs))?;
        Ok(Some(daily.saturating_sub(spent)))
    }

    /// Forbids calls to `source` until `until` (unix seconds), for every process.
    pub fn block_source(&self, source: &str, until: i64, reason: &str) -> Result<(), Error> {
        self.conn.execute(
            "INSERT INTO source_blocks (source, until, reason) VALUES (?1, ?2, ?3)
                 ON CONFLICT (source) DO UPDATE SET until = MAX(until, ?2), reason = ?3",
            params![source, until, reason],
        )?;
        Ok(())
    }

    /// `source`'s block in force at `now`, if any: (until, reason).
    pub fn source_block(&self, source: &str, now: i64) -> Result<Option<(i64, String)>, Error> {
        self.conn
            .query_row(
                "SELECT until, reason FROM source_blocks WHERE source = ?1 AND until > ?2",
                params![source, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(Error::from)
    }

    /// Records one request.
    pub fn record_attempt(&self, a: &Attempt) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO source_attempts (source, platform, started_at, latency_ms, outcome, videos, found, units, micro_usd, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                a.source,
                a.platform,
                a.started_at,
                a.latency_ms,
                a.outcome,
                a.videos,
                a.found,
                a.units,
                a.micro_usd,
                a.detail
            ])?;
        Ok(())
    }

    /// Every source's record over the attempts since `since_ms` (unix ms).
    pub fn source_stats(&self, since_ms: i64) -> Result<Vec<SourceStats>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT source, outcome, latency_ms, found, units, micro_usd FROM source_attempts
                 WHERE started_at >= ?1 ORDER BY source, latency_ms",
        )?;
        let rows: Vec<(String, String, u64, u64, u64, u64)> = stmt
            .query_map([since_ms], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut stats: Vec<SourceStats> = Vec::new();
        let mut latencies: Vec<Vec<u64>> = Vec::new();
        for (source, outcome, latency, found, units, micro) in rows {
            if stats.last().is_none_or(|s| s.source != source) {
                stats.push(SourceStats {
                    source: source.clone(),
                    ..Default::default()
                });
                latencies.push(Vec::new());
            }
            let s = stats.last_mut().expect("pushed above");
            s.requests += 1;
            s.ok += u64::from(outcome == "ok");
            s.videos_found += found;
            s.units += units;
            s.usd += micro as f64 / 1e6;
            latencies.last_mut().expect("pushed above").push(latency);
        }
        for (s, l) in stats.iter_mut().zip(&latencies) {
            s.success_rate = s.ok as f64 / s.requests as f64;
            s.p50_ms = percentile(l, 50);
            s.p95_ms = percentile(l, 95);
            if s.videos_found > 0 {
                s.usd_per_1000_videos = s.usd * 1_000.0 / s.videos_found as f64;
                s.units_per_1000_videos = s.units as f64 * 1_000.0 / s.videos_found as f64;
            }
        }
        Ok(stats)
    }
}

/// The `p`th percentile (nearest rank) of ascending `sorted`.
fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_quotas_and_blocks() {
        let mut l = Ledger::in_memory().unwrap();
        let limits = Limits {
            daily_units: Some(3),
            units_per_request: 1,
            ..Limits::rate(2, 1_000)
        };
        assert_eq!(l.take_request("yt", &limits, 10_000).unwrap(), Grant::Go);
        assert_eq!(l.take_request("yt", &limits, 10_400).unwrap(), Grant::Go);
        // Two in the last 1.1 s: wait until the first leaves it.
        assert_eq!(
            l.take_request("yt", &limits, 10_900).unwrap(),
            Grant::Wait { ms: 200 }
        );
        assert_eq!(l.take_request("yt", &limits, 11_100).unwrap(), Grant::Go);
        // The fourth request of the day would exceed the 3 units.
        let blocked = l.take_request("yt", &limits, 12_000).unwrap();
        assert!(
            matches!(blocked, Grant::Blocked { until: 86_400, .. }),
            "{blocked:?}"
        );
        assert_eq!(l.quota_left("yt", &limits, 12).unwrap(), Some(0));
        assert_eq!(l.quota_left("yt", &limits, 86_401).unwrap(), Some(3));
        l.block_source("x", 500, "reset").unwrap();
        assert!(matches!(
            l.take_request("x", &limits, 100_000).unwrap(),
            Grant::Blocked { until: 500, .. }
        ));
        assert_eq!(l.take_request("x", &limits, 500_000).unwrap(), Grant::Go);
    }

    #[test]
    fn quota_days_start_at_the_offset_midnight() {
        // Midnight Pacific (UTC-8) is 08:00 UTC.
        assert_eq!(next_day(0, -8 * 3_600), 8 * 3_600);
        assert_eq!(next_day(9 * 3_600, -8 * 3_600), 86_400 + 8 * 3_600);
        assert_eq!(percentile(&[1, 2, 3, 4], 50), 2);
        assert_eq!(percentile(&[1, 2, 3, 4], 95), 4);
    }
}
