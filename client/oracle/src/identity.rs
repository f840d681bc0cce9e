//! What the ledger knows about a video's identity: the creator's platform account recorded at
//! registration, the campaign's verification policy, the sources behind each count and payout,
//! and the webhook deliveries already processed.
use crate::{Error, LedgerError};
use anchor_lang::prelude::Pubkey;
use rusqlite::{OptionalExtension, params};

use crate::ledger::{Ledger, now};
use crate::policy::Policy;
use crate::video::{Platform, VideoId};

/// A registered video and the platform account that published it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredVideo {
    /// The campaign it was submitted to.
    pub campaign: String,
    /// The video.
    pub video: VideoId,
    /// Its submission's address.
    pub submission: String,
    /// The creator's account on the platform (channel id, author id or username).
    pub account: String,
    /// Unix seconds of the registration.
    pub registered_at: i64,
}

/// Checks the form of a creator's platform account: a YouTube channel id (`UC` and 22
/// characters, what the Data API reports as `channelId`), or a username / numeric author id
/// elsewhere (an optional `@`, then letters, digits, `.` and `_`).
pub fn check_account(platform: Platform, account: &str) -> Result<String, String> {
    let account = account.trim();
    let word = |text: &str| {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    };
    let valid = match platform {
        Platform::YouTube => account.len() == 24 && account.starts_with("UC") && word(account),
        _ => {
            let name = account.strip_prefix('@').unwrap_or(account);
            (1..=64).contains(&name.len()) && word(name)
        }
    };
    if valid {
        return Ok(account.to_string());
    }
    Err(match platform {
        Platform::YouTube => format!(
            "{account:?} is not a YouTube channel id: give the channel's UC... id (24 characters), not its handle"
        ),
        other => format!(
            "{account:?} is not a {other} account: give the creator's username or numeric id"
        ),
    })
}

impl Ledger {
    /// Records who published `video` in `campaign` (replacing an earlier record of the same
    /// video, which only a registration that did not land can leave).
    pub fn record_account(
        &self,
        campaign: &Pubkey,
        video: &VideoId,
        account: &str,
    ) -> Result<(), Error> {
        let account = check_account(video.platform, account).map_err(|reason| Error::Invalid {
            what: "platform account",
            reason,
        })?;
        self.conn
            .execute(
                "INSERT INTO video_accounts (campaign, platform, video_id, submission, account, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (campaign, platform, video_id) DO UPDATE SET account = excluded.account,
                     registered_at = excluded.registered_at",
                params![
                    campaign.to_string(),
                    video.platform.as_str(),
                    video.id,
                    video.submission(campaign).to_string(),
                    account,
                    now()
                ],
            )?;
        Ok(())
    }

