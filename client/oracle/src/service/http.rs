//! The HTTP way in for view reports (a scraper or a platform webhook posts them), behind
//! `clipstake oracle serve`. Every request goes through the same parsing, verification and
//! ledger as a file ingest; paying stays with the runner, which may share the ledger
//! concurrently.
//!
//! - `POST /reports[?campaign=ADDRESS]`: body in JSON Lines, or CSV with a `text/csv` content
//!   type, signed with Standard Webhooks headers ([`crate::webhook`]) by one of
//!   [`ServeOptions::webhook_keys`]. `200` with `{"accepted", "quarantined", "duplicates",
//!   "replayed"}` (a delivery whose `webhook-id` was already processed changes nothing and says
//!   `"replayed": true`); `401` for a request unsigned, badly signed or more than 5 minutes
//!   off (nothing read past the signature check, nothing recorded); `400` for a body that is
//!   not UTF-8 or a bad campaign address; `404` for an unknown campaign; `413` for a body over
//!   [`ServeOptions::max_body_bytes`]; `502` when the cluster cannot be reached (nothing was
//!   recorded).
//! - `GET /health`: `200 {"status":"ok"}`.
use std::io::Read;

use crate::Error;
use anchor_lang::prelude::Pubkey;
use clipstake_client::Error as ChainError;
use clipstake_client::backend::Backend;
use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::ledger::Ledger;
use crate::reports::{Format, VerifyConfig, parse};
use crate::webhook::{Signed, WebhookKeys};
use crate::{IngestSummary, ingest_delivery};

/// The dedupe table's provider name for deliveries to `POST /reports`.
pub const REPORTS_PROVIDER: &str = "reports";

/// How the intake listens and what it accepts.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address and port to listen on (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// The campaign of requests that do not name one with `?campaign=`.
    pub campaign: Option<Pubkey>,
    /// The verification every report goes through.
    pub verify: VerifyConfig,
    /// Bodies larger than this are refused (413).
    pub max_body_bytes: usize,
    /// Stop after this many requests (tests, one-shot intakes); `None` serves until killed.
    pub max_requests: Option<usize>,
    /// The keys `POST /reports` deliveries must be signed with.
    pub webhook_keys: WebhookKeys,
}

/// What a serve did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Served {
    /// The address it listened on.
    pub address: String,
    /// Requests answered.
    pub requests: usize,
    /// Every request's ingest, added up.
    pub total: IngestSummary,
    /// Requests refused for a missing, bad or stale signature (401).
    pub unauthorized: usize,
}

/// Opens an HTTP server on `listen` (`127.0.0.1:0` picks a free port) and returns it with the
/// address it is bound to. Shared by `oracle serve` and `actions serve`.
pub fn bind(listen: &str) -> Result<(Server, String), Error> {
    let server = Server::http(listen).map_err(|source| Error::Listen {
        address: listen.to_string(),
        source,
    })?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or(listen.to_string(), |a| a.to_string());
    Ok((server, address))
}

/// Serves until killed (or [`ServeOptions::max_requests`]); `on_listening` gets the bound
/// address once the socket is open (callers print it so scripts learn the port).
pub fn serve(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    options: &ServeOptions,
    on_listening: &mut dyn FnMut(&str),
) -> Result<Served, Error> {
    let (server, address) = bind(&options.listen)?;
    on_listening(&address);
    let mut served = Served {
        address,
        ..Served::default()
    };
    for mut request in server.incoming_requests() {
        let (status, body) = handle(ledger, backend, options, &mut request, &mut served.total);
        let response = Response::from_string(body.to_string())
            .with_status_code(status)
            .with_header(json_header());
        // A client that hung up before its answer changes nothing: its reports are recorded.
        let _ = request.respond(response);
        served.requests += 1;
        served.unauthorized += usize::from(status == 401);
        if options
            .max_requests
            .is_some_and(|max| served.requests >= max)
        {
            break;
        }
    }
    Ok(served)
}

fn json_header() -> Header {
    Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
        .unwrap_or_else(|()| unreachable!("a static, valid header"))
}

fn error(status: u16, message: impl Into<String>) -> (u16, Value) {
    (status, json!({ "error": message.into() }))
}

