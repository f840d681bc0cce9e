//! `oracle track` (read the due videos' views from the configured sources and verify them)
//! and `oracle sources` (each source's health, latency, cost and quota); `oracle run` tracks
//! before paying when given `--sources`. The work lives in `clipstake_oracle::sources`.
use std::fmt;
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use clap::Args;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_oracle::ledger::Ledger;
use clipstake_oracle::schedule::Schedule;
use clipstake_oracle::sources::budget::SourceStats;
use clipstake_oracle::sources::track::{self, TrackOptions, TrackSummary, Tracked};
use clipstake_oracle::sources::{Router, SourcesConfig};
use clipstake_oracle::video::VideoId;
use serde::Serialize;

use super::oracle::{LedgerDb, durations, open_ledger};
use super::{parse_duration, parse_pubkey};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Block, Report, utc, write_blocks};

/// Where the sources are configured and how often videos are read.
#[derive(Debug, Args, Clone)]
pub struct TrackArgs {
    /// The sources configuration (JSON: the sources in chain order, their endpoints, limits
    /// and credentials; a credential may be written `env:NAME` to read it from the
    /// environment). See the oracle README.
    #[arg(long, env = "CLIPSTAKE_ORACLE_SOURCES")]
    pub sources: Option<PathBuf>,
    /// Age steps of the refresh schedule (comma-separated durations).
    #[arg(long, default_value = "1d,3d,7d")]
    pub ages: String,
    /// Refresh intervals, one more than the age steps.
    #[arg(long, default_value = "2h,6h,12h,24h")]
    pub intervals: String,
}

#[derive(Debug, Args)]
pub struct TrackCommandArgs {
    #[command(flatten)]
    pub track: TrackArgs,
    /// Start tracking this video (`platform:id`, e.g. `youtube:dQw4w9WgXcQ`) of --campaign,
    /// registered to --owner, instead of reading views.
    #[arg(long, requires_all = ["campaign", "owner"])]
    pub add: Option<String>,
    /// With --add: the campaign the video is submitted to.
    #[arg(long, value_parser = parse_pubkey)]
    pub campaign: Option<Pubkey>,
    /// With --add: the creator's account on the platform (YouTube channel id, TikTok or
    /// Instagram username, X author id).
    #[arg(long)]
    pub owner: Option<String>,
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// The sources configuration, for each source's quota left (optional).
    #[arg(long, env = "CLIPSTAKE_ORACLE_SOURCES")]
    pub sources: Option<PathBuf>,
    /// Only attempts in this last period.
    #[arg(long, value_parser = parse_duration, default_value = "1d")]
    pub since: i64,
    #[command(flatten)]
    pub db: LedgerDb,
}

/// The sources and schedule of `oracle track` / `oracle run --sources`, built once so the
/// breakers and refreshed tokens carry over from round to round.
pub struct Tracker {
    router: Router,
    options: TrackOptions,
}

impl Tracker {
    /// The tracker `args` configure, or `None` without `--sources`.
    pub fn from_args(args: &TrackArgs) -> Result<Option<Tracker>, CliError> {
        let Some(path) = &args.sources else {
            return Ok(None);
        };
        let config = SourcesConfig::load(path).map_err(|e| CliError::usage(e.to_string()))?;
        let router = config
            .router()
            .map_err(|e| CliError::usage(e.to_string()))?;
        let schedule = Schedule::new(&durations(&args.ages)?, &durations(&args.intervals)?)
            .map_err(CliError::usage)?;
        let options = TrackOptions {
            schedule,
            verify: Default::default(),
        };
        Ok(Some(Tracker { router, options }))
    }

    /// One round: every due video read, judged and recorded.
    pub fn round(
        &mut self,
        ledger: &mut Ledger,
        backend: &mut dyn Backend,
    ) -> Result<TrackSummary, clipstake_oracle::Error> {
        let now = backend.clock()?.unix_timestamp;
        track::track(ledger, backend, &mut self.router, &self.options, now)
    }
}

/// `oracle track`: one round, or `--add` a video to track.
pub fn track(ctx: &mut Ctx, args: TrackCommandArgs) -> Result<Report, CliError> {
    let mut ledger = open_ledger(&args.db)?;
    if let (Some(video), Some(campaign), Some(owner)) = (&args.add, &args.campaign, &args.owner) {
        return add(ctx, &ledger, video, campaign, owner);
    }
    let Some(mut tracker) = Tracker::from_args(&args.track)? else {
        return Err(CliError::usage(
            "give the sources configuration with --sources FILE (or CLIPSTAKE_ORACLE_SOURCES)",
        ));
    };
    let summary = tracker.round(&mut ledger, ctx.backend.as_mut())?;
    Report::of(&TrackedRound(&summary))
}

