//! A LOCAL STAND-IN for the YouTube Data API `videos.list`, on loopback: it answers in the
//! API's wire format with whatever counts its owner sets. `clipstake demo` tracks its videos
//! through it with the real adapter and router, so the whole job runs on one machine with no
//! keys. It is never a source of real views: `oracle track` is configured with the real API.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tiny_http::{Header, Response, Server};

use crate::Error;

/// Per video id: (channel id, view count).
type Videos = Arc<Mutex<HashMap<String, (String, u64)>>>;

/// The running stand-in; stops when dropped.
pub struct StandIn {
    url: String,
    videos: Videos,
    server: Arc<Server>,
    requests: Arc<Mutex<u64>>,
}

impl StandIn {
    /// Listens on a free loopback port.
    pub fn start() -> Result<StandIn, Error> {
        let (server, address) = crate::service::http::bind("127.0.0.1:0")?;
        let url = format!("http://{address}/youtube/v3");
        let server = Arc::new(server);
        let videos: Videos = Arc::default();
        let requests = Arc::new(Mutex::new(0));
        let (s, v, n) = (server.clone(), videos.clone(), requests.clone());
        std::thread::spawn(move || {
            for request in s.incoming_requests() {
                *n.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                let body = answer(request.url(), &v);
                let header = Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
                    .unwrap_or_else(|()| unreachable!("a static, valid header"));
                let _ =
                    request.respond(Response::from_string(body.to_string()).with_header(header));
            }
        });
        Ok(StandIn {
            url,
            videos,
            server,
            requests,
        })
    }

    /// The base URL to configure the YouTube source with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sets what the stand-in answers for `id`.
    pub fn set(&self, id: &str, channel: &str, views: u64) {
        let mut videos = self.videos.lock().unwrap_or_else(|e| e.into_inner());
        videos.insert(id.to_string(), (channel.to_string(), views));
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        *self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// A `videoListResponse` for the ids asked (unknown ones absent, as the API does).
fn answer(url: &str, videos: &Videos) -> Value {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let ids = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("id="))
        .map(|v| v.replace("%2C", ",").replace("%2c", ","))
        .unwrap_or_default();
    let videos = videos.lock().unwrap_or_else(|e| e.into_inner());
    let items: Vec<Value> = ids
        .split(',')
        .filter_map(|id| videos.get(id).map(|v| (id, v)))
        .map(|(id, (channel, views))| {
            json!({"kind": "youtube#video", "id": id, "snippet": {"channelId": channel},
                   "statistics": {"viewCount": views.to_string()}})
        })
        .collect();
    json!({"kind": "youtube#videoListResponse", "items": items,
           "pageInfo": {"totalResults": items.len(), "resultsPerPage": items.len()}})
}
