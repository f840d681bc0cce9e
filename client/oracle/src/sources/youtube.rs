//! YouTube Data API v3 `videos.list`: up to 50 ids per call, one quota unit per call whatever
//! the number of ids, counts as strings, unknown or private ids simply absent.
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::Value;

use super::http::{self, Reply};
use super::{Answer, Failure, Found, Limits, Meta, Source, Wanted, count, drifted};
use crate::video::Platform;

/// The public endpoint.
pub const BASE_URL: &str = "https://www.googleapis.com/youtube/v3";

/// The default limits: 10,000 units a day reset at midnight Pacific (taken as UTC-8: in summer
/// the real reset comes an hour earlier, so the oracle never counts on units it lacks).
pub fn default_limits() -> Limits {
    Limits {
        daily_units: Some(10_000),
        units_per_request: 1,
        day_offset_secs: -8 * 3_600,
        ..Limits::rate(50, 1_000)
    }
}

/// The YouTube Data API source.
pub struct YouTube {
    meta: Meta,
    base: String,
    key: String,
    client: Client,
}

impl YouTube {
    /// A source named `name` calling `base` with the API `key`.
    pub fn new(name: &str, base: &str, key: &str, limits: Limits, timeout: Duration) -> YouTube {
        YouTube {
            meta: Meta {
                name: name.to_string(),
                platform: Platform::YouTube,
                first_party: true,
                batch_size: 50,
                scoped_to_owner: false,
                asynchronous: false,
                limits,
            },
            base: base.to_string(),
            key: key.to_string(),
            client: http::client(timeout),
        }
    }

    fn failure(&self, reply: &Reply) -> Failure {
        let reasons: Vec<&str> = reply.body["error"]["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["reason"].as_str())
            .collect();
        if reasons
            .iter()
            .any(|r| *r == "quotaExceeded" || *r == "dailyLimitExceeded")
        {
            let now = http::unix_now();
            return Failure::Exhausted {
                reason: format!("{}: daily quota exceeded", self.meta.name),
                until: super::budget::next_day(now, self.meta.limits.day_offset_secs),
            };
        }
        http::status_failure(&self.meta.name, reply, &reasons.join(","))
    }
}

impl Source for YouTube {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let ids: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
        let request = self.client.get(http::join(&self.base, "videos")).query(&[
            ("part", "snippet,statistics"),
            ("fields", "items(id,snippet/channelId,statistics/viewCount)"),
            ("id", &ids.join(",")),
            ("key", &self.key),
        ]);
        let reply = http::send(&self.meta.name, request)?;
        if !reply.status.is_success() {
            return Err(self.failure(&reply));
        }
        parse(&self.meta.name, &reply.body, &ids)
    }
}

/// Reads a `videoListResponse`: ids not in `items` are missing.
fn parse(name: &str, body: &Value, asked: &[&str]) -> Result<Answer, Failure> {
    let items = body["items"]
        .as_array()
        .ok_or_else(|| drifted(name, "no items array"))?;
    let mut found = Vec::new();
    for item in items {
        let id = item["id"]
            .as_str()
            .ok_or_else(|| drifted(name, "item without id"))?;
        let views = count(&item["statistics"]["viewCount"])
            .ok_or_else(|| drifted(name, "statistics.viewCount is not a count"))?;
        found.push(Found {
            id: id.to_string(),
            views,
            owner: item["snippet"]["channelId"].as_str().map(str::to_string),
        });
    }
    Ok(Answer::of(found, asked))
}
