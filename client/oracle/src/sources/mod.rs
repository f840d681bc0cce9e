//! View sources: one adapter per platform API or scraper, each behind [`Source`], and the
//! [`router`] that walks each platform's chain of sources with retries, fallbacks, a circuit
//! breaker and rate limits shared by every oracle process through the ledger ([`budget`]).
//!
//! An adapter only speaks its wire format: it turns ids into counts or a [`Failure`] that says
//! what the router should do next. It never sleeps, retries or counts quota itself.
use std::time::Duration;

use crate::video::Platform;

pub mod brightdata;
pub mod budget;
pub mod config;
mod http;
pub mod instagram;
pub mod jobs;
pub mod rapidapi;
pub mod router;
pub mod standin;
pub mod tiktok;
pub mod track;
pub mod x;
pub mod youtube;

pub use config::SourcesConfig;
pub use router::{Router, RouterOptions};

/// One video a source is asked about: its platform id and the account it was registered to
/// (sources scoped to a creator's token pick the token by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The platform's id of the video.
    pub id: String,
    /// The creator's platform account recorded at registration.
    pub owner: String,
}

/// What a source said of one video it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The platform's id of the video.
    pub id: String,
    /// Cumulative views.
    pub views: u64,
    /// The publishing account, when the source tells.
    pub owner: Option<String>,
}

/// A successful answer to one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// Videos found, with their counts.
    pub found: Vec<Found>,
    /// Ids the source says do not exist (or are private to it).
    pub missing: Vec<String>,
}

impl Answer {
    /// `found`, every id of `asked` it lacks counted missing.
    pub fn of(found: Vec<Found>, asked: &[&str]) -> Answer {
        let missing = asked
            .iter()
            .filter(|id| !found.iter().any(|f| f.id == **id))
            .map(|id| id.to_string())
            .collect();
        Answer { found, missing }
    }
}

/// Why a request failed, classified for the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying on this source (timeout, 5xx, 429); `retry_after` is the source's own
    /// reset or `Retry-After` hint when it gave one.
    Transient {
        /// What happened.
        reason: String,
        /// When the source said to come back.
        retry_after: Option<Duration>,
    },
    /// Retrying will not help (auth, bad request, a response whose schema drifted): the next
    /// source is tried at once.
    Permanent {
        /// What happened.
        reason: String,
    },
    /// The source's quota is spent until `until` (unix seconds): no process may use it before.
    Exhausted {
        /// What happened.
        reason: String,
        /// When the quota resets.
        until: i64,
    },
}

impl Failure {
    /// A permanent failure.
    pub fn permanent(reason: impl Into<String>) -> Failure {
        Failure::Permanent {
            reason: reason.into(),
        }
    }

    /// A transient failure without a hint.
    pub fn transient(reason: impl Into<String>) -> Failure {
        Failure::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// The failure's description.
    pub fn reason(&self) -> &str {
        match self {
            Failure::Transient { reason, .. }
            | Failure::Permanent { reason }
            | Failure::Exhausted { reason, .. } => reason,
        }
    }

    /// The outcome name recorded in the ledger's attempt rows.
    pub fn outcome(&self) -> &'static str {
        match self {
            Failure::Transient { .. } => "transient",
            Failure::Permanent { .. } => "permanent",
            Failure::Exhausted { .. } => "exhausted",
        }
    }
}

/// What a source allows and costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests allowed per `window_ms` (shared by every oracle process on one ledger).
    pub requests: u64,
    /// The rate window, in milliseconds.
    pub window_ms: u64,
    /// Quota units per day, when the source has a daily quota.
    pub daily_units: Option<u64>,
    /// Quota units one request costs.
    pub units_per_request: u64,
    /// The quota day starts at midnight at this UTC offset (YouTube: Pacific time).
    pub day_offset_secs: i64,
    /// The provider's price per record returned, in millionths of a US dollar.
    pub micro_usd_per_record: u64,
    /// The provider's price per request, in millionths of a US dollar.
    pub micro_usd_per_request: u64,
}

impl Limits {
    /// `requests` per `window_ms`, no daily quota, free.
    pub fn rate(requests: u64, window_ms: u64) -> Limits {
        Limits {
            requests,
            window_ms,
            daily_units: None,
            units_per_request: 0,
            day_offset_secs: 0,
            micro_usd_per_record: 0,
            micro_usd_per_request: 0,
        }
    }
}

/// What the router needs to know of a source besides its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The configured name (`youtube`, `x`, `rapidapi-tiktok`, ...), unique in a router.
    pub name: String,
    /// The platform it reads.
    pub platform: Platform,
    /// Whether it is the platform's own API (ownership established) rather than a scraper.
    pub first_party: bool,
    /// The most videos one request may carry.
    pub batch_size: usize,
    /// Whether a request may only carry one creator's videos (it uses the creator's token).
    pub scoped_to_owner: bool,
    /// Whether it answers later: the router calls [`Source::trigger`] and, in later rounds,
    /// [`Source::collect`] instead of [`Source::fetch`].
    pub asynchronous: bool,
    /// Its rate limit, quota and price.
    pub limits: Limits,
}

/// A view source: a platform's API or a scraper provider.
pub trait Source {
    /// Its name, platform, batch size and limits.
    fn meta(&self) -> &Meta;
    /// Asks for `videos` (at most the batch size, one creator's when scoped) in one request.
    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure>;

    /// Asynchronous sources: starts a job for `videos`; returns the provider's job id.
    fn trigger(&mut self, videos: &[Wanted]) -> Result<String, Failure> {
        let _ = videos;
        Err(Failure::permanent(format!(
            "{} is not an asynchronous source",
            self.meta().name
        )))
    }

    /// Asynchronous sources: the result of job `job` for the ids `asked`, `None` while it
    /// runs; `hinted` when the provider pushed that it is ready.
    fn collect(
        &mut self,
        job: &str,
        hinted: bool,
        asked: &[&str],
    ) -> Result<Option<Answer>, Failure> {
        let _ = (job, hinted, asked);
        Err(Failure::permanent(format!(
            "{} is not an asynchronous source",
            self.meta().name
        )))
    }

    /// The configured name.
    fn name(&self) -> &str {
        &self.meta().name
    }
    /// The platform it reads.
    fn platform(&self) -> Platform {
        self.meta().platform
    }
    /// Whether it is the platform's own API.
    fn first_party(&self) -> bool {
        self.meta().first_party
    }
    /// Its rate limit, quota and price.
    fn limits(&self) -> &Limits {
        &self.meta().limits
    }
}

/// Parses a count a source sent as a number or as a decimal string (YouTube sends strings).
pub(crate) fn count(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An id a source sent as a string or a number (TikTok's numeric ids come either way).
pub(crate) fn id_text(value: &serde_json::Value) -> Option<String> {
    value
        .as_str()
        .map(str::to_string)
        .or_else(|| value.as_u64().map(|n| n.to_string()))
}

/// A schema-drift failure: the response parsed as JSON but not as the source's format.
pub(crate) fn drifted(source: &str, what: &str) -> Failure {
    Failure::permanent(format!("{source}: unexpected response ({what})"))
}
