//! Oracle throughput against `clipstake-localnet` over JSON-RPC (a benchmark that prints
//! figures, not a timed test): `make bench-localnet` runs it in the optimised `bench` profile.
//!
//! For native SOL and SPL Token campaigns of `CLIPSTAKE_BENCH_VIDEOS` videos (default 600):
//! the first payouts (token accounts created) and a steady-state round, each one `oracle run`
//! with lookup tables and pipelined sending, on 400 ms slots as on mainnet. Printed per round:
//! disbursements per transaction, disbursements per second over the whole run (reconcile,
//! plan, tables, sending, confirmation), and the p50 / p90 time from first send to confirmed.
mod support;

use clipstake_client::backend::BackendExt;
use clipstake_client::oracle::ledger::Ledger;
use clipstake_client::oracle::{self, NoFailpoints, RunOptions, RunSummary};
use solana_commitment_config::CommitmentConfig;
use support::Localnet;

fn videos() -> usize {
    std::env::var("CLIPSTAKE_BENCH_VIDEOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600)
}

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

#[test]
#[ignore = "benchmark: make bench-localnet"]
fn oracle_throughput_against_the_local_validator() {
    let n = videos();
    println!(
        "\noracle run against clipstake-localnet (400 ms slots), {n} videos, window 32\n\
         | asset | round | disb / tx (avg, max) | tx | CU / disb | disb/s | submit->confirmed p50 / p90 |\n\
         |---|---|---|---:|---:|---:|---|"
    );
    for token in [false, true] {
        let asset = if token { "SPL Token" } else { "native SOL" };
        let net = Localnet::start(&["brand", "oracle"], &[], 400);
        let mut campaign = support::campaign_with_reports(&net, n, token);
        let oracle_keypair = net.keypair("oracle");
        let mut ledger = Ledger::open(campaign.ledger_db.as_ref()).unwrap();
        let mut rpc = net.rpc(CommitmentConfig::confirmed());
        for round in ["first payouts", "steady state"] {
            if round == "steady state" {
                campaign.report_again(&net, 2);
            }
            let summary = oracle::run(
                &mut ledger,
                &mut rpc,
                &oracle_keypair,
                &oracle_keypair,
                &RunOptions::default(),
                &mut NoFailpoints,
                &indicatif::ProgressBar::hidden(),
            )
            .unwrap();
            assert_eq!(summary.paid, n, "{summary:?}");
            print_row(asset, round, &summary);
        }
        let paid = rpc.campaign(&campaign.address).unwrap().state.paid_gross();
        let expected: u64 = (0..n).map(|i| campaign.gross(i)).sum();
        assert_eq!(paid, expected, "every entitlement paid exactly once");
        assert!(net.stop().success());
    }
}
