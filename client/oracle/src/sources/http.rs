//! The HTTP plumbing every adapter shares: one blocking client with a timeout, and the mapping
//! of transport errors, status codes and rate-limit headers onto [`Failure`].
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::Failure;

/// A response the adapter may read: its status, headers and body as JSON.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A client whose every request gives up after `timeout`.
pub(crate) fn client(timeout: Duration) -> Client {
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("clipstake-oracle/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with only timeouts set always builds")
}

/// Sends `request`. Transport errors and timeouts are transient; a body that is not JSON is a
/// drifted schema (permanent), except on a 5xx or 429 (whose status decides).
pub(crate) fn send(source: &str, request: RequestBuilder) -> Result<Reply, Failure> {
    let response = request.send().map_err(|e| {
        let what = if e.is_timeout() {
            "timed out"
        } else {
            "failed"
        };
        Failure::transient(format!("{source}: request {what}: {e}"))
    })?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response
        .text()
        .map_err(|e| Failure::transient(format!("{source}: reading the body failed: {e}")))?;
    let body = match serde_json::from_str(&text) {
        Ok(body) => body,
        Err(_) if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => {
            Value::Null
        }
        Err(e) => {
            return Err(Failure::permanent(format!(
                "{source}: malformed JSON (HTTP {status}): {e}"
            )));
        }
    };
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// The generic reading of a non-2xx status: 429 and 5xx are transient (with the source's
/// reset hint), anything else permanent.
pub(crate) fn status_failure(source: &str, reply: &Reply, detail: &str) -> Failure {
    let reason = format!("{source}: HTTP {} {detail}", reply.status.as_u16());
    if reply.status == StatusCode::TOO_MANY_REQUESTS || reply.status.is_server_error() {
        Failure::Transient {
            reason,
            retry_after: retry_after(&reply.headers, unix_now()),
        }
    } else {
        Failure::Permanent { reason }
    }
}

/// How long the source asked us to wait: `Retry-After` (seconds), else a reset header
/// (`x-rate-limit-reset`: unix seconds, as X sends; `x-ratelimit-requests-reset` or
/// `x-ratelimit-reset`: seconds from now, as RapidAPI sends).
pub(crate) fn retry_after(headers: &HeaderMap, now: i64) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    if let Some(secs) = number("retry-after") {
        return Some(Duration::from_secs(secs.max(0) as u64));
    }
    if let Some(at) = number("x-rate-limit-reset") {
        return Some(Duration::from_secs((at - now).max(0) as u64));
    }
    ["x-ratelimit-requests-reset", "x-ratelimit-reset"]
        .iter()
        .find_map(|name| number(name))
        .map(|secs| Duration::from_secs(secs.max(0) as u64))
}

/// The wall clock in unix seconds.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Joins a configured base URL and a path without doubling the slash.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reset_headers_become_waits() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, 1_000), None);
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1030"));
        assert_eq!(retry_after(&h, 1_000), Some(Duration::from_secs(30)));
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, 1_000), Some(Duration::from_secs(7)));
        let mut rapid = HeaderMap::new();
        rapid.insert("x-ratelimit-requests-reset", HeaderValue::from_static("12"));
        assert_eq!(retry_after(&rapid, 0), Some(Duration::from_secs(12)));
        assert_eq!(join("http://h/", "/v2/x"), "http://h/v2/x");
    }
}
