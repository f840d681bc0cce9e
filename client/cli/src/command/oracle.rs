//! `clipstake oracle attest|disburse|ingest|review|serve|due|track|sources|run|reconcile|ledger|
//! tables|close-tables` (the payout oracle; the batch pipeline lives in `clipstake_oracle`).
use std::fmt;
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::math::entitlement;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_oracle as oracle;
use clipstake_oracle::ledger::Ledger;
use clipstake_oracle::schedule::Schedule;
use clipstake_sdk::attestation::{Attestation, AttestationJson};
use clipstake_sdk::instructions::{self as ix, CampaignAccount, SubmissionAccount};
use serde::Serialize;

use super::{Transaction, Units, dry_run_report, parse_duration, parse_pubkey, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Amount, Block, Report, duration, short, utc, write_blocks};

#[derive(Debug, Subcommand)]
pub enum OracleCommand {
    /// Signs an attestation that lets the creator claim up to VIEWS on-chain (nothing is sent).
    Attest(AttestArgs),
    /// Pays a submission up to VIEWS cumulative verified views (oracle push).
    Disburse(DisburseArgs),
    /// Reads view reports (JSON Lines or CSV), verifies them and records them in the ledger:
    /// accepted, or quarantined with a reason (never paid).
    Ingest(IngestArgs),
    /// Lists quarantined reports and why (every source's value for counts the oracle fetched).
    Review(ReviewArgs),
    /// Accepts view reports over HTTP until killed: `POST /reports?campaign=ADDRESS` with a
    /// JSON Lines body (or CSV with `Content-Type: text/csv`), signed with Standard Webhooks
    /// headers by a key of $CLIPSTAKE_WEBHOOK_SECRETS, is verified and recorded exactly like
    /// `oracle ingest`, and answered with the same summary as JSON. Unsigned, badly signed or
    /// stale requests get 401; a replayed delivery changes nothing.
    Serve(ServeArgs),
    /// Shows or sets a campaign's verification policy: how many sources must agree, and how
    /// closely, before a view count the oracle fetched is paid.
    Policy(super::oracle_identity::PolicyArgs),
    /// Lists submissions whose views are due for a refresh (intervals grow with age).
    Due(DueArgs),
    /// Reads the views of every tracked video that is due from the configured sources
    /// (--sources), with retries and fallbacks, and verifies them: accepted counts are paid by
    /// the next `oracle run`, the rest quarantined. `--add` starts tracking a video.
    Track(super::oracle_sources::TrackCommandArgs),
    /// Shows each view source's record: requests, success rate, p50/p95 latency, cost per
    /// 1,000 videos, quota left.
    Sources(super::oracle_sources::SourcesArgs),
    /// Reconciles, writes payout intents for accepted views and pays them in packed
    /// transactions; safe to kill and restart at any point.
    Run(RunArgs),
    /// Settles every unfinished intent from the chain (watermark, signature, blockhash expiry).
    Reconcile(LedgerDb),
    /// Lists payout intents, totals and the double-entry balance check.
    Ledger(LedgerArgs),
    /// Lists the address lookup tables the oracle keypair (-k) owns on chain: campaign,
    /// addresses, active / cooling down / closable, rent held.
    Tables(super::oracle_tables::TablesArgs),
    /// Gets lookup-table rent back: deactivates the tables of closed campaigns (--campaign) or
    /// unrecorded ones (--unrecorded), and closes every deactivated table that has cooled down
    /// (about 512 slots after deactivation), sending its lamports to --recipient.
    CloseTables(super::oracle_tables::CloseTablesArgs),
}

