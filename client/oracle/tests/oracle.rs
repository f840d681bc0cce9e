//! The payout oracle end to end on the embedded backend (litesvm in process with the real SBF
//! build): ingestion and quarantine, crash injection with restarts from the same SQLite file
//! and chain, and a throughput benchmark (`--ignored`).
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use clipstake::events::BatchPaid;
use clipstake::instructions::{CreateCampaignArgs, InitPlatformArgs, RegisterSubmissionArgs};
use clipstake::math::entitlement;
use clipstake_client::backend::embedded::EmbeddedBackend;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::{SendOptions, no_state_check, send_transaction};
use clipstake_oracle::ledger::{Ledger, Status};
use clipstake_oracle::policy::Policy;
use clipstake_oracle::reports::{Format, VerifyConfig, parse};
use clipstake_oracle::verify::{self, Outcome};
use clipstake_oracle::video::{Reading, VideoId};
use clipstake_oracle::{self as oracle, CrashAt, NoFailpoints, RunOptions};
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset};
use clipstake_sdk::pda;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const SOL: u64 = 1_000_000_000;
const RATE: u64 = 1_000_000; // lamports per 1,000 views
const CAP: u64 = 2 * SOL;

struct World {
    chain: EmbeddedBackend,
    payer: Keypair,
    oracle: Keypair,
    campaign: Pubkey,
    videos: Vec<(String, Pubkey)>,
    now: i64,
}

/// The program ELF: the workspace's build, or `CLIPSTAKE_TEST_PROGRAM_SO` (e.g. an earlier
/// build, to run the benchmark side by side with it).
fn program_so() -> PathBuf {
    if let Some(path) = std::env::var_os("CLIPSTAKE_TEST_PROGRAM_SO") {
        return PathBuf::from(path);
    }
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../target/deploy/clipstake.so")
}

fn elf() -> Vec<u8> {
    let path = program_so();
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("build the program first ({}): {e}", path.display()))
}

fn send(chain: &mut EmbeddedBackend, payer: &Keypair, signers: &[&Keypair], ixs: &[Instruction]) {
    send_transaction(
        chain,
        &SendOptions::default(),
        ixs,
        payer,
        signers,
        &mut no_state_check,
    )
    .unwrap();
}

/// A platform, a funded SOL campaign and `n` registered videos with rent-exempt creators (and
/// every third one with a 10% affiliate).
fn world(n: usize) -> World {
    world_with(n, false)
}

/// `token`: an SPL Token (p-token) campaign instead of native SOL.
fn world_with(n: usize, token: bool) -> World {
    world_funded(n, token, 20_000 * SOL)
}

/// `world_with`, the campaign funded with `budget` base units.
fn world_funded(n: usize, token: bool, budget: u64) -> World {
    let admin = Keypair::new();
    let mut chain = EmbeddedBackend::in_memory(&elf(), admin.pubkey()).unwrap();
    let payer = admin;
    chain.airdrop(&payer.pubkey(), 100_000 * SOL).unwrap();
    let treasury = Keypair::new().pubkey();
    chain.airdrop(&treasury, SOL).unwrap();
    let platform_ix = ix::init_platform(
        &payer.pubkey(),
        &payer.pubkey(),
        InitPlatformArgs {
            treasury,
            fee_bps: 250,
            max_affiliate_bps: 2_000,
            min_settlement_window_secs: 86_400,
            max_attestation_lifetime_secs: 7 * 86_400,
        },
    );
    // Campaigns may only name an oracle the platform registered.
    let oracle = Keypair::new();
    let register = ix::add_oracle(&payer.pubkey(), &payer.pubkey(), &oracle.pubkey());
    send(&mut chain, &payer, &[], &[platform_ix, register]);
    let now = chain.clock().unwrap().unix_timestamp;
    let asset = if token {
        let mint = Keypair::new();
        let token_program = ix::TOKEN_PROGRAM_ID;
        let space = 82;
        let lamports = chain.minimum_balance_for_rent_exemption(space).unwrap();
        let brand_ata = pda::associated_token(&payer.pubkey(), &mint.pubkey(), &token_program);
        let setup = vec![
            solana_system_interface::instruction::create_account(
                &payer.pubkey(),
                &mint.pubkey(),
                lamports,
                space as u64,
                &token_program,
            ),
            spl_token_interface::instruction::initialize_mint2(
                &token_program,
                &mint.pubkey(),
                &payer.pubkey(),
                None,
                6,
            )
            .unwrap(),
            spl_associated_token_account_interface::instruction::create_associated_token_account(
                &payer.pubkey(),
                &payer.pubkey(),
                &mint.pubkey(),
                &token_program,
            ),
            spl_token_interface::instruction::mint_to(
                &token_program,
                &mint.pubkey(),
                &brand_ata,
                &payer.pubkey(),
                &[],
                20_000 * SOL,
            )
            .unwrap(),
        ];
        send(&mut chain, &payer, &[&mint], &setup);
        Asset::Token {
            mint: mint.pubkey(),
            token_program,
        }
    } else {
        Asset::Sol
    };
    let (create, campaign) = ix::create_campaign(
        &payer.pubkey(),
        &payer.pubkey(),
        asset,
        CreateCampaignArgs {
            campaign_id: 1,
            oracle: oracle.pubkey(),
            rate_per_thousand_views: RATE,
            cap_per_submission: CAP,
            start_time: now - 10,
            end_time: now + 30 * 86_400,
            settlement_window_secs: 3 * 86_400,
        },
    );
    send(&mut chain, &payer, &[], &[create]);
    let account = chain.campaign(&campaign).unwrap();
    send(
        &mut chain,
        &payer,
        &[],
        &[ix::fund_campaign(&payer.pubkey(), &account, budget)],
    );
    let mut videos = Vec::new();
    let mut pending = Vec::new();
    for i in 0..n {
        let creator = Keypair::new().pubkey();
        let affiliate = (i % 3 == 0).then(|| Keypair::new().pubkey());
        if !token {
            // SOL payouts need rent-exempt recipients.
            chain.airdrop(&creator, SOL / 100).unwrap();
            if let Some(a) = affiliate {
                chain.airdrop(&a, SOL / 100).unwrap();
            }
        }
        let video = format!("https://youtu.be/clip{i:06}A");
        let (register, submission) = ix::register_submission(
            &oracle.pubkey(),
            &payer.pubkey(),
            &campaign,
            RegisterSubmissionArgs {
                content_hash: VideoId::parse(&video).unwrap().content_hash(),
                creator,
                affiliate,
                affiliate_bps: if affiliate.is_some() { 1_000 } else { 0 },
            },
        );
        videos.push((video, submission));
        pending.push(register);
        if pending.len() == 6 || i + 1 == n {
            send(&mut chain, &payer, &[&oracle], &pending);
            pending.clear();
        }
    }
    World {
        chain,
        payer,
        oracle,
        campaign,
        videos,
        now,
    }
}

