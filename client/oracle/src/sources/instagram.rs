//! Instagram Graph API, two independent sources:
//! - [`Insights`], with the creator's token: the media's lifetime `views` insight. There is no
//!   lookup by shortcode, so the creator's media list is read once and kept to map shortcodes
//!   to media ids.
//! - [`BusinessDiscovery`], with the oracle's own business account: the creator's public media
//!   and their `view_count`, no creator token needed.
use std::collections::HashMap;
use std::time::Duration;

use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::http::{self, Reply};
use super::{Answer, Failure, Found, Limits, Meta, Source, Wanted, count, drifted};
use crate::video::Platform;

/// The Instagram API with Instagram Login (creator tokens).
pub const INSIGHTS_URL: &str = "https://graph.instagram.com/v25.0";
/// The Facebook Graph API (Business Discovery).
pub const DISCOVERY_URL: &str = "https://graph.facebook.com/v25.0";

/// About 200 calls per hour per account.
pub fn default_limits() -> Limits {
    Limits::rate(200, 3_600_000)
}

/// A creator's Instagram account as the oracle may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorAccount {
    /// The Instagram user id the token belongs to.
    pub user_id: String,
    /// The creator's access token.
    pub access_token: String,
}

/// Graph error codes that mean "slow down": application, user, page and custom rate limits.
const THROTTLED: [i64; 4] = [4, 17, 32, 613];

fn graph_failure(name: &str, reply: &Reply) -> Failure {
    let error = &reply.body["error"];
    let code = error["code"].as_i64().unwrap_or_default();
    let message = error["message"].as_str().unwrap_or_default();
    if THROTTLED.contains(&code) {
        return Failure::Transient {
            reason: format!("{name}: rate limited (#{code}) {message}"),
            retry_after: http::retry_after(&reply.headers, http::unix_now()),
        };
    }
    http::status_failure(name, reply, &format!("#{code} {message}"))
}

/// The shortcode in a media permalink (`https://www.instagram.com/reel/SC/`).
fn shortcode(permalink: &str) -> Option<&str> {
    let mut parts = permalink.split('/');
    parts.find(|p| matches!(*p, "reel" | "reels" | "p" | "tv"))?;
    parts
        .next()
        .and_then(|p| p.split(['?', '#']).next())
        .filter(|p| !p.is_empty())
}

/// Insights with the creator's token.
pub struct Insights {
    meta: Meta,
    base: String,
    accounts: HashMap<String, CreatorAccount>,
    /// Per creator: shortcode -> media id, read from their media list.
    media_ids: HashMap<String, HashMap<String, String>>,
    client: Client,
}

impl Insights {
    /// A source named `name` calling `base` with each creator's account (keyed by the
    /// registered username).
    pub fn new(
        name: &str,
        base: &str,
        accounts: HashMap<String, CreatorAccount>,
        limits: Limits,
        timeout: Duration,
    ) -> Insights {
        Insights {
            meta: Meta {
                name: name.to_string(),
                platform: Platform::Instagram,
                first_party: true,
                batch_size: 1,
                scoped_to_owner: true,
                asynchronous: false,
                limits,
            },
            base: base.to_string(),
            accounts,
            media_ids: HashMap::new(),
            client: http::client(timeout),
        }
    }

    fn get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Result<Value, Failure> {
        let request = self
            .client
            .get(http::join(&self.base, path))
            .query(query)
            .query(&[("access_token", token)]);
        let reply = http::send(&self.meta.name, request)?;
        if !reply.status.is_success() {
            return Err(graph_failure(&self.meta.name, &reply));
        }
        Ok(reply.body)
    }

    fn media_id(&mut self, owner: &str, code: &str) -> Result<Option<String>, Failure> {
        if !self.media_ids.contains_key(owner) {
            let account = &self.accounts[owner];
            let list = self.get(
                &format!("{}/media", account.user_id),
                &account.access_token,
                &[("fields", "id,shortcode,permalink"), ("limit", "100")],
            )?;
            let items = list["data"]
                .as_array()
                .ok_or_else(|| drifted(&self.meta.name, "media list without data"))?;
            let ids = items
                .iter()
                .filter_map(|m| {
                    let code = m["shortcode"]
                        .as_str()
                        .or_else(|| m["permalink"].as_str().and_then(shortcode))?;
                    Some((code.to_string(), m["id"].as_str()?.to_string()))
                })
                .collect();
            self.media_ids.insert(owner.to_string(), ids);
        }
        Ok(self.media_ids[owner].get(code).cloned())
    }
}