#[derive(Debug, Args, Clone)]
pub struct LedgerDb {
    /// The oracle's SQLite ledger.
    #[arg(
        long,
        default_value = ".clipstake/oracle.sqlite",
        env = "CLIPSTAKE_ORACLE_DB"
    )]
    pub ledger_db: PathBuf,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The report file (`.csv` is CSV, anything else JSON Lines; `-` reads stdin as JSON Lines),
    /// or a directory: each `.jsonl`/`.json`/`.csv` file in it is ingested, then moved to its
    /// `ingested/` subdirectory.
    pub file: PathBuf,
    /// With a directory: keep watching it, ingesting new files every `--interval` (until killed).
    #[arg(long)]
    pub watch: bool,
    /// How often a watched directory is scanned.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub interval: i64,
    /// The campaign the reported videos were submitted to.
    #[arg(long, value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// Quarantine a report growing faster than this multiple of the trailing rate.
    #[arg(long, default_value_t = 10.0)]
    pub spike_multiple: f64,
    /// Trailing rates below this many views per hour count as this (quiet videos may grow).
    #[arg(long, default_value_t = 1_000.0)]
    pub min_rate_per_hour: f64,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Requests are authenticated by their signatures, not
    /// encrypted: put TLS in front of it when it leaves the machine.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// The campaign of requests that do not name one with `?campaign=`.
    #[arg(long, value_parser = parse_pubkey)]
    pub campaign: Option<Pubkey>,
    /// Quarantine a report growing faster than this multiple of the trailing rate.
    #[arg(long, default_value_t = 10.0)]
    pub spike_multiple: f64,
    /// Trailing rates below this many views per hour count as this (quiet videos may grow).
    #[arg(long, default_value_t = 1_000.0)]
    pub min_rate_per_hour: f64,
    /// Refuse request bodies larger than this many bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Stop after this many requests (for scripts and tests; default: run until killed).
    #[arg(long)]
    pub max_requests: Option<usize>,
    #[command(flatten)]
    pub secrets: super::oracle_identity::SecretsArgs,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Show at most this many (newest last).
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Also list this campaign's on-chain submissions never reported yet.
    #[arg(long, value_parser = parse_pubkey)]
    pub campaign: Option<Pubkey>,
    /// Age steps (comma-separated durations).
    #[arg(long, default_value = "1d,3d,7d")]
    pub ages: String,
    /// Refresh intervals, one more than the age steps.
    #[arg(long, default_value = "2h,6h,12h,24h")]
    pub intervals: String,
    /// List every submission with its next refresh, due or not.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// At most this many payouts per transaction (a `disburse_batch` holds at most 32; the
    /// 1232-byte packet, the 64 account locks and the compute budget decide below it).
    #[arg(long, default_value_t = 64)]
    pub max_per_tx: usize,
    /// At most this many transactions in flight at once (sent, not yet confirmed).
    #[arg(long, default_value_t = 32)]
    pub window: usize,
    /// Send legacy transactions only, without the per-campaign address lookup tables (which
    /// the oracle keypair owns and the fee payer funds, about 0.00022 SOL of rent per address;
    /// `oracle close-tables` gets it back).
    #[arg(long)]
    pub no_lookup_tables: bool,
    /// Keep running: start a new round this long after the last one began (e.g. 30s, 5m),
    /// paying whatever `oracle ingest` / `oracle serve` accepted meanwhile, until killed. Each
    /// round's summary is printed as it ends (one JSON line each with --output json); a round
    /// that fails on the network is reported and retried at the next one.
    #[arg(long, value_parser = parse_duration)]
    pub every: Option<i64>,
    /// With --every: stop after this many rounds (default: run until killed).
    #[arg(long, requires = "every")]
    pub rounds: Option<u64>,
    /// With --sources: each round first reads and verifies the due videos (`oracle track`).
    #[command(flatten)]
    pub track: super::oracle_sources::TrackArgs,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// Only intents in this state (pending, sent, confirmed, failed).
    #[arg(long)]
    pub status: Option<String>,
    /// Show at most this many intents.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The submission.
    #[arg(value_parser = parse_pubkey)]
    pub submission: Pubkey,
    /// Cumulative verified views.
    #[arg(long)]
    pub views: u64,
    /// How long the attestation stays valid.
    #[arg(long, value_parser = parse_duration, default_value = "1h")]
    pub expires_in: i64,
    /// Also write the attestation to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DisburseArgs {
    /// The submission.
    #[arg(value_parser = parse_pubkey)]
    pub submission: Pubkey,
    /// Cumulative verified views (must be above the views already paid).
    #[arg(long)]
    pub views: u64,
}

