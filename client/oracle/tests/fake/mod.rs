//! Local stand-ins for the view sources: in-process HTTP servers on loopback that answer in
//! each source's wire format from the fixture files in `tests/fixtures/sources`, with faults
//! injected on demand (a status and body, a delay past the client's timeout) and an optional
//! rate limit that answers 429 when exceeded, as the real APIs do.
#![allow(dead_code)]
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The path, without the query.
    pub path: String,
    /// The decoded query parameters.
    pub query: HashMap<String, String>,
    /// Header names (lowercase) and values.
    pub headers: HashMap<String, String>,
    /// The body.
    pub body: String,
    /// Unix ms at arrival.
    pub at_ms: i64,
}

/// A fault served instead of the normal answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status, body and headers.
    Reply(u16, String, Vec<(&'static str, String)>),
    /// Wait this long, then answer normally (past the client's timeout: a timeout).
    Delay(Duration),
}

/// A handler turns a request into a status and a JSON body.
pub type Handler = Box<dyn Fn(&Hit) -> (u16, Value) + Send + Sync>;

#[derive(Default)]
struct State {
    faults: VecDeque<Fault>,
    hits: Vec<Hit>,
    /// (requests, window ms): above it, 429 with `x-rate-limit-reset`.
    limit: Option<(u64, i64)>,
    windows: HashMap<i64, u64>,
    latency: Duration,
}

/// A running fake source.
pub struct Fake {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

impl Fake {
    /// Serves `handler` on a free loopback port until the process ends.
    pub fn start(handler: Handler) -> Fake {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let (state, handler) = (shared.clone(), handler.clone());
                std::thread::spawn(move || serve(request, &state, handler.as_ref()));
            }
        });
        Fake { url, state }
    }

    /// Serves `fault` to the next request (faults queue up in order).
    pub fn push(&self, fault: Fault) -> &Fake {
        self.state.lock().unwrap().faults.push_back(fault);
        self
    }

    /// Answers 429 beyond `requests` per `window_ms` (fixed windows on the unix clock).
    pub fn limit(&self, requests: u64, window_ms: i64) {
        self.state.lock().unwrap().limit = Some((requests, window_ms));
    }

    /// Answers every request after `latency` (a real API's round trip).
    pub fn latency(&self, latency: Duration) {
        self.state.lock().unwrap().latency = latency;
    }

    /// Every request received so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.state.lock().unwrap().hits.clone()
    }

    /// The most requests received in one limit window.
    pub fn busiest_window(&self) -> u64 {
        self.state
            .lock()
            .unwrap()
            .windows
            .values()
            .copied()
            .max()
            .unwrap_or(0)
    }
}

fn serve(
    mut request: tiny_http::Request,
    state: &Mutex<State>,
    handler: &(dyn Fn(&Hit) -> (u16, Value) + Send + Sync),
) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let (path, query) = split_url(request.url());
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let hit = Hit {
        path,
        query,
        headers,
        body,
        at_ms: now_ms(),
    };
    let (fault, over, latency) = {
        let mut s = state.lock().unwrap();
        s.hits.push(hit.clone());
        let over = s.limit.and_then(|(requests, window)| {
            let start = hit.at_ms - hit.at_ms.rem_euclid(window);
            let used = s.windows.entry(start).or_default();
            *used += 1;
            (*used > requests).then_some((start + window) / 1_000 + 1)
        });
        (s.faults.pop_front(), over, s.latency)
    };
    std::thread::sleep(latency);
    let reply = |status: u16, body: String, headers: Vec<(&str, String)>| {
        let mut response = tiny_http::Response::from_string(body).with_status_code(status);
        response
            .add_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap());
        for (name, value) in headers {
            response.add_header(tiny_http::Header::from_bytes(name, value.as_str()).unwrap());
        }
        let _ = request.respond(response);
    };
    if let Some(reset) = over {
        let body = json!({"errors": [{"code": 88, "message": "Rate limit exceeded"}]}).to_string();
        return reply(429, body, vec![("x-rate-limit-reset", reset.to_string())]);
    }
    match fault {
        Some(Fault::Reply(status, body, headers)) => return reply(status, body, headers),
        Some(Fault::Delay(d)) => std::thread::sleep(d),
        None => {}
    }
    let (status, body) = handler(&hit);
    reply(status, body.to_string(), vec![])
}

