//! TikTok Display API `video/query`: up to 20 ids per request with the creator's own OAuth
//! token (scope `video.list`), so only that creator's videos come back and ownership is built
//! in. An expired access token is refreshed once with the creator's refresh token.
use std::collections::HashMap;
use std::time::Duration;

use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{self, Reply};
use super::{Answer, Failure, Found, Limits, Meta, Source, Wanted, count, drifted, id_text};
use crate::video::Platform;

/// The public endpoint.
pub const BASE_URL: &str = "https://open.tiktokapis.com/v2";

/// 600 requests per minute per endpoint.
pub fn default_limits() -> Limits {
    Limits::rate(600, 60_000)
}

/// A creator's OAuth tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorToken {
    /// The current access token.
    pub access_token: String,
    /// The refresh token (TikTok rotates it on each refresh).
    pub refresh_token: String,
}

/// The TikTok Display API source.
pub struct TikTok {
    meta: Meta,
    base: String,
    client_key: String,
    client_secret: String,
    /// Per creator account (as registered): its tokens.
    tokens: HashMap<String, CreatorToken>,
    client: Client,
}

impl TikTok {
    /// A source named `name` calling `base` with the app's `client_key`/`client_secret` (for
    /// refreshes) and each creator's tokens.
    pub fn new(
        name: &str,
        base: &str,
        (client_key, client_secret): (&str, &str),
        tokens: HashMap<String, CreatorToken>,
        limits: Limits,
        timeout: Duration,
    ) -> TikTok {
        TikTok {
            meta: Meta {
                name: name.to_string(),
                platform: Platform::TikTok,
                first_party: true,
                batch_size: 20,
                scoped_to_owner: true,
                asynchronous: false,
                limits,
            },
            base: base.to_string(),
            client_key: client_key.to_string(),
            client_secret: client_secret.to_string(),
            tokens,
            client: http::client(timeout),
        }
    }

    fn query(&self, token: &str, ids: &[&str]) -> Result<Reply, Failure> {
        let request = self
            .client
            .post(http::join(&self.base, "video/query/"))
            .bearer_auth(token)
            .query(&[(
                "fields",
                "id,create_time,share_url,view_count,like_count,comment_count,share_count",
            )])
            .json(&json!({ "filters": { "video_ids": ids } }));
        http::send(&self.meta.name, request)
    }

    /// Trades the creator's refresh token for new tokens, kept for the next requests.
    fn refresh(&mut self, owner: &str) -> Result<String, Failure> {
        let refresh_token = self.tokens[owner].refresh_token.clone();
        let request = self
            .client
            .post(http::join(&self.base, "oauth/token/"))
            .form(&[
                ("client_key", self.client_key.as_str()),
                ("client_secret", self.client_secret.as_str()),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.as_str()),
            ]);
        let reply = http::send(&self.meta.name, request)?;
        let (Some(access), Some(refresh)) = (
            reply.body["access_token"].as_str(),
            reply.body["refresh_token"].as_str(),
        ) else {
            return Err(Failure::permanent(format!(
                "{}: refreshing {owner}'s token failed (HTTP {}): the creator must authorise again",
                self.meta.name, reply.status
            )));
        };
        tracing::info!(source = %self.meta.name, owner, "refreshed a creator's TikTok token");
        let token = CreatorToken {
            access_token: access.to_string(),
            refresh_token: refresh.to_string(),
        };
        self.tokens.insert(owner.to_string(), token);
        Ok(access.to_string())
    }

    fn failure(&self, reply: &Reply) -> Failure {
        let code = reply.body["error"]["code"].as_str().unwrap_or_default();
        match code {
            "rate_limit_exceeded" | "internal_error" => Failure::Transient {
                reason: format!("{}: {code}", self.meta.name),
                retry_after: http::retry_after(&reply.headers, http::unix_now()),
            },
            _ => http::status_failure(&self.meta.name, reply, code),
        }
    }
}

impl Source for TikTok {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let Some(owner) = videos.first().map(|v| v.owner.clone()) else {
            return Ok(Answer::default());
        };
        let Some(token) = self.tokens.get(&owner).map(|t| t.access_token.clone()) else {
            return Err(Failure::permanent(format!(
                "{}: no token for creator {owner}: they have not authorised the oracle",
                self.meta.name
            )));
        };
        let ids: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
        let mut reply = self.query(&token, &ids)?;
        if reply.body["error"]["code"] == "access_token_invalid" {
            let token = self.refresh(&owner)?;
            reply = self.query(&token, &ids)?;
        }
        if !reply.status.is_success() || reply.body["error"]["code"] != "ok" {
            return Err(self.failure(&reply));
        }
        parse(&self.meta.name, &reply.body, &owner, &ids)
    }
}

/// Reads `data.videos`; the token's creator owns every video returned.
fn parse(name: &str, body: &Value, owner: &str, asked: &[&str]) -> Result<Answer, Failure> {
    let videos = body["data"]["videos"]
        .as_array()
        .ok_or_else(|| drifted(name, "no data.videos array"))?;
    let mut found = Vec::new();
    for video in videos {
        let id = id_text(&video["id"]).ok_or_else(|| drifted(name, "video without id"))?;
        let views = count(&video["view_count"])
            .ok_or_else(|| drifted(name, "view_count is not a count"))?;
        found.push(Found {
            id,
            views,
            owner: Some(owner.to_string()),
        });
    }
    Ok(Answer::of(found, asked))
}
