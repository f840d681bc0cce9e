//! A RapidAPI scraper fallback for TikTok (`tiktok-scraper7`): one video per request by its
//! URL, `data.play_count` and the author's `unique_id`. A third-party schema: the router
//! treats it as a scraper, so its counts alone need a second agreeing source.
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::Value;

use super::http;
use super::{Answer, Failure, Found, Limits, Meta, Source, Wanted, count, drifted, id_text};
use crate::video::Platform;

/// The scraper's endpoint.
pub const BASE_URL: &str = "https://tiktok-scraper7.p.rapidapi.com";
/// Its `X-RapidAPI-Host`.
pub const HOST: &str = "tiktok-scraper7.p.rapidapi.com";

/// A typical paid plan: 120 requests a minute at about $0.0003 a request.
pub fn default_limits() -> Limits {
    Limits {
        micro_usd_per_request: 300,
        ..Limits::rate(120, 60_000)
    }
}

/// The RapidAPI TikTok scraper.
pub struct RapidTikTok {
    meta: Meta,
    base: String,
    host: String,
    key: String,
    client: Client,
}

impl RapidTikTok {
    /// A source named `name` calling `base` (host header `host`) with the RapidAPI `key`.
    pub fn new(
        name: &str,
        (base, host): (&str, &str),
        key: &str,
        limits: Limits,
        timeout: Duration,
    ) -> RapidTikTok {
        RapidTikTok {
            meta: Meta {
                name: name.to_string(),
                platform: Platform::TikTok,
                first_party: false,
                batch_size: 1,
                scoped_to_owner: false,
                asynchronous: false,
                limits,
            },
            base: base.to_string(),
            host: host.to_string(),
            key: key.to_string(),
            client: http::client(timeout),
        }
    }
}

impl Source for RapidTikTok {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let mut answer = Answer::default();
        for video in videos {
            let url = format!("https://www.tiktok.com/@{}/video/{}", video.owner, video.id);
            let request = self
                .client
                .get(http::join(&self.base, "/"))
                .header("X-RapidAPI-Key", &self.key)
                .header("X-RapidAPI-Host", &self.host)
                .query(&[("url", url.as_str())]);
            let reply = http::send(&self.meta.name, request)?;
            if !reply.status.is_success() {
                return Err(http::status_failure(&self.meta.name, &reply, ""));
            }
            match parse(&self.meta.name, &reply.body)? {
                Some(found) if found.id == video.id => answer.found.push(found),
                _ => answer.missing.push(video.id.clone()),
            }
        }
        Ok(answer)
    }
}

/// `{"code":0,"data":{...}}` is a video; another code means the scraper found none.
fn parse(name: &str, body: &Value) -> Result<Option<Found>, Failure> {
    let code = body["code"]
        .as_i64()
        .ok_or_else(|| drifted(name, "no code"))?;
    if code != 0 {
        return Ok(None);
    }
    let data = &body["data"];
    let id = id_text(&data["id"]).ok_or_else(|| drifted(name, "data.id missing"))?;
    let views =
        count(&data["play_count"]).ok_or_else(|| drifted(name, "data.play_count missing"))?;
    Ok(Some(Found {
        id,
        views,
        owner: data["author"]["unique_id"].as_str().map(str::to_string),
    }))
}