/// What a tracking round did: what `oracle track` prints, and each `oracle run` round with
/// `--sources` before its payouts.
#[derive(Serialize)]
#[serde(transparent)]
pub struct TrackedRound<'a>(pub &'a TrackSummary);

impl fmt::Display for TrackedRound<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let blocks = [
            Block::Title(format!("Tracked {} due video(s)", s.due)),
            Block::fields(vec![
                ("accepted (payable)", s.accepted.to_string()),
                ("quarantined (see oracle review)", s.quarantined.to_string()),
                ("unchanged", s.unchanged.to_string()),
                ("unread (due again next round)", s.unread.to_string()),
            ]),
        ];
        write_blocks(f, &blocks)
    }
}

fn add(
    ctx: &mut Ctx,
    ledger: &Ledger,
    video: &str,
    campaign: &Pubkey,
    owner: &str,
) -> Result<Report, CliError> {
    let video = VideoId::parse(video).map_err(|e| CliError::usage(format!("--add: {e}")))?;
    let address = clipstake_sdk::pda::submission(campaign, &video.content_hash());
    // The submission must exist: tracking a video nobody registered would read views for
    // nothing.
    let submission = ctx.backend.submission(&address)?;
    let tracked = Tracked::new(campaign, video, owner, submission.state.registered_at);
    ledger.track_video(&tracked)?;
    Report::of(&TrackingStarted(tracked))
}

/// What `oracle track --add` prints: the video now tracked.
#[derive(Serialize)]
#[serde(transparent)]
struct TrackingStarted(Tracked);

impl fmt::Display for TrackingStarted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.0;
        let blocks = [
            Block::Title(format!("Tracking {}", t.video)),
            Block::fields(vec![
                ("submission", t.submission.clone()),
                ("owner", t.owner.clone()),
                ("registered", utc(t.registered_at)),
            ]),
        ];
        write_blocks(f, &blocks)
    }
}

/// `oracle sources`: per source, its record over `--since`.
pub fn sources(args: SourcesArgs) -> Result<Report, CliError> {
    let ledger = open_ledger(&args.db)?;
    // Limits, quotas and blocks run on the wall clock, as the sources count them.
    let wall_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let stats = ledger.source_stats(wall_ms - args.since * 1_000)?;
    let config = match &args.sources {
        Some(path) => Some(SourcesConfig::load(path).map_err(|e| CliError::usage(e.to_string()))?),
        None => None,
    };
    let mut records = Vec::new();
    for s in &stats {
        let limits = config.as_ref().and_then(|c| {
            c.sources
                .iter()
                .find(|e| e.name == s.source)
                .and_then(|e| e.build().ok())
                .map(|source| source.limits().clone())
        });
        let quota_left = match &limits {
            Some(l) => ledger.quota_left(&s.source, l, wall_ms / 1_000)?,
            None => None,
        };
        let blocked = ledger.source_block(&s.source, wall_ms / 1_000)?;
        records.push(SourceRecord {
            stats: s,
            quota_left,
            blocked_until: blocked.map(|(until, _)| until),
        });
    }
    Report::of(&SourcesShown(records))
}

/// What `oracle sources` prints: each source's record over the period (a JSON array).
#[derive(Serialize)]
#[serde(transparent)]
struct SourcesShown<'a>(Vec<SourceRecord<'a>>);

/// One source's record, with its quota and block now.
#[derive(Serialize)]
struct SourceRecord<'a> {
    /// Its requests, latency, cost and quota units over the period.
    #[serde(flatten)]
    stats: &'a SourceStats,
    /// Quota units left today, when the configuration gives it a daily quota.
    quota_left: Option<u64>,
    /// Until when (unix time) it is blocked, if it is.
    blocked_until: Option<i64>,
}

impl fmt::Display for SourcesShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .0
            .iter()
            .map(|r| {
                let s = r.stats;
                vec![
                    s.source.clone(),
                    s.requests.to_string(),
                    format!("{:.1}%", s.success_rate * 100.0),
                    format!("{} ms", s.p50_ms),
                    format!("{} ms", s.p95_ms),
                    format!("${:.4}", s.usd_per_1000_videos),
                    format!("{:.1}", s.units_per_1000_videos),
                    r.quota_left.map_or("-".into(), |q| q.to_string()),
                    r.blocked_until.map_or("-".into(), utc),
                ]
            })
            .collect();
        let headers = [
            "source",
            "requests",
            "success",
            "p50",
            "p95",
            "$/1k videos",
            "units/1k",
            "quota left",
            "blocked until",
        ];
        let blocks = [
            Block::Title(format!("{} source(s) used in the period", self.0.len())),
            Block::table(&headers, rows),
        ];
        write_blocks(f, &blocks)
    }
}