fn line(video: &str, views: u64, at: i64) -> String {
    format!(
        r#"{{"platform":"youtube","video":"{video}","views":{views},"observed_at":{at},"source":"test"}}"#
    )
}

/// One `oracle run` with the default options, as `clipstake oracle run` makes it.
fn run_default(w: &mut World, ledger: &mut Ledger) -> oracle::RunSummary {
    oracle::run(
        ledger,
        &mut w.chain,
        &w.oracle,
        &w.payer,
        &RunOptions::default(),
        &mut NoFailpoints,
        &mut oracle::NoProgress,
    )
    .unwrap()
}

#[test]
fn bad_reports_are_quarantined_and_the_rest_paid() {
    let mut w = world(6);
    let mut ledger = Ledger::in_memory().unwrap();
    let t = w.now;
    let v: Vec<String> = w.videos.iter().map(|(v, _)| v.clone()).collect();
    let text = [
        line(&v[0], 10_000, t + 3600),
        line(&v[1], 20_000, t + 3600),
        line(&v[2], 30_000, t + 3600),
        line(&v[3], 40_000, t + 3600),
        "this is not json".to_string(),
        format!(
            r#"{{"video":"{}","views":"lots","observed_at":{}}}"#,
            v[4],
            t + 3600
        ),
        format!(
            r#"{{"video":"{}","views":-3,"observed_at":{}}}"#,
            v[4],
            t + 3600
        ),
        format!(r#"{{"video":"{}","views":5}}"#, v[4]),
        line("https://youtu.be/neverRegstA", 5_000, t + 3600),
        line("https://video.example/clip-1", 5_000, t + 3600),
        line(&v[1], 25_000, t + 3600).replace("youtube", "tiktok"),
        line(&v[5], 1_000, t + 60 * 86_400),
    ]
    .join("\n");
    let parsed = parse(&text, Format::JsonLines);
    let s = oracle::ingest(
        &mut ledger,
        &mut w.chain,
        &w.campaign,
        &parsed,
        &VerifyConfig::default(),
    )
    .unwrap();
    assert_eq!((s.accepted, s.quarantined), (4, 8));

    // Second round (CSV): one normal (the first video under another spelling of its URL), one
    // decreasing, one older than the last seen, one spike.
    let csv = format!(
        "platform,video,creator,views,observed_at,source\n\
         youtube,{},,15000,{},csv\n\
         youtube,{},,19000,{},csv\n\
         youtube,{},,35000,{},csv\n\
         youtube,{},,900000000,{},csv\n",
        v[0].replace(
            "https://youtu.be/",
            "www.youtube.com/watch?feature=share&v="
        ),
        t + 7200,
        v[1],
        t + 7200,
        v[2],
        t + 1800,
        v[3],
        t + 7200
    );
    let parsed = parse(&csv, Format::Csv);
    let s = oracle::ingest(
        &mut ledger,
        &mut w.chain,
        &w.campaign,
        &parsed,
        &VerifyConfig::default(),
    )
    .unwrap();
    assert_eq!((s.accepted, s.quarantined), (1, 3));

    let summary = run_default(&mut w, &mut ledger);
    assert_eq!(summary.paid, 4);
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.quarantined, 11);
    assert_eq!(
        summary.transactions, 1,
        "four disbursements fit one transaction"
    );

    let expected = [15_000, 20_000, 30_000, 40_000, 0, 0];
    for ((_, address), views) in w.videos.iter().zip(expected) {
        let sub = w.chain.submission(address).unwrap().state;
        assert_eq!(sub.paid_views, views);
        assert_eq!(sub.paid_gross, entitlement(views, RATE, CAP));
    }
    let reasons: Vec<String> = ledger
        .quarantined()
        .unwrap()
        .into_iter()
        .map(|q| q.reason)
        .collect();
    for prefix in [
        "malformed JSON",
        "wrong type: views",
        "missing field: observed_at",
        "unknown submission",
        "unreadable video: \"https://video.example/clip-1\" is not a video URL",
        "unreadable video: platform mismatch: the report says tiktok",
        "after campaign end",
        "decreasing count",
        "older than the last seen",
        "implausible jump",
    ] {
        assert!(
            reasons.iter().any(|r| r.starts_with(prefix)),
            "no {prefix:?} in {reasons:#?}"
        );
    }
    assert!(ledger.totals().unwrap().unbalanced.is_empty());
    // Re-running pays nothing more.
    let again = run_default(&mut w, &mut ledger);
    assert_eq!(again.paid, 0);
}

