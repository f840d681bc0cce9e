//! A [`Backend`] that times every call of the one it wraps, so a benchmark can say where a
//! round's time went: the validator's answers (per JSON-RPC method) or the oracle's own work
//! and waits between them.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clipstake_client::Error;
use clipstake_client::backend::{AccountFilter, Backend, Simulation, TxStatus};
use solana_account::Account;
use solana_clock::Clock;
use solana_hash::Hash;
use solana_pubkey::Pubkey;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;

/// Calls and their summed time, per backend method.
#[derive(Debug, Default, Clone)]
pub struct Calls(pub BTreeMap<&'static str, (u32, Duration)>);

impl Calls {
    /// Time spent waiting for the backend, in all.
    pub fn total(&self) -> Duration {
        self.0.values().map(|(_, spent)| *spent).sum()
    }

    /// `method n × avg ms` for each method, slowest total first.
    pub fn describe(&self) -> String {
        let mut rows: Vec<_> = self.0.iter().collect();
        rows.sort_by_key(|(_, (_, spent))| std::cmp::Reverse(*spent));
        rows.iter()
            .map(|(method, (n, spent))| {
                format!(
                    "{method} {n} x {:.1} ms = {:.0} ms",
                    spent.as_secs_f64() * 1e3 / f64::from(*n),
                    spent.as_secs_f64() * 1e3
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The wrapped backend and what its calls cost since the last [`Timed::take`].
pub struct Timed<B> {
    pub inner: B,
    calls: Calls,
}

impl<B: Backend> Timed<B> {
    pub fn new(inner: B) -> Self {
        Timed {
            inner,
            calls: Calls::default(),
        }
    }

    /// The calls recorded so far, and a fresh record.
    pub fn take(&mut self) -> Calls {
        std::mem::take(&mut self.calls)
    }

    fn timed<T>(&mut self, method: &'static str, call: impl FnOnce(&mut B) -> T) -> T {
        let started = Instant::now();
        let result = call(&mut self.inner);
        let entry = self.calls.0.entry(method).or_default();
        entry.0 += 1;
        entry.1 += started.elapsed();
        result
    }
}

impl<B: Backend> Backend for Timed<B> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn is_embedded(&self) -> bool {
        self.inner.is_embedded()
    }
    fn poll_interval(&self) -> Duration {
        self.inner.poll_interval()
    }
    fn resend_interval(&self) -> Duration {
        self.inner.resend_interval()
    }
    fn latest_blockhash(&mut self) -> Result<(Hash, u64), Error> {
        self.timed("getLatestBlockhash", |b| b.latest_blockhash())
    }
    fn block_height(&mut self) -> Result<u64, Error> {
        self.timed("getBlockHeight", |b| b.block_height())
    }
    fn slot(&mut self) -> Result<u64, Error> {
        self.timed("getSlot", |b| b.slot())
    }
    fn simulate(&mut self, transaction: &VersionedTransaction) -> Result<Simulation, Error> {
        self.timed("simulateTransaction", |b| b.simulate(transaction))
    }
    fn send(&mut self, transaction: &VersionedTransaction) -> Result<Signature, Error> {
        self.timed("sendTransaction", |b| b.send(transaction))
    }
    fn signature_statuses(
        &mut self,
        signatures: &[Signature],
        search_history: bool,
    ) -> Result<Vec<Option<TxStatus>>, Error> {
        self.timed("getSignatureStatuses", |b| {
            b.signature_statuses(signatures, search_history)
        })
    }
    fn get_multiple_accounts(
        &mut self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, Error> {
        self.timed("getMultipleAccounts", |b| {
            b.get_multiple_accounts(addresses)
        })
    }
    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, Error> {
        self.timed("getProgramAccounts", |b| {
            b.get_program_accounts(program, filters)
        })
    }
    fn clock(&mut self) -> Result<Clock, Error> {
        self.timed("clock", |b| b.clock())
    }
    fn minimum_balance_for_rent_exemption(&mut self, data_len: usize) -> Result<u64, Error> {
        self.timed("getMinimumBalanceForRentExemption", |b| {
            b.minimum_balance_for_rent_exemption(data_len)
        })
    }
    fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), Error> {
        self.timed("requestAirdrop", |b| b.airdrop(to, lamports))
    }
}
