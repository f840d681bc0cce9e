//! `oracle run` pays with `disburse_batch` over JSON-RPC against `clipstake-localnet`, and each
//! batch's one `BatchPaid` event, read back with `getTransaction` as an indexer would, lists
//! every payout of its transaction: native SOL and SPL Token campaigns, batches as large as a
//! transaction's account locks allow.
mod support;

use std::collections::BTreeMap;

use clipstake::events::BatchPaid;
use clipstake_oracle::batch::{LOG_BYTES_LIMIT, batch_log_bytes};
use clipstake_oracle::ledger::{Intent, Ledger, Status};
use clipstake_oracle::{self as oracle, NoFailpoints, RunOptions, RunSummary};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::api::config::RpcTransactionConfig;
use solana_rpc_client::rpc_client::RpcClient;
use solana_signature::Signature;
use solana_transaction_status_client_types::UiTransactionEncoding;
use support::{Localnet, ReadyCampaign};

/// More videos than one batch holds (about 27 without affiliates: the 64 account locks), so
/// the first batch is a full one.
const VIDEOS: usize = 40;

/// One `oracle run` with the default options, as `clipstake oracle run` makes it.
fn run(net: &Localnet, ledger: &mut Ledger) -> RunSummary {
    let oracle_keypair = net.keypair("oracle");
    oracle::run(
        ledger,
        &mut net.rpc(CommitmentConfig::confirmed()),
        &oracle_keypair,
        &oracle_keypair,
        &RunOptions::default(),
        &mut NoFailpoints,
        &mut clipstake_oracle::NoProgress,
    )
    .unwrap()
}

/// The logs of a confirmed transaction, from `getTransaction` (v0 transactions included).
fn logs_of(client: &RpcClient, signature: &str) -> Vec<String> {
    let signature: Signature = signature.parse().unwrap();
    let config = RpcTransactionConfig {
        encoding: Some(UiTransactionEncoding::Json),
        commitment: Some(CommitmentConfig::confirmed()),
        max_supported_transaction_version: Some(0),
    };
    let transaction = client
        .get_transaction_with_config(&signature, config)
        .unwrap_or_else(|e| panic!("getTransaction {signature}: {e}"));
    let meta = transaction
        .transaction
        .meta
        .expect("the transaction's meta");
    Option::<Vec<String>>::from(meta.log_messages).expect("its log messages")
}

/// The confirmed intents paying `campaign`'s latest report, by the transaction they landed in.
fn latest_payouts(ledger: &Ledger, campaign: &ReadyCampaign) -> BTreeMap<String, Vec<Intent>> {
    let mut by_signature: BTreeMap<String, Vec<Intent>> = BTreeMap::new();
    for intent in ledger.intents(&[Status::Confirmed]).unwrap() {
        let submission = intent.submission.parse().unwrap();
        if intent.target_views == campaign.views_of(&submission) {
            let signature = intent
                .signature
                .clone()
                .expect("a confirmed intent's signature");
            by_signature.entry(signature).or_default().push(intent);
        }
    }
    by_signature
}

/// Reads every transaction of the last run back and finds each of its payouts in its one
/// `BatchPaid` event, at the watermark and gross the ledger booked, with everything logged up
/// to the event within the runner's bound. Returns the largest batch.
fn check_events(net: &Localnet, ledger: &Ledger, campaign: &ReadyCampaign) -> usize {
    let client = RpcClient::new_with_commitment(net.url.clone(), CommitmentConfig::confirmed());
    let mut largest = 0;
    for (signature, intents) in latest_payouts(ledger, campaign) {
        let logs = logs_of(&client, &signature);
        let events = clipstake_sdk::events::decode::<BatchPaid>(&logs);
        assert_eq!(events.len(), 1, "one batch per transaction: {logs:#?}");
        let event = &events[0];
        assert_eq!(event.campaign, campaign.address);
        assert_eq!(event.payouts.len(), intents.len(), "{signature}");
        for intent in &intents {
            let found = event
                .payouts
                .iter()
                .find(|p| p.submission.to_string() == intent.submission)
                .unwrap_or_else(|| panic!("{} missing from {signature}", intent.submission));
            assert_eq!(
                (found.watermark, found.gross),
                (intent.target_views, intent.gross)
            );
            assert_eq!(found.still_owed, 0);
        }
        let through_event = logs
            .iter()
            .position(|l| l.starts_with("Program data: "))
            .expect("the event line");
        let logged: usize = logs[..=through_event].iter().map(String::len).sum();
        assert!(
            logged <= batch_log_bytes(intents.len()),
            "{logged} bytes before the event"
        );
        assert!(logs.iter().all(|l| !l.contains("Log truncated")));
        largest = largest.max(intents.len());
    }
    assert!(batch_log_bytes(largest) < LOG_BYTES_LIMIT);
    largest
}

#[test]
fn full_batches_read_back_over_json_rpc_carry_every_payout_in_their_event() {
    for token in [false, true] {
        let net = Localnet::start(&["brand", "oracle"], &[], 100);
        let mut campaign = support::campaign_with_reports(&net, VIDEOS, token);
        let mut ledger = Ledger::open(campaign.ledger_db.as_ref()).unwrap();
        let first = run(&net, &mut ledger);
        assert_eq!(first.paid, VIDEOS, "{first:?}");
        let summary = if token {
            // No creator holds a token account yet: single `disburse`s open them. The next
            // report is paid in batches.
            assert_eq!(first.paid_in_batches, 0, "{first:?}");
            campaign.report_again(&net, 10_000);
            run(&net, &mut ledger)
        } else {
            first
        };
        assert_eq!(
            (summary.paid, summary.paid_in_batches, summary.failed),
            (VIDEOS, VIDEOS, 0),
            "{summary:?}"
        );
        assert_eq!(summary.transactions, summary.batch_transactions);
        let largest = check_events(&net, &ledger, &campaign);
        assert_eq!(largest, summary.max_per_tx);
        assert!(largest >= 20, "a full batch: {summary:?}");
        println!(
            "{}: {} batches, {:.1} payouts per transaction, largest {largest} ({} bytes logged through its event)",
            if token { "SPL Token" } else { "native SOL" },
            summary.batch_transactions,
            summary.per_tx(),
            batch_log_bytes(largest),
        );
        assert!(net.stop().success());
    }
}