fn handle(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    options: &ServeOptions,
    request: &mut Request,
    total: &mut IngestSummary,
) -> (u16, Value) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    match (request.method(), path) {
        (Method::Get, "/health") => (200, json!({ "status": "ok" })),
        (Method::Post, "/reports") => match campaign_of(query, options.campaign) {
            Ok(campaign) => post_reports(ledger, backend, options, request, &campaign, total),
            Err(message) => error(400, message),
        },
        (_, "/reports") => error(405, "use POST /reports"),
        (Method::Post, "/callbacks/brightdata") => {
            crate::sources::brightdata::callback(ledger, request, options.max_body_bytes)
        }
        _ => error(404, "unknown path: POST /reports or GET /health"),
    }
}

/// `POST /reports`: reads the body (within the size limit), checks its signature, then parses
/// and ingests it, recording the delivery's id in the same transaction.
fn post_reports(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    options: &ServeOptions,
    request: &mut Request,
    campaign: &Pubkey,
    total: &mut IngestSummary,
) -> (u16, Value) {
    let body = match read_body(request, options.max_body_bytes) {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_string())
            .unwrap_or_default()
    };
    let (id, timestamp, signature) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let signed = Signed {
        id: &id,
        timestamp: &timestamp,
        signature: &signature,
    };
    if let Err(why) = options
        .webhook_keys
        .verify(&signed, &body, crate::ledger::now())
    {
        return error(401, why);
    }
    let Ok(text) = String::from_utf8(body) else {
        return error(400, "the body is not UTF-8 text");
    };
    let format = if header("Content-Type").to_ascii_lowercase().contains("csv") {
        Format::Csv
    } else {
        Format::JsonLines
    };
    let delivery = Some((REPORTS_PROVIDER, id.as_str()));
    let parsed = parse(&text, format);
    match ingest_delivery(
        ledger,
        backend,
        campaign,
        &parsed,
        &options.verify,
        delivery,
    ) {
        Ok(summary) => {
            total.add(&summary);
            let json = json!({
                "accepted": summary.accepted,
                "quarantined": summary.quarantined,
                "duplicates": summary.duplicates,
                "replayed": summary.replayed,
            });
            (200, json)
        }
        Err(Error::Chain(ChainError::NotFound(message))) => error(404, message),
        Err(e @ Error::Chain(ChainError::Network { .. })) => error(502, e.to_string()),
        Err(other) => error(500, other.to_string()),
    }
}

/// The raw body, or the refusal to answer with: over `max` bytes (413, checked against the
/// declared length first and then against what was read) or unreadable (400).
fn read_body(request: &mut Request, max: usize) -> Result<Vec<u8>, (u16, Value)> {
    let too_large = || error(413, format!("the body is over {max} bytes; split it"));
    if request.body_length().is_some_and(|len| len > max) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    if let Err(e) = request
        .as_reader()
        .take(max as u64 + 1)
        .read_to_end(&mut body)
    {
        return Err(error(400, format!("cannot read the body: {e}")));
    }
    if body.len() > max {
        return Err(too_large());
    }
    Ok(body)
}

fn campaign_of(query: &str, default: Option<Pubkey>) -> Result<Pubkey, String> {
    let named = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("campaign="));
    match (named, default) {
        (Some(text), _) => text
            .parse()
            .map_err(|_| format!("`{text}` is not a campaign address")),
        (None, Some(campaign)) => Ok(campaign),
        (None, None) => Err(
            "name the campaign: POST /reports?campaign=ADDRESS (this intake has no default campaign)".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_campaign_comes_from_the_query_or_the_default() {
        let a = Pubkey::new_unique();
        let b = Pubkey::new_unique();
        assert_eq!(campaign_of(&format!("campaign={a}"), Some(b)), Ok(a));
        assert_eq!(campaign_of("x=1", Some(b)), Ok(b));
        assert!(
            campaign_of("", None)
                .unwrap_err()
                .contains("name the campaign")
        );
        assert!(
            campaign_of("campaign=nope", None)
                .unwrap_err()
                .contains("not a campaign")
        );
    }
}