fn split_url(url: &str) -> (String, HashMap<String, String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    (path.to_string(), pairs)
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A fixture file's JSON.
pub fn fixture(path: &str) -> Value {
    // From `client/oracle` or `client/cli`: both reach the oracle's fixtures this way.
    let full = format!(
        "{}/../oracle/tests/fixtures/sources/{path}",
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// A fixture file's text (fault bodies).
pub fn fixture_text(path: &str) -> String {
    fixture(path).to_string()
}

fn ids(hit: &Hit, name: &str) -> Vec<String> {
    hit.query
        .get(name)
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

/// YouTube `videos.list`: the fixture's items whose id was asked (others absent, as YouTube
/// does with unknown or private ids). `views` overrides counts by id.
pub fn youtube(views: HashMap<String, u64>) -> Handler {
    youtube_from(fixture("youtube/videos.json"), views)
}

/// [`youtube`] over the videos of `all` (a `videoListResponse`).
pub fn youtube_from(all: Value, views: HashMap<String, u64>) -> Handler {
    Box::new(move |hit| {
        if hit.query.get("key").is_none_or(|k| k.is_empty()) {
            return (
                403,
                json!({"error": {"code": 403, "errors": [{"reason": "forbidden"}]}}),
            );
        }
        let asked = ids(hit, "id");
        let mut body = json!({"kind": all["kind"], "etag": all["etag"]});
        let items: Vec<Value> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| asked.iter().any(|a| i["id"] == a.as_str()))
            .map(|i| {
                let mut i = i.clone();
                if let Some(v) = views.get(i["id"].as_str().unwrap()) {
                    i["statistics"]["viewCount"] = json!(v.to_string());
                }
                i
            })
            .collect();
        body["pageInfo"]["totalResults"] = json!(items.len());
        body["items"] = json!(items);
        (200, body)
    })
}

/// X posts lookup: the fixture's posts asked, their media, and a "Not Found Error" per
/// unknown id.
pub fn x() -> Handler {
    x_from(fixture("x/tweets.json"))
}

/// [`x`] over the posts and media of `all` (a lookup response).
pub fn x_from(all: Value) -> Handler {
    Box::new(move |hit| {
        if hit
            .headers
            .get("authorization")
            .is_none_or(|a| !a.starts_with("Bearer "))
        {
            return (401, json!({"title": "Unauthorized", "status": 401}));
        }
        let asked = ids(hit, "ids");
        let posts: Vec<Value> = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| asked.iter().any(|a| p["id"] == a.as_str()))
            .cloned()
            .collect();
        let errors: Vec<Value> = asked
            .iter()
            .filter(|a| !posts.iter().any(|p| p["id"] == a.as_str()))
            .map(|a| {
                json!({"value": a, "detail": format!("Could not find tweet with ids: [{a}]."),
                       "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                       "resource_id": a, "type": "https://api.twitter.com/2/problems/resource-not-found"})
            })
            .collect();
        let mut body = json!({});
        if !posts.is_empty() {
            let keys: Vec<&Value> = posts
                .iter()
                .flat_map(|p| {
                    p["attachments"]["media_keys"]
                        .as_array()
                        .into_iter()
                        .flatten()
                })
                .collect();
            let media: Vec<&Value> = all["includes"]["media"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|m| keys.contains(&&m["media_key"]))
                .collect();
            body["includes"] = json!({ "media": media });
            body["data"] = json!(posts);
        }
        if !errors.is_empty() {
            body["errors"] = json!(errors);
        }
        (200, body)
    })
}

/// TikTok `video/query` and the token endpoint: a token `act.<creator>` sees only that
/// creator's videos; `act.expired` is refused as `access_token_invalid`; the refresh token
/// `rft.<creator>` trades for `act.<creator>`.
pub fn tiktok() -> Handler {
    tiktok_from(fixture("tiktok/videos.json"), fixture("tiktok/owners.json"))
}

/// [`tiktok`] over the videos of `all` (a `video/query` response), owned as `owners` says.
pub fn tiktok_from(all: Value, owners: Value) -> Handler {
    Box::new(move |hit| {
        if hit.path.ends_with("/oauth/token/") {
            let creator = hit
                .body
                .split('&')
                .find_map(|kv| kv.strip_prefix("refresh_token=rft."));
            return match creator {
                Some(c) => {
                    let mut token = fixture("tiktok/token.json");
                    token["access_token"] = json!(format!("act.{}", decode(c)));
                    (200, token)
                }
                None => (
                    400,
                    json!({"error": "invalid_grant", "error_description": "Refresh token is invalid or expired."}),
                ),
            };
        }
        let token = hit
            .headers
            .get("authorization")
            .and_then(|a| a.strip_prefix("Bearer act."))
            .unwrap_or_default();
        if token.is_empty() || token == "expired" {
            return (401, fixture("tiktok/token_invalid.json"));
        }
        let asked: Vec<String> =
            serde_json::from_str::<Value>(&hit.body).unwrap()["filters"]["video_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
        let mut body = json!({"data": {"cursor": 0, "has_more": false}, "error": all["error"]});
        let videos: Vec<Value> = all["data"]["videos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| asked.iter().any(|a| v["id"] == a.as_str()))
            .filter(|v| owners[v["id"].as_str().unwrap()] == token)
            .cloned()
            .collect();
        body["data"]["videos"] = json!(videos);
        (200, body)
    })
}

/// Instagram Graph: the creator's media list, each media's insights, and Business Discovery.
pub fn instagram() -> Handler {
    instagram_from(
        fixture("instagram/media.json"),
        fixture("instagram/insights.json"),
        fixture("instagram/business_discovery.json"),
    )
}

/// [`instagram`] over a media list, insights per media id and Business Discovery answers
/// per username.
pub fn instagram_from(media: Value, insights: Value, discovery: Value) -> Handler {
    Box::new(move |hit| {
        if hit.query.get("access_token").is_none_or(|t| t.is_empty()) {
            return (
                400,
                json!({"error": {"message": "An active access token must be used", "type": "OAuthException", "code": 2500}}),
            );
        }
        let parts: Vec<&str> = hit.path.trim_matches('/').split('/').collect();
        match parts.last().copied() {
            Some("media") => (200, media.clone()),
            Some("insights") => {
                let id = parts[parts.len() - 2];
                match insights.get(id) {
                    Some(v) if v.get("error").is_some() => (400, v.clone()),
                    Some(v) => (200, v.clone()),
                    None => (
                        400,
                        json!({"error": {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}}),
                    ),
                }
            }
            _ => {
                let fields = hit.query.get("fields").cloned().unwrap_or_default();
                let user = fields
                    .split("username(")
                    .nth(1)
                    .and_then(|r| r.split(')').next())
                    .unwrap_or_default();
                match discovery.get(user) {
                    Some(v) => (200, v.clone()),
                    None => (
                        400,
                        json!({"error": {"message": "Invalid user id", "type": "OAuthException", "code": 110}}),
                    ),
                }
            }
        }
    })
}

/// The RapidAPI TikTok scraper, its counts scaled by `scale_percent` (a second scraper that
/// disagrees, or drifts).
pub fn rapidapi(scale_percent: u64) -> Handler {
    let all = fixture("rapidapi/tiktok.json");
    Box::new(move |hit| {
        if hit
            .headers
            .get("x-rapidapi-key")
            .is_none_or(|k| k.is_empty())
        {
            return (
                401,
                json!({"message": "Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info."}),
            );
        }
        let url = hit.query.get("url").cloned().unwrap_or_default();
        let id = url.rsplit('/').next().unwrap_or_default();
        match all.get(id) {
            Some(v) => {
                let mut v = v.clone();
                let plays = v["data"]["play_count"].as_u64().unwrap();
                v["data"]["play_count"] = json!(plays * scale_percent / 100);
                (200, v)
            }
            None => (
                200,
                json!({"code": -1, "msg": "Url parsing is failed! Please check url.", "processed_time": 0.02}),
            ),
        }
    })
}

/// Bright Data datasets v3: `/trigger` answers a snapshot id; `/progress` says running for the
/// first `running_polls` polls (for ever with `u32::MAX`), then ready; `/snapshot` answers
/// "building" until ready, then the fixture's records.
pub fn brightdata(running_polls: u32) -> Handler {
    let records = fixture("brightdata/tiktok_snapshot.json");
    let polls = Mutex::new(0u32);
    Box::new(move |hit| {
        if hit
            .headers
            .get("authorization")
            .is_none_or(|a| a != "Bearer bd-token")
        {
            return (401, json!({"error": "Unauthorized"}));
        }
        let ready = *polls.lock().unwrap() >= running_polls;
        if hit.path.ends_with("/trigger") {
            return (200, fixture("brightdata/trigger.json"));
        }
        if hit.path.contains("/progress/") {
            let mut n = polls.lock().unwrap();
            *n = n.saturating_add(1);
            let status = if ready { "ready" } else { "running" };
            return (
                200,
                json!({"snapshot_id": "s_m4x7ab12c9d8e7f6", "dataset_id": "gd_lu702nij2f790tmv9h", "status": status}),
            );
        }
        if hit.path.contains("/snapshot/") {
            if !ready {
                return (
                    202,
                    json!({"status": "building", "message": "Snapshot is building, try again in 30s"}),
                );
            }
            return (200, records.clone());
        }
        (404, json!({"error": "not found"}))
    })
}
