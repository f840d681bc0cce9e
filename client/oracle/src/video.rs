//! A video's identity on its platform, and what one view source said about it.
//!
//! A submission is keyed by its canonical id (`youtube:dQw4w9WgXcQ`): the SHA-256 of that text
//! is the submission's content hash, so one video has one submission whatever URL it was
//! submitted under.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::urls::VideoRef;

/// A video platform the oracle reads views from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// YouTube (videos, Shorts, live).
    YouTube,
    /// TikTok.
    TikTok,
    /// Instagram (reels and video posts).
    Instagram,
    /// X (formerly Twitter).
    X,
}

impl Platform {
    /// Every platform, in a fixed order.
    pub const ALL: [Platform; 4] = [
        Platform::YouTube,
        Platform::TikTok,
        Platform::Instagram,
        Platform::X,
    ];

    /// The lowercase name used in canonical ids, configuration and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::YouTube => "youtube",
            Platform::TikTok => "tiktok",
            Platform::Instagram => "instagram",
            Platform::X => "x",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;

    fn from_str(text: &str) -> Result<Platform, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "youtube" | "yt" => Ok(Platform::YouTube),
            "tiktok" => Ok(Platform::TikTok),
            "instagram" | "ig" => Ok(Platform::Instagram),
            "x" | "twitter" => Ok(Platform::X),
            other => Err(format!(
                "unknown platform {other:?}: use youtube, tiktok, instagram or x"
            )),
        }
    }
}

/// A video as its platform names it: the platform and the platform's own id (YouTube's
/// 11-character id, TikTok's and X's numeric ids, Instagram's shortcode).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VideoId {
    /// The platform.
    pub platform: Platform,
    /// The platform's id of the video.
    pub id: String,
}

impl VideoId {
    /// `platform:id`, the text whose SHA-256 is the submission's content hash.
    pub fn canonical(&self) -> String {
        format!("{}:{}", self.platform, self.id)
    }

    /// The submission's content hash (the seed of its address).
    pub fn content_hash(&self) -> [u8; 32] {
        clipstake_sdk::pda::content_hash(&self.canonical())
    }

    /// The video a canonical id or URL names, without any network access: a TikTok short link
    /// is refused here (resolve it with [`crate::shortlink::ShortLinks`]).
    pub fn parse(text: &str) -> Result<VideoId, String> {
        match crate::urls::parse(text)? {
            VideoRef::Video(video) => Ok(video),
            VideoRef::TikTokShortLink(url) => Err(format!(
                "{url} is a TikTok short link: resolve it to its video first (`clipstake submission register` does)"
            )),
        }
    }

    /// This video's submission in `campaign`.
    pub fn submission(
        &self,
        campaign: &anchor_lang::prelude::Pubkey,
    ) -> anchor_lang::prelude::Pubkey {
        clipstake_sdk::pda::submission(campaign, &self.content_hash())
    }
}

impl FromStr for VideoId {
    type Err = String;

    fn from_str(text: &str) -> Result<VideoId, String> {
        VideoId::parse(text)
    }
}

impl fmt::Display for VideoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

/// What one view source answered for one video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    /// The source's name as configured (`youtube-data-api`, `brightdata`, ...).
    pub source: String,
    /// Whether the source is the platform's own API (as opposed to a scraper), which changes
    /// how many sources must agree.
    pub first_party: bool,
    /// Cumulative views the source reported.
    pub views: u64,
    /// The account the source says published the video (channel id, author id, username),
    /// when it tells.
    pub owner: Option<String>,
    /// Unix seconds at which the source answered.
    pub observed_at: i64,
}
