//! Oracle throughput against `clipstake-localnet` over JSON-RPC (a benchmark that prints
//! figures, not a timed test): `make bench-localnet` runs it in the optimised `bench` profile.
//!
//! For native SOL and SPL Token campaigns of `CLIPSTAKE_BENCH_VIDEOS` videos (default 600):
//! the first payouts (lookup tables and token accounts created), then
//! `CLIPSTAKE_BENCH_ROUNDS` (default 5, at most 7) steady-state rounds back to back, each one
//! `oracle run` with lookup tables and pipelined sending, on 400 ms slots as on mainnet. Printed per round:
//! disbursements per transaction, disbursements per second over the whole run (reconcile,
//! plan, tables, sending, confirmation), and the p50 / p90 time from first send to confirmed;
//! then the sustained rate over all steady-state rounds (their disbursements over their
//! summed run times; a report's ingestion between rounds is not counted), and where each
//! round's time went. `CLIPSTAKE_BENCH_ASSET=sol` or `spl` runs one asset only.
mod support;

use clipstake_client::backend::BackendExt;
use clipstake_oracle::ledger::Ledger;
use clipstake_oracle::{self as oracle, NoFailpoints, RunOptions, RunSummary};
use solana_commitment_config::CommitmentConfig;
use support::Localnet;
use support::timed::{Calls, Timed};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Views a video gains between two reports a minute apart: at most what it had at first (the
/// oracle's spike check), and few enough that no video (at most 149,000 views at first)
/// reaches the 0.5 cap (500,000 views) within `MAX_STEADY_ROUNDS`, so every round pays all.
const VIEWS_PER_ROUND: u64 = 50_000;
const MAX_STEADY_ROUNDS: usize = 7;

fn print_row(asset: &str, round: &str, s: &RunSummary) {
    println!(
        "| {asset} | {round} | {:.1}, {} | {} | {:.0} | {:.0} | {:.0} / {:.0} ms |",
        s.per_tx(),
        s.max_per_tx,
        s.transactions,
        s.compute_units as f64 / s.paid.max(1) as f64,
        s.per_second(),
        s.latency_p50_ms,
        s.latency_p90_ms,
    );
}

/// Where each round's time went: waiting on the validator, per JSON-RPC method, and the rest
/// (the oracle's own work, its ledger, and its sleeps between status polls).
fn print_waits(asset: &str, rounds: &[(usize, f64, Calls)]) {
    for (round, seconds, calls) in rounds {
        let waited = calls.total().as_secs_f64();
        println!(
            "{asset}, round {round}: {:.0} ms, of which waiting on the validator {:.0} ms ({}), the rest {:.0} ms",
            seconds * 1e3,
            waited * 1e3,
            calls.describe(),
            (seconds - waited) * 1e3,
        );
    }
}

#[test]
#[ignore = "benchmark: make bench-localnet"]
fn oracle_throughput_against_the_local_validator() {
    let n = env_or("CLIPSTAKE_BENCH_VIDEOS", 600);
    let steady_rounds = env_or("CLIPSTAKE_BENCH_ROUNDS", 5).clamp(1, MAX_STEADY_ROUNDS);
    println!(
        "\noracle run against clipstake-localnet (400 ms slots), {n} videos, window 32, \
         {steady_rounds} steady-state rounds\n\
         | asset | round | disb / tx (avg, max) | tx | CU / disb | disb/s | submit->confirmed p50 / p90 |\n\
         |---|---|---|---:|---:|---:|---|"
    );
    let only = std::env::var("CLIPSTAKE_BENCH_ASSET").ok();
    for (token, name) in [(false, "sol"), (true, "spl")] {
        if only.as_deref().is_some_and(|asset| asset != name) {
            continue;
        }
        let asset = if token { "SPL Token" } else { "native SOL" };
        let net = Localnet::start(&["brand", "oracle"], &[], 400);
        let mut campaign = support::campaign_with_reports(&net, n, token);
        let oracle_keypair = net.keypair("oracle");
        let mut ledger = Ledger::open(campaign.ledger_db.as_ref()).unwrap();
        let mut rpc = Timed::new(net.rpc(CommitmentConfig::confirmed()));
        let (mut steady_paid, mut steady_seconds) = (0usize, 0f64);
        let mut waits = Vec::new();
        for round in 0..=steady_rounds {
            if round > 0 {
                campaign.report_again(&net, VIEWS_PER_ROUND);
            }
            let summary = oracle::run(
                &mut ledger,
                &mut rpc,
                &oracle_keypair,
                &oracle_keypair,
                &RunOptions::default(),
                &mut NoFailpoints,
                &mut clipstake_oracle::NoProgress,
            )
            .unwrap();
            waits.push((round, summary.seconds, rpc.take()));
            assert_eq!(summary.paid, n, "{summary:?}");
            if round == 0 {
                print_row(asset, "first payouts", &summary);
            } else {
                print_row(asset, &format!("steady state {round}"), &summary);
                steady_paid += summary.paid;
                steady_seconds += summary.seconds;
            }
        }
        println!(
            "| {asset} | sustained: {steady_rounds} steady-state rounds | {steady_paid} disbursements in {steady_seconds:.2} s | | | {:.0} | |",
            steady_paid as f64 / steady_seconds.max(f64::EPSILON)
        );
        print_waits(asset, &waits);
        let paid = rpc.campaign(&campaign.address).unwrap().state.paid_gross();
        let expected: u64 = (0..n).map(|i| campaign.gross(i)).sum();
        assert_eq!(paid, expected, "every entitlement paid exactly once");
        assert!(net.stop().success());
    }
}
