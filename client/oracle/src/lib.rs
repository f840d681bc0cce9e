//! The payout oracle: view reports are parsed and verified ([`reports`]), mapped to their
//! submissions, recorded in an SQLite [`ledger`]; accepted views become payout intents (written
//! before anything is sent), paid many per transaction by one `disburse_batch` (or, while a
//! recipient's token account does not exist yet, by single `disburse` instructions that create
//! it) and sent through [`clipstake_client::sender`]. [`reconcile`] settles every unfinished intent from
//! the chain (the submission's `paid_views` watermark is the truth), so a run can be killed at
//! any point and restarted without paying twice or dropping a payout.
//!
//! The runner takes a [`Failpoint`]: tests make it fail at step N to simulate a crash.
//!
//! The README follows (its example is compiled as a doctest).
#![doc = include_str!("../README.md")]

use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use clipstake::math::{Bps, entitlement, split};

use clipstake::state::Campaign;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::instructions::{CampaignAccount, SubmissionAccount};

pub mod batch;
mod error;
pub mod identity;
pub mod ledger;
mod packing;
pub mod policy;
pub mod progress;
pub mod reports;
mod runner;
pub mod schedule;
pub mod service;
pub mod shortlink;
pub mod sources;
pub mod urls;
pub mod verify;
pub mod video;
pub mod webhook;

pub use error::{ConfigError, Error, LedgerError};
pub use progress::{NoProgress, Progress};
pub use runner::{RunOptions, RunSummary, run};

use ledger::{Intent, Ledger, Status, idempotency_key};
use reports::{Context, Parsed, VerifyConfig, ViewReport};

pub use clipstake_client::sender::PACKET_DATA_SIZE;

/// A place where a run may be made to fail (crash injection).
pub trait Failpoint {
    /// Called at each step; an error aborts the run right there, as a crash would.
    fn check(&mut self, step: &str) -> Result<(), Error>;
}

/// Never fails.
pub struct NoFailpoints;
impl Failpoint for NoFailpoints {
    fn check(&mut self, _: &str) -> Result<(), Error> {
        Ok(())
    }
}

/// Fails at the `at`-th step reached (1-based), once.
#[derive(Debug, Clone)]
pub struct CrashAt {
    /// Which step crashes.
    pub at: usize,
    /// Steps reached so far.
    pub seen: usize,
    /// The step that crashed.
    pub crashed: Option<String>,
}
impl CrashAt {
    /// Crash at step `at`.
    pub fn new(at: usize) -> Self {
        CrashAt {
            at,
            seen: 0,
            crashed: None,
        }
    }
}
impl Failpoint for CrashAt {
    fn check(&mut self, step: &str) -> Result<(), Error> {
        self.seen += 1;
        if self.seen == self.at {
            self.crashed = Some(step.to_string());
            return Err(Error::InjectedCrash {
                at: self.at,
                step: step.to_string(),
            });
        }
        Ok(())
    }
}

/// What an ingest did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestSummary {
    /// Reports accepted.
    pub accepted: usize,
    /// Reports quarantined (including malformed lines and unreadable videos).
    pub quarantined: usize,
    /// Exact duplicates of an accepted report (ignored).
    pub duplicates: usize,
    /// The webhook delivery carrying the reports had already been processed: nothing was
    /// recorded.
    pub replayed: bool,
}

impl IngestSummary {
    /// Adds another ingest's counts to these.
    pub fn add(&mut self, other: &IngestSummary) {
        self.accepted += other.accepted;
        self.quarantined += other.quarantined;
        self.duplicates += other.duplicates;
    }
}

/// Ingests parsed reports for `campaign`: each report's video (a URL or canonical id) is read
/// into its [`video::VideoId`] and mapped to its submission
/// (`pda::submission(campaign, sha256(canonical id))`), verified and recorded as accepted or
/// quarantined (with its reason). A report whose video cannot be read is quarantined as
/// `unreadable video: ...`, with its line kept.
pub fn ingest(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    parsed: &Parsed,
    config: &VerifyConfig,
) -> Result<IngestSummary, Error> {
    ingest_delivery(ledger, backend, campaign, parsed, config, None)
}

