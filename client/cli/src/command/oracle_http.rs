//! `clipstake oracle serve`: the HTTP way in for view reports (a scraper or a platform webhook
//! posts them). Every request goes through the same parsing, verification and ledger as
//! `oracle ingest`; paying stays with `oracle run`, which may share the ledger concurrently.
//!
//! - `POST /reports[?campaign=ADDRESS]`: body in JSON Lines, or CSV with a `text/csv` content
//!   type. `200` with `{"accepted", "quarantined", "duplicates"}`; `400` for a body that is not
//!   UTF-8 or a bad campaign address; `404` for an unknown campaign; `413` for a body over
//!   `--max-body-bytes`; `502` when the cluster cannot be reached (nothing was recorded).
//! - `GET /health`: `200 {"status":"ok"}`.
use std::io::Read;

use anchor_lang::prelude::Pubkey;
use clipstake_client::Error;
use clipstake_oracle::reports::{Format, VerifyConfig, parse};
use clipstake_oracle::{self as oracle, IngestSummary};
use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response, Server};

use super::oracle::{ServeArgs, open_ledger};
use crate::CliError;
use crate::config::Ctx;
use crate::output::Report;

/// Serves until killed (or `--max-requests`).
pub fn serve(ctx: &mut Ctx, args: ServeArgs) -> Result<Report, CliError> {
    let config = VerifyConfig {
        spike_multiple: args.spike_multiple,
        min_rate_per_hour: args.min_rate_per_hour,
    };
    let mut ledger = open_ledger(&args.db)?;
    let server = Server::http(&args.listen).map_err(|e| {
        CliError::from(Error::Other(format!(
            "cannot listen on {}: {e}",
            args.listen
        )))
    })?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or(args.listen.clone(), |a| a.to_string());
    // Scripts wait for this line to know the port (with `--listen 127.0.0.1:0`).
    eprintln!("listening on http://{address}/reports");
    let mut total = IngestSummary::default();
    let mut served = 0usize;
    for mut request in server.incoming_requests() {
        let (status, body) = handle(ctx, &mut ledger, &config, &args, &mut request, &mut total);
        let response = Response::from_string(body.to_string())
            .with_status_code(status)
            .with_header(json_header());
        let _ = request.respond(response);
        served += 1;
        if args.max_requests.is_some_and(|max| served >= max) {
            break;
        }
    }
    Ok(Report::new(json!({
        "requests": served,
        "accepted": total.accepted,
        "quarantined": total.quarantined,
        "duplicates": total.duplicates,
    }))
    .title(format!("Served {served} request(s) on http://{address}"))
    .fields(vec![
        ("accepted", total.accepted.to_string()),
        ("quarantined", total.quarantined.to_string()),
        ("duplicates ignored", total.duplicates.to_string()),
    ]))
}

fn json_header() -> Header {
    Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
        .unwrap_or_else(|()| unreachable!("a static, valid header"))
}

fn error(status: u16, message: impl Into<String>) -> (u16, Value) {
    (status, json!({ "error": message.into() }))
}

fn handle(
    ctx: &mut Ctx,
    ledger: &mut clipstake_oracle::ledger::Ledger,
    config: &VerifyConfig,
    args: &ServeArgs,
    request: &mut Request,
    total: &mut IngestSummary,
) -> (u16, Value) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    match (request.method(), path) {
        (Method::Get, "/health") => (200, json!({ "status": "ok" })),
        (Method::Post, "/reports") => {
            let campaign = match campaign_of(query, args.campaign) {
                Ok(campaign) => campaign,
                Err(message) => return error(400, message),
            };
            if request
                .body_length()
                .is_some_and(|len| len > args.max_body_bytes)
            {
                return error(
                    413,
                    format!("the body is over {} bytes; split it", args.max_body_bytes),
                );
            }
            let mut body = Vec::new();
            let limit = args.max_body_bytes as u64 + 1;
            if let Err(e) = request.as_reader().take(limit).read_to_end(&mut body) {
                return error(400, format!("cannot read the body: {e}"));
            }
            if body.len() > args.max_body_bytes {
                return error(
                    413,
                    format!("the body is over {} bytes; split it", args.max_body_bytes),
                );
            }
            let Ok(text) = String::from_utf8(body) else {
                return error(400, "the body is not UTF-8 text");
            };
            let csv = request.headers().iter().any(|h| {
                h.field.equiv("Content-Type")
                    && h.value.as_str().to_ascii_lowercase().contains("csv")
            });
            let format = if csv { Format::Csv } else { Format::JsonLines };
            let parsed = parse(&text, format);
            match oracle::ingest(ledger, ctx.backend.as_mut(), &campaign, &parsed, config) {
                Ok(summary) => {
                    total.accepted += summary.accepted;
                    total.quarantined += summary.quarantined;
                    total.duplicates += summary.duplicates;
                    (
                        200,
                        json!({
                            "accepted": summary.accepted,
                            "quarantined": summary.quarantined,
                            "duplicates": summary.duplicates,
                        }),
                    )
                }
                Err(Error::NotFound(message)) => error(404, message),
                Err(Error::Network(message)) => error(502, message),
                Err(other) => error(500, other.to_string()),
            }
        }
        (_, "/reports") => error(405, "use POST /reports"),
        _ => error(404, "unknown path: POST /reports or GET /health"),
    }
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
            "name the campaign: POST /reports?campaign=ADDRESS (or start with --campaign)".into(),
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