/// A brand funds less than its verified views earn. The oracle pays what the vault holds (one
/// payout cut short, the next video awaiting funds, nothing refused), its ledger books exactly
/// what moved, and once the brand funds again the next run pays the shortfall at the same
/// watermark and the waiting video, and a third run pays nothing.
#[test]
fn underfunded_campaign_is_paid_what_the_vault_holds_then_topped_up() {
    let owed = entitlement(1_000_000, RATE, CAP); // 1 SOL per video
    let mut w = world_funded(3, false, owed + owed / 2);
    let mut ledger = Ledger::in_memory().unwrap();
    let text: Vec<String> = w
        .videos
        .iter()
        .map(|(v, _)| line(v, 1_000_000, w.now + 60))
        .collect();
    let parsed = parse(&text.join("\n"), Format::JsonLines);
    let cfg = VerifyConfig::default();
    oracle::ingest(&mut ledger, &mut w.chain, &w.campaign, &parsed, &cfg).unwrap();
    let paid = |w: &mut World| -> Vec<u64> {
        w.videos
            .iter()
            .map(|(_, a)| w.chain.submission(a).unwrap().state.paid_gross)
            .collect()
    };
    let books_match = |w: &mut World, ledger: &Ledger| {
        for (_, address) in &w.videos {
            let chain = w.chain.submission(address).unwrap().state.paid_gross;
            assert_eq!(ledger.confirmed_gross(&address.to_string()).unwrap(), chain);
        }
        assert!(ledger.totals().unwrap().unbalanced.is_empty());
    };

    let first = run_default(&mut w, &mut ledger);
    // Two payouts move what the vault holds; the third records its views, paying nothing.
    assert_eq!((first.paid, first.failed, first.awaiting_funds), (3, 0, 1));
    for (_, address) in &w.videos {
        assert_eq!(
            w.chain.submission(address).unwrap().state.paid_views,
            1_000_000
        );
    }
    assert_eq!(
        w.chain.campaign(&w.campaign).unwrap().state.shortfall_owed,
        owed + owed / 2
    );
    let mut amounts = paid(&mut w);
    amounts.sort_unstable();
    assert_eq!(amounts, vec![0, owed / 2, owed]);
    assert_eq!(w.chain.campaign(&w.campaign).unwrap().state.available(), 0);
    books_match(&mut w, &ledger);

    let account = w.chain.campaign(&w.campaign).unwrap();
    let fund = ix::fund_campaign(&w.payer.pubkey(), &account, 5 * owed);
    send(&mut w.chain, &w.payer, &[], &[fund]);
    let second = run_default(&mut w, &mut ledger);
    assert_eq!(
        (second.paid, second.failed, second.awaiting_funds),
        (2, 0, 0)
    );
    assert_eq!(paid(&mut w), vec![owed; 3]);
    books_match(&mut w, &ledger);

    let third = run_default(&mut w, &mut ledger);
    assert_eq!((third.planned, third.paid), (0, 0));
}

#[test]
fn token_campaign_pays_and_a_refused_disbursement_is_isolated() {
    // SPL Token: creator ATAs are created by the first payout.
    let mut w = world_with(24, true);
    let mut ledger = Ledger::in_memory().unwrap();
    let text: Vec<String> = w
        .videos
        .iter()
        .enumerate()
        .map(|(i, (v, _))| line(v, 2_000 + i as u64, w.now + 600))
        .collect();
    oracle::ingest(
        &mut ledger,
        &mut w.chain,
        &w.campaign,
        &parse(&text.join("\n"), Format::JsonLines),
        &VerifyConfig::default(),
    )
    .unwrap();
    let s = run_default(&mut w, &mut ledger);
    assert_eq!((s.paid, s.failed), (24, 0));
    assert!(s.max_per_tx >= 2, "packed: {s:?}");
    for (i, (_, address)) in w.videos.iter().enumerate() {
        assert_eq!(
            w.chain.submission(address).unwrap().state.paid_gross,
            entitlement(2_000 + i as u64, RATE, CAP)
        );
    }

    // SOL: one creator's wallet is owned by a program, so it can never hold SOL and its payout
    // is refused; the batch is split and every other disbursement still lands.
    let mut w = world(10);
    let video = "https://youtu.be/programOwnA".to_string();
    let creator = Keypair::new();
    let (oracle_kp, payer) = (w.oracle.insecure_clone(), w.payer.insecure_clone());
    let rent = w.chain.minimum_balance_for_rent_exemption(0).unwrap();
    let program_owned = solana_system_interface::instruction::create_account(
        &payer.pubkey(),
        &creator.pubkey(),
        rent,
        0,
        &Pubkey::new_unique(),
    );
    send(&mut w.chain, &payer, &[&creator], &[program_owned]);
    let (register, poor) = ix::register_submission(
        &w.oracle.pubkey(),
        &w.payer.pubkey(),
        &w.campaign,
        RegisterSubmissionArgs {
            content_hash: VideoId::parse(&video).unwrap().content_hash(),
            creator: creator.pubkey(),
            affiliate: None,
            affiliate_bps: 0,
        },
    );
    send(&mut w.chain, &payer, &[&oracle_kp], &[register]);
    let mut text: Vec<String> = w
        .videos
        .iter()
        .map(|(v, _)| line(v, 3_000, w.now + 600))
        .collect();
    text.insert(4, line(&video, 100, w.now + 600));
    let mut ledger = Ledger::in_memory().unwrap();
    oracle::ingest(
        &mut ledger,
        &mut w.chain,
        &w.campaign,
        &parse(&text.join("\n"), Format::JsonLines),
        &VerifyConfig::default(),
    )
    .unwrap();
    let s = run_default(&mut w, &mut ledger);
    assert_eq!((s.paid, s.failed), (10, 1), "{s:?}");
    assert_eq!(w.chain.submission(&poor).unwrap().state.paid_views, 0);
    let failed = ledger.intents(&[Status::Failed]).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].submission, poor.to_string());
}

/// A confirmed transaction of a run, read back from the chain.
struct Landed {
    /// The payouts the ledger booked in it.
    submissions: Vec<String>,
    /// Its program logs.
    logs: Vec<String>,
}

impl Landed {
    /// The payout instructions it ran, named by the event each logs (a `disburse_batch` its
    /// `BatchPaid`, a `disburse` its `PayoutMade`): every top-level invocation of the program
    /// must have logged one.
    fn payout_instructions(&self) -> Vec<&'static str> {
        let invoke = format!("Program {} invoke [1]", clipstake::ID);
        let invocations = self.logs.iter().filter(|l| **l == invoke).count();
        let batches = self.events().len();
        let singles =
            clipstake_sdk::events::decode::<clipstake::events::PayoutMade>(&self.logs).len();
        assert_eq!(
            invocations,
            batches + singles,
            "every payout instruction logged its event: {:#?}",
            self.logs
        );
        std::iter::repeat_n("DisburseBatch", batches)
            .chain(std::iter::repeat_n("Disburse", singles))
            .collect()
    }

    /// Its `BatchPaid` events.
    fn events(&self) -> Vec<BatchPaid> {
        clipstake_sdk::events::decode(&self.logs)
    }
}

