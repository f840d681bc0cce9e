//! The pipeline entry for counts the oracle fetched itself: one video's readings (what each
//! source answered) are judged by the campaign's [`Policy`](crate::policy::Policy) against the
//! creator's registered account, then by the anomaly rules of [`reports::verify`], and
//! recorded in the ledger as accepted (naming the sources that backed the count) or
//! quarantined (with every source's value), exactly like an ingested report.
use std::collections::HashMap;

use crate::Error;
use anchor_lang::prelude::Pubkey;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::instructions::SubmissionAccount;
use serde::Serialize;

use crate::ledger::Ledger;
use crate::policy::{self, Policy, Verdict};
use crate::reports::{self, Context, VerifyConfig, ViewReport};
use crate::video::{Reading, VideoId};

/// What became of one video's readings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Recorded as accepted: `views` may be paid.
    Accepted {
        /// The lowest agreeing count.
        views: u64,
        /// The sources that agreed on it, lowest count first.
        sources: Vec<String>,
    },
    /// Recorded as quarantined: never paid.
    Quarantined {
        /// Why, with every source's value.
        reason: String,
    },
    /// The same count at the same time as the last accepted one: nothing recorded.
    Duplicate,
}

/// Judges and records `video`'s readings for `campaign`.
pub fn readings(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    video: &VideoId,
    readings: &[Reading],
    config: &VerifyConfig,
) -> Result<Outcome, Error> {
    let batch = [(video.clone(), readings.to_vec())];
    let mut outcomes = many(ledger, backend, campaign, &batch, config)?;
    Ok(outcomes.remove(0))
}

/// [`readings`] for many videos of one campaign at once: the campaign and the submissions are
/// read from the chain once (100 a call), and everything is recorded in one transaction. The
/// outcomes are in the order of `batch`; a video listed twice is judged twice, in order.
pub fn many(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    batch: &[(VideoId, Vec<Reading>)],
    config: &VerifyConfig,
) -> Result<Vec<Outcome>, Error> {
    let campaign_account = backend.campaign(campaign)?;
    let addresses: Vec<Pubkey> = batch.iter().map(|(v, _)| v.submission(campaign)).collect();
    let chain = crate::fetch_submissions(backend, &addresses)?;
    let policy = ledger.campaign_policy(&campaign.to_string())?;
    let judge = Judge {
        campaign,
        campaign_end: campaign_account.state.end_time,
        chain: &chain,
        policy: &policy,
        config,
    };
    ledger.atomically(|l| {
        batch
            .iter()
            .map(|(video, readings)| judge.one(l, video, readings))
            .collect()
    })
}

/// What judging a campaign's videos needs, read once.
struct Judge<'a> {
    campaign: &'a Pubkey,
    campaign_end: i64,
    chain: &'a HashMap<Pubkey, SubmissionAccount>,
    policy: &'a Policy,
    config: &'a VerifyConfig,
}

impl Judge<'_> {
    /// Judges one video's readings and records the outcome.
    fn one(
        &self,
        ledger: &Ledger,
        video: &VideoId,
        readings: &[Reading],
    ) -> Result<Outcome, Error> {
        let values = every_value(readings);
        let (verdict, context) = match self.registered_context(ledger, video)? {
            Err(reason) => {
                let reason = format!("{reason} ({values})");
                (Verdict::Quarantine { reason }, None)
            }
            Ok((account, context)) => {
                let verdict = policy::judge(self.policy, video.platform, &account, readings);
                (verdict, Some(context))
            }
        };
        let report = summary_report(video, readings, &verdict);
        let outcome = match (verdict, context) {
            (Verdict::Payable { views, sources }, Some(context)) => {
                match reports::verify(&report, &context, self.config) {
                    Some(reason) if reason.starts_with("duplicate") => Outcome::Duplicate,
                    Some(reason) => Outcome::Quarantined {
                        reason: format!("{reason} ({values})"),
                    },
                    None => Outcome::Accepted { views, sources },
                }
            }
            (Verdict::Quarantine { reason }, _) => Outcome::Quarantined { reason },
            (Verdict::Payable { .. }, None) => unreachable!("payable only once registered"),
        };
        let submission = video.submission(self.campaign).to_string();
        record(
            ledger,
            self.campaign,
            &submission,
            &report,
            readings,
            &outcome,
        )?;
        Ok(outcome)
    }

    /// The registered account and the anomaly rules' context, or why the video cannot be
    /// paid whatever its sources say.
    fn registered_context(
        &self,
        ledger: &Ledger,
        video: &VideoId,
    ) -> Result<Result<(String, Context), String>, Error> {
        let address = video.submission(self.campaign);
        let Some(submission) = self.chain.get(&address) else {
            return Ok(Err(format!(
                "unknown submission: {video} has no submission {address} in campaign {}",
                self.campaign
            )));
        };
        let Some(registered) = ledger.registered_video(&address.to_string())? else {
            return Ok(Err(format!(
                "no platform account registered for {video}: ownership cannot be checked (register it with --account)"
            )));
        };
        let (previous, before_previous) = ledger.last_points(&address.to_string())?;
        let context = Context {
            registered_at: submission.state.registered_at,
            paid_views: submission.state.paid_views,
            campaign_end: self.campaign_end,
            previous,
            before_previous,
        };
        Ok(Ok((registered.account, context)))
    }
}

/// The report the ledger records for these readings: the paid count at the time its lowest
/// agreeing source saw it, or, quarantined, the lowest count and the newest time.
fn summary_report(video: &VideoId, readings: &[Reading], verdict: &Verdict) -> ViewReport {
    let backing = match verdict {
        Verdict::Payable { views, sources } => readings
            .iter()
            .filter(|r| r.views == *views && sources.contains(&r.source))
            .max_by_key(|r| r.observed_at),
        Verdict::Quarantine { .. } => readings.iter().min_by_key(|r| r.views),
    };
    ViewReport {
        platform: video.platform.to_string(),
        video: video.canonical(),
        creator: None,
        views: backing.map_or(0, |r| r.views),
        observed_at: match verdict {
            Verdict::Payable { .. } => backing.map_or(0, |r| r.observed_at),
            Verdict::Quarantine { .. } => readings.iter().map(|r| r.observed_at).max().unwrap_or(0),
        },
        source: String::new(),
    }
}

fn record(
    ledger: &Ledger,
    campaign: &Pubkey,
    submission: &str,
    report: &ViewReport,
    readings: &[Reading],
    outcome: &Outcome,
) -> Result<(), Error> {
    let (accepted, reason, sources) = match outcome {
        Outcome::Duplicate => return Ok(()),
        Outcome::Accepted { sources, .. } => (true, None, sources.join(",")),
        Outcome::Quarantined { reason } => (
            false,
            Some(reason.as_str()),
            readings
                .iter()
                .map(|r| r.source.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
    };
    let report = ViewReport {
        source: sources.clone(),
        ..report.clone()
    };
    let raw = serde_json::to_string(readings).ok();
    let campaign = campaign.to_string();
    ledger.record_observation(
        &campaign,
        Some(submission),
        Some(&report),
        accepted,
        reason,
        raw.as_deref(),
    )?;
    ledger.set_last_observation_sources(&sources)
}

/// Every reading's value, as quarantine reasons name them.
fn every_value(readings: &[Reading]) -> String {
    if readings.is_empty() {
        return "no source answered".into();
    }
    policy::describe(readings)
}
