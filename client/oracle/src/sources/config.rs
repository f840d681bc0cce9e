//! The sources configuration: a JSON file listing the sources in chain order per platform,
//! their endpoints, limits and credentials. A credential is written in the file or, as
//! `"env:NAME"`, read from the environment variable NAME; never from the command line.
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::brightdata::{self, BrightData, Fields};
use super::instagram::{self, BusinessDiscovery, CreatorAccount, Insights};
use super::rapidapi::{self, RapidTikTok};
use super::tiktok::{self, CreatorToken, TikTok};
use super::x::{self, Metric, X};
use super::youtube::{self, YouTube};
use super::{Limits, Router, RouterOptions, Source};
use crate::video::Platform;
use crate::{ConfigError, Error};

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// The sources; per platform, tried in this order.
    pub sources: Vec<SourceEntry>,
    /// Retry, breaker and quorum settings.
    #[serde(default)]
    pub router: RouterSettings,
}

/// Retry and breaker settings (milliseconds).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterSettings {
    /// Requests per batch on one source.
    pub attempts: Option<u32>,
    /// The first backoff ceiling.
    pub base_delay_ms: Option<u64>,
    /// The largest backoff ceiling.
    pub max_delay_ms: Option<u64>,
    /// The longest wait within a round.
    pub max_wait_ms: Option<u64>,
    /// Consecutive failures that open a breaker.
    pub breaker_failures: Option<u32>,
    /// How long a breaker stays open.
    pub breaker_cooldown_ms: Option<u64>,
    /// Scraper readings wanted when no first-party source answered.
    pub scraper_quorum: Option<usize>,
    /// How long a triggered scrape may take before its videos go to the next source.
    pub scrape_deadline_ms: Option<u64>,
}

/// One source.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceEntry {
    /// Its name in the ledger and reports (unique).
    pub name: String,
    /// Another endpoint than the public one (a proxy, or a local stand-in).
    pub base_url: Option<String>,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    /// Limits overriding the source's defaults (your plan's).
    pub limits: Option<LimitsSettings>,
    /// What it is, with its credentials.
    #[serde(flatten)]
    pub kind: Kind,
}

fn default_timeout() -> u64 {
    10_000
}

/// Overrides of a source's [`Limits`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSettings {
    /// Requests per window.
    pub requests: Option<u64>,
    /// The window, ms.
    pub window_ms: Option<u64>,
    /// Quota units per day.
    pub daily_units: Option<u64>,
    /// Units per request.
    pub units_per_request: Option<u64>,
    /// Price per record, millionths of a dollar.
    pub micro_usd_per_record: Option<u64>,
    /// Price per request, millionths of a dollar.
    pub micro_usd_per_request: Option<u64>,
}

/// The source kinds and their credentials.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Kind {
    /// YouTube Data API v3.
    Youtube {
        /// The API key.
        api_key: String,
    },
    /// X API v2.
    X {
        /// The app's bearer token.
        bearer_token: String,
        /// What the campaigns pay on.
        #[serde(default)]
        metric: Metric,
    },
    /// TikTok Display API.
    Tiktok {
        /// The app's client key (token refreshes).
        client_key: String,
        /// The app's client secret.
        client_secret: String,
        /// Per registered creator account: their tokens.
        creators: HashMap<String, CreatorToken>,
    },
    /// Instagram insights with creators' tokens.
    InstagramInsights {
        /// Per registered username: their account id and token.
        creators: HashMap<String, CreatorAccount>,
    },
    /// Instagram Business Discovery with the oracle's business account.
    InstagramDiscovery {
        /// The oracle's Instagram business account id.
        ig_user_id: String,
        /// Its access token.
        access_token: String,
    },
    /// Bright Data datasets v3 (asynchronous snapshots).
    Brightdata {
        /// The platform the dataset scrapes.
        platform: Platform,
        /// The API token.
        api_token: String,
        /// The dataset id.
        #[serde(default = "tiktok_posts")]
        dataset_id: String,
        /// Its record fields.
        #[serde(default)]
        fields: Fields,
        /// `oracle serve`'s public callback URL (`.../callbacks/brightdata`), for the
        /// provider's "ready" hint; without it each round polls the job's progress.
        notify_url: Option<String>,
    },
    /// The RapidAPI TikTok scraper.
    RapidapiTiktok {
        /// The RapidAPI key.
        api_key: String,
        /// The API's host header.
        #[serde(default = "rapid_host")]
        host: String,
    },
}

fn tiktok_posts() -> String {
    brightdata::TIKTOK_POSTS.to_string()
}

fn rapid_host() -> String {
    rapidapi::HOST.to_string()
}

/// A credential: the text itself, or `env:NAME` read from the environment.
fn secret(source: &str, value: &str) -> Result<String, Error> {
    match value.strip_prefix("env:") {
        Some(var) => std::env::var(var).map_err(|_| {
            ConfigError::MissingSecret {
                name: source.to_string(),
                var: var.to_string(),
            }
            .into()
        }),
        None => Ok(value.to_string()),
    }
}

