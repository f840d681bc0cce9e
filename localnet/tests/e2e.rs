//! The whole ClipStake lifecycle through the `clipstake` binary over real JSON-RPC, against a
//! `clipstake-localnet` validator: platform, token campaign, funding, registrations, oracle
//! ingestion and two rounds of batched payouts with address lookup tables, an on-chain claim,
//! the settlement window, withdraw and close. Every balance is then read back over RPC and
//! checked against the program's own money math.
mod support;

use std::time::{Duration, Instant};

use clipstake::math::{Bps, entitlement, split};
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::pda;
use solana_commitment_config::CommitmentConfig;
use support::{Localnet, base};

const CREATORS: usize = 24;
const FEE_BPS: u16 = 250;
const AFFILIATE_BPS: u16 = 1_000;
/// 2.5 tokens (6 decimals) per 1,000 views, capped at 400 tokens per video.
const RATE: u64 = 2_500_000;
const CAP: u64 = 400_000_000;
const MINTED: u64 = 1_000_000_000_000;
const FUNDED: u64 = 100_000_000_000;

fn views(round: u64, creator: usize) -> u64 {
    round * (10_000 + 1_000 * creator as u64)
}

/// Who gets what for a submission paid up to `views`, from the program's math.
fn shares(views: u64, has_affiliate: bool) -> (u64, u64, u64) {
    let gross = entitlement(views, RATE, CAP);
    let commission = if has_affiliate { AFFILIATE_BPS } else { 0 };
    let parts = split(
        gross,
        Bps::new(FEE_BPS).unwrap(),
        Bps::new(commission).unwrap(),
    )
    .unwrap();
    (parts.fee, parts.commission, parts.creator)
}