pub fn run(ctx: &mut Ctx, command: OracleCommand) -> Result<Report, CliError> {
    match command {
        OracleCommand::Attest(args) => attest(ctx, args),
        OracleCommand::Disburse(args) => disburse(ctx, args),
        OracleCommand::Ingest(args) => super::oracle_service::ingest(ctx, args),
        OracleCommand::Serve(args) => super::oracle_service::serve(ctx, args),
        OracleCommand::Review(args) => review(args),
        OracleCommand::Policy(args) => super::oracle_identity::policy(args),
        OracleCommand::Due(args) => due(ctx, args),
        OracleCommand::Track(args) => super::oracle_sources::track(ctx, args),
        OracleCommand::Sources(args) => super::oracle_sources::sources(args),
        OracleCommand::Run(args) => super::oracle_service::run(ctx, args),
        OracleCommand::Reconcile(db) => reconcile(ctx, db),
        OracleCommand::Ledger(args) => ledger(args),
        OracleCommand::Tables(args) => super::oracle_tables::tables(ctx, args),
        OracleCommand::CloseTables(args) => super::oracle_tables::close_tables(ctx, args),
    }
}

fn attest(ctx: &mut Ctx, args: AttestArgs) -> Result<Report, CliError> {
    let submission = ctx.backend.submission(&args.submission)?;
    let campaign = ctx.backend.campaign(&submission.state.campaign)?;
    let oracle = ctx.signer()?.insecure_clone();
    if solana_signer::Signer::pubkey(&oracle) != campaign.state.oracle {
        return Err(CliError::usage(format!(
            "sign with the campaign's oracle {} (-k); the attestation would be refused otherwise",
            campaign.state.oracle
        )));
    }
    // An attestation may be signed before the campaign is funded: the claim pays once it is.
    owed_now(args.views, &submission, &campaign)?;
    check_attestable(
        ctx.backend.as_mut(),
        &campaign.state.oracle,
        args.expires_in,
    )?;
    let expiry = ctx.backend.clock()?.unix_timestamp + args.expires_in;
    let attestation = Attestation::sign(&oracle, &submission, args.views, expiry);
    let portable = AttestationJson::from(&attestation);
    if let Some(path) = &args.out {
        let text = serde_json::to_string_pretty(&portable)
            .map_err(|e| CliError::new(crate::ExitCode::Generic, e.to_string()))?;
        std::fs::write(path, &text).map_err(|e| {
            CliError::new(
                crate::ExitCode::Generic,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
    }
    let units = Units::of(&campaign);
    let owed = entitlement(
        args.views,
        campaign.state.rate_per_thousand_views,
        campaign.state.cap_per_submission,
    )
    .saturating_sub(submission.state.paid_gross);
    Report::of(&Attested {
        attestation: portable,
        owed_gross: units.amount(owed),
        file: args.out.as_ref().map(|p| p.display().to_string()),
        symbol: units.symbol,
        creator: submission.state.creator.to_string(),
    })
}

/// What `oracle attest` prints: the signed attestation, and what it lets the creator claim.
#[derive(Serialize)]
struct Attested {
    /// The attestation, as the creator passes it to `creator claim`.
    attestation: AttestationJson,
    /// What it pays now, gross.
    owed_gross: Amount,
    /// The file it was also written to, with `--out`.
    file: Option<String>,
    /// `SOL`, or empty for a token (for people only).
    #[serde(skip)]
    symbol: String,
    /// The submission's creator (for people only).
    #[serde(skip)]
    creator: String,
}

impl fmt::Display for Attested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.attestation;
        let next = match &self.file {
            Some(path) => format!(
                "written to {path}; the creator runs `clipstake creator claim --attestation {path}`"
            ),
            None => serde_json::to_string_pretty(a).map_err(|_| fmt::Error)?,
        };
        let blocks = [
            Block::Title(format!("Attestation for submission {}", a.submission)),
            Block::fields(vec![
                ("views", a.cumulative_views.to_string()),
                ("owed now (gross)", self.owed_gross.text(&self.symbol)),
                ("expires", utc(a.expiry)),
                ("creator", self.creator.clone()),
            ]),
            Block::Line(next),
        ];
        write_blocks(f, &blocks)
    }
}

/// Refuses an attestation that could not be redeemed: one valid for longer than the platform
/// allows (usage), or signed by an oracle the platform revoked.
fn check_attestable(
    backend: &mut dyn Backend,
    oracle: &Pubkey,
    expires_in: i64,
) -> Result<(), CliError> {
    let longest = backend.platform()?.max_attestation_lifetime_secs;
    if expires_in > longest {
        return Err(CliError::usage(format!(
            "--expires-in {} is longer than the platform's maximum attestation lifetime of {}",
            duration(expires_in),
            duration(longest)
        )));
    }
    super::platform_registry::check_oracle(backend, oracle, " (the campaign's)")
}

/// What `views` are owed beyond what was paid, refused before anything is signed or sent as
/// the program would refuse it: views below the watermark, or owed nothing more
/// (`ViewsNotIncreasing`).
pub fn owed_now(
    views: u64,
    submission: &SubmissionAccount,
    campaign: &CampaignAccount,
) -> Result<u64, CliError> {
    let (s, c) = (&submission.state, &campaign.state);
    clipstake::math::owed(
        s.paid_views,
        s.paid_gross,
        views,
        c.rate_per_thousand_views,
        c.cap_per_submission,
    )
    .map_err(|_| {
        let mut error = CliError::from(Error::from(ClipstakeError::ViewsNotIncreasing));
        error.message = format!(
            "{} (reported {views}, watermark {}, paid {} of the {} those views earn)",
            error.message,
            s.paid_views,
            s.paid_gross,
            entitlement(views, c.rate_per_thousand_views, c.cap_per_submission)
        );
        error
    })
}

/// What a payout for `views` would move now: what is owed ([`owed_now`]), cut to what the vault
/// holds. As in the program, new views are recorded even from an empty vault (moving nothing),
/// while a top-up of a recorded shortfall with nothing to pay it is refused
/// (`InsufficientVaultBalance`).
pub fn payable_now(
    views: u64,
    submission: &SubmissionAccount,
    campaign: &CampaignAccount,
) -> Result<u64, CliError> {
    let due = owed_now(views, submission, campaign)?;
    let records_new_views = views > submission.state.paid_views;
    clipstake::math::payable(due, campaign.state.available(), records_new_views)
        .map_err(|_| Error::from(ClipstakeError::InsufficientVaultBalance).into())
}

/// Whether the payout for `views` sent from `before` has landed: the watermark reached the
/// views and the paid gross rose (every payout raises it, a partial one included).
pub fn payout_landed(
    backend: &mut dyn Backend,
    before: &SubmissionAccount,
    views: u64,
) -> Result<bool, Error> {
    let now = backend.submission(&before.address)?.state;
    Ok(now.paid_views >= views && now.paid_gross > before.state.paid_gross)
}

fn disburse(ctx: &mut Ctx, args: DisburseArgs) -> Result<Report, CliError> {
    let submission = ctx.backend.submission(&args.submission)?;
    let campaign = ctx.backend.campaign(&submission.state.campaign)?;
    payable_now(args.views, &submission, &campaign)?;
    let oracle = ctx.signer_pubkey()?;
    let payer = ctx.fee_payer_pubkey()?;
    let instruction = ix::disburse(&oracle, &payer, &campaign, &submission, args.views);
    let views = args.views;
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        payout_landed(b, &submission, views)
    })?;
    if simulated(&sent) {
        return dry_run_report("oracle disburse", &sent);
    }
    payout_report(ctx.backend.as_mut(), &submission, &sent, "disbursed")
}

