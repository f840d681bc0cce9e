//! The one in-flight engine every sender of many transactions uses (the single-transaction
//! [`crate::sender`], lookup-table extension, the oracle's pipelined runner):
//!
//! - [`submit`] sends signed bytes; a network error is "maybe sent", so the status decides;
//! - [`InFlight::poll`] asks for the statuses of everything in flight in one batched query,
//!   resends **the same signed bytes** of what has not landed (at most one copy can ever land),
//!   and settles a transaction whose blockhash expired (block height above its last valid
//!   height) from the chain: a late status found in the history decides, else it is
//!   [`Outcome::Expired`], and only then may its caller sign the work again (after checking
//!   what the chain shows applied: the engine never re-signs anything itself).
use std::collections::VecDeque;
use std::time::Instant;

use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

use crate::Error;
use crate::backend::{Backend, TxStatus};

/// Sends `transaction`. A network error is not a refusal (the node may have received it), so
/// it is swallowed and the status decides; any other error means it cannot land as signed.
pub fn submit(backend: &mut dyn Backend, transaction: &VersionedTransaction) -> Result<(), Error> {
    match backend.send(transaction) {
        Ok(_) | Err(Error::Network { .. }) => Ok(()),
        Err(refused) => Err(refused),
    }
}

/// A sent transaction the engine watches, with the caller's `work` (what it pays, what to
/// book when it lands).
pub struct Flight<W> {
    /// The caller's record of what this transaction does.
    pub work: W,
    /// The signed bytes, resent as they are.
    pub transaction: VersionedTransaction,
    /// The last block height at which its blockhash is valid.
    pub last_valid: u64,
    /// When it was first sent (for latencies).
    pub first_sent: Instant,
    last_sent: Instant,
}

impl<W> Flight<W> {
    /// Its signature (the fee payer's).
    pub fn signature(&self) -> Signature {
        self.transaction.signatures[0]
    }
}

/// How a flight ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It landed and was confirmed (possibly found late, in the status history).
    Confirmed {
        /// Its program logs, when the backend has them.
        logs: Vec<String>,
    },
    /// It landed and failed: atomic, nothing it did was applied.
    Failed {
        /// Why.
        error: TransactionError,
        /// Its program logs, when the backend has them.
        logs: Vec<String>,
    },
    /// Its blockhash expired with no status, even in the history: this signature can never
    /// land. Its work is unapplied unless the chain shows otherwise (someone else, or an
    /// earlier signing, applied it): check before signing it again.
    Expired,
}

/// A flight and how it ended.
pub struct Settled<W> {
    /// The flight.
    pub flight: Flight<W>,
    /// Its end.
    pub outcome: Outcome,
}

/// Transactions in flight, oldest first.
pub struct InFlight<W> {
    flights: VecDeque<Flight<W>>,
}

impl<W> Default for InFlight<W> {
    fn default() -> Self {
        InFlight {
            flights: VecDeque::new(),
        }
    }
}

impl<W> InFlight<W> {
    /// Nothing in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many transactions are in flight.
    pub fn len(&self) -> usize {
        self.flights.len()
    }

    /// True when nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.flights.is_empty()
    }

    /// Watches `transaction` (already [`submit`]ted) until it settles.
    pub fn track(&mut self, work: W, transaction: VersionedTransaction, last_valid: u64) {
        let now = Instant::now();
        self.flights.push_back(Flight {
            work,
            transaction,
            last_valid,
            first_sent: now,
            last_sent: now,
        });
    }

    /// One round over everything in flight (see the module documentation); returns the
    /// flights that settled, in the order they were sent.
    pub fn poll(&mut self, backend: &mut dyn Backend) -> Result<Vec<Settled<W>>, Error> {
        let signatures: Vec<Signature> = self.flights.iter().map(Flight::signature).collect();
        let statuses = backend.signature_statuses(&signatures, false)?;
        let mut height = None;
        let mut settled = Vec::new();
        let mut still = VecDeque::with_capacity(self.flights.len());
        for (mut flight, status) in self.flights.drain(..).zip(statuses) {
            match status.map(outcome_of) {
                Some(Some(outcome)) => {
                    settled.push(Settled { flight, outcome });
                    continue;
                }
                // Seen but not yet at the requested commitment: it may still confirm, so
                // neither resend nor expire it.
                Some(None) => {
                    still.push_back(flight);
                    continue;
                }
                None => {}
            }
            let height = match height {
                Some(h) => h,
                None => *height.insert(backend.block_height()?),
            };
            if height > flight.last_valid {
                let outcome = late_outcome(backend, &flight)?;
                settled.push(Settled { flight, outcome });
                continue;
            }
            if flight.last_sent.elapsed() >= backend.resend_interval() {
                // A failed resend changes nothing: the next poll asks again.
                let _ = backend.send(&flight.transaction);
                flight.last_sent = Instant::now();
            }
            still.push_back(flight);
        }
        self.flights = still;
        Ok(settled)
    }
}

/// The outcome a status gives, or `None` while it is seen but not yet confirmed.
fn outcome_of(status: TxStatus) -> Option<Outcome> {
    if let Some(error) = status.err {
        return Some(Outcome::Failed {
            error,
            logs: status.logs,
        });
    }
    status
        .confirmed
        .then_some(Outcome::Confirmed { logs: status.logs })
}

/// An expired flight's end: a status found late in the history (it landed after all), else
/// [`Outcome::Expired`].
fn late_outcome<W>(backend: &mut dyn Backend, flight: &Flight<W>) -> Result<Outcome, Error> {
    let late = backend
        .signature_statuses(&[flight.signature()], true)?
        .pop()
        .flatten();
    Ok(match late {
        Some(TxStatus {
            err: Some(error),
            logs,
            ..
        }) => Outcome::Failed { error, logs },
        Some(status) => Outcome::Confirmed { logs: status.logs },
        None => Outcome::Expired,
    })
}
