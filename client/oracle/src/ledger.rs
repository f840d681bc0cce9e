//! The oracle's ledger: an embedded SQLite file. Migrations from `migrations/*.sql` are compiled
//! into the binary and applied on open.
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::Digest;

use crate::reports::Point;
use clipstake_client::Error;

/// The migrations, in order (embedded with `include_str!`).
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_oracle_ledger",
        include_str!("../migrations/0001_oracle_ledger.sql"),
    ),
    (
        "0002_lookup_tables",
        include_str!("../migrations/0002_lookup_tables.sql"),
    ),
    (
        "0003_partial_payouts",
        include_str!("../migrations/0003_partial_payouts.sql"),
    ),
];

/// Intent states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Written, not sent.
    Pending,
    /// Sent (or about to be) with a known blockhash.
    Sent,
    /// The watermark reached the target.
    Confirmed,
    /// The program refused it.
    Failed,
}

impl Status {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sent => "sent",
            Status::Confirmed => "confirmed",
            Status::Failed => "failed",
        }
    }
    fn parse(text: &str) -> Status {
        match text {
            "sent" => Status::Sent,
            "confirmed" => Status::Confirmed,
            "failed" => Status::Failed,
            _ => Status::Pending,
        }
    }
}

/// A payout intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Idempotency key: hex sha256(campaign, submission, target views, paid gross before).
    pub key: String,
    /// Campaign address.
    pub campaign: String,
    /// Submission address.
    pub submission: String,
    /// Cumulative views to pay up to.
    pub target_views: u64,
    /// The watermark when the intent was written.
    pub prev_views: u64,
    /// The submission's paid gross when the intent was written.
    pub prev_gross: u64,
    /// What this payout moves: entitlement(target) - prev_gross, or less when the campaign's
    /// vault (net of other open intents) held less; the rest is planned again once funded.
    pub gross: u64,
    /// Platform fee part.
    pub fee: u64,
    /// Affiliate commission part.
    pub commission: u64,
    /// Creator part.
    pub creator_amount: u64,
    /// State.
    pub status: Status,
    /// The confirmed signature, when known.
    pub signature: Option<String>,
    /// The blockhash it was sent with.
    pub blockhash: Option<String>,
    /// Last block height at which that blockhash is valid.
    pub last_valid: Option<u64>,
    /// Compute units of its transaction (shared by the batch).
    pub units: Option<u64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// The idempotency key of paying `submission` of `campaign` up to `target_views` from the