    /// The registered video of a submission, when its account was recorded.
    pub fn registered_video(&self, submission: &str) -> Result<Option<RegisteredVideo>, Error> {
        self.conn
            .query_row(
                "SELECT campaign, platform, video_id, submission, account, registered_at
                 FROM video_accounts WHERE submission = ?1",
                [submission],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()?
            .map(
                |(campaign, platform, id, submission, account, registered_at)| {
                    let platform = platform.parse().map_err(LedgerError::BadPlatform)?;
                    Ok(RegisteredVideo {
                        campaign,
                        video: VideoId { platform, id },
                        submission,
                        account,
                        registered_at,
                    })
                },
            )
            .transpose()
    }

    /// The campaign's verification policy (the defaults when none was set).
    pub fn campaign_policy(&self, campaign: &str) -> Result<Policy, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT first_party_quorum, scraper_quorum, tolerance_bps FROM campaign_policies WHERE campaign = ?1",
                [campaign],
                |r| Ok((r.get::<_, usize>(0)?, r.get::<_, usize>(1)?, r.get::<_, u32>(2)?)),
            )
            .optional()?;
        Ok(
            row.map_or_else(Policy::default, |(first, scraper, tolerance)| Policy {
                first_party_quorum: first,
                scraper_quorum: scraper,
                tolerance_bps: tolerance,
            }),
        )
    }

    /// Sets the campaign's verification policy.
    pub fn set_campaign_policy(&self, campaign: &str, policy: &Policy) -> Result<(), Error> {
        policy.check().map_err(|reason| Error::Invalid {
            what: "verification policy",
            reason,
        })?;
        self.conn
            .execute(
                "INSERT INTO campaign_policies (campaign, first_party_quorum, scraper_quorum, tolerance_bps, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (campaign) DO UPDATE SET first_party_quorum = excluded.first_party_quorum,
                     scraper_quorum = excluded.scraper_quorum, tolerance_bps = excluded.tolerance_bps,
                     updated_at = excluded.updated_at",
                params![
                    campaign,
                    policy.first_party_quorum,
                    policy.scraper_quorum,
                    policy.tolerance_bps,
                    now()
                ],
            )?;
        Ok(())
    }

    /// Records a webhook delivery; `false` when `(provider, event_id)` was already recorded
    /// (a replay: its effect must not be applied again). Call it inside the transaction that
    /// applies the delivery, so the two land together or not at all.
    pub fn first_delivery(&self, provider: &str, event_id: &str) -> Result<bool, Error> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO webhook_deliveries (provider, event_id, received_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![provider, event_id, now()])?;
        Ok(inserted == 1)
    }

    /// Names the sources behind the observation just recorded on this connection.
    pub(crate) fn set_last_observation_sources(&self, sources: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE observations SET sources = ?1 WHERE id = ?2")?
            .execute(params![sources, self.conn.last_insert_rowid()])?;
        Ok(())
    }

    /// Copies onto the intent `key` the sources of the accepted observation it pays (the
    /// newest with `views` for `submission`; a report file's `source` when no source list was
    /// recorded).
    pub(crate) fn record_intent_sources(
        &self,
        key: &str,
        submission: &str,
        views: u64,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "UPDATE intents SET sources = (
                     SELECT COALESCE(sources, NULLIF(source, '')) FROM observations
                     WHERE submission = ?2 AND status = 'accepted' AND views = ?3
                     ORDER BY id DESC LIMIT 1)
                 WHERE key = ?1",
            )?
            .execute(params![
                key,
                submission,
                i64::try_from(views).unwrap_or(i64::MAX)
            ])?;
        Ok(())
    }

    /// The sources that backed an intent's view count, as recorded when it was planned.
    pub fn intent_sources(&self, key: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row("SELECT sources FROM intents WHERE key = ?1", [key], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map_err(Error::from)
            .map(Option::flatten)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_checked_per_platform() {
        let channel = "UCuAXFkgsw1L7xaCfnd5JJOw";
        assert_eq!(
            check_account(Platform::YouTube, &format!(" {channel} ")),
            Ok(channel.into())
        );
        for bad in [
            "@RickAstleyYT",
            "UCshort",
            "uCuAXFkgsw1L7xaCfnd5JJOw",
            "UCuAXFkgsw1L7xaCfnd5JJO!",
            "",
        ] {
            assert!(check_account(Platform::YouTube, bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_account(Platform::TikTok, "@scout2015"),
            Ok("@scout2015".into())
        );
        assert_eq!(check_account(Platform::X, "783214"), Ok("783214".into()));
        assert_eq!(
            check_account(Platform::Instagram, "some.creator_1"),
            Ok("some.creator_1".into())
        );
        for bad in ["", "@", "two words", "a/b", &"x".repeat(65)] {
            assert!(check_account(Platform::Instagram, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accounts_policies_and_deliveries_round_trip() {
        let ledger = Ledger::in_memory().unwrap();
        let campaign = Pubkey::new_unique();
        let video = VideoId::parse("https://youtu.be/dQw4w9WgXcQ").unwrap();
        let submission = video.submission(&campaign).to_string();
        assert_eq!(ledger.registered_video(&submission).unwrap(), None);
        assert!(ledger.record_account(&campaign, &video, "@handle").is_err());
        ledger
            .record_account(&campaign, &video, "UCuAXFkgsw1L7xaCfnd5JJOw")
            .unwrap();
        // A registration that did not land is replaced by the next attempt's account.
        ledger
            .record_account(&campaign, &video, "UCaaaaaaaaaaaaaaaaaaaaaa")
            .unwrap();
        let registered = ledger.registered_video(&submission).unwrap().unwrap();
        assert_eq!(
            (registered.video, registered.account.as_str()),
            (video, "UCaaaaaaaaaaaaaaaaaaaaaa")
        );

        let text = campaign.to_string();
        assert_eq!(ledger.campaign_policy(&text).unwrap(), Policy::default());
        let bad = Policy {
            tolerance_bps: 10_001,
            ..Policy::default()
        };
        assert!(ledger.set_campaign_policy(&text, &bad).is_err());

        assert!(ledger.first_delivery("reports", "msg_1").unwrap());
        assert!(!ledger.first_delivery("reports", "msg_1").unwrap());
        assert!(ledger.first_delivery("brightdata", "msg_1").unwrap());
    }
}