/// What a payout moved: the submission's totals before and after.
pub fn payout_report(
    backend: &mut dyn Backend,
    before: &clipstake_sdk::instructions::SubmissionAccount,
    sent: &clipstake_client::sender::Sent,
    verb: &str,
) -> Result<Report, CliError> {
    let after = backend.submission(&before.address)?;
    let campaign = backend.campaign(&after.state.campaign)?;
    let u = Units::of(&campaign);
    let (b, a) = (&before.state, &after.state);
    let gross = a.paid_gross - b.paid_gross;
    let fee = a.fees_paid - b.fees_paid;
    // A commission the affiliate could not receive is accrued in the vault instead.
    let accrued = a.commission_accrued - b.commission_accrued;
    let commission = a.commissions_paid - b.commissions_paid + accrued;
    let creator = a.paid_to_creator - b.paid_to_creator;
    let still_owed = entitlement(
        a.paid_views,
        campaign.state.rate_per_thousand_views,
        campaign.state.cap_per_submission,
    )
    .saturating_sub(a.paid_gross);
    Report::of(&PayoutMade {
        submission: after.address.to_string(),
        campaign: campaign.address.to_string(),
        previous_watermark: b.paid_views,
        watermark: a.paid_views,
        gross: u.amount(gross),
        fee: u.amount(fee),
        commission: u.amount(commission),
        commission_accrued: u.amount(accrued),
        creator_amount: u.amount(creator),
        still_owed: u.amount(still_owed),
        transaction: sent.into(),
        verb: verb.to_string(),
        symbol: u.symbol,
        accrued_hint: super::accrued_hint(&campaign),
    })
}