/// The signatures of every confirmed intent in the ledger.
fn confirmed_signatures(ledger: &Ledger) -> HashSet<String> {
    ledger
        .intents(&[Status::Confirmed])
        .unwrap()
        .into_iter()
        .filter_map(|i| i.signature)
        .collect()
}

/// Every transaction the ledger's confirmed intents name but `before`, with its logs from the
/// chain.
fn landed_since(w: &mut World, ledger: &Ledger, before: &HashSet<String>) -> Vec<Landed> {
    let mut by_signature: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for intent in ledger.intents(&[Status::Confirmed]).unwrap() {
        let signature = intent
            .signature
            .expect("a confirmed intent names its transaction");
        if !before.contains(&signature) {
            by_signature
                .entry(signature)
                .or_default()
                .push(intent.submission);
        }
    }
    by_signature
        .into_iter()
        .map(|(signature, submissions)| {
            let status = w
                .chain
                .signature_statuses(&[signature.parse().unwrap()], true)
                .unwrap()
                .pop()
                .flatten()
                .expect("the transaction landed");
            Landed {
                submissions,
                logs: status.logs,
            }
        })
        .collect()
}

/// Bytes logged up to and including the `BatchPaid` event: what the runtime's 10,000-byte
/// log limit must leave room for.
fn log_bytes_through_event(logs: &[String]) -> usize {
    let event = logs
        .iter()
        .position(|l| {
            !clipstake_sdk::events::decode::<BatchPaid>(std::slice::from_ref(l)).is_empty()
        })
        .expect("a BatchPaid event");
    logs[..=event].iter().map(String::len).sum()
}

/// Opens the SPL token accounts of `wallets` for the world's mint, as their owners would.
fn open_token_accounts(w: &mut World, wallets: &[Pubkey]) {
    let campaign = w.chain.campaign(&w.campaign).unwrap().state;
    let payer = w.payer.insecure_clone();
    for chunk in wallets.chunks(5) {
        let creates: Vec<Instruction> = chunk
            .iter()
            .map(|wallet| {
                spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                    &payer.pubkey(),
                    wallet,
                    &campaign.mint,
                    &campaign.token_program,
                )
            })
            .collect();
        send(&mut w.chain, &payer, &[], &creates);
    }
}

/// Which submissions of a token world go in batches on their first payout, after opening
/// token accounts for even creators and, of their affiliates (every third video), those of
/// every fourth video: a creator with an account but an affiliate without one is not
/// batchable.
fn open_some_token_accounts(w: &mut World) -> HashSet<String> {
    let mut holders = Vec::new();
    let mut batchable = HashSet::new();
    for (i, (_, address)) in w.videos.clone().iter().enumerate().step_by(2) {
        let state = w.chain.submission(address).unwrap().state;
        holders.push(state.creator);
        match state.affiliate() {
            Some(affiliate) if i % 4 == 0 => holders.push(affiliate),
            Some(_) => continue,
            None => {}
        }
        batchable.insert(address.to_string());
    }
    open_token_accounts(w, &holders);
    batchable
}

/// Each transaction is one `disburse_batch` whose event lists exactly its payouts, or single
/// `disburse`s only, as `batched` says of its payouts; the summary counts them.
fn check_routes(landed: &[Landed], batched: impl Fn(&str) -> bool, s: &oracle::RunSummary) {
    let mut batches = 0;
    for tx in landed {
        let kinds = tx.payout_instructions();
        if tx.submissions.iter().all(|sub| batched(sub)) {
            assert_eq!(kinds, ["DisburseBatch"], "one batch per transaction");
            let events = tx.events();
            let mut listed: Vec<String> = events[0]
                .payouts
                .iter()
                .map(|p| p.submission.to_string())
                .collect();
            listed.sort();
            let mut booked = tx.submissions.clone();
            booked.sort();
            assert_eq!(listed, booked, "the event lists the batch's payouts");
            batches += 1;
        } else {
            assert!(
                tx.submissions.iter().all(|sub| !batched(sub)),
                "routes mixed"
            );
            assert!(kinds.iter().all(|k| *k == "Disburse"), "{kinds:?}");
            // Single payouts that open token accounts log a lot; the packer splits any
            // transaction whose simulation was truncated, so every payout's event is there.
            let truncated = tx.logs.iter().any(|l| l == "Log truncated");
            let events = clipstake_sdk::events::decode::<clipstake::events::PayoutMade>(&tx.logs);
            assert!(
                !truncated
                    && kinds.len() == tx.submissions.len()
                    && events.len() == tx.submissions.len(),
                "{:#?}",
                tx.logs
            );
        }
    }
    assert_eq!(s.transactions, landed.len());
    assert_eq!(s.batch_transactions, batches);
    let largest = landed.iter().map(|t| t.submissions.len()).max();
    assert_eq!(Some(s.max_per_tx), largest, "max_per_tx counts payouts");
    let per_tx = s.paid as f64 / landed.len() as f64;
    assert!((s.per_tx() - per_tx).abs() < 1e-9);
}

