//! `oracle track`: reads the views of every tracked video the refresh schedule says is due,
//! through the router, and hands each video's readings to verification, which records them
//! as accepted (payable by the next `oracle run`) or quarantined.
use std::collections::{BTreeMap, HashMap};

use anchor_lang::prelude::Pubkey;
use rusqlite::params;
use serde::Serialize;

use super::router::{Due, Router};
use crate::identity::check_account;
use crate::ledger::Ledger;
use crate::reports::VerifyConfig;
use crate::schedule::Schedule;
use crate::verify::{self, Outcome};
use crate::video::{Platform, Reading, VideoId};
use crate::{Error, LedgerError};
use clipstake_client::backend::Backend;

/// A video the oracle tracks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tracked {
    /// Its campaign.
    pub campaign: String,
    /// Its submission (derived from the campaign and the video's canonical id).
    pub submission: String,
    /// The video.
    pub video: VideoId,
    /// The creator's platform account it was registered to.
    pub owner: String,
    /// The submission's registration time.
    pub registered_at: i64,
}

impl Tracked {
    /// `video` of `campaign`, owned by `owner`, registered at `registered_at`.
    pub fn new(campaign: &Pubkey, video: VideoId, owner: &str, registered_at: i64) -> Tracked {
        let submission = clipstake_sdk::pda::submission(campaign, &video.content_hash());
        Tracked {
            campaign: campaign.to_string(),
            submission: submission.to_string(),
            video,
            owner: owner.to_string(),
            registered_at,
        }
    }
}

impl Ledger {
    /// Records who published a registered video, as `submission register` does, for a
    /// submission registered without it (again: its account is updated). The account's form
    /// is checked for its platform.
    pub fn track_video(&self, t: &Tracked) -> Result<(), Error> {
        let account =
            check_account(t.video.platform, &t.owner).map_err(|reason| Error::Invalid {
                what: "platform account",
                reason,
            })?;
        self.conn
            .execute(
                "INSERT INTO video_accounts (campaign, platform, video_id, submission, account, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (campaign, platform, video_id) DO UPDATE SET account = excluded.account",
                params![
                    t.campaign,
                    t.video.platform.as_str(),
                    t.video.id,
                    t.submission,
                    account,
                    t.registered_at
                ],
            )?;
        Ok(())
    }

    /// Every registered video whose creator's account is recorded: what the oracle tracks.
    pub fn tracked_videos(&self) -> Result<Vec<Tracked>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT campaign, submission, platform, video_id, account, registered_at
                 FROM video_accounts ORDER BY registered_at, submission",
        )?;
        let rows: Vec<(String, String, String, String, String, i64)> = stmt
            .query_map([], |r| {
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
        rows.into_iter()
            .map(
                |(campaign, submission, platform, id, owner, registered_at)| {
                    let platform: Platform = platform.parse().map_err(LedgerError::BadPlatform)?;
                    Ok(Tracked {
                        campaign,
                        submission,
                        video: VideoId { platform, id },
                        owner,
                        registered_at,
                    })
                },
            )
            .collect()
    }

    /// Per submission, the time of its last recorded observation (accepted or quarantined):
    /// a quarantined video is read again on schedule, not every round.
    fn last_read(&self) -> Result<HashMap<String, i64>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT submission, MAX(observed_at) FROM observations
                 WHERE submission IS NOT NULL AND observed_at IS NOT NULL GROUP BY submission",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The tracked videos due at `now` under `schedule`.
    pub fn due_videos(&self, schedule: &Schedule, now: i64) -> Result<Vec<Tracked>, Error> {
        let last = self.last_read()?;
        Ok(self
            .tracked_videos()?
            .into_iter()
            .filter(|t| schedule.next_due(t.registered_at, last.get(&t.submission).copied()) <= now)
            .collect())
    }
}

/// How `oracle track` judges what it reads.
#[derive(Debug, Clone, Default)]
pub struct TrackOptions {
    /// The refresh schedule.
    pub schedule: Schedule,
    /// The anomaly rules.
    pub verify: VerifyConfig,
}

/// What one `oracle track` round did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TrackSummary {
    /// Tracked videos due.
    pub due: usize,
    /// Due videos no source could read (due again next round).
    pub unread: usize,
    /// Accepted counts (payable).
    pub accepted: usize,
    /// Quarantined (see `oracle review`).
    pub quarantined: usize,
    /// Counts equal to the last accepted one.
    pub unchanged: usize,
}

/// Reads every due video through `router` at `now` (the chain's clock) and records the
/// verdicts.
pub fn track(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    router: &mut Router,
    options: &TrackOptions,
    now: i64,
) -> Result<TrackSummary, Error> {
    let due = ledger.due_videos(&options.schedule, now)?;
    let wanted: Vec<Due> = due
        .iter()
        .map(|t| Due {
            video: t.video.clone(),
            owner: t.owner.clone(),
        })
        .collect();
    let mut read = router.read(ledger, &wanted, now)?;
    let mut summary = TrackSummary {
        due: due.len(),
        ..Default::default()
    };
    // Judged a campaign at a time (the campaign's policy, one chain read, one transaction).
    let mut by_campaign: BTreeMap<&str, Vec<(VideoId, Vec<Reading>)>> = BTreeMap::new();
    for t in &due {
        match read.remove(&t.video) {
            Some(readings) => by_campaign
                .entry(&t.campaign)
                .or_default()
                .push((t.video.clone(), readings)),
            None => summary.unread += 1,
        }
    }
    for (campaign, batch) in by_campaign {
        let campaign = crate::parse_key(campaign)?;
        let outcomes = verify::many(ledger, backend, &campaign, &batch, &options.verify)?;
        for ((video, _), outcome) in batch.iter().zip(outcomes) {
            tracing::info!(%video, ?outcome, "tracked");
            match outcome {
                Outcome::Accepted { .. } => summary.accepted += 1,
                Outcome::Quarantined { .. } => summary.quarantined += 1,
                Outcome::Duplicate => summary.unchanged += 1,
            }
        }
    }
    Ok(summary)
}
