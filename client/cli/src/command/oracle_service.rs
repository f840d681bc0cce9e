//! The oracle's services from the command line: `oracle ingest` (a file, stdin, or an inbox
//! directory, once or `--watch`ed), `oracle run` (once or `--every`) and `oracle serve` (the
//! HTTP intake). The loops live in `clipstake_oracle::service`; this module turns flags into
//! their options, draws the progress bar and prints what they report.
use std::cell::RefCell;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use clipstake_oracle::reports::VerifyConfig;
use clipstake_oracle::service::http::{self, ServeOptions, Served};
use clipstake_oracle::service::inbox;
use clipstake_oracle::service::rounds::{self, RoundOutcome, Rounds};
use clipstake_oracle::{self as oracle, IngestSummary, NoFailpoints, Progress, RunOptions};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::oracle::{IngestArgs, RunArgs, ServeArgs, open_ledger};
use super::oracle_sources::{TrackedRound, Tracker};
use crate::CliError;
use crate::config::{Ctx, OutputFormat};
use crate::output::{Block, Report, duration, write_blocks};
use clipstake_oracle::sources::track::TrackSummary;

/// `oracle ingest`: a file (or `-`), or every file of a directory, watched with `--watch`.
pub fn ingest(ctx: &mut Ctx, args: IngestArgs) -> Result<Report, CliError> {
    let config = VerifyConfig {
        spike_multiple: args.spike_multiple,
        min_rate_per_hour: args.min_rate_per_hour,
    };
    let mut ledger = open_ledger(&args.db)?;
    let quiet = ctx.json();
    // Each file of a directory is announced on stderr as it is ingested (not in JSON output).
    let mut on_file = |file: &Path, s: &IngestSummary| {
        if !quiet {
            let (accepted, quarantined) = (s.accepted, s.quarantined);
            eprintln!(
                "ingested {}: {accepted} accepted, {quarantined} quarantined",
                file.display()
            );
        }
    };
    let (backend, dir) = (ctx.backend.as_mut(), args.file.as_path());
    let summary = if !dir.is_dir() {
        let parsed = inbox::read_reports(dir)?;
        oracle::ingest(&mut ledger, backend, &args.campaign, &parsed, &config)?
    } else if args.watch {
        let every = Duration::from_secs(args.interval.max(1) as u64);
        match inbox::watch_directory(
            &mut ledger,
            backend,
            dir,
            &args.campaign,
            &config,
            every,
            &mut on_file,
        )? {}
    } else {
        inbox::ingest_directory(
            &mut ledger,
            backend,
            dir,
            &args.campaign,
            &config,
            &mut on_file,
        )?
    };
    Report::of(&Ingested {
        summary,
        ledger_db: args.db.ledger_db.display().to_string(),
        source: args.file.display().to_string(),
    })
}

/// What `oracle ingest` prints.
#[derive(serde::Serialize)]
struct Ingested {
    #[serde(flatten)]
    summary: IngestSummary,
    ledger_db: String,
    /// The file or directory ingested (named in the heading only).
    #[serde(skip)]
    source: String,
}

impl fmt::Display for Ingested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let next = if self.summary.quarantined > 0 {
            "quarantined reports are never paid; see `clipstake oracle review`"
        } else {
            "run `clipstake oracle run` to pay the accepted views"
        };
        let blocks = [
            Block::Title(format!("Ingested {}", self.source)),
            ingest_fields(&self.summary),
            Block::Line(next.into()),
        ];
        write_blocks(f, &blocks)
    }
}

/// The counts of an ingest, as aligned fields.
fn ingest_fields(summary: &IngestSummary) -> Block {
    Block::Fields(vec![
        ("accepted".into(), summary.accepted.to_string()),
        ("quarantined".into(), summary.quarantined.to_string()),
        ("duplicates ignored".into(), summary.duplicates.to_string()),
    ])
}