/// What `oracle disburse` and `creator claim` print: what one payout moved.
#[derive(Serialize)]
struct PayoutMade {
    /// The submission paid.
    submission: String,
    /// Its campaign.
    campaign: String,
    /// Views paid before.
    previous_watermark: u64,
    /// Views paid now.
    watermark: u64,
    /// What the payout moved, gross.
    gross: Amount,
    /// The platform fee part.
    fee: Amount,
    /// The affiliate commission part (delivered or accrued).
    commission: Amount,
    /// The part of the commission held in the vault, owed to the affiliate.
    commission_accrued: Amount,
    /// The creator's part.
    creator_amount: Amount,
    /// What these views earn beyond what the vault could pay.
    still_owed: Amount,
    /// The payout's transaction.
    transaction: Transaction,
    /// `disbursed` or `claimed` (in the heading only).
    #[serde(skip)]
    verb: String,
    /// `SOL`, or empty for a token (for people only).
    #[serde(skip)]
    symbol: String,
    /// How to deliver what the campaign's vault holds for others, if it holds any (for people
    /// only).
    #[serde(skip)]
    accrued_hint: Option<String>,
}

impl fmt::Display for PayoutMade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |amount: &Amount| amount.text(&self.symbol);
        let views = format!("{} -> {}", self.previous_watermark, self.watermark);
        let mut blocks = vec![
            Block::Title(format!(
                "Payout {} for submission {}",
                self.verb, self.submission
            )),
            Block::fields(vec![
                ("views", views),
                ("gross", text(&self.gross)),
                ("platform fee", text(&self.fee)),
                ("affiliate commission", text(&self.commission)),
                ("to the creator", text(&self.creator_amount)),
            ]),
        ];
        blocks.extend(self.accrued_hint.clone().map(Block::Line));
        if self.still_owed.base_units > 0 {
            blocks.push(Block::Line(format!(
                "the vault held less than these views earn: {} is still owed and paid by the next payout once the campaign is funded",
                text(&self.still_owed)
            )));
        }
        blocks.push(Block::Line(self.transaction.to_string()));
        write_blocks(f, &blocks)
    }
}

pub(super) fn open_ledger(db: &LedgerDb) -> Result<Ledger, CliError> {
    Ok(Ledger::open(&db.ledger_db)?)
}