impl Source for Insights {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let mut answer = Answer::default();
        for video in videos {
            if !self.accounts.contains_key(&video.owner) {
                return Err(Failure::permanent(format!(
                    "{}: no token for creator {}: they have not authorised the oracle",
                    self.meta.name, video.owner
                )));
            }
            let Some(media) = self.media_id(&video.owner, &video.id)? else {
                answer.missing.push(video.id.clone());
                continue;
            };
            let token = self.accounts[&video.owner].access_token.clone();
            let insights = self.get(&format!("{media}/insights"), &token, &[("metric", "views")]);
            let views = match insights {
                Ok(body) => views_insight(&self.meta.name, &body)?,
                // #10: too few viewers for insights yet: nothing to read on this source.
                Err(Failure::Permanent { reason }) if reason.contains("#10 ") => {
                    answer.missing.push(video.id.clone());
                    continue;
                }
                Err(other) => return Err(other),
            };
            answer.found.push(Found {
                id: video.id.clone(),
                views,
                owner: Some(video.owner.clone()),
            });
        }
        Ok(answer)
    }
}

fn views_insight(name: &str, body: &Value) -> Result<u64, Failure> {
    body["data"]
        .as_array()
        .and_then(|metrics| metrics.iter().find(|m| m["name"] == "views"))
        .and_then(|m| count(&m["values"][0]["value"]))
        .ok_or_else(|| drifted(name, "no views insight"))
}

/// Business Discovery with the oracle's own business account.
pub struct BusinessDiscovery {
    meta: Meta,
    base: String,
    ig_user_id: String,
    token: String,
    client: Client,
}

impl BusinessDiscovery {
    /// A source named `name` calling `base` as the business account `ig_user_id`.
    pub fn new(
        name: &str,
        base: &str,
        (ig_user_id, token): (&str, &str),
        limits: Limits,
        timeout: Duration,
    ) -> BusinessDiscovery {
        BusinessDiscovery {
            meta: Meta {
                name: name.to_string(),
                platform: Platform::Instagram,
                first_party: true,
                batch_size: 50,
                scoped_to_owner: true,
                asynchronous: false,
                limits,
            },
            base: base.to_string(),
            ig_user_id: ig_user_id.to_string(),
            token: token.to_string(),
            client: http::client(timeout),
        }
    }
}

impl Source for BusinessDiscovery {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let Some(owner) = videos.first().map(|v| v.owner.as_str()) else {
            return Ok(Answer::default());
        };
        let fields = format!(
            "business_discovery.username({owner}){{media{{id,permalink,view_count,like_count}}}}"
        );
        let request = self
            .client
            .get(http::join(&self.base, &self.ig_user_id))
            .query(&[("fields", fields.as_str()), ("access_token", &self.token)]);
        let reply = http::send(&self.meta.name, request)?;
        if !reply.status.is_success() {
            return Err(graph_failure(&self.meta.name, &reply));
        }
        let media = reply.body["business_discovery"]["media"]["data"]
            .as_array()
            .ok_or_else(|| drifted(&self.meta.name, "no business_discovery.media.data"))?;
        let mut answer = Answer::default();
        for video in videos {
            let item = media
                .iter()
                .find(|m| m["permalink"].as_str().and_then(shortcode) == Some(&video.id));
            match item.and_then(|m| count(&m["view_count"])) {
                Some(views) => answer.found.push(Found {
                    id: video.id.clone(),
                    views,
                    owner: Some(owner.to_string()),
                }),
                None => answer.missing.push(video.id.clone()),
            }
        }
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shortcodes_come_from_permalinks() {
        use super::shortcode;
        assert_eq!(
            shortcode("https://www.instagram.com/reel/C9xYz/"),
            Some("C9xYz")
        );
        assert_eq!(
            shortcode("https://www.instagram.com/p/AbC_1?x=1"),
            Some("AbC_1")
        );
        assert_eq!(shortcode("https://www.instagram.com/user/"), None);
    }
}
