//! The transaction sender and the oracle runner against a real validator over JSON-RPC:
//! confirmation at the requested commitment, a dropped transaction (resent byte for byte, then
//! signed again only after its blockhash expired and the chain was checked), a transaction that
//! landed while its status was lost (never signed again), and an RPC endpoint that goes down
//! mid-run (a clear network error, a ledger that recovers without paying twice).
mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use clipstake_client::Error;
use clipstake_client::backend::rpc::RpcBackend;
use clipstake_client::backend::{AccountFilter, Backend, BackendExt, Simulation, TxStatus};
use clipstake_client::sender::{SendOptions, SendStatus, send_transaction};
use clipstake_oracle::ledger::{Ledger, Status};
use clipstake_oracle::{self as oracle, NoFailpoints, RunOptions};
use solana_account::Account;
use solana_clock::Clock;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_rpc_client::rpc_client::RpcClient;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_status_client_types::TransactionConfirmationStatus;
use support::Localnet;

/// What [`Faulty`] does to the traffic it forwards.
#[derive(Default)]
struct Faults {
    /// Sends of the first this-many distinct signatures are dropped on the floor.
    drop_first_signatures: usize,
    /// The first signature's status is never reported (it lands, but the answer is lost).
    hide_first_status: bool,
    /// After this many calls every call fails as if the endpoint were down.
    down_after_calls: Option<usize>,
}

/// What [`Faulty`] saw.
#[derive(Default)]
struct Seen {
    calls: usize,
    /// Every send: the signature and the exact bytes.
    sends: Vec<(Signature, Vec<u8>)>,
    dropped: HashSet<Signature>,
    first: Option<Signature>,
}

/// A backend between the client and the validator that loses what it is told to.
struct Faulty {
    inner: RpcBackend,
    faults: Faults,
    seen: Arc<Mutex<Seen>>,
}

impl Faulty {
    fn new(inner: RpcBackend, faults: Faults) -> (Self, Arc<Mutex<Seen>>) {
        let seen = Arc::new(Mutex::new(Seen::default()));
        (
            Faulty {
                inner,
                faults,
                seen: seen.clone(),
            },
            seen,
        )
    }

    fn call(&mut self) -> Result<(), Error> {
        let mut seen = self.seen.lock().unwrap();
        seen.calls += 1;
        match self.faults.down_after_calls {
            Some(limit) if seen.calls > limit => Err(Error::network(
                format!("cannot reach the RPC endpoint {}", self.inner.url()),
                std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
            )),
            _ => Ok(()),
        }
    }
}

impl Backend for Faulty {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(50)
    }
    fn resend_interval(&self) -> Duration {
        Duration::from_millis(200)
    }
    fn latest_blockhash(&mut self) -> Result<(Hash, u64), Error> {
        self.call()?;
        self.inner.latest_blockhash()
    }
    fn block_height(&mut self) -> Result<u64, Error> {
        self.call()?;
        self.inner.block_height()
    }
    fn slot(&mut self) -> Result<u64, Error> {
        self.call()?;
        self.inner.slot()
    }
    fn simulate(&mut self, transaction: &VersionedTransaction) -> Result<Simulation, Error> {
        self.call()?;
        self.inner.simulate(transaction)
    }
    fn send(&mut self, transaction: &VersionedTransaction) -> Result<Signature, Error> {
        self.call()?;
        let signature = transaction.signatures[0];
        let drop = {
            let mut seen = self.seen.lock().unwrap();
            seen.first.get_or_insert(signature);
            seen.sends.push((signature, bincode_bytes(transaction)));
            if !seen.dropped.contains(&signature)
                && seen.dropped.len() < self.faults.drop_first_signatures
            {
                seen.dropped.insert(signature);
            }
            seen.dropped.contains(&signature)
        };
        if drop {
            return Ok(signature);
        }
        self.inner.send(transaction)
    }
    fn signature_statuses(
        &mut self,
        signatures: &[Signature],
        search_history: bool,
    ) -> Result<Vec<Option<TxStatus>>, Error> {
        self.call()?;
        let mut statuses = self.inner.signature_statuses(signatures, search_history)?;
        let first = self.seen.lock().unwrap().first;
        if self.faults.hide_first_status {
            for (signature, status) in signatures.iter().zip(statuses.iter_mut()) {
                if Some(*signature) == first {
                    *status = None;
                }
            }
        }
        Ok(statuses)
    }
    fn get_multiple_accounts(
        &mut self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, Error> {
        self.call()?;
        self.inner.get_multiple_accounts(addresses)
    }
    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, Error> {
        self.call()?;
        self.inner.get_program_accounts(program, filters)
    }
    fn clock(&mut self) -> Result<Clock, Error> {
        self.call()?;
        self.inner.clock()
    }
    fn minimum_balance_for_rent_exemption(&mut self, data_len: usize) -> Result<u64, Error> {
        self.call()?;
        self.inner.minimum_balance_for_rent_exemption(data_len)
    }
    fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), Error> {
        self.call()?;
        self.inner.airdrop(to, lamports)
    }
}

