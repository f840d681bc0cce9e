//! `clipstake actions serve` played by a wallet against a local validator: every action's GET
//! metadata and headers, POST, a check that only the wallet's signature is missing, the
//! wallet's signature, sending over JSON-RPC, and every balance read back; then the bad
//! inputs, each answered 4xx with a message and no transaction.
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use base64::Engine;
use clipstake_client::backend::rpc::RpcBackend;
use clipstake_client::backend::{Backend, BackendExt};
use serde_json::{Value, json};
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use support::{Localnet, ReadyCampaign, base, campaign_with_reports};

const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// An HTTP answer: status, headers (lower-cased names) and the body parsed as JSON.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection (what a wallet's fetch does).
fn http(address: &str, method: &str, path: &str, body: Option<&str>) -> Answer {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, text) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = serde_json::from_str(text).unwrap_or(Value::String(text.to_string()));
    Answer {
        status,
        headers,
        body,
    }
}

fn post(address: &str, path: &str, account: &Pubkey) -> Answer {
    let body = json!({ "account": account.to_string() }).to_string();
    http(address, "POST", path, Some(&body))
}

/// The server process, stopped when the test ends or panics (it shares the test's stdout, which
/// the test harness waits on).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `clipstake actions serve` as the oracle with `sponsor` paying; returns the child and its
/// `host:port` once it listens.
fn serve(net: &Localnet, ready: &ReadyCampaign) -> (Server, String) {
    let sponsor = net.keypair_path("sponsor").display().to_string();
    let mut child = net
        .cmd(
            "oracle",
            &[
                "--fee-payer",
                &sponsor,
                "actions",
                "serve",
                "--listen",
                "127.0.0.1:0",
            ],
        )
        .args(["--ledger-db", &ready.ledger_db])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clipstake actions serve starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .trim_end_matches('/')
        .to_string();
    (Server(child), address)
}

/// A legacy message's signer count and account keys.
fn message_keys(message: &[u8]) -> (usize, Vec<Pubkey>) {
    let required = usize::from(message[0]);
    let count = usize::from(message[3]);
    assert!(count < 128, "one-byte compact-u16 expected");
    let keys = message[4..4 + 32 * count]
        .chunks(32)
        .map(|k| Pubkey::try_from(k).unwrap())
        .collect();
    (required, keys)
}

/// What a wallet does with a POST answer: checks every required signature but its own is
/// present and valid and its own slot is empty, then signs. Returns the wire bytes.
fn sign_as_wallet(answer: &Answer, wallet: &Keypair) -> Vec<u8> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["type"], "transaction");
    assert!(
        answer.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let b64 = answer.body["transaction"].as_str().expect("a transaction");
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let signatures = usize::from(bytes[0]);
    let message = bytes[1 + 64 * signatures..].to_vec();
    let (required, keys) = message_keys(&message);
    assert_eq!(required, signatures);
    let mine = keys[..required]
        .iter()
        .position(|k| *k == wallet.pubkey())
        .expect("the wallet is a required signer");
    for (i, key) in keys[..required].iter().enumerate() {
        let slot = &bytes[1 + 64 * i..1 + 64 * (i + 1)];
        let signature = Signature::try_from(slot).unwrap();
        if i == mine {
            assert_eq!(
                signature,
                Signature::default(),
                "the wallet's slot is empty"
            );
        } else {
            assert!(
                signature.verify(key.as_ref(), &message),
                "signer {key} signed"
            );
        }
    }
    let signature = wallet.sign_message(&message);
    bytes[1 + 64 * mine..1 + 64 * (mine + 1)].copy_from_slice(signature.as_ref());
    bytes
}

