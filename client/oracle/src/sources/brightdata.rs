//! Bright Data datasets v3, a scraper fallback. Asynchronous: a batch of URLs is triggered as
//! a snapshot (`/trigger` -> `snapshot_id`), recorded as a scrape job with a deadline, and
//! pulled back in a later round (`/progress`, `/snapshot`). The provider's webhook carries only
//! a static auth header, so a delivery is only a hint that the snapshot is ready: the result is
//! always pulled from the API, never read from the push.
use std::time::Duration;

use reqwest::blocking::Client;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{Value, json};

use super::http;
use super::{Answer, Failure, Found, Limits, Meta, Source, Wanted, count, drifted, id_text};
use crate::Error;
use crate::ledger::Ledger;
use crate::video::Platform;

/// The public endpoint.
pub const BASE_URL: &str = "https://api.brightdata.com/datasets/v3";
/// The TikTok posts dataset.
pub const TIKTOK_POSTS: &str = "gd_lu702nij2f790tmv9h";
/// The environment variable holding the static secret the provider's webhook must present.
pub const WEBHOOK_SECRET_ENV: &str = "CLIPSTAKE_BRIGHTDATA_WEBHOOK_SECRET";

/// About $1.50 per 1,000 records; requests are not otherwise limited in a way that matters.
pub fn default_limits() -> Limits {
    Limits {
        micro_usd_per_record: 1_500,
        ..Limits::rate(60, 60_000)
    }
}

/// Which record fields hold the id, the count and the owner (they differ per dataset, and
/// third-party schemas drift).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Fields {
    /// The post id.
    pub id: String,
    /// The view count.
    pub views: String,
    /// The publishing account.
    pub owner: String,
}

impl Default for Fields {
    /// The TikTok posts dataset's fields.
    fn default() -> Self {
        Fields {
            id: "post_id".into(),
            views: "play_count".into(),
            owner: "profile_username".into(),
        }
    }
}

/// The Bright Data source.
pub struct BrightData {
    meta: Meta,
    base: String,
    token: String,
    dataset: String,
    fields: Fields,
    /// Where the provider should push its "ready" hint (`oracle serve`'s callback route).
    notify: Option<String>,
    client: Client,
}

impl BrightData {
    /// A source named `name` for `platform`, calling `base` with the API `token` on `dataset`.
    pub fn new(
        (name, platform): (&str, Platform),
        (base, token): (&str, &str),
        (dataset, fields): (&str, Fields),
        notify: Option<String>,
        limits: Limits,
        timeout: Duration,
    ) -> BrightData {
        BrightData {
            meta: Meta {
                name: name.to_string(),
                platform,
                first_party: false,
                batch_size: 20,
                scoped_to_owner: false,
                asynchronous: true,
                limits,
            },
            base: base.to_string(),
            token: token.to_string(),
            dataset: dataset.to_string(),
            fields,
            notify,
            client: http::client(timeout),
        }
    }

    fn url(&self, video: &Wanted) -> String {
        match self.meta.platform {
            Platform::TikTok => {
                format!("https://www.tiktok.com/@{}/video/{}", video.owner, video.id)
            }
            Platform::Instagram => format!("https://www.instagram.com/reel/{}/", video.id),
            Platform::YouTube => format!("https://www.youtube.com/watch?v={}", video.id),
            Platform::X => format!("https://x.com/{}/status/{}", video.owner, video.id),
        }
    }

    fn get(&self, path: &str) -> Result<http::Reply, Failure> {
        let request = self
            .client
            .get(http::join(&self.base, path))
            .bearer_auth(&self.token)
            .query(&[("format", "json")]);
        let reply = http::send(&self.meta.name, request)?;
        if !reply.status.is_success() && reply.status.as_u16() != 202 {
            return Err(http::status_failure(&self.meta.name, &reply, ""));
        }
        Ok(reply)
    }

    fn records(&self, body: &Value, asked: &[&str]) -> Result<Answer, Failure> {
        let records = body
            .as_array()
            .ok_or_else(|| drifted(&self.meta.name, "snapshot is not an array of records"))?;
        let mut found = Vec::new();
        for record in records.iter().filter(|r| r.get("error").is_none()) {
            let (Some(id), Some(views)) = (
                id_text(&record[&self.fields.id]),
                count(&record[&self.fields.views]),
            ) else {
                return Err(drifted(
                    &self.meta.name,
                    "record without its id or count field",
                ));
            };
            found.push(Found {
                id,
                views,
                owner: record[&self.fields.owner].as_str().map(str::to_string),
            });
        }
        Ok(Answer::of(found, asked))
    }
}

impl Source for BrightData {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The synchronous `/scrape` endpoint (small batches, about a minute): a snapshot that
    /// takes longer comes back as 202 and is left to the asynchronous path.
    fn fetch(&mut self, videos: &[Wanted]) -> Result<Answer, Failure> {
        let inputs: Vec<Value> = videos
            .iter()
            .map(|v| json!({ "url": self.url(v) }))
            .collect();
        let request = self
            .client
            .post(http::join(&self.base, "scrape"))
            .bearer_auth(&self.token)
            .query(&[("dataset_id", self.dataset.as_str()), ("format", "json")])
            .json(&inputs);
        let reply = http::send(&self.meta.name, request)?;
        if reply.status.as_u16() == 202 {
            return Err(Failure::transient(format!(
                "{}: the scrape is still building",
                self.meta.name
            )));
        }
        if !reply.status.is_success() {
            return Err(http::status_failure(&self.meta.name, &reply, ""));
        }
        let asked: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
        self.records(&reply.body, &asked)
    }