fn bincode_bytes(transaction: &VersionedTransaction) -> Vec<u8> {
    let mut bytes = Vec::new();
    for signature in &transaction.signatures {
        bytes.extend_from_slice(signature.as_ref());
    }
    bytes.extend_from_slice(&transaction.message.serialize());
    bytes
}

fn transfer(from: &Keypair, to: &Pubkey, lamports: u64) -> solana_instruction::Instruction {
    solana_system_interface::instruction::transfer(&from.pubkey(), to, lamports)
}

const AMOUNT: u64 = 2_000_000_000;

#[test]
fn confirmation_waits_for_the_requested_commitment() {
    let net = Localnet::start(&["payer"], &[], 50);
    let payer = net.keypair("payer");
    let raw = RpcClient::new(net.url.clone());
    for (commitment, expected) in [
        (
            CommitmentConfig::confirmed(),
            TransactionConfirmationStatus::Confirmed,
        ),
        (
            CommitmentConfig::finalized(),
            TransactionConfirmationStatus::Finalized,
        ),
    ] {
        let mut backend = net.rpc(commitment);
        let recipient = Keypair::new().pubkey();
        let sent = send_transaction(
            &mut backend,
            &SendOptions::default(),
            &[transfer(&payer, &recipient, AMOUNT)],
            &payer,
            &[],
            &mut clipstake_client::sender::no_state_check,
        )
        .unwrap();
        assert_eq!(sent.status, SendStatus::Confirmed);
        let status = raw
            .get_signature_statuses(&[sent.signature.unwrap()])
            .unwrap()
            .value
            .pop()
            .flatten()
            .expect("the signature is known");
        let reached = status.confirmation_status.expect("a confirmation status");
        let order = |s: &TransactionConfirmationStatus| match s {
            TransactionConfirmationStatus::Processed => 0,
            TransactionConfirmationStatus::Confirmed => 1,
            TransactionConfirmationStatus::Finalized => 2,
        };
        assert!(
            order(&reached) >= order(&expected),
            "returned at {reached:?} while {expected:?} was asked"
        );
        assert_eq!(backend.lamports(&recipient).unwrap(), AMOUNT);
    }
    assert!(net.stop().success());
}

/// What [`transfer_through`] observed.
struct Transfer {
    sent: clipstake_client::sender::Sent,
    seen: Arc<Mutex<Seen>>,
    /// Times the sender asked the chain whether the transfer was already applied.
    checks: usize,
    /// What the recipient holds afterwards, read over RPC.
    received: u64,
}

/// Sends `AMOUNT` to a fresh recipient through a [`Faulty`] backend on 20 ms slots (a blockhash
/// expires within seconds); the sender's state check reads the recipient's balance.
fn transfer_through(faults: Faults) -> Transfer {
    let net = Localnet::start(&["payer"], &[], 20);
    let payer = net.keypair("payer");
    let recipient = Keypair::new().pubkey();
    let (mut backend, seen) = Faulty::new(net.rpc(CommitmentConfig::confirmed()), faults);
    let mut checks = 0;
    let sent = send_transaction(
        &mut backend,
        &SendOptions::default(),
        &[transfer(&payer, &recipient, AMOUNT)],
        &payer,
        &[],
        &mut |b: &mut dyn Backend| {
            checks += 1;
            Ok(b.lamports(&recipient)? >= AMOUNT)
        },
    )
    .unwrap();
    let received = net
        .rpc(CommitmentConfig::confirmed())
        .lamports(&recipient)
        .unwrap();
    Transfer {
        sent,
        seen,
        checks,
        received,
    }
}

