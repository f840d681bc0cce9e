//! The HTTP server: routes, CORS and spec headers on every answer, JSON errors.
//!
//! | route | answers |
//! |---|---|
//! | `GET /actions.json` | the rules mapping the campaign page to its fund action |
//! | `GET`/`POST /api/actions/fund/<campaign>[?amount=X]` | the "Fund campaign" action |
//! | `GET`/`POST /api/actions/claim/<campaign>` | the "Claim my earnings" action |
//! | `GET /api/campaign/<campaign>` | the campaign as the page shows it, with its links |
//! | `GET /` and `GET /campaign/<campaign>` | the page (`/app.js`, `/icon.svg` beside it) |
//! | `OPTIONS` anything | `204` with the CORS headers (a blink client's preflight) |
//!
//! Each action's GET is also a Solana Pay transaction request's GET (`label`, `icon`), and its
//! POST answer carries Solana Pay's `transaction` and `message`.
use std::convert::Infallible;
use std::io::Read;

use anchor_lang::prelude::Pubkey;
use clipstake_client::Error;
use clipstake_client::backend::Backend;
use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response};

use crate::claim::{self, Claimer};
use crate::{Refusal, fund, page, spec};

/// Bodies above this are refused: a POST carries one account address.
const MAX_BODY_BYTES: u64 = 4096;

/// Where the server listens and what it tells clients.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address and port (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// The origin wallets reach the server at (`https://clipstake.example`), used in the
    /// absolute links of the answers; `None` takes `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// The cluster's CAIP-2 chain id ([`spec::chain_id`]), sent in `X-Blockchain-Ids`.
    pub chain_id: String,
}

/// The chain id of the cluster at `url`, from its genesis hash (`getGenesisHash`).
pub fn cluster_chain_id(url: &str) -> Result<String, Error> {
    let client = solana_rpc_client::rpc_client::RpcClient::new(url.to_string());
    let genesis = client
        .get_genesis_hash()
        .map_err(|e| Error::network(format!("cannot read the genesis hash of {url}"), e))?;
    Ok(spec::chain_id(&genesis))
}

/// What a route answers.
enum Answer {
    Json(u16, Value),
    Static(&'static str, &'static str),
    NoContent,
}

impl From<Result<Value, Refusal>> for Answer {
    fn from(result: Result<Value, Refusal>) -> Self {
        match result {
            Ok(value) => Answer::Json(200, value),
            Err(refusal) => Answer::Json(refusal.status, json!({ "message": refusal.message })),
        }
    }
}

/// Serves until the process is stopped; `on_listening` gets the bound address once the socket
/// is open (the command prints it, so scripts learn the port). `claimer` is `None` when the
/// server has no oracle keypair: claims are then answered 503.
pub fn serve(
    backend: &mut dyn Backend,
    claimer: Option<&Claimer>,
    options: &ServeOptions,
    on_listening: &mut dyn FnMut(&str),
) -> Result<Infallible, clipstake_oracle::Error> {
    let (server, address) = clipstake_oracle::service::http::bind(&options.listen)?;
    on_listening(&address);
    loop {
        let Ok(mut request) = server.recv() else {
            continue;
        };
        let answer = route(backend, claimer, options, &address, &mut request);
        // A client that hung up before its answer changes nothing: no state is kept per request.
        let _ = respond(request, answer, &options.chain_id);
    }
}