/// A token campaign's first payouts: those whose creator (and affiliate) already hold a token
/// account are paid in `disburse_batch`es, the others by single `disburse`s, which open the
/// accounts. The treasury's account is opened once before the first batch, so no fee
/// accrues. The next round pays every payout in batches.
#[test]
fn token_payouts_to_missing_accounts_go_single_and_the_rest_in_batches() {
    const N: usize = 30;
    let mut w = world_with(N, true);
    let mut ledger = Ledger::in_memory().unwrap();
    let batchable = open_some_token_accounts(&mut w);
    assert!((5..N - 5).contains(&batchable.len()), "{}", batchable.len());
    let views = |round: u64, i: usize| round * (2_000 + i as u64);
    for round in 1..=2u64 {
        let text: Vec<String> = w
            .videos
            .iter()
            .enumerate()
            .map(|(i, (v, _))| line(v, views(round, i), w.now + 600 * round as i64))
            .collect();
        let parsed = parse(&text.join("\n"), Format::JsonLines);
        let cfg = VerifyConfig::default();
        oracle::ingest(&mut ledger, &mut w.chain, &w.campaign, &parsed, &cfg).unwrap();
        let before = confirmed_signatures(&ledger);
        let s = run_default(&mut w, &mut ledger);
        assert_eq!((s.paid, s.failed), (N, 0), "{s:?}");
        let landed = landed_since(&mut w, &ledger, &before);
        if round == 1 {
            assert_eq!(s.paid_in_batches, batchable.len(), "{s:?}");
            assert_eq!(s.treasury_accounts_created, 1);
            assert!(s.batch_transactions > 0 && s.transactions > s.batch_transactions);
            check_routes(&landed, |sub| batchable.contains(sub), &s);
        } else {
            assert_eq!((s.paid_in_batches, s.treasury_accounts_created), (N, 0));
            check_routes(&landed, |_| true, &s);
            assert!(
                s.max_per_tx >= 15,
                "batches bound by the account locks: {s:?}"
            );
        }
    }
    let campaign = w.chain.campaign(&w.campaign).unwrap().state;
    assert_eq!(campaign.fees_accrued, 0, "every batch delivered its fee");
    for (i, (_, address)) in w.videos.iter().enumerate() {
        let paid = w.chain.submission(address).unwrap().state.paid_gross;
        assert_eq!(paid, entitlement(views(2, i), RATE, CAP));
        assert_eq!(ledger.confirmed_gross(&address.to_string()).unwrap(), paid);
    }
    assert!(ledger.totals().unwrap().unbalanced.is_empty());
}

/// SOL batches as large as the account locks allow: each event lists every payout with the
/// watermark and gross the ledger booked, and everything logged up to it stays within
/// `batch_log_bytes`, far from the runtime's 10,000-byte limit.
#[test]
fn batch_events_match_the_ledger_and_fit_the_log_bound() {
    const N: usize = 60;
    let mut w = world(N);
    let mut ledger = Ledger::in_memory().unwrap();
    let text: Vec<String> = w
        .videos
        .iter()
        .enumerate()
        .map(|(i, (v, _))| line(v, 5_000 + 10 * i as u64, w.now + 60))
        .collect();
    let parsed = parse(&text.join("\n"), Format::JsonLines);
    let cfg = VerifyConfig::default();
    oracle::ingest(&mut ledger, &mut w.chain, &w.campaign, &parsed, &cfg).unwrap();
    let s = run_default(&mut w, &mut ledger);
    assert_eq!((s.paid, s.paid_in_batches, s.booked_from_events), (N, N, 0));
    assert!(s.max_per_tx >= 20, "{s:?}");
    let intents: HashMap<String, _> = ledger
        .intents(&[Status::Confirmed])
        .unwrap()
        .into_iter()
        .map(|i| (i.submission.clone(), i))
        .collect();
    for tx in landed_since(&mut w, &ledger, &HashSet::new()) {
        let events = tx.events();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].payouts.len(), tx.submissions.len());
        for payout in &events[0].payouts {
            let intent = &intents[&payout.submission.to_string()];
            assert_eq!(
                (payout.watermark, payout.gross, payout.still_owed),
                (intent.target_views, intent.gross, 0)
            );
        }
        let n = tx.submissions.len();
        let logged = log_bytes_through_event(&tx.logs);
        assert!(
            logged <= oracle::batch::batch_log_bytes(n),
            "{logged} bytes logged through the event of {n} payouts, estimated {}",
            oracle::batch::batch_log_bytes(n)
        );
        assert!(!tx.logs.iter().any(|l| l.contains("Log truncated")));
    }
}

/// Between the oracle's plan and its batch, a creator claims on-chain and the vault is left
/// holding less than the plan counted on. The batch pays the last payout what remains, its
/// `BatchPaid` event says so, and the ledger books that (not the plan); once funded, the next
/// run pays the shortfall.
#[test]
fn a_batch_cut_short_is_booked_at_what_the_chain_moved() {
    let owed = entitlement(1_000_000, RATE, CAP); // 1 SOL per video
    let mut w = world_funded(3, false, 3 * owed);
    let claimer = Keypair::new();
    w.chain.airdrop(&claimer.pubkey(), SOL).unwrap();
    let (register, claimed) = ix::register_submission(
        &w.oracle.pubkey(),
        &w.payer.pubkey(),
        &w.campaign,
        RegisterSubmissionArgs {
            content_hash: pda::content_hash("https://youtu.be/claimed"),
            creator: claimer.pubkey(),
            affiliate: None,
            affiliate_bps: 0,
        },
    );
    let (oracle_kp, payer) = (w.oracle.insecure_clone(), w.payer.insecure_clone());
    send(&mut w.chain, &payer, &[&oracle_kp], &[register]);
    let mut ledger = Ledger::in_memory().unwrap();
    let text: Vec<String> = w
        .videos
        .iter()
        .map(|(v, _)| line(v, 1_000_000, w.now + 60))
        .collect();
    let parsed = parse(&text.join("\n"), Format::JsonLines);
    let cfg = VerifyConfig::default();
    oracle::ingest(&mut ledger, &mut w.chain, &w.campaign, &parsed, &cfg).unwrap();
    // Steps: start, reconciled, planned: the intents are written, nothing sent.
    let mut crash = CrashAt::new(3);
    let options = RunOptions::default();
    let crashed = oracle::run(
        &mut ledger,
        &mut w.chain,
        &w.oracle,
        &w.payer,
        &options,
        &mut crash,
        &mut oracle::NoProgress,
    );
    assert!(crashed.is_err());
    claim(&mut w, &claimer, &claimed, 500_000);

    let s = run_default(&mut w, &mut ledger);
    assert_eq!((s.paid, s.failed, s.booked_from_events), (3, 0, 1), "{s:?}");
    assert_eq!(s.paid_gross, 3 * owed - owed / 2);
    let books_match = |w: &mut World, ledger: &Ledger| {
        for (_, address) in &w.videos {
            let chain = w.chain.submission(address).unwrap().state.paid_gross;
            assert_eq!(ledger.confirmed_gross(&address.to_string()).unwrap(), chain);
        }
        assert!(ledger.totals().unwrap().unbalanced.is_empty());
    };
    books_match(&mut w, &ledger);

    let account = w.chain.campaign(&w.campaign).unwrap();
    send(
        &mut w.chain,
        &payer,
        &[],
        &[ix::fund_campaign(&payer.pubkey(), &account, owed)],
    );
    let topped_up = run_default(&mut w, &mut ledger);
    assert_eq!((topped_up.planned, topped_up.paid), (1, 1), "{topped_up:?}");
    assert_eq!(topped_up.paid_gross, owed / 2);
    books_match(&mut w, &ledger);
}