/// The fee payer (first key) of a POST answer's transaction.
fn fee_payer_of(answer: &Answer) -> Pubkey {
    let b64 = answer.body["transaction"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    message_keys(&bytes[1 + 64 * usize::from(bytes[0])..]).1[0]
}

/// Sends signed wire bytes with `sendTransaction`, as a wallet does, and waits until confirmed.
fn send(net: &Localnet, rpc: &mut RpcBackend, bytes: &[u8]) {
    let address = net
        .url
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
        "params": [encoded, {"encoding": "base64", "preflightCommitment": "confirmed"}]});
    let answer = http(address, "POST", "/", Some(&request.to_string()));
    assert!(
        answer.body["result"].is_string(),
        "sendTransaction: {}",
        answer.body
    );
    let signature = Signature::try_from(&bytes[1..65]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = rpc.signature_statuses(&[signature], false).unwrap()[0].clone() {
            assert_eq!(status.err, None, "the transaction failed");
            if status.confirmed {
                return;
            }
        }
        assert!(Instant::now() < deadline, "not confirmed in 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Expects a 4xx refusal with a message and no transaction; returns the message.
fn refused(answer: Answer, status: u16) -> String {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(answer.body.get("transaction").is_none(), "{}", answer.body);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    answer.body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message: {}", answer.body))
        .to_string()
}

fn sol_campaign(net: &Localnet, ready: &ReadyCampaign) -> Pubkey {
    let oracle = net.pubkey("oracle");
    let created = net.json(
        "brand",
        &[
            "campaign", "create", "--rate", "0.001", "--cap", "0.5", "--oracle", &oracle,
        ],
    );
    let address = created["address"].as_str().unwrap().parse().unwrap();
    assert_ne!(address, ready.address);
    address
}

fn token_balance(rpc: &mut RpcBackend, campaign: &Pubkey, wallet: &Pubkey) -> u64 {
    let campaign = rpc.campaign(campaign).unwrap();
    rpc.token_balance(&campaign.token_account_of(wallet).unwrap())
        .unwrap()
}

#[test]
fn a_wallet_funds_campaigns_and_a_creator_claims_through_the_actions() {
    let net = Localnet::start(&["brand", "oracle", "funder"], &["sponsor"], 100);
    let mut ready = campaign_with_reports(&net, 2, true);
    // The sponsor pays every claim's fee and rent; the creators hold no SOL at all.
    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    rpc.airdrop(&net.keypair("sponsor").pubkey(), LAMPORTS_PER_SOL)
        .unwrap();
    let sol = sol_campaign(&net, &ready);
    let (_server, address) = serve(&net, &ready);

    discovery_and_headers(&net, &address, &ready.address);
    fund_sol(&net, &mut rpc, &address, &sol);
    fund_tokens(&net, &mut rpc, &address, &ready.address);
    claim(&net, &mut rpc, &address, &mut ready);
    claim_sol(&net, &mut rpc, &address, &ready, &sol);
    bad_inputs(&net, &address, &ready, &sol);
}

/// `actions.json`, the CORS preflight, and each action's GET with the spec's headers.
fn discovery_and_headers(net: &Localnet, address: &str, campaign: &Pubkey) {
    let rules = http(address, "GET", "/actions.json", None);
    assert_eq!(rules.status, 200);
    assert_eq!(rules.body["rules"][0]["apiPath"], "/api/actions/fund/*");
    let preflight = http(
        address,
        "OPTIONS",
        &format!("/api/actions/fund/{campaign}"),
        None,
    );
    assert_eq!(preflight.status, 204);
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("X-Accept-Blockchain-Ids")
    );
    let genesis = solana_rpc_client::rpc_client::RpcClient::new(net.url.trim().to_string())
        .get_genesis_hash()
        .unwrap()
        .to_string();
    for action in ["fund", "claim"] {
        let get = http(
            address,
            "GET",
            &format!("/api/actions/{action}/{campaign}"),
            None,
        );
        assert_eq!(get.status, 200, "{}", get.body);
        assert_eq!(get.header("x-action-version"), Some("2.4"));
        assert_eq!(
            get.header("x-blockchain-ids"),
            Some(&*format!("solana:{}", &genesis[..32]))
        );
        assert_eq!(
            get.header("access-control-expose-headers"),
            Some("X-Action-Version, X-Blockchain-Ids")
        );
        assert_eq!(get.body["type"], "action");
        assert!(get.body["icon"].as_str().unwrap().starts_with("http://"));
        assert!(get.body["label"].is_string() && get.body["title"].is_string());
        assert!(get.body.get("disabled").is_none());
        let links = get.body["links"]["actions"].as_array().unwrap();
        assert!(
            links
                .iter()
                .all(|l| l["href"].as_str().unwrap().contains(&campaign.to_string()))
        );
    }
    solana_pay(address, campaign);
    let fund = http(
        address,
        "GET",
        &format!("/api/actions/fund/{campaign}"),
        None,
    );
    let free = fund.body["links"]["actions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(free["href"].as_str().unwrap().ends_with("?amount={amount}"));
    assert_eq!(free["parameters"][0]["name"], "amount");
    assert_eq!(free["parameters"][0]["required"], true);
}

/// The page's Solana Pay link is a transaction request to the fund action: its GET gives the
/// `label` and `icon` a Solana Pay wallet shows.
fn solana_pay(address: &str, campaign: &Pubkey) {
    let page = http(address, "GET", &format!("/api/campaign/{campaign}"), None);
    assert_eq!(page.status, 200, "{}", page.body);
    let link = page.body["solana_pay_fund_10"].as_str().unwrap();
    let href = format!("http://{address}/api/actions/fund/{campaign}?amount=10");
    let encoded: String = href
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    assert_eq!(link, format!("solana:{encoded}"));
    let path = href.strip_prefix(&format!("http://{address}")).unwrap();
    let request = http(address, "GET", path, None);
    assert!(request.body["label"].is_string() && request.body["icon"].is_string());
}

/// Any wallet funds a SOL campaign: it pays the fee, is the only signer, and the vault gets
/// exactly the amount.
fn fund_sol(net: &Localnet, rpc: &mut RpcBackend, address: &str, campaign: &Pubkey) {
    let funder = net.keypair("funder");
    let vault = rpc.campaign(campaign).unwrap().state.vault;
    let (vault_before, funder_before) = (
        rpc.lamports(&vault).unwrap(),
        rpc.lamports(&funder.pubkey()).unwrap(),
    );
    let answer = post(
        address,
        &format!("/api/actions/fund/{campaign}?amount=2.5"),
        &funder.pubkey(),
    );
    assert_eq!(fee_payer_of(&answer), funder.pubkey());
    send(net, rpc, &sign_as_wallet(&answer, &funder));
    let amount = 2_500_000_000;
    assert_eq!(rpc.lamports(&vault).unwrap(), vault_before + amount);
    let spent = funder_before - rpc.lamports(&funder.pubkey()).unwrap();
    assert!(
        spent >= amount && spent <= amount + 10_000,
        "fee only on top: {spent}"
    );
    assert_eq!(rpc.campaign(campaign).unwrap().state.funded, amount);
}

/// The brand's wallet tops up its token campaign from its token account.
fn fund_tokens(net: &Localnet, rpc: &mut RpcBackend, address: &str, campaign: &Pubkey) {
    let brand = net.keypair("brand");
    let vault = rpc.campaign(campaign).unwrap().state.vault;
    let vault_before = rpc.token_balance(&vault).unwrap();
    let brand_before = token_balance(rpc, campaign, &brand.pubkey());
    let answer = post(
        address,
        &format!("/api/actions/fund/{campaign}?amount=25"),
        &brand.pubkey(),
    );
    send(net, rpc, &sign_as_wallet(&answer, &brand));
    let amount = 25 * LAMPORTS_PER_SOL; // 9 decimals
    assert_eq!(rpc.token_balance(&vault).unwrap(), vault_before + amount);
    assert_eq!(
        token_balance(rpc, campaign, &brand.pubkey()),
        brand_before - amount
    );
}

/// A creator with no SOL claims what the oracle accepted; the sponsor pays. Nothing more is
/// owed until the oracle accepts more views, which the next claim pays.
fn claim(net: &Localnet, rpc: &mut RpcBackend, address: &str, ready: &mut ReadyCampaign) {
    let (campaign, path) = (
        ready.address,
        format!("/api/actions/claim/{}", ready.address),
    );
    let sponsor = net.keypair("sponsor").pubkey();
    let creator = ready.creators[0].insecure_clone();
    let (submission, views) = ready.reported[0];
    assert_eq!(rpc.lamports(&creator.pubkey()).unwrap(), 0);
    let sponsor_before = rpc.lamports(&sponsor).unwrap();
    let answer = post(address, &path, &creator.pubkey());
    assert_eq!(fee_payer_of(&answer), sponsor);
    send(net, rpc, &sign_as_wallet(&answer, &creator));
    let gross = ready.gross(0);
    let creator_share = gross - gross * 250 / 10_000;
    assert_eq!(
        token_balance(rpc, &campaign, &creator.pubkey()),
        creator_share
    );
    assert_eq!(rpc.submission(&submission).unwrap().state.paid_views, views);
    assert_eq!(
        rpc.lamports(&creator.pubkey()).unwrap(),
        0,
        "the creator paid nothing"
    );
    assert!(
        rpc.lamports(&sponsor).unwrap() < sponsor_before,
        "the sponsor paid"
    );

    let again = refused(post(address, &path, &creator.pubkey()), 409);
    assert!(again.contains("nothing to claim"), "{again}");

    ready.report_again(net, 100_000);
    let answer = post(address, &path, &creator.pubkey());
    send(net, rpc, &sign_as_wallet(&answer, &creator));
    let gross = ready.gross(0);
    assert_eq!(
        token_balance(rpc, &campaign, &creator.pubkey()),
        gross - gross * 250 / 10_000
    );
    assert_eq!(
        rpc.submission(&submission).unwrap().state.paid_views,
        ready.views_of(&submission)
    );
}

/// A creator whose wallet has never held SOL claims a share too small to make it rent exempt
/// from a SOL campaign: the sponsor also gives the wallet its rent exemption, so the share is
/// paid rather than kept owed.
fn claim_sol(
    net: &Localnet,
    rpc: &mut RpcBackend,
    address: &str,
    ready: &ReadyCampaign,
    campaign: &Pubkey,
) {
    let creator = Keypair::new();
    let video = "https://www.youtube.com/shorts/solCreatorA";
    let registered = net.json(
        "oracle",
        &[
            "submission",
            "register",
            &campaign.to_string(),
            "--video",
            video,
            "--account",
            "UCsolCreatorChannel00001",
            "--creator",
            &creator.pubkey().to_string(),
        ],
    );
    let submission: Pubkey = registered["address"].as_str().unwrap().parse().unwrap();
    let now = rpc.clock().unwrap().unix_timestamp;
    let report = net.path("sol-views.jsonl");
    let line = json!({ "video": video, "views": 500, "observed_at": now + 30 });
    std::fs::write(&report, format!("{line}\n")).unwrap();
    net.ingest(&report, &campaign.to_string(), &ready.ledger_db, 1);

    let answer = post(
        address,
        &format!("/api/actions/claim/{campaign}"),
        &creator.pubkey(),
    );
    let message = answer.body["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("rent exemption"), "{message}");
    send(net, rpc, &sign_as_wallet(&answer, &creator));
    let rent = rpc.minimum_balance_for_rent_exemption(0).unwrap();
    // 500 views at 0.001 SOL per thousand, less the 2.5% platform fee: below the rent.
    let share = 500_000 - 12_500;
    assert!(share < rent);
    assert_eq!(rpc.lamports(&creator.pubkey()).unwrap(), rent + share);
    let state = rpc.submission(&submission).unwrap().state;
    assert_eq!((state.paid_views, state.paid_to_creator), (500, share));
}

/// Every bad input is answered 4xx with a message, and never with a transaction.
fn bad_inputs(net: &Localnet, address: &str, ready: &ReadyCampaign, sol: &Pubkey) {
    let funder = net.keypair("funder").pubkey();
    let fund = |query: &str| format!("/api/actions/fund/{sol}{query}");
    let cases: Vec<(Answer, u16, &str)> = vec![
        (
            post(address, &fund("?amount=0"), &funder),
            400,
            "above zero",
        ),
        (
            post(address, &fund("?amount=abc"), &funder),
            400,
            "invalid amount",
        ),
        (
            post(address, &fund("?amount=0.0000000001"), &funder),
            400,
            "invalid amount",
        ),
        (post(address, &fund(""), &funder), 400, "name the amount"),
        (
            post(address, &fund("?amount=1000000"), &funder),
            422,
            "insufficient funds",
        ),
        (
            post(
                address,
                &format!("/api/actions/fund/{}?amount=1", ready.address),
                &funder,
            ),
            422,
            "no associated token account",
        ),
        (
            http(address, "POST", &fund("?amount=1"), Some("not json")),
            400,
            "must be JSON",
        ),
        (
            http(
                address,
                "POST",
                &fund("?amount=1"),
                Some("{\"account\":\"xyz\"}"),
            ),
            400,
            "not a wallet address",
        ),
        (
            http(address, "POST", &fund("?amount=1"), Some("{}")),
            400,
            "no \"account\"",
        ),
        (
            post(address, "/api/actions/fund/nope?amount=1", &funder),
            400,
            "not a campaign address",
        ),
        (
            post(
                address,
                &format!("/api/actions/fund/{funder}?amount=1"),
                &funder,
            ),
            404,
            "not found",
        ),
        (
            post(
                address,
                &format!("/api/actions/claim/{}", ready.address),
                &funder,
            ),
            403,
            "not the creator",
        ),
        (
            post(
                address,
                &format!("/api/actions/claim/{sol}"),
                &ready.creators[1].pubkey(),
            ),
            403,
            "not the creator",
        ),
        (http(address, "PUT", &fund("?amount=1"), None), 405, "GET"),
        (http(address, "GET", "/nowhere", None), 404, "no such page"),
    ];
    for (answer, status, needle) in cases {
        let message = refused(answer, status);
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
    // A wallet that cannot pay the fee on top of the amount gets a refusal from the
    // simulation, not a transaction that would fail.
    let funder_lamports = net
        .rpc(CommitmentConfig::confirmed())
        .lamports(&funder)
        .unwrap();
    let everything = clipstake_sdk::amount::format_ui_amount(funder_lamports, 9);
    let message = refused(
        post(address, &fund(&format!("?amount={everything}")), &funder),
        422,
    );
    assert!(message.contains("would fail"), "{message}");
    // The page's vault balance is the vault account's lamports above its rent.
    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    let vault_address = rpc.campaign(sol).unwrap().state.vault;
    let vault = rpc.get_account(&vault_address).unwrap().unwrap();
    let rent = rpc
        .minimum_balance_for_rent_exemption(vault.data.len())
        .unwrap();
    let status = http(address, "GET", &format!("/api/campaign/{sol}"), None);
    assert_eq!(status.status, 200);
    assert_eq!(
        base(&json!({"base_units": status.body["vault_base_units"]})),
        vault.lamports - rent
    );
}