fn review(args: ReviewArgs) -> Result<Report, CliError> {
    let ledger = open_ledger(&args.db)?;
    let all = ledger.quarantined()?;
    let shown = all.iter().rev().take(args.limit).rev().map(Into::into);
    Report::of(&Review {
        reports: shown.collect(),
        total: all.len(),
    })
}

/// What `oracle review` prints: the latest quarantined reports (a JSON array).
#[derive(Serialize)]
#[serde(transparent)]
struct Review<'a> {
    /// The reports shown, oldest first.
    reports: Vec<QuarantinedReport<'a>>,
    /// How many the ledger holds (in the heading only).
    #[serde(skip)]
    total: usize,
}

/// One quarantined report: the ledger's row, every column.
#[derive(Serialize)]
struct QuarantinedReport<'a> {
    /// The ledger's row id.
    id: i64,
    /// The submission, when the report could be mapped to one.
    submission: &'a Option<String>,
    /// The video.
    video: &'a Option<String>,
    /// The views reported.
    views: Option<u64>,
    /// When they were observed (unix time).
    observed_at: Option<i64>,
    /// Why the report was quarantined.
    reason: &'a str,
    /// The raw input line (for fetched counts: every source's reading, as JSON).
    raw: &'a Option<String>,
    /// The sources that answered, for counts the oracle fetched itself.
    sources: &'a Option<String>,
}

impl<'a> From<&'a oracle::ledger::Quarantined> for QuarantinedReport<'a> {
    fn from(q: &'a oracle::ledger::Quarantined) -> Self {
        QuarantinedReport {
            id: q.id,
            submission: &q.submission,
            video: &q.video,
            views: q.views,
            observed_at: q.observed_at,
            reason: &q.reason,
            raw: &q.raw,
            sources: &q.sources,
        }
    }
}

impl fmt::Display for Review<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .reports
            .iter()
            .map(|q| {
                vec![
                    q.id.to_string(),
                    q.video
                        .clone()
                        .or_else(|| q.raw.clone())
                        .unwrap_or_default(),
                    q.views.map(|v| v.to_string()).unwrap_or_default(),
                    q.observed_at.map(utc).unwrap_or_default(),
                    q.reason.to_string(),
                ]
            })
            .collect();
        let headers = ["id", "video / line", "views", "observed", "reason"];
        let blocks = [
            Block::Title(format!("{} quarantined report(s)", self.total)),
            Block::table(&headers, rows),
        ];
        write_blocks(f, &blocks)
    }
}

pub(super) fn durations(text: &str) -> Result<Vec<i64>, CliError> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| parse_duration(p).map_err(CliError::usage))
        .collect()
}

fn due(ctx: &mut Ctx, args: DueArgs) -> Result<Report, CliError> {
    let schedule = Schedule::new(&durations(&args.ages)?, &durations(&args.intervals)?)
        .map_err(CliError::usage)?;
    let ledger = open_ledger(&args.db)?;
    let last: std::collections::HashMap<String, i64> =
        ledger.last_observed()?.into_iter().collect();
    let mut addresses: Vec<Pubkey> = last.keys().filter_map(|k| k.parse().ok()).collect();
    if let Some(campaign) = args.campaign {
        for s in ctx.backend.submissions(&[])? {
            if s.state.campaign == campaign && !last.contains_key(&s.address.to_string()) {
                addresses.push(s.address);
            }
        }
    }
    let now = ctx.backend.clock()?.unix_timestamp;
    let mut items = Vec::new();
    for address in addresses {
        let Ok(sub) = ctx.backend.submission(&address) else {
            continue;
        };
        let last_seen = last.get(&address.to_string()).copied();
        let next = schedule.next_due(sub.state.registered_at, last_seen);
        let age = now - sub.state.registered_at;
        if next > now && !args.all {
            continue;
        }
        items.push((next, address, age, last_seen, schedule.interval(age)));
    }
    items.sort();
    let submissions = items
        .into_iter()
        .map(|(next, address, age, last_seen, interval)| DueSubmission {
            submission: address.to_string(),
            age_secs: age,
            last_observed: last_seen,
            interval_secs: interval,
            next_due: next,
            due: next <= now,
        })
        .collect();
    Report::of(&DueList {
        submissions,
        all: args.all,
    })
}