    fn trigger(&mut self, videos: &[Wanted]) -> Result<String, Failure> {
        let inputs: Vec<Value> = videos
            .iter()
            .map(|v| json!({ "url": self.url(v) }))
            .collect();
        let mut query = vec![
            ("dataset_id", self.dataset.clone()),
            ("format", "json".into()),
            ("include_errors", "true".into()),
        ];
        if let Some(notify) = &self.notify {
            query.push(("notify", notify.clone()));
            // The provider sends this back as the webhook's Authorization header.
            if let Ok(secret) = std::env::var(WEBHOOK_SECRET_ENV) {
                query.push(("auth_header", secret));
            }
        }
        let request = self
            .client
            .post(http::join(&self.base, "trigger"))
            .bearer_auth(&self.token)
            .query(&query)
            .json(&inputs);
        let reply = http::send(&self.meta.name, request)?;
        if !reply.status.is_success() {
            return Err(http::status_failure(&self.meta.name, &reply, ""));
        }
        reply.body["snapshot_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| drifted(&self.meta.name, "trigger answered without snapshot_id"))
    }

    fn collect(
        &mut self,
        job: &str,
        hinted: bool,
        asked: &[&str],
    ) -> Result<Option<Answer>, Failure> {
        if !hinted {
            let progress = self.get(&format!("progress/{job}"))?;
            match progress.body["status"].as_str() {
                Some("ready") => {}
                Some("starting" | "running") => return Ok(None),
                Some("failed") => {
                    return Err(Failure::permanent(format!(
                        "{}: snapshot {job} failed",
                        self.meta.name
                    )));
                }
                _ => return Err(drifted(&self.meta.name, "progress without a known status")),
            }
        }
        let snapshot = self.get(&format!("snapshot/{job}"))?;
        if snapshot.status.as_u16() == 202 || snapshot.body["status"] == "building" {
            return Ok(None);
        }
        self.records(&snapshot.body, asked).map(Some)
    }
}

/// `POST /callbacks/brightdata` on `oracle serve`: the provider's "snapshot ready" push. The
/// static `Authorization` header is compared in constant time with the configured secret
/// before the body is read; the push only marks the job as hinted (once: a replay changes
/// nothing), and the next `oracle track` round pulls the snapshot.
pub fn on_callback(
    ledger: &Ledger,
    authorization: Option<&str>,
    body: &[u8],
    secret: Option<&str>,
) -> (u16, Value) {
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return (
            401,
            json!({"error": format!("set {WEBHOOK_SECRET_ENV} to accept provider callbacks")}),
        );
    };
    let presented = authorization.unwrap_or_default().as_bytes();
    if !bool::from(subtle::ConstantTimeEq::ct_eq(presented, secret.as_bytes())) {
        return (401, json!({"error": "bad or missing Authorization"}));
    }
    let Some(job) = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["snapshot_id"].as_str().map(str::to_string))
    else {
        return (400, json!({"error": "the body names no snapshot_id"}));
    };
    match ledger.hint_job(&job) {
        Ok(Some(true)) => (200, json!({"snapshot_id": job, "hinted": true})),
        Ok(Some(false)) => (200, json!({"snapshot_id": job, "duplicate": true})),
        Ok(None) => (404, json!({"error": format!("no scrape job {job}")})),
        Err(e) => (500, json!({"error": e.to_string()})),
    }
}

/// The route's adapter over a `tiny_http` request: the header, the raw body and the secret
/// from the environment.
pub fn callback(
    ledger: &Ledger,
    request: &mut tiny_http::Request,
    max_body: usize,
) -> (u16, Value) {
    let authorization = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().to_string());
    let mut body = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(request.as_reader(), max_body as u64 + 1),
        &mut body,
    );
    if read.is_err() || body.len() > max_body {
        return (413, json!({"error": "body too large or unreadable"}));
    }
    let secret = std::env::var(WEBHOOK_SECRET_ENV).ok();
    on_callback(ledger, authorization.as_deref(), &body, secret.as_deref())
}

impl Ledger {
    /// Marks the running job `job_id` as hinted ready: `Some(true)` the first time,
    /// `Some(false)` for a replay, `None` for an unknown job.
    pub fn hint_job(&self, job_id: &str) -> Result<Option<bool>, Error> {
        let changed = self.conn.execute(
            "UPDATE scrape_jobs SET hinted_at = ?2 WHERE job_id = ?1 AND hinted_at IS NULL",
            params![job_id, http::unix_now()],
        )?;
        if changed == 1 {
            return Ok(Some(true));
        }
        let known: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM scrape_jobs WHERE job_id = ?1",
            [job_id],
            |r| r.get(0),
        )?;
        Ok((known > 0).then_some(false))
    }
}