impl SourcesConfig {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<SourcesConfig, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|source| {
            ConfigError::InFile {
                path: path.to_path_buf(),
                source: Box::new(source),
            }
            .into()
        })
    }

    /// Parses and checks a configuration.
    pub fn parse(text: &str) -> Result<SourcesConfig, ConfigError> {
        let config: SourcesConfig = serde_json::from_str(text)?;
        let mut names: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(ConfigError::DuplicateName(w[0].to_string()));
        }
        Ok(config)
    }

    /// The router over every configured source.
    pub fn router(&self) -> Result<Router, Error> {
        let sources = self
            .sources
            .iter()
            .map(SourceEntry::build)
            .collect::<Result<_, _>>()?;
        Ok(Router::new(sources, self.router.options()))
    }
}

impl RouterSettings {
    fn options(&self) -> RouterOptions {
        let d = RouterOptions::default();
        let ms = |v: Option<u64>, default: Duration| v.map_or(default, Duration::from_millis);
        RouterOptions {
            attempts: self.attempts.unwrap_or(d.attempts).max(1),
            base_delay: ms(self.base_delay_ms, d.base_delay),
            max_delay: ms(self.max_delay_ms, d.max_delay),
            max_wait: ms(self.max_wait_ms, d.max_wait),
            breaker_failures: self.breaker_failures.unwrap_or(d.breaker_failures).max(1),
            breaker_cooldown: ms(self.breaker_cooldown_ms, d.breaker_cooldown),
            scraper_quorum: self.scraper_quorum.unwrap_or(d.scraper_quorum),
            scrape_deadline: ms(self.scrape_deadline_ms, d.scrape_deadline),
        }
    }
}

impl LimitsSettings {
    fn apply(&self, mut limits: Limits) -> Limits {
        limits.requests = self.requests.unwrap_or(limits.requests);
        limits.window_ms = self.window_ms.unwrap_or(limits.window_ms);
        limits.daily_units = self.daily_units.or(limits.daily_units);
        limits.units_per_request = self.units_per_request.unwrap_or(limits.units_per_request);
        limits.micro_usd_per_record = self
            .micro_usd_per_record
            .unwrap_or(limits.micro_usd_per_record);
        limits.micro_usd_per_request = self
            .micro_usd_per_request
            .unwrap_or(limits.micro_usd_per_request);
        limits
    }
}

impl SourceEntry {
    /// Builds the adapter, reading its credentials.
    pub fn build(&self) -> Result<Box<dyn Source>, Error> {
        let name = self.name.as_str();
        let timeout = Duration::from_millis(self.timeout_ms);
        let base = |default: &str| self.base_url.clone().unwrap_or_else(|| default.to_string());
        let limits = |default: Limits| self.limits.clone().unwrap_or_default().apply(default);
        let source: Box<dyn Source> = match &self.kind {
            Kind::Youtube { api_key } => Box::new(YouTube::new(
                name,
                &base(youtube::BASE_URL),
                &secret(name, api_key)?,
                limits(youtube::default_limits()),
                timeout,
            )),
            Kind::X {
                bearer_token,
                metric,
            } => Box::new(X::new(
                name,
                &base(x::BASE_URL),
                &secret(name, bearer_token)?,
                *metric,
                limits(x::default_limits()),
                timeout,
            )),
            Kind::Tiktok {
                client_key,
                client_secret,
                creators,
            } => Box::new(TikTok::new(
                name,
                &base(tiktok::BASE_URL),
                (&secret(name, client_key)?, &secret(name, client_secret)?),
                creators.clone(),
                limits(tiktok::default_limits()),
                timeout,
            )),
            Kind::InstagramInsights { creators } => Box::new(Insights::new(
                name,
                &base(instagram::INSIGHTS_URL),
                creators.clone(),
                limits(instagram::default_limits()),
                timeout,
            )),
            Kind::InstagramDiscovery {
                ig_user_id,
                access_token,
            } => Box::new(BusinessDiscovery::new(
                name,
                &base(instagram::DISCOVERY_URL),
                (ig_user_id, &secret(name, access_token)?),
                limits(instagram::default_limits()),
                timeout,
            )),
            Kind::Brightdata {
                platform,
                api_token,
                dataset_id,
                fields,
                notify_url,
            } => Box::new(BrightData::new(
                (name, *platform),
                (&base(brightdata::BASE_URL), &secret(name, api_token)?),
                (dataset_id, fields.clone()),
                notify_url.clone(),
                limits(brightdata::default_limits()),
                timeout,
            )),
            Kind::RapidapiTiktok { api_key, host } => Box::new(RapidTikTok::new(
                name,
                (&base(rapidapi::BASE_URL), host),
                &secret(name, api_key)?,
                limits(rapidapi::default_limits()),
                timeout,
            )),
        };
        Ok(source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_the_file_or_the_environment() {
        let text = r#"{"sources": [
            {"name": "yt", "kind": "youtube", "api_key": "env:CLIPSTAKE_TEST_UNSET_KEY"},
            {"name": "x", "kind": "x", "bearer_token": "inline", "limits": {"requests": 5}}
        ]}"#;
        let config = SourcesConfig::parse(text).unwrap();
        let err = config.router().err().unwrap().to_string();
        assert!(err.contains("CLIPSTAKE_TEST_UNSET_KEY is not set"), "{err}");
        let x = config.sources[1].build().unwrap();
        assert_eq!(x.limits().requests, 5);
        assert_eq!(x.limits().window_ms, 15 * 60 * 1_000);
        let twice = r#"{"sources": [{"name": "a", "kind": "x", "bearer_token": "t"},
                                    {"name": "a", "kind": "x", "bearer_token": "t"}]}"#;
        assert!(SourcesConfig::parse(twice).is_err());
    }
}
