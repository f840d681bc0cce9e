//! X API v2 posts lookup: up to 100 ids per request with an app bearer token. A post's
//! `public_metrics.impression_count`, or (for campaigns paying on video views) the
//! `view_count` of the video it carries, from `includes.media`.
use std::time::Duration;

use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::http;
use super::{Answer, Failure, Found, Limits, Meta, Source, Wanted, count, drifted};
use crate::video::Platform;

/// The public endpoint.
pub const BASE_URL: &str = "https://api.x.com/2";

/// 3,500 requests per 15 minutes per app; about $0.005 per post read.
pub fn default_limits() -> Limits {
    Limits {
        micro_usd_per_record: 5_000,
        ..Limits::rate(3_500, 15 * 60 * 1_000)
    }
}

/// Which count of a post is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// The views of the video attached to the post (summed by X over every post carrying it).
    #[default]
    VideoViews,
    /// The post's impressions.
    Impressions,
}

/// The X API source.
pub struct X {
    meta: Meta,
    base: String,
    token: String,
    metric: Metric,
    client: Client,
}

impl X {
    /// A source named `name` calling `base` with the app bearer `token`, paying on `metric`.
    pub fn new(
        name: &str,
        base: &str,
        token: &str,
        metric: Metric,
        limits: Limits,
        timeout: Duration,
    ) -> X {
        X {
            meta: Meta {
                name: name.to_string(),
                platform: Platform::X,
                first_party: true,
                batch_size: 100,
                scoped_to_owner: false,
                asynchronous: false,
                limits,
            },
            base: base.to_string(),
            token: token.to_string(),
            metric,
            client: http::client(timeout),
        }
    }
}

impl Source for X {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let ids: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
        let request = self
            .client
            .get(http::join(&self.base, "tweets"))
            .bearer_auth(&self.token)
            .query(&[
                ("ids", ids.join(",").as_str()),
                ("tweet.fields", "public_metrics,author_id,created_at"),
                ("expansions", "attachments.media_keys"),
                ("media.fields", "public_metrics,type"),
            ]);
        let reply = http::send(&self.meta.name, request)?;
        if !reply.status.is_success() {
            return Err(http::status_failure(&self.meta.name, &reply, ""));
        }
        parse(&self.meta.name, &reply.body, self.metric, &ids)
    }
}

/// Reads a lookup response: posts in `data`, missing or protected ones in `errors`.
fn parse(name: &str, body: &Value, metric: Metric, asked: &[&str]) -> Result<Answer, Failure> {
    if body.get("data").is_none() && body.get("errors").is_none() {
        return Err(drifted(name, "neither data nor errors"));
    }
    let media = body["includes"]["media"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut answer = Answer::default();
    for post in body["data"].as_array().into_iter().flatten() {
        let id = post["id"]
            .as_str()
            .ok_or_else(|| drifted(name, "post without id"))?;
        let views = match metric {
            Metric::Impressions => count(&post["public_metrics"]["impression_count"])
                .ok_or_else(|| drifted(name, "public_metrics.impression_count missing"))?,
            Metric::VideoViews => match video_views(post, &media) {
                Some(views) => views,
                // A post without a video has no video views to pay.
                None => {
                    answer.missing.push(id.to_string());
                    continue;
                }
            },
        };
        answer.found.push(Found {
            id: id.to_string(),
            views,
            owner: post["author_id"].as_str().map(str::to_string),
        });
    }
    let unanswered: Vec<String> = asked
        .iter()
        .filter(|id| !answer.found.iter().any(|f| f.id == **id))
        .filter(|id| !answer.missing.iter().any(|m| m == *id))
        .map(|id| id.to_string())
        .collect();
    answer.missing.extend(unanswered);
    Ok(answer)
}

/// The `view_count` of the first video among the post's attached media.
fn video_views(post: &Value, media: &[Value]) -> Option<u64> {
    let keys = post["attachments"]["media_keys"].as_array()?;
    keys.iter().find_map(|key| {
        media
            .iter()
            .find(|m| m["media_key"] == *key && m["type"] == "video")
            .and_then(|m| count(&m["public_metrics"]["view_count"]))
    })
}