#[test]
fn a_dropped_transaction_is_resent_then_signed_again_only_after_expiry_and_a_check() {
    let Transfer {
        sent,
        seen,
        checks,
        received,
    } = transfer_through(Faults {
        drop_first_signatures: 1,
        ..Faults::default()
    });
    assert_eq!(sent.status, SendStatus::Confirmed);
    assert_eq!(sent.signings, 2, "signed again once, after expiry");
    assert_eq!(checks, 1, "the chain was checked before signing again");
    let seen = seen.lock().unwrap();
    let first = seen.first.unwrap();
    let copies: Vec<&Vec<u8>> = seen
        .sends
        .iter()
        .filter(|(s, _)| *s == first)
        .map(|(_, b)| b)
        .collect();
    assert!(copies.len() >= 2, "the dropped transaction was resent");
    assert!(
        copies.iter().all(|b| *b == copies[0]),
        "every resend is the same signed bytes"
    );
    assert_ne!(sent.signature, Some(first));
    assert_eq!(received, AMOUNT, "paid exactly once");
}

#[test]
fn a_transaction_that_landed_unseen_is_never_signed_again() {
    let Transfer {
        sent,
        seen,
        checks,
        received,
    } = transfer_through(Faults {
        hide_first_status: true,
        ..Faults::default()
    });
    assert_eq!(sent.status, SendStatus::AlreadyApplied);
    assert_eq!(sent.signings, 1);
    assert_eq!(checks, 1);
    let seen = seen.lock().unwrap();
    assert!(seen.sends.iter().all(|(s, _)| Some(*s) == seen.first));
    assert_eq!(received, AMOUNT, "paid exactly once");
}

#[test]
fn an_rpc_that_goes_down_mid_run_loses_nothing_and_pays_nothing_twice() {
    const VIDEOS: usize = 30;
    let net = Localnet::start(&["brand", "oracle"], &[], 50);
    let campaign = support::sol_campaign_with_reports(&net, VIDEOS);

    // The CLI against an endpoint that is not there: exit code 4, one clear line, and the
    // ledger untouched.
    let dead = net
        .cmd_with_url(
            "oracle",
            "http://127.0.0.1:9",
            &["oracle", "run", "--ledger-db", &campaign.ledger_db],
        )
        .output()
        .unwrap();
    assert_eq!(dead.status.code(), Some(4), "{dead:?}");
    let stderr = String::from_utf8_lossy(&dead.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");

    // The library run loses the endpoint part-way through its batches.
    let oracle_keypair = net.keypair("oracle");
    let mut ledger = Ledger::open(campaign.ledger_db.as_ref()).unwrap();
    let (mut flaky, seen) = Faulty::new(
        net.rpc(CommitmentConfig::confirmed()),
        Faults {
            down_after_calls: Some(40),
            ..Faults::default()
        },
    );
    let options = RunOptions {
        max_per_tx: 4,
        window: 4,
        ..RunOptions::default()
    };
    let failed = oracle::run(
        &mut ledger,
        &mut flaky,
        &oracle_keypair,
        &oracle_keypair,
        &options,
        &mut NoFailpoints,
        &mut clipstake_oracle::NoProgress,
    )
    .unwrap_err();
    assert!(
        matches!(
            failed,
            clipstake_oracle::Error::Chain(Error::Network { .. })
        ),
        "{failed}"
    );
    assert!(
        seen.lock().unwrap().sends.len() > 1,
        "it was part-way through"
    );
    let totals = ledger.totals().unwrap();
    assert!(totals.unbalanced.is_empty(), "{:?}", totals.unbalanced);

    // Back up: a new run settles what was in flight from the chain and pays the rest.
    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    let summary = oracle::run(
        &mut ledger,
        &mut rpc,
        &oracle_keypair,
        &oracle_keypair,
        &options,
        &mut NoFailpoints,
        &mut clipstake_oracle::NoProgress,
    )
    .unwrap();
    assert_eq!(summary.failed, 0, "{summary:?}");
    let intents = ledger.all_intents().unwrap();
    assert_eq!(intents.len(), VIDEOS);
    assert!(intents.iter().all(|i| i.status == Status::Confirmed));
    // Exactly the entitlements left the vault: nothing twice, nothing missing.
    campaign.assert_paid_exactly_as_reported(&net);
}