/// watermark `prev_views` with `prev_gross` paid. Every landed payout raises the watermark or
/// the paid gross (a payout that only records views from an empty vault raises the watermark;
/// a top-up of a shortfall raises the gross), so each later payout gets a new key while a
/// replan of the same one does not.
pub fn idempotency_key(
    campaign: &str,
    submission: &str,
    target_views: u64,
    prev_views: u64,
    prev_gross: u64,
) -> String {
    let mut h = sha2::Sha256::new();
    h.update(campaign.as_bytes());
    h.update(b"/");
    h.update(submission.as_bytes());
    h.update(b"/");
    h.update(target_views.to_le_bytes());
    h.update(prev_views.to_le_bytes());
    h.update(prev_gross.to_le_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Intent {
    /// Whether the chain shows this payout made: the watermark reached its target and rose, or
    /// the paid gross rose, since the intent was written (every payout does one or the other).
    pub fn landed(&self, paid_views: u64, paid_gross: u64) -> bool {
        paid_views >= self.target_views
            && (paid_gross > self.prev_gross || paid_views > self.prev_views)
    }
}

/// A quarantined report.
#[derive(Debug, Clone)]
pub struct Quarantined {
    /// Row id.
    pub id: i64,
    /// Submission, when it could be mapped.
    pub submission: Option<String>,
    /// Video.
    pub video: Option<String>,
    /// Views.
    pub views: Option<u64>,
    /// Observed at.
    pub observed_at: Option<i64>,
    /// Why.
    pub reason: String,
    /// The raw input line.
    pub raw: Option<String>,
}

/// Totals per status.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// (status, count, gross) rows.
    pub by_status: Vec<(String, u64, u64)>,
    /// Quarantined reports.
    pub quarantined: u64,
    /// Accepted reports.
    pub accepted: u64,
    /// Intents whose lines do not balance.
    pub unbalanced: Vec<String>,
}

fn db(e: rusqlite::Error) -> Error {
    Error::Other(format!("oracle ledger: {e}"))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The ledger.
pub struct Ledger {
    conn: Connection,
}

const INTENT_COLUMNS: &str = "key, campaign, submission, target_views, prev_views, gross, fee, \
     commission, creator_amount, status, signature, blockhash, last_valid, units, error, prev_gross";

fn intent_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Intent> {
    Ok(Intent {
        key: row.get(0)?,
        campaign: row.get(1)?,
        submission: row.get(2)?,
        target_views: row.get::<_, i64>(3)? as u64,
        prev_views: row.get::<_, i64>(4)? as u64,
        gross: row.get::<_, i64>(5)? as u64,
        fee: row.get::<_, i64>(6)? as u64,
        commission: row.get::<_, i64>(7)? as u64,
        creator_amount: row.get::<_, i64>(8)? as u64,
        status: Status::parse(&row.get::<_, String>(9)?),
        signature: row.get(10)?,
        blockhash: row.get(11)?,
        last_valid: row.get::<_, Option<i64>>(12)?.map(|v| v as u64),
        units: row.get::<_, Option<i64>>(13)?.map(|v| v as u64),
        error: row.get(14)?,
        prev_gross: row.get::<_, i64>(15)? as u64,
    })
}

impl Ledger {
    /// Opens (creating directories and the file if needed) and migrates.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Other(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(db)?;
        // `oracle serve` and `oracle run` may share the ledger from two processes: wait for
        // the other's write instead of failing with "database is locked".
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(db)?;
        Self::migrate(conn)
    }

    /// A ledger in memory (tests).
    pub fn in_memory() -> Result<Ledger, Error> {
        Self::migrate(Connection::open_in_memory().map_err(db)?)
    }

    fn migrate(mut conn: Connection) -> Result<Ledger, Error> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .map_err(db)?;
        for (version, sql) in MIGRATIONS {
            let tx = conn.transaction().map_err(db)?;
            let done: Option<String> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            if done.is_none() {
                tx.execute_batch(sql).map_err(db)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    params![version, now()],
                )
                .map_err(db)?;
            }
            tx.commit().map_err(db)?;
        }
        Ok(Ledger { conn })
    }

    /// Runs `f` in one SQLite transaction.
    pub fn atomically<T>(
        &mut self,
        f: impl FnOnce(&Ledger) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(db)?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT").map_err(db)?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Records a report (accepted or quarantined).
    #[allow(clippy::too_many_arguments)]
    pub fn record_observation(
        &self,
        campaign: &str,
        submission: Option<&str>,
        report: Option<&crate::reports::ViewReport>,
        accepted: bool,
        reason: Option<&str>,
        raw: Option<&str>,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO observations (campaign, submission, platform, video, creator, views, observed_at, source, status, reason, raw, ingested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(db)?
            .execute(params![
                campaign,
                submission,
                report.map(|r| r.platform.clone()),
                report.map(|r| r.video.clone()),
                report.and_then(|r| r.creator.clone()),
                report.map(|r| r.views as i64),
                report.map(|r| r.observed_at),
                report.map(|r| r.source.clone()),
                if accepted { "accepted" } else { "quarantined" },
                reason,
                raw,
                now(),
            ])
            .map_err(db)?;
        Ok(())
    }

    /// The last two accepted points of a submission: (previous, before previous).
    pub fn last_points(&self, submission: &str) -> Result<(Option<Point>, Option<Point>), Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT views, observed_at FROM observations WHERE submission = ?1 AND status = 'accepted'
                 ORDER BY observed_at DESC, id DESC LIMIT 2",
            )
            .map_err(db)?;
        let points: Vec<Point> = stmt
            .query_map([submission], |r| {
                Ok(Point {
                    views: r.get::<_, i64>(0)? as u64,
                    observed_at: r.get(1)?,
                })
            })
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        Ok((points.first().copied(), points.get(1).copied()))
    }

    /// Per submission with accepted reports: (campaign, submission, max accepted views, last observed).
    pub fn accepted_maxima(&self) -> Result<Vec<(String, String, u64, i64)>, Error> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT campaign, submission, MAX(views), MAX(observed_at) FROM observations
                 WHERE status = 'accepted' GROUP BY campaign, submission ORDER BY submission",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64, r.get(3)?))
            })
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        Ok(rows)
    }

    /// The gross of the campaign's pending and sent intents: vault funds already promised.
    pub fn open_gross(&self, campaign: &str) -> Result<u64, Error> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(SUM(gross), 0) FROM intents WHERE campaign = ?1 AND status IN ('pending', 'sent')",
            )
            .map_err(db)?
            .query_row([campaign], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .map_err(db)
    }

    /// True when the submission has a pending or sent intent.
    pub fn has_open_intent(&self, submission: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT COUNT(*) FROM intents WHERE submission = ?1 AND status IN ('pending', 'sent')",
            )
            .map_err(db)?
            .query_row([submission], |r| r.get::<_, i64>(0))
            .map(|n| n > 0)
            .map_err(db)
    }

    /// Writes an intent and its balanced lines (nothing when the key exists). Returns whether
    /// it was new.
    pub fn insert_intent(
        &self,
        intent: &Intent,
        vault: &str,
        treasury: &str,
        affiliate: Option<&str>,
        creator: &str,
    ) -> Result<bool, Error> {
        assert_eq!(
            intent.fee + intent.commission + intent.creator_amount,
            intent.gross
        );
        let t = now();
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO intents (key, campaign, submission, target_views, prev_views, gross, fee, commission, creator_amount, status, created_at, updated_at, prev_gross)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?10, ?11)",
            )
            .map_err(db)?
            .execute(params![
                intent.key,
                intent.campaign,
                intent.submission,
                intent.target_views as i64,
                intent.prev_views as i64,
                intent.gross as i64,
                intent.fee as i64,
                intent.commission as i64,
                intent.creator_amount as i64,
                t,
                intent.prev_gross as i64
            ])
            .map_err(db)?;
        if inserted == 0 {
            return Ok(false);
        }
        let mut line = self
            .conn
            .prepare_cached("INSERT INTO ledger_lines (intent_key, account, debit, credit) VALUES (?1, ?2, ?3, ?4)")
            .map_err(db)?;
        line.execute(params![
            intent.key,
            format!("vault:{vault}"),
            intent.gross as i64,
            0
        ])
        .map_err(db)?;
        line.execute(params![
            intent.key,
            format!("fee:{treasury}"),
            0,
            intent.fee as i64
        ])
        .map_err(db)?;
        if intent.commission > 0 || affiliate.is_some() {
            line.execute(params![
                intent.key,
                format!("commission:{}", affiliate.unwrap_or("none")),
                0,
                intent.commission as i64
            ])
            .map_err(db)?;
        }
        line.execute(params![
            intent.key,
            format!("creator:{creator}"),
            0,
            intent.creator_amount as i64
        ])
        .map_err(db)?;
        Ok(true)
    }

    /// Intents in `statuses`, oldest first.
    pub fn intents(&self, statuses: &[Status]) -> Result<Vec<Intent>, Error> {
        let list = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {INTENT_COLUMNS} FROM intents WHERE status IN ({list}) ORDER BY created_at, rowid"
            ))
            .map_err(db)?;
        let rows = stmt
            .query_map([], intent_row)
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        Ok(rows)
    }

    /// Every intent (the `ledger` listing).
    pub fn all_intents(&self) -> Result<Vec<Intent>, Error> {
        self.intents(&[
            Status::Pending,
            Status::Sent,
            Status::Confirmed,
            Status::Failed,
        ])
    }

    /// Moves an intent to `status` with optional details (kept when `None`).
    pub fn set_status(
        &self,
        key: &str,
        status: Status,
        signature: Option<&str>,
        blockhash: Option<(&str, u64)>,
        units: Option<u64>,
        error: Option<&str>,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "UPDATE intents SET status = ?2, signature = COALESCE(?3, signature),
                   blockhash = COALESCE(?4, blockhash), last_valid = COALESCE(?5, last_valid),
                   units = COALESCE(?6, units), error = ?7, updated_at = ?8 WHERE key = ?1",
            )
            .map_err(db)?
            .execute(params![
                key,
                status.as_str(),
                signature,
                blockhash.map(|b| b.0),
                blockhash.map(|b| b.1 as i64),
                units.map(|u| u as i64),
                error,
                now()
            ])
            .map_err(db)?;
        Ok(())
    }

    /// Books the amounts the chain reports an intent's payout moved, when they differ from
    /// the plan (its vault held less when it ran than when it was planned, e.g. after a
    /// creator's claim): the intent and its lines then say what left the vault, and the
    /// shortfall, still owed on chain, is planned again as a new intent.
    pub fn book_chain_amounts(
        &self,
        key: &str,
        gross: u64,
        fee: u64,
        commission: u64,
    ) -> Result<(), Error> {
        let creator = gross
            .checked_sub(fee + commission)
            .ok_or_else(|| Error::Other(format!("oracle ledger: {key}: shares exceed gross")))?;
        self.conn
            .prepare_cached(
                "UPDATE intents SET gross = ?2, fee = ?3, commission = ?4, creator_amount = ?5,
                   updated_at = ?6 WHERE key = ?1",
            )
            .map_err(db)?
            .execute(params![
                key,
                gross as i64,
                fee as i64,
                commission as i64,
                creator as i64,
                now()
            ])
            .map_err(db)?;
        let mut line = self
            .conn
            .prepare_cached(
                "UPDATE ledger_lines SET debit = ?3, credit = ?4
                 WHERE intent_key = ?1 AND account LIKE ?2",
            )
            .map_err(db)?;
        for (account, debit, credit) in [
            ("vault:%", gross, 0),
            ("fee:%", 0, fee),
            ("commission:%", 0, commission),
            ("creator:%", 0, creator),
        ] {
            line.execute(params![key, account, debit as i64, credit as i64])
                .map_err(db)?;
        }
        Ok(())
    }

    /// The lookup tables recorded for `campaign` whose authority is `authority`, oldest first.
    pub fn lookup_tables(&self, campaign: &str, authority: &str) -> Result<Vec<String>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT address FROM lookup_tables WHERE campaign = ?1 AND authority = ?2
                 ORDER BY created_at, rowid",
            )
            .map_err(db)?;
        let rows = statement
            .query_map(params![campaign, authority], |r| r.get(0))
            .map_err(db)?;
        rows.collect::<Result<Vec<String>, _>>().map_err(db)
    }

    /// Every lookup table recorded with `authority`: (address, campaign).
    pub fn recorded_lookup_tables(&self, authority: &str) -> Result<Vec<(String, String)>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT address, campaign FROM lookup_tables WHERE authority = ?1
                 ORDER BY created_at, rowid",
            )
            .map_err(db)?;
        let rows = statement
            .query_map(params![authority], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?;
        rows.collect::<Result<Vec<(String, String)>, _>>()
            .map_err(db)
    }

    /// Records a lookup table created for `campaign`.
    pub fn add_lookup_table(
        &self,
        campaign: &str,
        address: &str,
        authority: &str,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO lookup_tables (address, campaign, authority, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![address, campaign, authority, now()],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Forgets a lookup table (it was closed or deactivated).
    pub fn remove_lookup_table(&self, address: &str) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM lookup_tables WHERE address = ?1", [address])
            .map_err(db)?;
        Ok(())
    }

    /// Quarantined reports, newest first.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>, Error> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, submission, video, views, observed_at, reason, raw FROM observations
                 WHERE status = 'quarantined' ORDER BY id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Quarantined {
                    id: r.get(0)?,
                    submission: r.get(1)?,
                    video: r.get(2)?,
                    views: r.get::<_, Option<i64>>(3)?.map(|v| v as u64),
                    observed_at: r.get(4)?,
                    reason: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    raw: r.get(6)?,
                })
            })
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        Ok(rows)
    }

    /// Totals and the balance check.
    pub fn totals(&self) -> Result<Totals, Error> {
        let mut totals = Totals::default();
        let mut stmt = self
            .conn
            .prepare("SELECT status, COUNT(*), COALESCE(SUM(gross), 0) FROM intents GROUP BY status ORDER BY status")
            .map_err(db)?;
        totals.by_status = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                ))
            })
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        let count = |status: &str| -> Result<u64, Error> {
            self.conn
                .query_row(
                    "SELECT COUNT(*) FROM observations WHERE status = ?1",
                    [status],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n as u64)
                .map_err(db)
        };
        totals.quarantined = count("quarantined")?;
        totals.accepted = count("accepted")?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.key FROM intents i LEFT JOIN ledger_lines l ON l.intent_key = i.key
                 GROUP BY i.key HAVING COALESCE(SUM(l.debit), 0) != COALESCE(SUM(l.credit), 0)
                    OR COALESCE(SUM(l.debit), 0) != MAX(i.gross)",
            )
            .map_err(db)?;
        totals.unbalanced = stmt
            .query_map([], |r| r.get(0))
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        Ok(totals)
    }

    /// Sum of confirmed gross per submission.
    pub fn confirmed_gross(&self, submission: &str) -> Result<u64, Error> {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(gross), 0) FROM intents WHERE submission = ?1 AND status = 'confirmed'",
                [submission],
                |r| r.get::<_, i64>(0),
            )
            .map(|v| v as u64)
            .map_err(db)
    }

    /// Last accepted observation time per submission.
    pub fn last_observed(&self) -> Result<Vec<(String, i64)>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT submission, MAX(observed_at) FROM observations WHERE status = 'accepted' GROUP BY submission")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(key: &str, gross: u64) -> Intent {
        Intent {
            key: key.into(),
            campaign: "c".into(),
            submission: "s".into(),
            target_views: 10,
            prev_views: 0,
            prev_gross: 0,
            gross,
            fee: 1,
            commission: 2,
            creator_amount: gross - 3,
            status: Status::Pending,
            signature: None,
            blockhash: None,
            last_valid: None,
            units: None,
            error: None,
        }
    }

    #[test]
    fn migrations_are_idempotent_and_intents_balance() {
        let dir = std::env::temp_dir().join(format!("clipstake-ledger-{}", std::process::id()));
        let path = dir.join("oracle.sqlite");
        let _ = std::fs::remove_file(&path);
        {
            let ledger = Ledger::open(&path).unwrap();
            assert!(
                ledger
                    .insert_intent(&intent("k1", 100), "v", "t", Some("a"), "cr")
                    .unwrap()
            );
            assert!(
                !ledger
                    .insert_intent(&intent("k1", 100), "v", "t", Some("a"), "cr")
                    .unwrap(),
                "same key: once"
            );
        }
        let ledger = Ledger::open(&path).unwrap();
        let all = ledger.all_intents().unwrap();
        assert_eq!(all.len(), 1);
        ledger
            .set_status("k1", Status::Sent, None, Some(("hash", 42)), None, None)
            .unwrap();
        let sent = &ledger.intents(&[Status::Sent]).unwrap()[0];
        assert_eq!(
            (sent.blockhash.as_deref(), sent.last_valid),
            (Some("hash"), Some(42))
        );
        ledger
            .set_status("k1", Status::Confirmed, Some("sig"), None, Some(7), None)
            .unwrap();
        assert_eq!(ledger.confirmed_gross("s").unwrap(), 100);
        assert!(ledger.totals().unwrap().unbalanced.is_empty());
        assert_eq!(
            idempotency_key("c", "s", 10, 0, 0),
            idempotency_key("c", "s", 10, 0, 0)
        );
        assert_ne!(
            idempotency_key("c", "s", 10, 0, 0),
            idempotency_key("c", "s", 11, 0, 0)
        );
        // A top-up of a shortfall at the same views is a different payout.
        assert_ne!(
            idempotency_key("c", "s", 10, 0, 0),
            idempotency_key("c", "s", 10, 0, 5)
        );
        // Recording views from an empty vault, then topping them up, are two payouts.
        assert_ne!(
            idempotency_key("c", "s", 10, 0, 0),
            idempotency_key("c", "s", 10, 10, 0)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn chain_amounts_rebook_the_intent_and_its_lines_balanced() {
        let ledger = Ledger::in_memory().unwrap();
        ledger
            .insert_intent(&intent("k", 100), "v", "t", Some("a"), "cr")
            .unwrap();
        ledger
            .set_status("k", Status::Confirmed, None, None, None, None)
            .unwrap();
        ledger.book_chain_amounts("k", 40, 1, 4).unwrap();
        let booked = &ledger.all_intents().unwrap()[0];
        assert_eq!(
            (
                booked.gross,
                booked.fee,
                booked.commission,
                booked.creator_amount
            ),
            (40, 1, 4, 35)
        );
        assert_eq!(ledger.confirmed_gross("s").unwrap(), 40);
        assert!(ledger.totals().unwrap().unbalanced.is_empty());
        assert!(ledger.book_chain_amounts("k", 4, 3, 2).is_err());
    }
}