fn route(
    backend: &mut dyn Backend,
    claimer: Option<&Claimer>,
    options: &ServeOptions,
    address: &str,
    request: &mut Request,
) -> Answer {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let base = base_url(options, address, request);
    let method = request.method().clone();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (&method, segments.as_slice()) {
        (Method::Options, _) => Answer::NoContent,
        (Method::Get, [""]) | (Method::Get, ["campaign", _]) => {
            Answer::Static("text/html; charset=utf-8", page::INDEX_HTML)
        }
        (Method::Get, ["app.js"]) => Answer::Static("text/javascript; charset=utf-8", page::APP_JS),
        (Method::Get, ["icon.svg"]) => Answer::Static("image/svg+xml", page::ICON_SVG),
        (Method::Get, ["actions.json"]) => Answer::Json(200, spec::actions_json()),
        (Method::Get, ["api", "campaign", campaign]) => {
            with_campaign(campaign, |c| campaign_page(backend, &c, &base, options)).into()
        }
        (Method::Get, ["api", "actions", "fund", campaign]) => {
            with_campaign(campaign, |c| fund::metadata(backend, &c, &base)).into()
        }
        (Method::Post, ["api", "actions", "fund", campaign]) => {
            let amount = query_param(query, "amount");
            with_campaign(campaign, |c| {
                let funder = account_of(request)?;
                fund::post(backend, &c, &funder, amount.as_deref())
            })
            .into()
        }
        (Method::Get, ["api", "actions", "claim", campaign]) => {
            with_campaign(campaign, |c| claim::metadata(backend, &c, &base)).into()
        }
        (Method::Post, ["api", "actions", "claim", campaign]) => with_campaign(campaign, |c| {
            let creator = account_of(request)?;
            let claimer = claimer.ok_or_else(|| {
                Refusal::new(
                    503,
                    "this server has no oracle keypair: it cannot sign claims",
                )
            })?;
            claim::post(backend, claimer, &c, &creator)
        })
        .into(),
        (_, ["api", "actions", ..]) => Answer::from(Err(Refusal::new(
            405,
            "actions answer GET (metadata) and POST (a transaction)",
        ))),
        _ => Answer::from(Err(Refusal::not_found(format!("no such page: {path}")))),
    }
}

/// Runs `f` with the campaign address parsed from a path segment (400 when it is not one).
fn with_campaign(
    text: &str,
    f: impl FnOnce(Pubkey) -> Result<Value, Refusal>,
) -> Result<Value, Refusal> {
    let campaign = text
        .parse()
        .map_err(|_| Refusal::bad_request(format!("{text:?} is not a campaign address")))?;
    f(campaign)
}

/// The page's view of a campaign: its status, chain and action links.
fn campaign_page(
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    base: &str,
    options: &ServeOptions,
) -> Result<Value, Refusal> {
    let mut status = fund::status(backend, campaign)?;
    let fund_href = format!("{base}/api/actions/fund/{campaign}");
    status["chain_id"] = json!(options.chain_id);
    status["wallet_chain"] = json!(spec::wallet_standard_chain(&options.chain_id));
    status["fund_action"] = json!(fund_href);
    status["claim_action"] = json!(format!("{base}/api/actions/claim/{campaign}"));
    status["solana_pay_fund_10"] = json!(spec::solana_pay_url(&format!("{fund_href}?amount=10")));
    Ok(status)
}

/// The POST body's `account`: the wallet that signs (400 when missing or not an address).
fn account_of(request: &mut Request) -> Result<Pubkey, Refusal> {
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| Refusal::bad_request(format!("cannot read the body: {e}")))?;
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(Refusal::new(
            413,
            "the body is too large: send {\"account\": <address>}",
        ));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|_| Refusal::bad_request("the body must be JSON: {\"account\": <address>}"))?;
    let account = value["account"].as_str().ok_or_else(|| {
        Refusal::bad_request("the body has no \"account\" (the wallet's address)")
    })?;
    account
        .parse()
        .map_err(|_| Refusal::bad_request(format!("{account:?} is not a wallet address")))
}

/// The value of `name` in a query string, percent-decoded.
fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| spec::percent_decode(value))
}

/// `--public-url`, else `http://` and the Host the client used, else the bound address.
fn base_url(options: &ServeOptions, address: &str, request: &Request) -> String {
    if let Some(url) = &options.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map_or(address.to_string(), |h| h.value.as_str().to_string());
    format!("http://{host}")
}

fn respond(request: Request, answer: Answer, chain_id: &str) -> std::io::Result<()> {
    let (status, content_type, body) = match answer {
        Answer::Json(status, value) => (status, "application/json", value.to_string()),
        Answer::Static(content_type, text) => (200, content_type, text.to_string()),
        Answer::NoContent => (204, "text/plain", String::new()),
    };
    let mut response = Response::from_string(body).with_status_code(status);
    for (name, value) in spec::headers(chain_id)
        .into_iter()
        .chain([("Content-Type", content_type.to_string())])
    {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response = response.with_header(header);
        }
    }
    request.respond(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_decoded() {
        assert_eq!(
            query_param("amount=1.5&x=2", "amount").as_deref(),
            Some("1.5")
        );
        assert_eq!(
            query_param("x=2&amount=%31%30", "amount").as_deref(),
            Some("10")
        );
        assert_eq!(query_param("x=2", "amount"), None);
    }
}
