//! The oracle's ledger: an embedded SQLite file. Migrations from `migrations/*.sql` are compiled
//! into the binary and applied on open.
use std::collections::HashSet;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::Digest;

use crate::reports::Point;
use crate::{Error, LedgerError};

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
    (
        "0004_video_identity",
        include_str!("../migrations/0004_video_identity.sql"),
    ),
    (
        "0005_view_sources",
        include_str!("../migrations/0005_view_sources.sql"),
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

    /// Reads the database spelling. Anything else is an error, never a guess: a status this
    /// version does not know (a newer oracle wrote it, or the file was edited) must stop the
    /// run rather than send a payout that may already have been made.
    pub fn parse(text: &str) -> Result<Status, LedgerError> {
        match text {
            "pending" => Ok(Status::Pending),
            "sent" => Ok(Status::Sent),
            "confirmed" => Ok(Status::Confirmed),
            "failed" => Ok(Status::Failed),
            other => Err(LedgerError::UnknownStatus(other.to_string())),
        }
    }
}

impl rusqlite::types::FromSql for Status {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        Ok(Status::parse(text)?)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount or count as SQLite stores it (a signed 64-bit integer). Values above `i64::MAX`
/// are refused rather than wrapped to negative numbers that would then read back as something
/// else; no real token supply comes near, so reaching this means bad input.
fn stored(value: u64, what: &'static str) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| LedgerError::TooLarge { what, value }.into())
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
    /// The raw input line (for fetched counts: every source's reading, as JSON).
    pub raw: Option<String>,
    /// The sources that answered, for counts the oracle fetched itself.
    pub sources: Option<String>,
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

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// What a transition records beside the new status.
#[derive(Default)]
struct Details<'a> {
    signature: Option<&'a str>,
    blockhash: Option<&'a str>,
    last_valid: Option<u64>,
    units: Option<u64>,
    error: Option<&'a str>,
}

/// The ledger.
pub struct Ledger {
    pub(crate) conn: Connection,
}

const INTENT_COLUMNS: &str = "key, campaign, submission, target_views, prev_views, gross, fee, \
     commission, creator_amount, status, signature, blockhash, last_valid, units, error, prev_gross";

fn intent_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Intent> {
    Ok(Intent {
        key: row.get(0)?,
        campaign: row.get(1)?,
        submission: row.get(2)?,
        target_views: row.get::<_, u64>(3)?,
        prev_views: row.get::<_, u64>(4)?,
        gross: row.get::<_, u64>(5)?,
        fee: row.get::<_, u64>(6)?,
        commission: row.get::<_, u64>(7)?,
        creator_amount: row.get::<_, u64>(8)?,
        status: row.get(9)?,
        signature: row.get(10)?,
        blockhash: row.get(11)?,
        last_valid: row.get(12)?,
        units: row.get(13)?,
        error: row.get(14)?,
        prev_gross: row.get::<_, u64>(15)?,
    })
}

impl Ledger {
    /// Opens (creating directories and the file if needed) and migrates.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        }
        let conn = Connection::open(path)?;
        // `oracle serve` and `oracle run` may share the ledger from two processes: wait for
        // the other's write instead of failing with "database is locked".
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // SQLite's default page cache is 2 MB: a ledger of a few thousand videos outgrows it
        // within a round, and every statement then reads its pages back with a system call.
        // Up to 64 MiB of cache (a bound, allocated as used).
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536;",
        )?;
        Self::migrate(conn)
    }

    /// A ledger in memory (tests).
    pub fn in_memory() -> Result<Ledger, Error> {
        Self::migrate(Connection::open_in_memory()?)
    }

    fn migrate(mut conn: Connection) -> Result<Ledger, Error> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )?;
        for (version, sql) in MIGRATIONS {
            let tx = conn.transaction()?;
            let done: Option<String> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_none() {
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    params![version, now()],
                )?;
            }
            tx.commit()?;
        }
        Ok(Ledger { conn })
    }

    /// Runs `f` in one SQLite transaction.
    pub fn atomically<T>(
        &mut self,
        f: impl FnOnce(&Ledger) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
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
            )?
            .execute(params![
                campaign,
                submission,
                report.map(|r| r.platform.clone()),
                report.map(|r| r.video.clone()),
                report.and_then(|r| r.creator.clone()),
                report.map(|r| stored(r.views, "views")).transpose()?,
                report.map(|r| r.observed_at),
                report.map(|r| r.source.clone()),
                if accepted { "accepted" } else { "quarantined" },
                reason,
                raw,
                now(),
            ])?;
        Ok(())
    }

    /// The last two accepted points of a submission: (previous, before previous).
    pub fn last_points(&self, submission: &str) -> Result<(Option<Point>, Option<Point>), Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT views, observed_at FROM observations WHERE submission = ?1 AND status = 'accepted'
                 ORDER BY observed_at DESC, id DESC LIMIT 2",
            )?;
        let points: Vec<Point> = stmt
            .query_map([submission], |r| {
                Ok(Point {
                    views: r.get(0)?,
                    observed_at: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok((points.first().copied(), points.get(1).copied()))
    }

    /// Per submission with accepted reports: (campaign, submission, max accepted views, last observed).
    pub fn accepted_maxima(&self) -> Result<Vec<(String, String, u64, i64)>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT campaign, submission, MAX(views), MAX(observed_at) FROM observations
                 WHERE status = 'accepted' GROUP BY campaign, submission ORDER BY submission",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The gross of the campaign's pending and sent intents: vault funds already promised.
    pub fn open_gross(&self, campaign: &str) -> Result<u64, Error> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(SUM(gross), 0) FROM intents WHERE campaign = ?1 AND status IN ('pending', 'sent')",
            )?
            .query_row([campaign], |r| r.get::<_, u64>(0))
            .map_err(Error::from)
    }

    /// True when the submission has a pending or sent intent.
    pub fn has_open_intent(&self, submission: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT COUNT(*) FROM intents WHERE submission = ?1 AND status IN ('pending', 'sent')",
            )?
            .query_row([submission], |r| r.get::<_, i64>(0))
            .map(|n| n > 0)
            .map_err(Error::from)
    }

    /// Every submission with an open (pending or sent) intent: one query for a whole plan
    /// instead of one per submission.
    pub fn submissions_with_open_intents(&self) -> Result<HashSet<String>, Error> {
        self.conn
            .prepare_cached(
                "SELECT DISTINCT submission FROM intents WHERE status IN ('pending', 'sent')",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()
            .map_err(Error::from)
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
        let shares = [intent.fee, intent.commission, intent.creator_amount];
        if shares.iter().try_fold(0u64, |sum, s| sum.checked_add(*s)) != Some(intent.gross) {
            return Err(LedgerError::SharesNotGross {
                key: intent.key.clone(),
                gross: intent.gross,
            }
            .into());
        }
        let t = now();
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO intents (key, campaign, submission, target_views, prev_views, gross, fee, commission, creator_amount, status, created_at, updated_at, prev_gross)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?10, ?11)",
            )?
            .execute(params![
                intent.key,
                intent.campaign,
                intent.submission,
                stored(intent.target_views, "target views")?,
                stored(intent.prev_views, "watermark")?,
                stored(intent.gross, "gross")?,
                stored(intent.fee, "fee")?,
                stored(intent.commission, "commission")?,
                stored(intent.creator_amount, "creator amount")?,
                t,
                stored(intent.prev_gross, "paid gross")?
            ])?;
        if inserted == 0 {
            return Ok(false);
        }
        let mut line = self.conn.prepare_cached(
            "INSERT INTO ledger_lines (intent_key, account, debit, credit) VALUES (?1, ?2, ?3, ?4)",
        )?;
        line.execute(params![
            intent.key,
            format!("vault:{vault}"),
            stored(intent.gross, "gross")?,
            0
        ])?;
        line.execute(params![
            intent.key,
            format!("fee:{treasury}"),
            0,
            stored(intent.fee, "fee")?
        ])?;
        if intent.commission > 0 || affiliate.is_some() {
            line.execute(params![
                intent.key,
                format!("commission:{}", affiliate.unwrap_or("none")),
                0,
                stored(intent.commission, "commission")?
            ])?;
        }
        line.execute(params![
            intent.key,
            format!("creator:{creator}"),
            0,
            stored(intent.creator_amount, "creator amount")?
        ])?;
        Ok(true)
    }

    /// Intents in `statuses`, oldest first.
    pub fn intents(&self, statuses: &[Status]) -> Result<Vec<Intent>, Error> {
        let list = statuses
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",");
        self.query_intents(&format!("WHERE status IN ({list})"))
    }

    /// Every intent (the `ledger` listing), whatever its status: one this version does not know
    /// is an error here rather than a row left out.
    pub fn all_intents(&self) -> Result<Vec<Intent>, Error> {
        self.query_intents("")
    }

    fn query_intents(&self, filter: &str) -> Result<Vec<Intent>, Error> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {INTENT_COLUMNS} FROM intents {filter} ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map([], intent_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records that the intent's transaction is signed and about to be sent: its signature,
    /// blockhash, last valid block height and the compute units its simulation used. Only a
    /// pending intent is sent; a sent one is settled from the chain before it is signed again.
    pub fn mark_sent(
        &self,
        key: &str,
        signature: &str,
        blockhash: &str,
        last_valid: u64,
        units: u64,
    ) -> Result<(), Error> {
        let details = Details {
            signature: Some(signature),
            blockhash: Some(blockhash),
            last_valid: Some(last_valid),
            units: Some(units),
            error: None,
        };
        self.transition(key, Status::Sent, &[Status::Pending], details)
    }

    /// Records that the chain shows the payout made, by `signature` (and its compute `units`)
    /// when known; when it is not (the watermark says so), the details already known are kept.
    pub fn mark_confirmed(
        &self,
        key: &str,
        signature: Option<&str>,
        units: Option<u64>,
    ) -> Result<(), Error> {
        let details = Details {
            signature,
            units,
            ..Details::default()
        };
        let open = [Status::Pending, Status::Sent];
        self.transition(key, Status::Confirmed, &open, details)
    }

    /// Records that the payout cannot be made, and why (the program refused it, or its
    /// submission is gone).
    pub fn mark_failed(&self, key: &str, reason: &str) -> Result<(), Error> {
        let details = Details {
            error: Some(reason),
            ..Details::default()
        };
        let open = [Status::Pending, Status::Sent];
        self.transition(key, Status::Failed, &open, details)
    }

    /// Sends a sent intent back to pending: its transaction cannot land any more (refused
    /// before execution, failed atomically, or its blockhash expired) and the chain shows it
    /// unpaid, so it may be signed again.
    pub fn mark_unsent(&self, key: &str) -> Result<(), Error> {
        self.transition(key, Status::Pending, &[Status::Sent], Details::default())
    }

    /// Moves `key` to `to` if it is in one of `from`, with `details` (signature, blockhash,
    /// height and units kept when `None`; the error replaced). Any other move is refused, so a
    /// bug can never turn a confirmed payout back into one that is paid again.
    fn transition(
        &self,
        key: &str,
        to: Status,
        from: &[Status],
        details: Details<'_>,
    ) -> Result<(), Error> {
        let from_list = from
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",");
        let changed = self
            .conn
            .prepare_cached(&format!(
                "UPDATE intents SET status = ?2, signature = COALESCE(?3, signature),
                   blockhash = COALESCE(?4, blockhash), last_valid = COALESCE(?5, last_valid),
                   units = COALESCE(?6, units), error = ?7, updated_at = ?8
                 WHERE key = ?1 AND status IN ({from_list})"
            ))?
            .execute(params![
                key,
                to.as_str(),
                details.signature,
                details.blockhash,
                details
                    .last_valid
                    .map(|v| stored(v, "last valid height"))
                    .transpose()?,
                details
                    .units
                    .map(|u| stored(u, "compute units"))
                    .transpose()?,
                details.error,
                now()
            ])?;
        if changed == 1 {
            return Ok(());
        }
        Err(match self.status_of(key)? {
            Some(from) => LedgerError::Transition {
                key: key.to_string(),
                from,
                to,
            },
            None => LedgerError::NoIntent(key.to_string()),
        }
        .into())
    }

    /// The status of intent `key`, if there is one.
    pub fn status_of(&self, key: &str) -> Result<Option<Status>, Error> {
        self.conn
            .prepare_cached("SELECT status FROM intents WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()
            .map_err(Error::from)
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
            .checked_sub(fee.saturating_add(commission))
            .ok_or_else(|| LedgerError::SharesNotGross {
                key: key.to_string(),
                gross,
            })?;
        self.conn
            .prepare_cached(
                "UPDATE intents SET gross = ?2, fee = ?3, commission = ?4, creator_amount = ?5,
                   updated_at = ?6 WHERE key = ?1",
            )?
            .execute(params![
                key,
                stored(gross, "gross")?,
                stored(fee, "fee")?,
                stored(commission, "commission")?,
                stored(creator, "creator amount")?,
                now()
            ])?;
        let mut line = self.conn.prepare_cached(
            "UPDATE ledger_lines SET debit = ?3, credit = ?4
                 WHERE intent_key = ?1 AND account LIKE ?2",
        )?;
        for (account, debit, credit) in [
            ("vault:%", gross, 0),
            ("fee:%", 0, fee),
            ("commission:%", 0, commission),
            ("creator:%", 0, creator),
        ] {
            line.execute(params![
                key,
                account,
                stored(debit, "debit")?,
                stored(credit, "credit")?
            ])?;
        }
        Ok(())
    }

    /// The lookup tables recorded for `campaign` whose authority is `authority`, oldest first.
    pub fn lookup_tables(&self, campaign: &str, authority: &str) -> Result<Vec<String>, Error> {
        let mut statement = self.conn.prepare_cached(
            "SELECT address FROM lookup_tables WHERE campaign = ?1 AND authority = ?2
                 ORDER BY created_at, rowid",
        )?;
        let rows = statement.query_map(params![campaign, authority], |r| r.get(0))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(Error::from)
    }

    /// Every lookup table recorded with `authority`: (address, campaign).
    pub fn recorded_lookup_tables(&self, authority: &str) -> Result<Vec<(String, String)>, Error> {
        let mut statement = self.conn.prepare_cached(
            "SELECT address, campaign FROM lookup_tables WHERE authority = ?1
                 ORDER BY created_at, rowid",
        )?;
        let rows = statement.query_map(params![authority], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<Vec<(String, String)>, _>>()
            .map_err(Error::from)
    }

    /// Records a lookup table created for `campaign`.
    pub fn add_lookup_table(
        &self,
        campaign: &str,
        address: &str,
        authority: &str,
    ) -> Result<(), Error> {
        self.conn.execute(
            "INSERT OR IGNORE INTO lookup_tables (address, campaign, authority, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            params![address, campaign, authority, now()],
        )?;
        Ok(())
    }

    /// Forgets a lookup table (it was closed or deactivated).
    pub fn remove_lookup_table(&self, address: &str) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM lookup_tables WHERE address = ?1", [address])?;
        Ok(())
    }

    /// Quarantined reports, newest first.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>, Error> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, submission, video, views, observed_at, reason, raw, sources FROM observations
                 WHERE status = 'quarantined' ORDER BY id",
            )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Quarantined {
                    id: r.get(0)?,
                    submission: r.get(1)?,
                    video: r.get(2)?,
                    views: r.get(3)?,
                    observed_at: r.get(4)?,
                    reason: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    raw: r.get(6)?,
                    sources: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Reports quarantined, in all (never paid).
    pub fn quarantined_count(&self) -> Result<u64, Error> {
        self.observation_count("quarantined")
    }

    fn observation_count(&self, status: &str) -> Result<u64, Error> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM observations WHERE status = ?1")?
            .query_row([status], |r| r.get::<_, u64>(0))
            .map_err(Error::from)
    }

    /// Totals and the balance check.
    pub fn totals(&self) -> Result<Totals, Error> {
        let mut totals = Totals::default();
        let mut stmt = self
            .conn
            .prepare("SELECT status, COUNT(*), COALESCE(SUM(gross), 0) FROM intents GROUP BY status ORDER BY status")?;
        totals.by_status = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        totals.quarantined = self.observation_count("quarantined")?;
        totals.accepted = self.observation_count("accepted")?;
        let mut stmt = self.conn.prepare(
            "SELECT i.key FROM intents i LEFT JOIN ledger_lines l ON l.intent_key = i.key
                 GROUP BY i.key HAVING COALESCE(SUM(l.debit), 0) != COALESCE(SUM(l.credit), 0)
                    OR COALESCE(SUM(l.debit), 0) != MAX(i.gross)",
        )?;
        totals.unbalanced = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(totals)
    }

    /// Sum of confirmed gross per submission.
    pub fn confirmed_gross(&self, submission: &str) -> Result<u64, Error> {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(gross), 0) FROM intents WHERE submission = ?1 AND status = 'confirmed'",
                [submission],
                |r| r.get::<_, u64>(0),
            )
            .map_err(Error::from)
    }

    /// Last accepted observation time per submission.
    pub fn last_observed(&self) -> Result<Vec<(String, i64)>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT submission, MAX(observed_at) FROM observations WHERE status = 'accepted' GROUP BY submission")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
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
        ledger.mark_sent("k1", "sig", "hash", 42, 7).unwrap();
        let sent = &ledger.intents(&[Status::Sent]).unwrap()[0];
        assert_eq!(
            (sent.blockhash.as_deref(), sent.last_valid),
            (Some("hash"), Some(42))
        );
        ledger.mark_confirmed("k1", None, None).unwrap();
        let confirmed = &ledger.intents(&[Status::Confirmed]).unwrap()[0];
        assert_eq!(
            (confirmed.signature.as_deref(), confirmed.units),
            (Some("sig"), Some(7)),
            "a confirmation without a signature keeps the one it was sent with"
        );
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
        ledger.mark_confirmed("k", None, None).unwrap();
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

    #[test]
    fn an_unknown_status_in_the_database_is_an_error_not_pending() {
        let ledger = Ledger::in_memory().unwrap();
        ledger
            .insert_intent(&intent("k", 100), "v", "t", None, "cr")
            .unwrap();
        // The schema's CHECK refuses such a row; a file written by another program (or a newer
        // schema) may still hold one, so write it past the check.
        ledger
            .conn
            .execute_batch(
                "PRAGMA ignore_check_constraints = ON;
                 UPDATE intents SET status = 'paid' WHERE key = 'k';",
            )
            .unwrap();
        let error = ledger.all_intents().unwrap_err().to_string();
        assert!(error.contains("unknown intent status \"paid\""), "{error}");
        assert!(ledger.intents(&[Status::Pending]).unwrap().is_empty());
        assert!(ledger.status_of("k").is_err());
    }

    #[test]
    fn transitions_follow_the_lifecycle_and_refuse_the_rest() {
        let ledger = Ledger::in_memory().unwrap();
        ledger
            .insert_intent(&intent("k", 100), "v", "t", None, "cr")
            .unwrap();
        let refused = |r: Result<(), Error>| r.unwrap_err().to_string();
        assert!(refused(ledger.mark_unsent("k")).contains("is pending; it cannot become pending"));
        ledger.mark_sent("k", "sig1", "hash1", 10, 5).unwrap();
        assert!(refused(ledger.mark_sent("k", "sig2", "hash2", 11, 5)).contains("is sent"));
        ledger.mark_unsent("k").unwrap();
        ledger.mark_sent("k", "sig2", "hash2", 11, 6).unwrap();
        ledger.mark_confirmed("k", Some("sig2"), Some(6)).unwrap();
        assert_eq!(ledger.status_of("k").unwrap(), Some(Status::Confirmed));
        // Final: a confirmed payout is never sent, failed or made pending again.
        assert!(refused(ledger.mark_unsent("k")).contains("is confirmed"));
        assert!(refused(ledger.mark_failed("k", "late")).contains("is confirmed"));
        assert!(refused(ledger.mark_sent("k", "s", "h", 1, 1)).contains("is confirmed"));
        assert!(refused(ledger.mark_confirmed("nope", None, None)).contains("no intent nope"));
        ledger
            .insert_intent(&intent("f", 100), "v", "t", None, "cr")
            .unwrap();
        ledger.mark_failed("f", "InsufficientVaultBalance").unwrap();
        let failed = &ledger.intents(&[Status::Failed]).unwrap()[0];
        assert_eq!(failed.error.as_deref(), Some("InsufficientVaultBalance"));
        assert!(refused(ledger.mark_confirmed("f", None, None)).contains("is failed"));
    }

    #[test]
    fn amounts_round_trip_up_to_i64_max_and_larger_ones_are_refused() {
        let ledger = Ledger::in_memory().unwrap();
        let largest = i64::MAX as u64;
        let mut big = intent("big", largest);
        big.target_views = largest;
        ledger.insert_intent(&big, "v", "t", None, "cr").unwrap();
        let read = &ledger.all_intents().unwrap()[0];
        assert_eq!((read.gross, read.target_views), (largest, largest));
        assert_eq!(read.creator_amount, largest - 3);
        assert!(ledger.totals().unwrap().unbalanced.is_empty());

        let too_big = intent("too-big", largest + 1);
        let error = ledger
            .insert_intent(&too_big, "v", "t", None, "cr")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("gross 9223372036854775808 is above"),
            "{error}"
        );
        assert_eq!(
            ledger.status_of("too-big").unwrap(),
            None,
            "nothing recorded"
        );
        let error = ledger
            .book_chain_amounts("big", u64::MAX, 0, 0)
            .unwrap_err();
        assert!(error.to_string().contains("is above"), "{error}");
    }

    #[test]
    fn shares_that_do_not_add_up_to_the_gross_are_refused() {
        let ledger = Ledger::in_memory().unwrap();
        let mut wrong = intent("w", 100);
        wrong.creator_amount = 1;
        let error = ledger
            .insert_intent(&wrong, "v", "t", None, "cr")
            .unwrap_err();
        assert!(
            error.to_string().contains("is not its gross 100"),
            "{error}"
        );
        let mut overflowing = intent("o", 100);
        overflowing.fee = u64::MAX;
        assert!(
            ledger
                .insert_intent(&overflowing, "v", "t", None, "cr")
                .is_err()
        );
    }
}