/// What `oracle due` prints: the submissions to observe now (or all, with `--all`), the
/// soonest first (a JSON array).
#[derive(Serialize)]
#[serde(transparent)]
struct DueList {
    /// The submissions, the soonest due first.
    submissions: Vec<DueSubmission>,
    /// Whether every scheduled submission is listed, not only the due ones (in the heading
    /// only).
    #[serde(skip)]
    all: bool,
}

/// One submission of [`DueList`].
#[derive(Serialize)]
struct DueSubmission {
    /// The submission.
    submission: String,
    /// Seconds since it was registered.
    age_secs: i64,
    /// When its views were last accepted (unix time), if ever.
    last_observed: Option<i64>,
    /// How often it is observed at its age.
    interval_secs: i64,
    /// When it is next due (unix time).
    next_due: i64,
    /// Whether it is due now.
    due: bool,
}

impl fmt::Display for DueList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .submissions
            .iter()
            .map(|s| {
                vec![
                    s.submission.clone(),
                    duration(s.age_secs),
                    s.last_observed.map_or_else(|| "never".into(), utc),
                    duration(s.interval_secs),
                    if s.due { "now".into() } else { utc(s.next_due) },
                ]
            })
            .collect();
        let which = if self.all { "scheduled" } else { "due" };
        let headers = ["submission", "age", "last observed", "interval", "due"];
        let blocks = [
            Block::Title(format!("{} submission(s) {which}", self.submissions.len())),
            Block::table(&headers, rows),
        ];
        write_blocks(f, &blocks)
    }
}

fn reconcile(ctx: &mut Ctx, db: LedgerDb) -> Result<Report, CliError> {
    let mut ledger = open_ledger(&db)?;
    let summary = oracle::reconcile(&mut ledger, ctx.backend.as_mut())?;
    Report::of(&Reconciled(summary))
}

/// What `oracle reconcile` prints: how the ledger's unfinished intents were settled.
#[derive(Serialize)]
#[serde(transparent)]
struct Reconciled(oracle::ReconcileSummary);

impl fmt::Display for Reconciled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.0;
        let blocks = [
            Block::Title("Reconciled the oracle ledger with the chain".into()),
            Block::fields(vec![
                ("unfinished intents", r.unfinished.to_string()),
                ("confirmed", r.confirmed.to_string()),
                (
                    "back to pending (blockhash expired unpaid)",
                    r.back_to_pending.to_string(),
                ),
                ("failed", r.failed.to_string()),
                ("still in flight", r.in_flight.to_string()),
            ]),
        ];
        write_blocks(f, &blocks)
    }
}

fn ledger(args: LedgerArgs) -> Result<Report, CliError> {
    let ledger = open_ledger(&args.db)?;
    let intents = ledger.all_intents()?;
    let shown: Vec<_> = intents
        .iter()
        .filter(|i| {
            args.status
                .as_deref()
                .is_none_or(|s| i.status.as_str() == s)
        })
        .take(args.limit)
        .collect();
    let totals = ledger.totals()?;
    // The sources that backed each payout's view count.
    let mut sources = std::collections::HashMap::new();
    for intent in &shown {
        if let Some(names) = ledger.intent_sources(&intent.key)? {
            sources.insert(intent.key.clone(), names);
        }
    }
    let intents_shown = shown
        .iter()
        .map(|i| IntentShown::new(i, sources.get(&i.key)))
        .collect();
    Report::of(&LedgerShown {
        intents: intents_shown,
        totals: totals
            .by_status
            .iter()
            .map(|(status, count, gross)| StatusTotal {
                status: status.clone(),
                count: *count,
                gross: *gross,
            })
            .collect(),
        accepted_reports: totals.accepted,
        quarantined_reports: totals.quarantined,
        unbalanced_intents: totals.unbalanced,
        recorded: intents.len(),
    })
}