/// `creator` claims `submission` up to `views` with the oracle's attestation.
fn claim(w: &mut World, creator: &Keypair, submission: &Pubkey, views: u64) {
    let campaign = w.chain.campaign(&w.campaign).unwrap();
    let submission = w.chain.submission(submission).unwrap();
    let expiry = w.chain.clock().unwrap().unix_timestamp + 3_600;
    let attestation = Attestation::sign(&w.oracle, &submission, views, expiry);
    let instructions = [
        attestation.ed25519_instruction(),
        ix::claim(&creator.pubkey(), &campaign, &submission, views, expiry),
    ];
    send(&mut w.chain, creator, &[], &instructions);
}

fn reopen(path: &Path) -> Ledger {
    Ledger::open(path).unwrap()
}

#[test]
fn crashes_at_any_step_never_pay_twice_or_drop_a_payout() {
    const N: usize = 300;
    let mut w = world(N);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.sqlite");
    let t = w.now;
    let mut crashes: Vec<String> = Vec::new();
    let mut final_views = vec![0u64; N];
    for round in 1..=2u64 {
        // A report per video per round (cumulative, rising).
        let text: Vec<String> = w
            .videos
            .iter()
            .enumerate()
            .map(|(i, (video, _))| {
                let views = round * (1_000 + 37 * i as u64);
                final_views[i] = views;
                line(video, views, t + round as i64 * 3600)
            })
            .collect();
        let parsed = parse(&text.join("\n"), Format::JsonLines);
        let mut ledger = reopen(&db);
        oracle::ingest(
            &mut ledger,
            &mut w.chain,
            &w.campaign,
            &parsed,
            &VerifyConfig::default(),
        )
        .unwrap();
        drop(ledger);
        // Crash, restart, crash again at another step... then a clean run.
        for attempt in 0..30usize {
            let mut ledger = reopen(&db);
            let mut fp = CrashAt::new(attempt % 13 + 1);
            let options = RunOptions {
                max_per_tx: 64,
                ..RunOptions::default()
            };
            if let Err(e) = oracle::run(
                &mut ledger,
                &mut w.chain,
                &w.oracle,
                &w.payer,
                &options,
                &mut fp,
                &mut oracle::NoProgress,
            ) {
                assert!(e.to_string().contains("injected crash"), "{e}");
                crashes.push(fp.crashed.unwrap());
            }
        }
        let mut ledger = reopen(&db);
        let done = oracle::run(
            &mut ledger,
            &mut w.chain,
            &w.oracle,
            &w.payer,
            &RunOptions::default(),
            &mut NoFailpoints,
            &mut oracle::NoProgress,
        )
        .unwrap();
        assert_eq!(done.failed, 0);
        // `oracle reconcile` on demand finds nothing unfinished.
        let r = oracle::reconcile(&mut ledger, &mut w.chain).unwrap();
        assert_eq!(r.unfinished, 0);
    }
    assert!(crashes.len() >= 20, "only {} crashes", crashes.len());
    assert!(
        crashes.iter().any(|c| c == "batch:after-send"),
        "a crash between send and ledger update"
    );
    assert!(crashes.iter().any(|c| c == "batch:after-mark-sent"));

    let ledger = reopen(&db);
    let mut total = 0u64;
    for (i, (_, address)) in w.videos.iter().enumerate() {
        let sub = w.chain.submission(address).unwrap().state;
        let owed = entitlement(final_views[i], RATE, CAP);
        assert_eq!(sub.paid_views, final_views[i], "video {i}");
        assert_eq!(
            sub.paid_gross, owed,
            "video {i}: paid exactly its entitlement"
        );
        assert_eq!(
            sub.fees_paid + sub.commissions_paid + sub.paid_to_creator,
            owed
        );
        assert_eq!(
            ledger.confirmed_gross(&address.to_string()).unwrap(),
            owed,
            "ledger of video {i}"
        );
        total += owed;
    }
    let campaign = w.chain.campaign(&w.campaign).unwrap().state;
    assert_eq!(
        campaign.paid_gross(),
        total,
        "the vault paid exactly the entitlements"
    );
    let totals = ledger.totals().unwrap();
    assert!(
        totals.unbalanced.is_empty(),
        "unbalanced: {:?}",
        totals.unbalanced
    );
    assert!(
        ledger
            .intents(&[Status::Pending, Status::Sent, Status::Failed])
            .unwrap()
            .is_empty()
    );
    eprintln!("{} injected crashes at: {:?}", crashes.len(), {
        let mut s = crashes.clone();
        s.sort();
        s.dedup();
        s
    });
}

/// `make bench-oracle`; `CLIPSTAKE_BENCH_ASSET=sol` or `spl` runs one asset only (to profile it).
#[test]
#[ignore]
fn bench_disbursements_per_second() {
    let only = std::env::var("CLIPSTAKE_BENCH_ASSET").ok();
    for (token, name) in [(false, "sol"), (true, "spl")] {
        if only.as_deref().is_none_or(|asset| asset == name) {
            bench(token);
        }
    }
}

