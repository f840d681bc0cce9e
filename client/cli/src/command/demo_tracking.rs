//! The demo's tracking step: every round, the videos' views are read through the oracle's real
//! YouTube adapter and router from a LOCAL STAND-IN of the YouTube Data API (no keys needed),
//! and judged by the verification policy (owner checked) before anything is paid.
use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use clipstake_oracle::ledger::Ledger;
use clipstake_oracle::policy::{self, Policy, Verdict};
use clipstake_oracle::sources::router::Due;
use clipstake_oracle::sources::standin::StandIn;
use clipstake_oracle::sources::{Router, SourcesConfig};
use clipstake_oracle::video::{Platform, VideoId};
use serde_json::json;

use crate::CliError;

/// The stand-in, the router reading it, and what was read.
pub struct DemoTracking {
    standin: StandIn,
    router: Router,
    ledger: Ledger,
    /// Videos whose count the policy accepted, over every round.
    pub accepted: u64,
    /// Videos read but not payable (owner mismatch, zero, ...).
    pub refused: u64,
}

/// A demo video: its YouTube-shaped id (11 characters) and its creator's channel, both
/// derived from the campaign and the creator's index so reruns never collide.
pub fn demo_video(campaign: &Pubkey, index: usize) -> (VideoId, String) {
    let digest = clipstake_sdk::pda::content_hash(&format!("{campaign}/{index}"));
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let text: String = digest
        .iter()
        .map(|b| alphabet[usize::from(b % 64)] as char)
        .collect();
    let video = VideoId {
        platform: Platform::YouTube,
        id: text[..11].to_string(),
    };
    // Channel ids are "UC" and 22 more characters.
    (video, format!("UC{}", &text[10..32]))
}

impl DemoTracking {
    /// Starts the stand-in and a router whose YouTube source reads it.
    pub fn start() -> Result<DemoTracking, CliError> {
        let standin = StandIn::start()?;
        let config = json!({"sources": [{"name": "youtube (local stand-in)", "kind": "youtube",
                                         "base_url": standin.url(), "api_key": "no-key-needed"}]});
        let router = SourcesConfig::parse(&config.to_string())?.router()?;
        Ok(DemoTracking {
            standin,
            router,
            ledger: Ledger::in_memory()?,
            accepted: 0,
            refused: 0,
        })
    }

    /// One round: the stand-in is set to each video's `views`, the router reads them all,
    /// the policy judges each against its channel. Returns the payable views per video.
    pub fn round(
        &mut self,
        videos: &[(VideoId, String, u64)],
        now: i64,
    ) -> Result<HashMap<VideoId, u64>, CliError> {
        for (video, channel, views) in videos {
            self.standin.set(&video.id, channel, *views);
        }
        let due: Vec<Due> = videos
            .iter()
            .map(|(video, channel, _)| Due {
                video: video.clone(),
                owner: channel.clone(),
            })
            .collect();
        let mut readings = self.router.read(&mut self.ledger, &due, now)?;
        let mut payable = HashMap::new();
        for (video, channel, _) in videos {
            let read = readings.remove(video).unwrap_or_default();
            match policy::judge(&Policy::default(), video.platform, channel, &read) {
                Verdict::Payable { views, .. } => {
                    self.accepted += 1;
                    payable.insert(video.clone(), views);
                }
                Verdict::Quarantine { .. } => self.refused += 1,
            }
        }
        Ok(payable)
    }

    /// Requests the stand-in served.
    pub fn requests(&self) -> u64 {
        self.standin.requests()
    }
}