/// `oracle serve`: the HTTP intake, until killed (or `--max-requests`).
pub fn serve(ctx: &mut Ctx, args: ServeArgs) -> Result<Report, CliError> {
    let options = ServeOptions {
        listen: args.listen.clone(),
        campaign: args.campaign,
        verify: VerifyConfig {
            spike_multiple: args.spike_multiple,
            min_rate_per_hour: args.min_rate_per_hour,
        },
        max_body_bytes: args.max_body_bytes,
        max_requests: args.max_requests,
        webhook_keys: super::oracle_identity::webhook_keys(&args.secrets)?,
    };
    let mut ledger = open_ledger(&args.db)?;
    // Scripts wait for this line to know the port (with `--listen 127.0.0.1:0`).
    let mut announce = |address: &str| eprintln!("listening on http://{address}/reports");
    let served = http::serve(&mut ledger, ctx.backend.as_mut(), &options, &mut announce)?;
    Report::of(&ServedOutput(served))
}

/// What `oracle serve` prints when it stops: the requests and their ingests added up.
struct ServedOutput(Served);

impl serde::Serialize for ServedOutput {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Served {
            requests,
            total,
            unauthorized,
            ..
        } = &self.0;
        let json = json!({
            "requests": requests,
            "unauthorized": unauthorized,
            "accepted": total.accepted,
            "quarantined": total.quarantined,
            "duplicates": total.duplicates,
        });
        json.serialize(serializer)
    }
}

impl fmt::Display for ServedOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Served {
            address,
            requests,
            total,
            unauthorized,
        } = &self.0;
        let blocks = [
            Block::Title(format!("Served {requests} request(s) on http://{address}")),
            ingest_fields(total),
            Block::Line(format!(
                "{unauthorized} refused as unsigned, badly signed or stale"
            )),
        ];
        write_blocks(f, &blocks)
    }
}

/// The run's progress as a terminal bar (hidden when stderr is not a terminal or in JSON).
struct Bar(ProgressBar);

impl Bar {
    fn for_ctx(ctx: &Ctx) -> Bar {
        if !ctx.progress_allowed() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} payouts {bar:30} {pos}/{len} {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn started(&mut self, payouts: u64) {
        self.0.reset();
        self.0.set_length(payouts);
    }

    fn advanced(&mut self, payouts: u64) {
        self.0.inc(payouts);
    }

    fn finished(&mut self) {
        self.0.finish_and_clear();
    }
}

/// `oracle run`: one round, or a round `--every` interval (`--rounds N` stops after N).
pub fn run(ctx: &mut Ctx, args: RunArgs) -> Result<Report, CliError> {
    if ctx.send_options.dry_run {
        return Err(CliError::usage(
            "`oracle run` sends transactions; run it without --dry-run",
        ));
    }
    let oracle_kp = ctx.signer()?.insecure_clone();
    let payer = ctx.fee_payer()?.insecure_clone();
    let mut ledger = open_ledger(&args.db)?;
    let mut bar = Bar::for_ctx(ctx);
    let options = RunOptions {
        send: ctx.send_options.clone(),
        max_per_tx: args.max_per_tx,
        window: args.window,
        lookup_tables: !args.no_lookup_tables,
    };
    let output = ctx.output;
    let backend = ctx.backend.as_mut();
    let mut tracker = Tracker::from_args(&args.track)?;
    let tracked: RefCell<Option<TrackSummary>> = RefCell::new(None);
    let mut round = || {
        if let Some(tracker) = tracker.as_mut() {
            *tracked.borrow_mut() = Some(tracker.round(&mut ledger, &mut *backend)?);
        }
        let run = oracle::run(
            &mut ledger,
            backend,
            &oracle_kp,
            &payer,
            &options,
            &mut NoFailpoints,
            &mut bar,
        );
        // On an error the run stops early: clear the bar before the error is printed.
        bar.finished();
        run
    };
    let Some(every) = args.every else {
        let summary = round()?;
        return run_report(&summary, tracked.borrow().as_ref(), None);
    };
    // A long-running oracle: killing it at any moment is safe (the next start reconciles), so
    // it needs no signal handling of its own.
    let interval = Duration::from_secs(every.max(1) as u64);
    let mut on_round = |n: u64, outcome: RoundOutcome<'_>| {
        print_round(output, n, every, outcome, tracked.borrow().as_ref())
    };
    let totals = rounds::every(interval, args.rounds, &mut round, &mut on_round)?;
    Report::of(&RoundsOutput(totals))
}

/// What `oracle run --every` prints when it stops.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct RoundsOutput(Rounds);

