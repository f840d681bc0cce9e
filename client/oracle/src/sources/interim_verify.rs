//! INTERIM: a minimal stand-in for the pipeline entry `crate::verify::readings`, which the
//! verification-policy work provides; it is replaced by that entry when both are merged.
//!
//! It applies [`policy::judge`] with the registered owner, then the existing anomaly rules of
//! [`reports::verify`], and records the result as an observation naming the backing sources.
use anchor_lang::prelude::Pubkey;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};

use crate::ledger::Ledger;
use crate::policy::{self, Policy, Verdict};
use crate::reports::{self, Context, VerifyConfig, ViewReport};
use crate::video::{Reading, VideoId};

/// What happened to one video's readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Accepted at this many views (payable by the next `oracle run`).
    Accepted(u64),
    /// Quarantined for this reason.
    Quarantined(String),
    /// The same count as the last accepted one: nothing new.
    Unchanged,
}

/// Judges and records one video's readings for `campaign`.
#[allow(clippy::too_many_arguments)]
pub fn readings(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    video: &VideoId,
    owner: &str,
    readings: &[Reading],
    policy: &Policy,
    config: &VerifyConfig,
) -> Result<Recorded, Error> {
    let address = clipstake_sdk::pda::submission(campaign, &video.content_hash());
    let observed_at = readings
        .iter()
        .map(|r| r.observed_at)
        .max()
        .unwrap_or_default();
    let raw = serde_json::to_string(readings).ok();
    let report = |views: u64, source: String| ViewReport {
        platform: video.platform.to_string(),
        video: video.canonical(),
        creator: None,
        views,
        observed_at,
        source,
    };
    let (report, reason) = match policy::judge(policy, video.platform, owner, readings) {
        Verdict::Payable { views, sources } => {
            let report = report(views, sources.join("+"));
            let reason = anomaly(ledger, backend, campaign, &address, &report, config)?;
            (report, reason)
        }
        Verdict::Quarantine { reason } => {
            // The lowest count is kept for the record; every source's value is in `raw`.
            let views = readings.iter().map(|r| r.views).min().unwrap_or_default();
            (report(views, String::new()), Some(reason))
        }
    };
    let (campaign_text, address_text) = (campaign.to_string(), address.to_string());
    let (accepted, outcome) = match reason {
        Some(r) if r.starts_with("duplicate") => return Ok(Recorded::Unchanged),
        Some(r) => (false, Recorded::Quarantined(r)),
        None => (true, Recorded::Accepted(report.views)),
    };
    let reason = match &outcome {
        Recorded::Quarantined(r) => Some(r.as_str()),
        _ => None,
    };
    ledger.record_observation(
        &campaign_text,
        Some(&address_text),
        Some(&report),
        accepted,
        reason,
        raw.as_deref(),
    )?;
    Ok(outcome)
}

/// The existing anomaly rules against the submission's chain state and accepted history.
fn anomaly(
    ledger: &Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    address: &Pubkey,
    report: &ViewReport,
    config: &VerifyConfig,
) -> Result<Option<String>, Error> {
    let submission = match backend.submission(address) {
        Ok(submission) => submission,
        Err(Error::NotFound(_)) => {
            return Ok(Some(format!(
                "unknown submission: no submission {address} for video {} in campaign {campaign}",
                report.video
            )));
        }
        Err(other) => return Err(other),
    };
    let campaign_end = backend.campaign(campaign)?.state.end_time;
    let (previous, before_previous) = ledger.last_points(&address.to_string())?;
    let ctx = Context {
        registered_at: submission.state.registered_at,
        paid_views: submission.state.paid_views,
        campaign_end,
        previous,
        before_previous,
    };
    Ok(reports::verify(report, &ctx, config))
}