/// What `oracle ledger` prints: the payout intents and their totals per status.
#[derive(Serialize)]
struct LedgerShown<'a> {
    /// The intents shown (`--status`, at most `--limit`).
    intents: Vec<IntentShown<'a>>,
    /// Count and gross per status, over every intent.
    totals: Vec<StatusTotal>,
    /// View reports accepted.
    accepted_reports: u64,
    /// View reports quarantined.
    quarantined_reports: u64,
    /// Intents whose vault debit is not fee + commission + creator credits.
    unbalanced_intents: Vec<String>,
    /// How many intents the ledger holds (in the heading only).
    #[serde(skip)]
    recorded: usize,
}

/// One payout intent of [`LedgerShown`], with the sources that backed its view count.
#[derive(Serialize)]
struct IntentShown<'a> {
    /// Idempotency key.
    key: &'a str,
    /// Campaign address.
    campaign: &'a str,
    /// Submission address.
    submission: &'a str,
    /// Cumulative views to pay up to.
    target_views: u64,
    /// The watermark when it was written.
    prev_views: u64,
    /// What it moves, gross (base units).
    gross: u64,
    /// Platform fee part.
    fee: u64,
    /// Affiliate commission part.
    commission: u64,
    /// Creator part.
    creator: u64,
    /// `pending`, `sent`, `confirmed` or `failed`.
    status: &'a str,
    /// The confirmed signature, when known.
    signature: &'a Option<String>,
    /// The blockhash it was sent with.
    blockhash: &'a Option<String>,
    /// Last block height at which that blockhash is valid.
    last_valid_block_height: Option<u64>,
    /// Why it failed.
    error: &'a Option<String>,
    /// The sources that backed its view count, if the oracle fetched it.
    sources: Option<&'a String>,
}

impl<'a> IntentShown<'a> {
    /// `i`, backed by `sources`.
    fn new(i: &'a oracle::ledger::Intent, sources: Option<&'a String>) -> Self {
        IntentShown {
            key: &i.key,
            campaign: &i.campaign,
            submission: &i.submission,
            target_views: i.target_views,
            prev_views: i.prev_views,
            gross: i.gross,
            fee: i.fee,
            commission: i.commission,
            creator: i.creator_amount,
            status: i.status.as_str(),
            signature: &i.signature,
            blockhash: &i.blockhash,
            last_valid_block_height: i.last_valid,
            error: &i.error,
            sources,
        }
    }
}

/// Count and gross of the intents in one status.
#[derive(Serialize)]
struct StatusTotal {
    /// The status.
    status: String,
    /// How many intents.
    count: u64,
    /// Their gross (base units).
    gross: u64,
}

impl fmt::Display for LedgerShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .intents
            .iter()
            .map(|i| {
                vec![
                    i.key[..12].to_string(),
                    short(&i.submission),
                    format!("{} -> {}", i.prev_views, i.target_views),
                    i.gross.to_string(),
                    i.status.to_string(),
                    i.signature.as_ref().map(short).unwrap_or_default(),
                    i.sources.cloned().unwrap_or_default(),
                ]
            })
            .collect();
        let headers = [
            "key",
            "submission",
            "views",
            "gross",
            "status",
            "signature",
            "sources",
        ];
        let mut blocks = vec![
            Block::Title(format!("{} payout intent(s)", self.recorded)),
            Block::table(&headers, rows),
        ];
        for t in &self.totals {
            blocks.push(Block::Line(format!(
                "{}: {} intent(s), gross {}",
                t.status, t.count, t.gross
            )));
        }
        blocks.push(Block::Line(if self.unbalanced_intents.is_empty() {
            "every intent balances: vault debit = fee + commission + creator credits".to_string()
        } else {
            format!("UNBALANCED intents: {:?}", self.unbalanced_intents)
        }));
        write_blocks(f, &blocks)
    }
}
