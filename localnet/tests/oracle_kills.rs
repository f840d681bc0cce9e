//! The oracle's fault model with a real process: `clipstake oracle run` is killed with SIGKILL
//! (no chance to flush or clean up) at random moments, a bounded number of times, while it pays
//! over JSON-RPC. After each kill the chain must never have paid beyond the reported views, and
//! once `clipstake oracle reconcile` has settled what was in flight, the ledger must agree with
//! the chain payout by payout. A final run then pays exactly what was reported: nothing twice,
//! nothing lost.
//!
//! `CLIPSTAKE_KILL_SEED=<u64>` replays the kill times of a failing run (the seed is printed).
mod support;

use std::process::{Child, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clipstake_client::backend::BackendExt;
use clipstake_oracle::ledger::{Ledger, Status};
use solana_commitment_config::CommitmentConfig;
use support::{Localnet, ReadyCampaign};

/// Enough videos for many small transactions, so a kill lands part-way through.
const VIDEOS: usize = 48;
/// Kills per run: bounded, so the test's length is too.
const KILLS: u64 = 6;
/// Small batches and a small window: many sends and confirmations to interrupt.
const RUN_ARGS: [&str; 4] = ["--max-per-tx", "2", "--window", "2"];

/// The kill times' generator (xorshift64*): reproducible from the printed seed.
struct KillClock(u64);

impl KillClock {
    fn from_env_or_time() -> KillClock {
        let seed = std::env::var("CLIPSTAKE_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .expect("after 1970")
                    .as_nanos() as u64
            });
        println!("kill seed: CLIPSTAKE_KILL_SEED={seed}");
        KillClock(seed | 1)
    }

    /// A delay in `[min_ms, max_ms)`.
    fn delay(&mut self, min_ms: u64, max_ms: u64) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let draw = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Duration::from_millis(min_ms + draw % (max_ms - min_ms))
    }
}

fn oracle_run(net: &Localnet, campaign: &ReadyCampaign) -> Child {
    let mut args = vec!["oracle", "run", "--ledger-db", &campaign.ledger_db];
    args.extend(RUN_ARGS);
    net.cmd("oracle", &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("clipstake oracle run starts")
}

/// No submission was paid beyond its reported views, and what was paid is its entitlement.
fn chain_within_reports(net: &Localnet, campaign: &ReadyCampaign, after: &str) {
    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    let state = rpc.campaign(&campaign.address).unwrap().state;
    for submission in rpc.submissions(&[]).unwrap() {
        let s = &submission.state;
        assert!(
            s.paid_views <= campaign.views_of(&submission.address),
            "{after}: {} paid for {} views, {} reported",
            submission.address,
            s.paid_views,
            campaign.views_of(&submission.address)
        );
        assert_eq!(
            s.paid_gross,
            clipstake::math::entitlement(
                s.paid_views,
                state.rate_per_thousand_views,
                state.cap_per_submission
            ),
            "{after}: {} paid other than its entitlement",
            submission.address
        );
    }
}

/// After `oracle reconcile`, the ledger's confirmed payouts are the chain's, submission by
/// submission, and its double-entry lines balance.
fn ledger_agrees_with_chain(net: &Localnet, campaign: &ReadyCampaign, after: &str) {
    net.json(
        "oracle",
        &["oracle", "reconcile", "--ledger-db", &campaign.ledger_db],
    );
    let ledger = Ledger::open(campaign.ledger_db.as_ref()).unwrap();
    let totals = ledger.totals().unwrap();
    assert!(
        totals.unbalanced.is_empty(),
        "{after}: unbalanced intents {:?}",
        totals.unbalanced
    );
    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    for submission in rpc.submissions(&[]).unwrap() {
        let address = submission.address.to_string();
        assert_eq!(
            ledger.confirmed_gross(&address).unwrap(),
            submission.state.paid_gross,
            "{after}: the ledger's confirmed gross for {address} differs from the chain's"
        );
    }
}

/// Payouts the ledger has confirmed so far (after `oracle reconcile`).
fn confirmed_payouts(campaign: &ReadyCampaign) -> usize {
    let ledger = Ledger::open(campaign.ledger_db.as_ref()).unwrap();
    ledger.intents(&[Status::Confirmed]).unwrap().len()
}

#[test]
fn oracle_run_killed_at_random_moments_pays_everything_once() {
    let net = Localnet::start(&["brand", "oracle"], &[], 50);
    let mut campaign = support::sol_campaign_with_reports(&net, VIDEOS);
    let mut clock = KillClock::from_env_or_time();
    let mut cut_short = 0;
    for kill in 1..=KILLS {
        if kill > 1 {
            // New views arrive between runs, some of them while earlier payouts are still
            // unsettled: each run has the differences to pay.
            campaign.report_again(&net, 1_000);
        }
        let mut run = oracle_run(&net, &campaign);
        std::thread::sleep(clock.delay(100, 1_500));
        let finished = run.try_wait().unwrap().is_some();
        run.kill().ok();
        run.wait().unwrap();
        let after = format!(
            "kill {kill}{}",
            if finished { " (it had finished)" } else { "" }
        );
        chain_within_reports(&net, &campaign, &after);
        ledger_agrees_with_chain(&net, &campaign, &after);
        let confirmed = confirmed_payouts(&campaign);
        println!("{after}: {confirmed} payouts confirmed so far, {VIDEOS} more owed each round");
        cut_short += u64::from(!finished);
    }
    assert!(
        cut_short > 0,
        "no kill interrupted a run: the test tested nothing"
    );

    let mut args = vec!["oracle", "run", "--ledger-db", &campaign.ledger_db];
    args.extend(RUN_ARGS);
    let last = net.json("oracle", &args);
    println!("the last run: {last}");
    campaign.assert_paid_exactly_as_reported(&net);
    ledger_agrees_with_chain(&net, &campaign, "the last run");
}