fn bench(token: bool) {
    const N: usize = 3_000;
    let mut w = world_with(N, token);
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("oracle.sqlite")).unwrap();
    // Round 1 pays every video for the first time; round 2 (the steady state) pays a second
    // report per video, once recipients and their token accounts exist.
    for (round, base_views, observed) in [
        ("first payouts", 5_000u64, w.now + 3600),
        ("steady state", 10_000, w.now + 7200),
    ] {
        let text: Vec<String> = w
            .videos
            .iter()
            .enumerate()
            .map(|(i, (video, _))| line(video, base_views + i as u64, observed))
            .collect();
        let started = std::time::Instant::now();
        let parsed = parse(&text.join("\n"), Format::JsonLines);
        oracle::ingest(
            &mut ledger,
            &mut w.chain,
            &w.campaign,
            &parsed,
            &VerifyConfig::default(),
        )
        .unwrap();
        let ingested = started.elapsed().as_secs_f64();
        let s = oracle::run(
            &mut ledger,
            &mut w.chain,
            &w.oracle,
            &w.payer,
            &RunOptions::default(),
            &mut NoFailpoints,
            &mut oracle::NoProgress,
        )
        .unwrap();
        let total = started.elapsed().as_secs_f64();
        assert_eq!(s.paid, N);
        print_bench(token, round, &s, ingested, total);
    }
}

fn print_bench(token: bool, round: &str, s: &oracle::RunSummary, ingested: f64, total: f64) {
    println!(
        "BENCH asset={} round={round:?} payouts={} in_batches={} transactions={} batch_transactions={} splits={} per_tx_avg={:.2} per_tx_max={} cu_total={} cu_per_payout={} fees_lamports={} ingest_s={:.3} run_s={:.3} run_per_s={:.0} end_to_end_per_s={:.0}",
        if token { "spl-token" } else { "sol" },
        s.paid,
        s.paid_in_batches,
        s.transactions,
        s.batch_transactions,
        s.splits,
        s.per_tx(),
        s.max_per_tx,
        s.compute_units,
        s.compute_units / s.paid as u64,
        s.fee_lamports,
        ingested,
        s.seconds,
        s.paid as f64 / s.seconds,
        s.paid as f64 / total
    );
    if let Some(reason) = &s.last_split_reason {
        println!("BENCH last split: {reason}");
    }
}