/// [`ingest`] of the reports one webhook delivery carried: `delivery` (provider, event id) is
/// recorded in the same transaction, and a delivery already recorded changes nothing
/// ([`IngestSummary::replayed`]).
pub fn ingest_delivery(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    parsed: &Parsed,
    config: &VerifyConfig,
    delivery: Option<(&str, &str)>,
) -> Result<IngestSummary, Error> {
    let campaign_account = backend.campaign(campaign)?;
    let campaign_text = campaign.to_string();
    let videos: Vec<Result<video::VideoId, String>> = parsed
        .reports
        .iter()
        .map(|(_, r)| report_video(r))
        .collect();
    let mut addresses: Vec<Pubkey> = videos
        .iter()
        .flatten()
        .map(|v| v.submission(campaign))
        .collect();
    addresses.sort();
    addresses.dedup();
    let submissions = fetch_submissions(backend, &addresses)?;
    let mut summary = IngestSummary::default();
    ledger.atomically(|l| {
        if let Some((provider, event)) = delivery
            && !l.first_delivery(provider, event)?
        {
            summary.replayed = true;
            return Ok(());
        }
        for bad in &parsed.malformed {
            l.record_observation(
                &campaign_text,
                None,
                None,
                false,
                Some(&bad.reason),
                Some(&bad.raw),
            )?;
            summary.quarantined += 1;
        }
        let intake = Intake {
            campaign,
            campaign_text: &campaign_text,
            campaign_end: campaign_account.state.end_time,
            submissions: &submissions,
            config,
        };
        for ((_, report), video) in parsed.reports.iter().zip(&videos) {
            match intake.record(l, report, video)? {
                Outcome::Accepted => summary.accepted += 1,
                Outcome::Quarantined => summary.quarantined += 1,
                Outcome::Duplicate => summary.duplicates += 1,
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

/// What became of one ingested report.
enum Outcome {
    Accepted,
    Quarantined,
    /// An exact duplicate of an accepted report: nothing recorded.
    Duplicate,
}

/// What [`ingest_delivery`] checks each report of a campaign against.
struct Intake<'a> {
    campaign: &'a Pubkey,
    campaign_text: &'a str,
    campaign_end: i64,
    submissions: &'a HashMap<Pubkey, SubmissionAccount>,
    config: &'a VerifyConfig,
}

impl Intake<'_> {
    /// Verifies one report and records it as accepted or quarantined (with its reason).
    fn record(
        &self,
        l: &Ledger,
        report: &ViewReport,
        video: &Result<video::VideoId, String>,
    ) -> Result<Outcome, Error> {
        let raw = serde_json::to_string(report).ok();
        let video = match video {
            Ok(video) => video,
            Err(e) => {
                let reason = format!("unreadable video: {e}");
                l.record_observation(
                    self.campaign_text,
                    None,
                    Some(report),
                    false,
                    Some(&reason),
                    raw.as_deref(),
                )?;
                return Ok(Outcome::Quarantined);
            }
        };
        let address = video.submission(self.campaign);
        let address_text = address.to_string();
        let report = &ViewReport {
            platform: video.platform.to_string(),
            video: video.canonical(),
            ..report.clone()
        };
        match self.reason(l, report, video, &address)? {
            Some(r) if r.starts_with("duplicate") => Ok(Outcome::Duplicate),
            Some(r) => {
                l.record_observation(
                    self.campaign_text,
                    Some(&address_text),
                    Some(report),
                    false,
                    Some(&r),
                    raw.as_deref(),
                )?;
                Ok(Outcome::Quarantined)
            }
            None => {
                l.record_observation(
                    self.campaign_text,
                    Some(&address_text),
                    Some(report),
                    true,
                    None,
                    raw.as_deref(),
                )?;
                Ok(Outcome::Accepted)
            }
        }
    }

    /// Why the report cannot be accepted, if it cannot.
    fn reason(
        &self,
        l: &Ledger,
        report: &ViewReport,
        video: &video::VideoId,
        address: &Pubkey,
    ) -> Result<Option<String>, Error> {
        let Some(sub) = self.submissions.get(address) else {
            return Ok(Some(format!(
                "unknown submission: no submission {address} for video {video} in campaign {}",
                self.campaign_text
            )));
        };
        let creator = sub.state.creator.to_string();
        if report.creator.as_deref().is_some_and(|c| c != creator) {
            return Ok(Some(format!(
                "creator mismatch: the submission's creator is {creator}"
            )));
        }
        let (previous, before_previous) = l.last_points(&address.to_string())?;
        let ctx = Context {
            registered_at: sub.state.registered_at,
            paid_views: sub.state.paid_views,
            campaign_end: self.campaign_end,
            previous,
            before_previous,
        };
        Ok(reports::verify(report, &ctx, self.config))
    }
}

/// The video a report names, checked against the report's `platform` when it names a known
/// one (a TikTok report about a YouTube URL is someone's mistake, never paid on a guess).
fn report_video(report: &ViewReport) -> Result<video::VideoId, String> {
    let video = video::VideoId::parse(&report.video)?;
    match report.platform.parse::<video::Platform>() {
        Ok(named) if named != video.platform => Err(format!(
            "platform mismatch: the report says {named}, its video {:?} is {video}",
            report.video
        )),
        _ => Ok(video),
    }
}

/// What [`reconcile`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReconcileSummary {
    /// Unfinished intents found.
    pub unfinished: usize,
    /// Settled as confirmed (watermark or known signature).
    pub confirmed: usize,
    /// Sent intents whose blockhash expired unpaid: back to pending.
    pub back_to_pending: usize,
    /// Failed (their transaction landed with an error).
    pub failed: usize,
    /// Still in flight (blockhash valid, not landed): left as sent.
    pub in_flight: usize,
}

/// How [`reconcile`] settles an unfinished intent.
enum Settlement {
    /// The chain shows the payout made.
    Confirmed,
    /// Its transaction landed and failed: nothing was applied.
    Failed(String),
    /// Its transaction can no longer land and the chain shows it unpaid.
    Unsent,
}

impl ReconcileSummary {
    fn count(&mut self, settlement: &Settlement) {
        match settlement {
            Settlement::Confirmed => self.confirmed += 1,
            Settlement::Failed(_) => self.failed += 1,
            Settlement::Unsent => self.back_to_pending += 1,
        }
    }
}

/// What the chain says of `intent`: made (the watermark, or its landed signature), failed,
/// or unpaid for good (an expired blockhash; on the synchronous embedded chain, a transaction
/// that did not land never will). `None`: still pending, or sent and may still land.
fn settle(
    intent: &Intent,
    submission: Option<&SubmissionAccount>,
    backend: &mut dyn Backend,
    height: u64,
    embedded: bool,
) -> Result<Option<Settlement>, Error> {
    if submission.is_some_and(|s| intent.landed(s.state.paid_views, s.state.paid_gross)) {
        return Ok(Some(Settlement::Confirmed));
    }
    if intent.status != Status::Sent {
        return Ok(None);
    }
    if let Some(signature) = intent.signature.as_deref().and_then(|s| s.parse().ok())
        && let Some(status) = backend
            .signature_statuses(&[signature], true)?
            .pop()
            .flatten()
    {
        if let Some(err) = status.err {
            return Ok(Some(Settlement::Failed(format!("{err:?}"))));
        }
        if status.confirmed {
            return Ok(Some(Settlement::Confirmed));
        }
    }
    let expired = embedded || intent.last_valid.is_none_or(|lv| height > lv);
    Ok(expired.then_some(Settlement::Unsent))
}

pub(crate) fn fetch_submissions(
    backend: &mut dyn Backend,
    addresses: &[Pubkey],
) -> Result<HashMap<Pubkey, SubmissionAccount>, Error> {
    let mut found = HashMap::new();
    for chunk in addresses.chunks(100) {
        for (address, account) in chunk.iter().zip(backend.get_multiple_accounts(chunk)?) {
            if let Some(account) = account.filter(|a| a.owner == clipstake::ID)
                && let Ok(state) = clipstake_sdk::accounts::decode(&account.data)
            {
                found.insert(
                    *address,
                    SubmissionAccount {
                        address: *address,
                        state,
                    },
                );
            }
        }
    }
    Ok(found)
}

pub(crate) fn parse_key(text: &str) -> Result<Pubkey, Error> {
    text.parse()
        .map_err(|_| LedgerError::BadAddress(text.to_string()).into())
}

/// Settles every pending or sent intent from the chain: watermark >= target => confirmed; else a
/// known, landed signature decides; else an expired blockhash (or, on the synchronous embedded
/// chain, a transaction that never landed) sends it back to pending.
pub fn reconcile(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
) -> Result<ReconcileSummary, Error> {
    let open = ledger.intents(&[Status::Pending, Status::Sent])?;
    let mut summary = ReconcileSummary {
        unfinished: open.len(),
        ..Default::default()
    };
    if open.is_empty() {
        return Ok(summary);
    }
    let addresses = open
        .iter()
        .map(|i| parse_key(&i.submission))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    let height = backend.block_height()?;
    let embedded = backend.is_embedded();
    let mut settled: Vec<(&str, Settlement)> = Vec::new();
    for (intent, address) in open.iter().zip(&addresses) {
        let submission = chain.get(address);
        match settle(intent, submission, backend, height, embedded)? {
            Some(settlement) => {
                summary.count(&settlement);
                settled.push((&intent.key, settlement));
            }
            None => summary.in_flight += usize::from(intent.status == Status::Sent),
        }
    }
    ledger.atomically(|l| {
        for (key, settlement) in &settled {
            match settlement {
                Settlement::Confirmed => l.mark_confirmed(key, None, None)?,
                Settlement::Failed(reason) => l.mark_failed(key, reason)?,
                Settlement::Unsent => l.mark_unsent(key)?,
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

/// What [`plan`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanSummary {
    /// New intents written.
    pub planned: usize,
    /// Submissions whose accepted views are owed nothing more.
    pub nothing_owed: usize,
    /// Submissions owed something their campaign's vault cannot pay now (net of the other
    /// open intents). New views among them are still pushed, paying nothing, so they are
    /// recorded on chain; the shortfall is planned again once the campaign is funded.
    pub awaiting_funds: usize,
    /// Submissions left for later because an intent of theirs is still open (one at a time per
    /// submission); their newer views are planned once it settles.
    pub behind_open_intent: usize,
}

/// Writes intents for every submission whose accepted views are owed more than it was paid.
/// Each intent is cut to what its campaign's vault holds beyond the other open intents, as the
/// program would cut it, so the ledger books what will move; the rest is planned again later.
pub fn plan(ledger: &mut Ledger, backend: &mut dyn Backend) -> Result<PlanSummary, Error> {
    let (candidates, behind_open_intent) = plan_candidates(ledger)?;
    let addresses = candidates
        .iter()
        .map(|c| parse_key(&c.submission))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    // Per campaign: its state and what its vault can still promise.
    let mut campaigns: HashMap<String, (CampaignAccount, u64)> = HashMap::new();
    let mut summary = PlanSummary {
        behind_open_intent,
        ..PlanSummary::default()
    };
    let mut rows = Vec::new();
    for (candidate, address) in candidates.into_iter().zip(&addresses) {
        let Candidate {
            campaign,
            submission,
            views,
        } = candidate;
        let Some(sub) = chain.get(address) else {
            continue;
        };
        if views < sub.state.paid_views {
            continue;
        }
        if !campaigns.contains_key(&campaign) {
            let c = backend.campaign(&parse_key(&campaign)?)?;
            let budget = c
                .state
                .available()
                .saturating_sub(ledger.open_gross(&campaign)?);
            campaigns.insert(campaign.clone(), (c, budget));
        }
        let (c, budget) = campaigns.get_mut(&campaign).expect("inserted above");
        let c = &c.state;
        let due = entitlement(views, c.rate_per_thousand_views, c.cap_per_submission)
            .saturating_sub(sub.state.paid_gross);
        if due == 0 {
            summary.nothing_owed += 1;
            continue;
        }
        let gross = due.min(*budget);
        if gross == 0 {
            summary.awaiting_funds += 1;
            // New views are still pushed, paying nothing: recorded on chain, what they earn is
            // kept back from the brand's withdrawals until a later run tops it up.
            if views == sub.state.paid_views {
                continue;
            }
        }
        *budget -= gross;
        let target = Target {
            campaign: &campaign,
            submission: &submission,
            views,
        };
        rows.push(PlannedRow::new(target, c, sub, gross)?);
    }
    ledger.atomically(|l| {
        for PlannedRow {
            intent,
            vault,
            treasury,
            affiliate,
            creator,
        } in &rows
        {
            if l.insert_intent(intent, vault, treasury, affiliate.as_deref(), creator)? {
                l.record_intent_sources(&intent.key, &intent.submission, intent.target_views)?;
                summary.planned += 1;
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

/// The highest accepted view count of every submission without an open intent (campaign,
/// submission, views), and how many submissions wait behind one.
fn plan_candidates(ledger: &Ledger) -> Result<(Vec<Candidate>, usize), Error> {
    let mut candidates = Vec::new();
    let mut behind_open_intent = 0;
    let open = ledger.submissions_with_open_intents()?;
    for (campaign, submission, views, _) in ledger.accepted_maxima()? {
        if open.contains(&submission) {
            behind_open_intent += 1;
        } else {
            candidates.push(Candidate {
                campaign,
                submission,
                views,
            });
        }
    }
    Ok((candidates, behind_open_intent))
}

/// A submission's highest accepted view count, to plan an intent for.
struct Candidate {
    campaign: String,
    submission: String,
    views: u64,
}

/// A submission and the accepted view count an intent is planned for.
struct Target<'a> {
    campaign: &'a str,
    submission: &'a str,
    views: u64,
}

/// An intent to write, with the recipients the ledger keeps beside it.
struct PlannedRow {
    intent: Intent,
    vault: String,
    treasury: String,
    affiliate: Option<String>,
    creator: String,
}

impl PlannedRow {
    /// The intent paying `gross` for `target`, split as the program will split it.
    fn new(
        target: Target,
        c: &Campaign,
        sub: &SubmissionAccount,
        gross: u64,
    ) -> Result<Self, Error> {
        let parts = split(
            gross,
            Bps::new(c.fee_bps)?,
            Bps::new(sub.state.affiliate_bps)?,
        )?;
        let (prev_views, prev_gross) = (sub.state.paid_views, sub.state.paid_gross);
        let key = idempotency_key(
            target.campaign,
            target.submission,
            target.views,
            prev_views,
            prev_gross,
        );
        let intent = Intent {
            key,
            campaign: target.campaign.to_string(),
            submission: target.submission.to_string(),
            target_views: target.views,
            prev_views,
            prev_gross,
            gross,
            fee: parts.fee,
            commission: parts.commission,
            creator_amount: parts.creator,
            status: Status::Pending,
            signature: None,
            blockhash: None,
            last_valid: None,
            units: None,
            error: None,
        };
        Ok(PlannedRow {
            intent,
            vault: c.vault.to_string(),
            treasury: c.treasury.to_string(),
            affiliate: sub.state.affiliate().map(|a| a.to_string()),
            creator: sub.state.creator.to_string(),
        })
    }
}