impl fmt::Display for RoundsOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let totals = &self.0;
        let network = totals.rounds_with_network_errors.to_string();
        let blocks = [
            Block::Title(format!("Oracle: {} round(s)", totals.rounds)),
            Block::Fields(vec![
                ("paid".into(), totals.paid.to_string()),
                ("failed".into(), totals.failed.to_string()),
                ("rounds with network errors".into(), network),
            ]),
        ];
        write_blocks(f, &blocks)
    }
}

/// One round as it ends: a JSON line, or the human summary under a heading; a round that could
/// not reach the node is one line on stderr.
fn print_round(
    output: OutputFormat,
    round: u64,
    every: i64,
    outcome: RoundOutcome<'_>,
    tracked: Option<&TrackSummary>,
) -> Result<(), CliError> {
    match outcome {
        RoundOutcome::Unreachable(e) => {
            eprintln!("round {round}: {e}; retrying in {}", duration(every))
        }
        RoundOutcome::Ran(summary) => {
            let report = run_report(summary, tracked, Some(round))?;
            match output {
                OutputFormat::Json => println!("{}", report.json),
                OutputFormat::Display => {
                    println!("-- round {round} --");
                    report.print(output);
                }
            }
        }
    }
    Ok(())
}

/// The summary of one `oracle::run` (`round` of `--every`), after the round's tracking if it
/// tracked.
fn run_report(
    summary: &oracle::RunSummary,
    tracked: Option<&TrackSummary>,
    round: Option<u64>,
) -> Result<Report, CliError> {
    Report::of(&RunOutput {
        summary,
        tracked: tracked.map(TrackedRound),
        round,
    })
}

/// What one `oracle run` (or round) prints: the summary as JSON, its figures for people; with
/// `--sources`, the round's tracking under `tracked` in JSON, before the payouts for people.
#[derive(serde::Serialize)]
struct RunOutput<'a> {
    /// What the run paid, and how.
    #[serde(flatten)]
    summary: &'a oracle::RunSummary,
    /// What the round's tracking read first, with `--sources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    tracked: Option<TrackedRound<'a>>,
    /// The round's number, with `--every` (in JSON only: people see it in a heading).
    #[serde(skip_serializing_if = "Option::is_none")]
    round: Option<u64>,
}

impl fmt::Display for RunOutput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(tracked) = &self.tracked {
            write!(f, "{tracked}")?;
        }
        let s = self.summary;
        let fields = vec![
            ("paid".into(), s.paid.to_string()),
            ("gross paid (base units)".into(), s.paid_gross.to_string()),
            (
                "skipped (nothing owed / already on chain)".into(),
                s.skipped.to_string(),
            ),
            (
                "awaiting funds (owed more than the vault holds)".into(),
                s.awaiting_funds.to_string(),
            ),
            ("quarantined (never paid)".into(), s.quarantined.to_string()),
            ("failed".into(), s.failed.to_string()),
            ("transactions".into(), s.transactions.to_string()),
            (
                "payouts per transaction".into(),
                format!("{:.2} (max {})", s.per_tx(), s.max_per_tx),
            ),
            (
                "paid by disburse_batch (transactions)".into(),
                format!("{} ({})", s.paid_in_batches, s.batch_transactions),
            ),
            ("address lookup tables".into(), s.lookup_tables.to_string()),
            ("compute units".into(), s.compute_units.to_string()),
            ("fees (lamports)".into(), s.fee_lamports.to_string()),
            (
                "submit to confirmed (p50 / p90)".into(),
                format!("{:.0} ms / {:.0} ms", s.latency_p50_ms, s.latency_p90_ms),
            ),
            ("re-signed after expiry".into(), s.re_signed.to_string()),
            (
                "payouts per second".into(),
                format!("{:.0}", s.per_second()),
            ),
            (
                "reconciled at start".into(),
                format!(
                    "{} unfinished: {} confirmed, {} back to pending",
                    s.reconciled.unfinished, s.reconciled.confirmed, s.reconciled.back_to_pending
                ),
            ),
            ("seconds".into(), format!("{:.2}", s.seconds)),
        ];
        let blocks = [Block::Title("Oracle run".into()), Block::Fields(fields)];
        write_blocks(f, &blocks)
    }
}