/// The `clipstake oracle ...` commands on a file-backed embedded chain.
#[test]
fn lookup_tables_are_created_together_and_extended_in_one_pipeline_on_a_reopened_chain() {
    use clipstake_client::backend::embedded::EmbeddedOptions;
    use clipstake_client::lookup_table;
    let dir = tempfile::tempdir().unwrap();
    let authority = Keypair::new();
    let options = EmbeddedOptions {
        ledger_path: Some(dir.path().join("ledger.json")),
        program_so: program_so(),
        deployer: authority.pubkey(),
    };
    {
        let mut chain = EmbeddedBackend::open(&options).unwrap();
        chain.airdrop(&authority.pubkey(), 10 * SOL).unwrap();
    }
    // A new process on the same ledger file: sysvars are rebuilt, not read back.
    let mut chain = EmbeddedBackend::open(&options).unwrap();
    let send = SendOptions::default();
    // The ledger records a table before it is sent: when recording fails, nothing is created.
    let refused =
        lookup_table::create_many(&mut chain, &send, &authority, &authority, 3, &mut |_| {
            Err(oracle::Error::Io {
                action: "write",
                path: "oracle.sqlite".into(),
                source: std::io::ErrorKind::StorageFull.into(),
            })
        });
    assert!(
        matches!(&refused, Err(oracle::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::StorageFull),
        "the recorder's own error comes back: {refused:?}"
    );
    assert!(
        lookup_table::owned_by(&mut chain, &authority.pubkey())
            .unwrap()
            .is_empty()
    );
    let mut recorded = Vec::new();
    let tables = lookup_table::create_many(
        &mut chain,
        &send,
        &authority,
        &authority,
        12,
        &mut |chunk| {
            recorded.extend_from_slice(chunk);
            Ok::<(), clipstake_client::Error>(())
        },
    )
    .unwrap();
    assert_eq!(tables.len(), 12);
    assert_eq!(recorded, tables, "every table recorded, in order");
    let distinct: std::collections::HashSet<_> = tables.iter().collect();
    assert_eq!(distinct.len(), 12, "each from its own recent slot");

    let plan: Vec<(Pubkey, Vec<Pubkey>)> = tables
        .iter()
        .map(|t| (*t, (0..30).map(|_| Pubkey::new_unique()).collect()))
        .collect();
    lookup_table::extend_many(&mut chain, &send, &authority, &authority, &plan).unwrap();
    for (table, addresses) in &plan {
        let fetched = lookup_table::fetch(&mut chain, table).unwrap().unwrap();
        assert_eq!(&fetched.addresses, addresses);
        assert_eq!(fetched.authority, Some(authority.pubkey()));
    }
    // The same slots are never reused: a second batch gets new addresses.
    let more = lookup_table::create_many(&mut chain, &send, &authority, &authority, 3, &mut |_| {
        Ok::<(), clipstake_client::Error>(())
    })
    .unwrap();
    assert!(more.iter().all(|t| !tables.contains(t)));
}

fn reading(source: &str, first_party: bool, views: u64, owner: &str, at: i64) -> Reading {
    Reading {
        source: source.into(),
        first_party,
        views,
        owner: Some(owner.into()).filter(|o: &String| !o.is_empty()),
        observed_at: at,
    }
}

/// Counts the oracle fetched itself go through the campaign's policy with the registered
/// owner, then the anomaly rules: a payout names the sources behind it; an unregistered owner,
/// an owner mismatch, a disagreement or a quorum shortfall lands in review with every value.
#[test]
fn readings_are_judged_against_the_registered_owner_and_recorded_with_their_sources() {
    const CHANNEL: &str = "UCuAXFkgsw1L7xaCfnd5JJOw";
    let mut w = world(3);
    let mut ledger = Ledger::in_memory().unwrap();
    let ids: Vec<VideoId> = w
        .videos
        .iter()
        .map(|(v, _)| VideoId::parse(v).unwrap())
        .collect();
    ledger
        .record_account(&w.campaign, &ids[0], CHANNEL)
        .unwrap();
    ledger
        .record_account(&w.campaign, &ids[2], CHANNEL)
        .unwrap();
    let cfg = VerifyConfig::default();
    let (t, campaign) = (w.now + 3_600, w.campaign);
    let mut judge = |ledger: &mut Ledger, video: &VideoId, readings: &[Reading]| {
        verify::readings(ledger, &mut w.chain, &campaign, video, readings, &cfg).unwrap()
    };

    // The first-party API names the registered channel: payable on its own; a disagreeing
    // scraper without an owner does not count.
    let first = [
        reading("youtube-data-api", true, 12_000, CHANNEL, t),
        reading("rapidapi", false, 99_000, "", t),
    ];
    assert_eq!(
        judge(&mut ledger, &ids[0], &first),
        Outcome::Accepted {
            views: 12_000,
            sources: vec!["youtube-data-api".into()]
        }
    );
    assert_eq!(judge(&mut ledger, &ids[0], &first), Outcome::Duplicate);
    // No account recorded for this video: never paid, whatever the sources say.
    let Outcome::Quarantined { reason } = judge(
        &mut ledger,
        &ids[1],
        &[reading("youtube-data-api", true, 5_000, CHANNEL, t)],
    ) else {
        panic!("an unregistered owner was accepted");
    };
    assert!(
        reason.starts_with("no platform account registered"),
        "{reason}"
    );
    // Another channel's video under this submission.
    let Outcome::Quarantined { reason } = judge(
        &mut ledger,
        &ids[0],
        &[reading("youtube-data-api", true, 13_000, "UCother", t + 60)],
    ) else {
        panic!("an owner mismatch was accepted");
    };
    assert!(reason.starts_with("owner mismatch"), "{reason}");
    // Scrapers alone: two needed by default, and these two disagree.
    let scrapers = [
        reading("brightdata", false, 20_000, CHANNEL, t),
        reading("rapidapi", false, 8_000, CHANNEL, t),
    ];
    let Outcome::Quarantined { reason } = judge(&mut ledger, &ids[2], &scrapers) else {
        panic!("a disagreement was accepted");
    };
    assert!(reason.starts_with("sources disagree"), "{reason}");
    assert!(
        reason.contains("brightdata=20000") && reason.contains("rapidapi=8000"),
        "{reason}"
    );
    // The campaign trusts one scraper naming the owner: the lower count is then payable alone,
    // since the larger group (of one) with the lowest count wins.
    let campaign_text = w.campaign.to_string();
    let policy = Policy {
        scraper_quorum: 1,
        ..Policy::default()
    };
    ledger.set_campaign_policy(&campaign_text, &policy).unwrap();
    assert_eq!(ledger.campaign_policy(&campaign_text).unwrap(), policy);
    assert!(
        ledger
            .set_campaign_policy(
                &campaign_text,
                &Policy {
                    first_party_quorum: 0,
                    ..policy
                }
            )
            .is_err()
    );
    assert_eq!(
        judge(&mut ledger, &ids[2], &scrapers[1..]),
        Outcome::Accepted {
            views: 8_000,
            sources: vec!["rapidapi".into()]
        }
    );

    let review: Vec<String> = ledger
        .quarantined()
        .unwrap()
        .into_iter()
        .map(|q| q.reason)
        .collect();
    assert_eq!(review.len(), 3, "{review:#?}");
    let disagreement = ledger.quarantined().unwrap().remove(2);
    assert_eq!(disagreement.sources.as_deref(), Some("brightdata,rapidapi"));
    assert!(disagreement.raw.unwrap().contains("\"views\":20000"));
    let summary = run_default(&mut w, &mut ledger);
    assert_eq!((summary.paid, summary.failed), (2, 0));
    assert_eq!(
        w.chain.submission(&w.videos[0].1).unwrap().state.paid_views,
        12_000
    );
    assert_eq!(
        w.chain.submission(&w.videos[1].1).unwrap().state.paid_views,
        0
    );
    let mut backed: Vec<(String, Option<String>)> = ledger
        .all_intents()
        .unwrap()
        .into_iter()
        .map(|i| (i.submission.clone(), ledger.intent_sources(&i.key).unwrap()))
        .collect();
    backed.sort();
    let mut expected = vec![
        (
            w.videos[0].1.to_string(),
            Some("youtube-data-api".to_string()),
        ),
        (w.videos[2].1.to_string(), Some("rapidapi".to_string())),
    ];
    expected.sort();
    assert_eq!(backed, expected);

    // Many videos at once, in order: the second listing of a count is a duplicate of the first.
    let later = vec![reading(
        "youtube-data-api",
        true,
        15_000,
        CHANNEL,
        t + 7_200,
    )];
    let batch = [
        (ids[0].clone(), later.clone()),
        (ids[0].clone(), later),
        (ids[1].clone(), vec![]),
    ];
    let outcomes = verify::many(&mut ledger, &mut w.chain, &w.campaign, &batch, &cfg).unwrap();
    assert_eq!(
        outcomes[..2],
        [
            Outcome::Accepted {
                views: 15_000,
                sources: vec!["youtube-data-api".into()]
            },
            Outcome::Duplicate
        ]
    );
    assert!(
        matches!(&outcomes[2], Outcome::Quarantined { reason } if reason.contains("no source answered"))
    );
}

/// A report file's `source` names the payout's source too.
#[test]
fn a_reported_payout_names_its_source() {
    let mut w = world(1);
    let mut ledger = Ledger::in_memory().unwrap();
    let text = line(&w.videos[0].0, 4_000, w.now + 600);
    let parsed = parse(&text, Format::JsonLines);
    oracle::ingest(
        &mut ledger,
        &mut w.chain,
        &w.campaign,
        &parsed,
        &VerifyConfig::default(),
    )
    .unwrap();
    assert_eq!(run_default(&mut w, &mut ledger).paid, 1);
    let intent = ledger.all_intents().unwrap().remove(0);
    assert_eq!(
        ledger.intent_sources(&intent.key).unwrap().as_deref(),
        Some("test")
    );
}