#[test]
fn the_demo_lifecycle_over_json_rpc_with_batched_oracle_payouts() {
    let creators: Vec<String> = (0..CREATORS).map(|i| format!("creator{i}")).collect();
    let affiliates: Vec<String> = (0..CREATORS).map(|i| format!("affiliate{i}")).collect();
    let mut unfunded: Vec<&str> = creators.iter().map(String::as_str).collect();
    unfunded.extend(affiliates.iter().map(String::as_str));
    unfunded.push("treasury");
    let net = Localnet::start(&["brand", "oracle"], &unfunded, 100);
    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    let oracle = net.pubkey("oracle");
    let treasury = net.pubkey("treasury");

    // Admin (the upgrade authority) initialises the platform.
    let platform = net.json(
        "admin",
        &[
            "platform",
            "init",
            "--fee-bps",
            &FEE_BPS.to_string(),
            "--max-affiliate-bps",
            "2000",
            "--treasury",
            &treasury,
            "--oracle",
            &oracle,
            // A short minimum, so the campaign's 3-second window is allowed.
            "--min-settlement-window",
            "3s",
        ],
    );
    assert_eq!(platform["fee_bps"], FEE_BPS);

    // Brand: a mint (as spl-token would), a campaign, funding.
    let mint = net.json(
        "brand",
        &[
            "embedded",
            "create-mint",
            "--decimals",
            "6",
            "--amount",
            "1000000",
        ],
    );
    let mint_address = mint["mint"].as_str().unwrap().to_string();
    assert_eq!(base(&mint["minted"]["amount"]), MINTED);
    let campaign = net.json(
        "brand",
        &[
            "campaign",
            "create",
            "--mint",
            &mint_address,
            "--rate",
            "2.5",
            "--cap",
            "400",
            "--oracle",
            &oracle,
            "--duration",
            "1d",
            "--settlement-window",
            "3",
        ],
    );
    let address = campaign["address"].as_str().unwrap().to_string();
    assert_eq!(campaign["asset"], "spl-token");
    let funded = net.json("brand", &["campaign", "fund", &address, "100000"]);
    assert_eq!(base(&funded["vault_balance"]), FUNDED);

    // Oracle: register every video (its owner recorded in the ledger); even creators bring an
    // affiliate.
    let ledger_db = net.path("oracle.sqlite");
    for i in 0..CREATORS {
        let video = format!("https://youtu.be/vide{i:06}A");
        let creator = net.pubkey(&creators[i]);
        let affiliate = net.pubkey(&affiliates[i]);
        let mut args = vec![
            "submission",
            "register",
            &address,
            "--video",
            &video,
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--ledger-db",
            &ledger_db,
            "--creator",
            &creator,
        ];
        if i % 2 == 0 {
            args.extend(["--affiliate", &affiliate, "--affiliate-bps", "1000"]);
        }
        net.json("oracle", &args);
    }

    // Two rounds of view reports (under another spelling of each video's URL), each ingested
    // and paid by `oracle run`.
    let now = rpc.clock().unwrap().unix_timestamp;
    let mut transactions = Vec::new();
    for round in 1..=2u64 {
        let report = net.path(&format!("views-{round}.jsonl"));
        let lines: String = (0..CREATORS)
            .map(|i| {
                format!(
                    "{{\"platform\":\"youtube\",\"video\":\"https://www.youtube.com/watch?v=vide{i:06}A\",\"views\":{},\"observed_at\":{},\"source\":\"e2e\"}}\n",
                    views(round, i),
                    now + 60 * round as i64
                )
            })
            .collect();
        std::fs::write(&report, lines).unwrap();
        net.ingest(&report, &address, &ledger_db, CREATORS);
        let run = net.json("oracle", &["oracle", "run", "--ledger-db", &ledger_db]);
        assert_eq!(run["paid"], CREATORS, "round {round}: {run}");
        assert_eq!(run["failed"], 0, "{run}");
        assert!(run["lookup_tables"].as_u64().unwrap() >= 1, "{run}");
        transactions.push(run["transactions"].as_u64().unwrap());
        // Round 1 creates the token accounts with single disburses, which log so much that
        // the 10,000-byte log budget (every PayoutMade event kept) holds a transaction to
        // about 4. Round 2 pays in one disburse_batch per transaction, bound by the 64
        // account locks.
        let packed = run["max_per_tx"].as_u64().unwrap();
        assert!(
            packed >= if round == 1 { 3 } else { 10 },
            "round {round} packed too little: {run}"
        );
        // The ledger balances and nothing is left unfinished.
        let ledger = net.json("oracle", &["oracle", "ledger", "--ledger-db", &ledger_db]);
        assert_eq!(
            ledger["unbalanced_intents"],
            serde_json::json!([]),
            "{ledger}"
        );
        let statuses: Vec<&str> = ledger["totals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["confirmed"], "every intent confirmed: {ledger}");
        // Running again pays nothing: the watermark is the receipt.
        let again = net.json("oracle", &["oracle", "run", "--ledger-db", &ledger_db]);
        assert_eq!(again["paid"], 0, "{again}");
    }

    // Creator 1 claims on-chain with an oracle attestation for more views; the brand sponsors
    // the fee (the creator holds no SOL).
    let claimed_views = views(3, 1);
    let attestation = net.path("attestation.json");
    let submission = net.json(
        "oracle",
        &[
            "submission",
            "show",
            "--campaign",
            &address,
            "--video",
            "youtube:vide000001A",
        ],
    )["address"]
        .as_str()
        .unwrap()
        .to_string();
    net.json(
        "oracle",
        &[
            "oracle",
            "attest",
            &submission,
            "--views",
            &claimed_views.to_string(),
            "--out",
            &attestation,
        ],
    );
    let brand_keypair = net.keypair_path("brand").display().to_string();
    let claimed = net.json(
        &creators[1],
        &[
            "creator",
            "claim",
            "--attestation",
            &attestation,
            "--fee-payer",
            &brand_keypair,
        ],
    );
    assert_eq!(claimed["watermark"], claimed_views);
    let replay = net.fails(
        &creators[1],
        &[
            "creator",
            "claim",
            "--attestation",
            &attestation,
            "--fee-payer",
            &brand_keypair,
        ],
        3,
    );
    assert!(replay.contains("ViewsNotIncreasing"), "{replay}");

    // Brand: end, wait out the settlement window on the chain's clock, withdraw, close.
    let ended = net.json("brand", &["campaign", "end", &address]);
    let deadline = ended["settlement_deadline"].as_i64().unwrap();
    let early = net.fails("brand", &["campaign", "withdraw", &address], 3);
    assert!(early.contains("SettlementWindowOpen"), "{early}");
    let waited = Instant::now();
    while rpc.clock().unwrap().unix_timestamp < deadline {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the clock stands still"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let withdrawn = net.json("brand", &["campaign", "withdraw", &address]);
    assert_eq!(base(&withdrawn["vault_balance"]), 0);
    let closed = net.json("brand", &["campaign", "close", &address]);
    assert_eq!(closed["submissions_closed"], CREATORS);

    // The oracle starts getting its lookup tables' rent back: found by authority
    // (getProgramAccounts), deactivated now, closable about 512 slots later.
    let tables = net.json("oracle", &["oracle", "tables", "--ledger-db", &ledger_db]);
    let listed = tables["tables"].as_array().unwrap();
    assert!(!listed.is_empty(), "{tables}");
    for table in listed {
        assert_eq!(table["status"], "active", "{tables}");
        assert_eq!(table["campaign"], address.as_str(), "{tables}");
    }
    let deactivated = net.json(
        "oracle",
        &[
            "oracle",
            "close-tables",
            "--campaign",
            &address,
            "--ledger-db",
            &ledger_db,
        ],
    );
    assert_eq!(deactivated["cooling_down"], listed.len(), "{deactivated}");
    let cooling = net.json("oracle", &["oracle", "tables", "--ledger-db", &ledger_db]);
    for table in cooling["tables"].as_array().unwrap() {
        let status = table["status"].as_str().unwrap();
        assert!(status.starts_with("cooling down"), "{cooling}");
    }

    // Every balance, read back over RPC.
    let token_program = rpc
        .mint(&mint_address.parse().unwrap())
        .unwrap()
        .token_program;
    let ata = |owner: &str| {
        pda::associated_token(
            &owner.parse().unwrap(),
            &mint_address.parse().unwrap(),
            &token_program,
        )
    };
    let (mut fees, mut paid_out) = (0u64, 0u64);
    for i in 0..CREATORS {
        let paid_views = if i == 1 { claimed_views } else { views(2, i) };
        let (fee, commission, creator_amount) = shares(paid_views, i % 2 == 0);
        let creator_balance = rpc.token_balance(&ata(&net.pubkey(&creators[i]))).unwrap();
        assert_eq!(creator_balance, creator_amount, "creator {i}");
        let affiliate_balance = rpc
            .token_balance(&ata(&net.pubkey(&affiliates[i])))
            .unwrap();
        assert_eq!(affiliate_balance, commission, "affiliate {i}");
        fees += fee;
        paid_out += fee + commission + creator_amount;
    }
    assert_eq!(
        rpc.token_balance(&ata(&treasury)).unwrap(),
        fees,
        "treasury"
    );
    let brand_balance = rpc.token_balance(&ata(&net.pubkey("brand"))).unwrap();
    assert_eq!(
        brand_balance + paid_out,
        MINTED,
        "every token accounted for"
    );
    assert!(
        rpc.get_account(&address.parse().unwrap())
            .unwrap()
            .is_none(),
        "closed"
    );
    assert!(transactions[1] <= 3, "{transactions:?}");

    let status = net.stop();
    assert!(
        status.success(),
        "the validator stops cleanly on SIGTERM: {status}"
    );
}
