//! Payout rounds on an interval (`oracle run --every`): each round is a whole [`crate::run`],
//! and a round that cannot reach the node is reported and retried at the next, since nothing is
//! lost (the ledger holds every intent).
use std::time::{Duration, Instant};

use crate::Error;
use clipstake_client::Error as ChainError;

use crate::RunSummary;

/// How one round ended.
pub enum RoundOutcome<'a> {
    /// The run completed.
    Ran(&'a RunSummary),
    /// The node was unreachable or the run's transactions expired; retried at the next round.
    Unreachable(&'a Error),
}

/// The totals of every round.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Rounds {
    /// Rounds started.
    pub rounds: u64,
    /// Payouts confirmed over all rounds.
    pub paid: usize,
    /// Payouts failed over all rounds.
    pub failed: usize,
    /// Rounds that could not reach the node.
    pub rounds_with_network_errors: u64,
}

/// Runs `round` every `interval` (`limit` times, or until an error other than a network one),
/// telling `on_round` how each ended. If no round reached the node, the last network error is
/// returned, so a caller can tell an oracle that never worked from one that did.
pub fn every<E: From<Error>>(
    interval: Duration,
    limit: Option<u64>,
    round: &mut dyn FnMut() -> Result<RunSummary, Error>,
    on_round: &mut dyn FnMut(u64, RoundOutcome<'_>) -> Result<(), E>,
) -> Result<Rounds, E> {
    let mut totals = Rounds::default();
    let mut last_error = None;
    while limit.is_none_or(|limit| totals.rounds < limit) {
        let started = Instant::now();
        totals.rounds += 1;
        match round() {
            Ok(summary) => {
                totals.paid += summary.paid;
                totals.failed += summary.failed;
                on_round(totals.rounds, RoundOutcome::Ran(&summary))?;
            }
            Err(e @ Error::Chain(ChainError::Network { .. } | ChainError::Expired(_))) => {
                totals.rounds_with_network_errors += 1;
                on_round(totals.rounds, RoundOutcome::Unreachable(&e))?;
                last_error = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
        if limit.is_some_and(|limit| totals.rounds >= limit) {
            break;
        }
        std::thread::sleep(interval.saturating_sub(started.elapsed()));
    }
    match last_error {
        Some(e) if totals.rounds_with_network_errors == totals.rounds => Err(e.into()),
        _ => Ok(totals),
    }
}
