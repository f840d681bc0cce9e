//! Transaction sending, written once over [`Backend`]:
//!
//! 1. simulate (at the maximum compute-unit limit) and stop there on any refusal, decoded into
//!    the program's named error: nothing is sent, nothing is half-done;
//! 2. set the compute-unit limit from the simulation plus a margin, and the optional
//!    compute-unit price;
//! 3. sign once and send; resend **the same signed bytes** until the signature is confirmed or
//!    the blockhash expires (block height above its last valid height), through the
//!    [`crate::in_flight`] engine every multi-transaction sender shares;
//! 4. after expiry the signature can never land, so look at the chain before re-signing: a
//!    status found late, or the caller's state check (e.g. "the watermark already reached
//!    these views"), ends the loop without a second, different transaction;
//! 5. only then sign again with a fresh blockhash, a bounded number of times.
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::{AddressLookupTableAccount, Message, VersionedMessage, v0};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

use crate::Error;
use crate::backend::Backend;
use crate::in_flight::{InFlight, Outcome, submit};

/// The largest serialized transaction the network accepts.
pub const PACKET_DATA_SIZE: usize = 1232;

/// The most compute units a transaction may ask for.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;

/// How transactions are sent.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Priority fee in micro-lamports per compute unit (`--with-compute-unit-price`).
    pub compute_unit_price: Option<u64>,
    /// Simulate only (`--dry-run`).
    pub dry_run: bool,
    /// Compute units added to the simulated consumption, in percent of it...
    pub cu_margin_percent: u64,
    /// ...and at least this many.
    pub cu_margin_min: u64,
    /// How many times a transaction may be signed (each after the previous one expired).
    pub max_signings: usize,
    /// Give up waiting for one signing after this long even if the chain's block height does
    /// not move (the signature is reported so the user can check it).
    pub max_wait: Duration,
    /// Called with the program logs of a refused simulation or a failed transaction (the CLI's
    /// `--verbose` prints them).
    pub on_failure_logs: Option<fn(&[String])>,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            compute_unit_price: None,
            dry_run: false,
            cu_margin_percent: 20,
            cu_margin_min: 1_000,
            max_signings: 3,
            max_wait: Duration::from_secs(180),
            on_failure_logs: None,
        }
    }
}

/// How a send ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendStatus {
    /// The transaction was confirmed.
    Confirmed,
    /// The transaction expired, but the chain already shows its effect (an earlier signing
    /// landed, or someone else applied it); nothing was re-signed.
    AlreadyApplied,
    /// `--dry-run`: simulated only.
    Simulated,
}

/// The result of [`send_transaction`].
#[derive(Debug, Clone)]
pub struct Sent {
    /// How it ended.
    pub status: SendStatus,
    /// The confirmed signature (the last one signed for `AlreadyApplied`, none when simulated).
    pub signature: Option<Signature>,
    /// Compute units the simulation consumed.
    pub units_consumed: u64,
    /// The compute-unit limit the transaction carried.
    pub compute_unit_limit: u32,
    /// How many times it was signed.
    pub signings: usize,
    /// The simulation's logs.
    pub logs: Vec<String>,
}

/// A state check that never finds the effect applied (for operations that have none to read).
pub fn no_state_check(_: &mut dyn Backend) -> Result<bool, Error> {
    Ok(false)
}

fn compute_budget(limit: u32, price: Option<u64>) -> Vec<Instruction> {
    let mut instructions = vec![ComputeBudgetInstruction::set_compute_unit_limit(limit)];
    if let Some(price) = price {
        instructions.push(ComputeBudgetInstruction::set_compute_unit_price(price));
    }
    instructions
}

/// The limit to ask for after a simulation consumed `units`.
pub fn compute_unit_limit(units: u64, options: &SendOptions) -> u32 {
    if units == 0 {
        return MAX_COMPUTE_UNIT_LIMIT;
    }
    let margin = (units.saturating_mul(options.cu_margin_percent) / 100).max(options.cu_margin_min);
    units
        .saturating_add(margin)
        .min(u64::from(MAX_COMPUTE_UNIT_LIMIT)) as u32
}

/// Builds and signs a transaction; fails with a clear message when a required signer is
/// missing. Keypairs the message does not need are ignored. Without lookup tables the message
/// is a legacy one (every wallet and node reads it); with them, a v0 message that takes the
/// accounts it can from the tables.
pub fn sign(
    instructions: &[Instruction],
    fee_payer: &Keypair,
    signers: &[&Keypair],
    blockhash: Hash,
    lookup_tables: &[AddressLookupTableAccount],
) -> Result<VersionedTransaction, Error> {
    let message = compile(instructions, &fee_payer.pubkey(), blockhash, lookup_tables)?;
    let required: Vec<Pubkey> = message
        .static_account_keys()
        .iter()
        .take(usize::from(message.header().num_required_signatures))
        .copied()
        .collect();
    let mut keypairs: Vec<&Keypair> = Vec::new();
    for key in &required {
        let keypair = std::iter::once(fee_payer)
            .chain(signers.iter().copied())
            .find(|k| k.pubkey() == *key)
            .ok_or_else(|| {
                Error::MissingSigner(format!(
                    "this transaction needs the signature of {key}, which is not the keypair given \
                     (-k/--keypair or --fee-payer)"
                ))
            })?;
        keypairs.push(keypair);
    }
    VersionedTransaction::try_new(message, &keypairs)
        .map_err(|e| Error::MissingSigner(format!("cannot sign: {e}")))
}

/// The message [`sign`] signs: legacy without lookup tables, v0 with them.
pub fn compile(
    instructions: &[Instruction],
    fee_payer: &Pubkey,
    blockhash: Hash,
    lookup_tables: &[AddressLookupTableAccount],
) -> Result<VersionedMessage, Error> {
    Ok(if lookup_tables.is_empty() {
        VersionedMessage::Legacy(Message::new_with_blockhash(
            instructions,
            Some(fee_payer),
            &blockhash,
        ))
    } else {
        VersionedMessage::V0(
            v0::Message::try_compile(fee_payer, instructions, lookup_tables, blockhash).map_err(
                |e| Error::Build {
                    what: "the transaction",
                    source: Box::new(e),
                },
            )?,
        )
    })
}

/// The size on the wire of a transaction carrying `message` (what must fit in
/// [`PACKET_DATA_SIZE`]), without signing it.
pub fn wire_size(message: &VersionedMessage) -> usize {
    // Compact-u16 signature count (1 byte below 128), the signatures, the message.
    1 + 64 * usize::from(message.header().num_required_signatures) + message.serialize().len()
}

fn failure(
    options: &SendOptions,
    err: &solana_transaction_error::TransactionError,
    logs: &[String],
) -> Error {
    if let Some(show) = options.on_failure_logs {
        show(logs);
    }
    Error::from_transaction_error(err, logs)
}

/// A transaction simulated, then signed with the compute-unit limit its simulation asked for.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The signed transaction, ready to send (and to resend byte for byte).
    pub transaction: VersionedTransaction,
    /// Compute units the simulation consumed.
    pub units_consumed: u64,
    /// The limit the transaction carries.
    pub compute_unit_limit: u32,
    /// The simulation's logs.
    pub logs: Vec<String>,
    /// Inner instructions under each top-level instruction in the simulation, when known.
    pub inner_per_instruction: Option<Vec<usize>>,
}

/// Steps 1 and 2 of the module documentation for a pipelined sender: simulate `instructions`
/// at the maximum limit (a refusal comes back as the program's named error and nothing is
/// signed for sending), then sign them once with the compute budget set from the simulation.
pub fn prepare(
    backend: &mut dyn Backend,
    options: &SendOptions,
    instructions: &[Instruction],
    fee_payer: &Keypair,
    signers: &[&Keypair],
    lookup_tables: &[AddressLookupTableAccount],
    blockhash: Hash,
) -> Result<Prepared, Error> {
    let with_budget = |limit: u32| -> Vec<Instruction> {
        let mut all = compute_budget(limit, options.compute_unit_price);
        all.extend_from_slice(instructions);
        all
    };
    let probe = sign(
        &with_budget(MAX_COMPUTE_UNIT_LIMIT),
        fee_payer,
        signers,
        blockhash,
        lookup_tables,
    )?;
    let simulation = backend.simulate(&probe)?;
    if let Some(err) = &simulation.err {
        return Err(failure(options, err, &simulation.logs));
    }
    let limit = compute_unit_limit(simulation.units_consumed, options);
    Ok(Prepared {
        transaction: sign(
            &with_budget(limit),
            fee_payer,
            signers,
            blockhash,
            lookup_tables,
        )?,
        units_consumed: simulation.units_consumed,
        compute_unit_limit: limit,
        logs: simulation.logs,
        inner_per_instruction: simulation.inner_per_instruction,
    })
}

/// The compute-budget instructions a transaction starts with (for size estimates).
pub fn budget_instructions(limit: u32, price: Option<u64>) -> Vec<Instruction> {
    compute_budget(limit, price)
}

/// Simulates, sets the compute budget, sends, resends the same bytes until confirmed or
/// expired, and checks the chain (`already_applied`) before ever re-signing. See the module
/// documentation.
pub fn send_transaction(
    backend: &mut dyn Backend,
    options: &SendOptions,
    instructions: &[Instruction],
    fee_payer: &Keypair,
    signers: &[&Keypair],
    already_applied: &mut dyn FnMut(&mut dyn Backend) -> Result<bool, Error>,
) -> Result<Sent, Error> {
    // 1 and 2. Simulate at the maximum limit, then set the limit from the simulation.
    let (blockhash, last_valid) = backend.latest_blockhash()?;
    let prepared = prepare(
        backend,
        options,
        instructions,
        fee_payer,
        signers,
        &[],
        blockhash,
    )?;
    let limit = prepared.compute_unit_limit;
    let mut sent = Sent {
        status: SendStatus::Simulated,
        signature: None,
        units_consumed: prepared.units_consumed,
        compute_unit_limit: limit,
        signings: 0,
        logs: prepared.logs,
    };
    if options.dry_run {
        return Ok(sent);
    }
    let mut instructions_with_budget = compute_budget(limit, options.compute_unit_price);
    instructions_with_budget.extend_from_slice(instructions);

    let mut transaction = prepared.transaction;
    let mut last_valid = last_valid;
    for signing in 1..=options.max_signings.max(1) {
        if signing > 1 {
            // 5. The last signing expired unapplied: sign again with a fresh blockhash.
            let blockhash;
            (blockhash, last_valid) = backend.latest_blockhash()?;
            transaction = sign(
                &instructions_with_budget,
                fee_payer,
                signers,
                blockhash,
                &[],
            )?;
        }
        let signature = transaction.signatures[0];
        sent.signings = signing;
        sent.signature = Some(signature);
        // 3. Send, resend the same bytes, until it settles.
        match await_one(backend, options, transaction.clone(), last_valid)? {
            Outcome::Confirmed { .. } => {
                sent.status = SendStatus::Confirmed;
                return Ok(sent);
            }
            Outcome::Failed { error, logs } => return Err(failure(options, &error, &logs)),
            // 4. Expired: the signature can never land now. Look before re-signing.
            Outcome::Expired => {}
        }
        if already_applied(backend)? {
            sent.status = SendStatus::AlreadyApplied;
            return Ok(sent);
        }
    }
    Err(Error::Expired(format!(
        "the transaction's blockhash expired {} times before it landed; nothing was applied, try again",
        options.max_signings.max(1)
    )))
}

/// Sends one signed transaction through the in-flight engine and polls until it settles, or
/// fails with `Expired` after `options.max_wait` (the cluster's block height may stall). A
/// network error while it may have been sent says so, since only its status can tell.
fn await_one(
    backend: &mut dyn Backend,
    options: &SendOptions,
    transaction: VersionedTransaction,
    last_valid: u64,
) -> Result<Outcome, Error> {
    let signature = transaction.signatures[0];
    let unknown_fate = |e: Error| match e {
        Error::Network { context, source } => Error::Network {
            context: format!(
                "{context} (transaction {signature} may have been sent: check it before retrying)"
            ),
            source,
        },
        other => other,
    };
    submit(backend, &transaction)?;
    let mut flights = InFlight::new();
    flights.track((), transaction, last_valid);
    let started = Instant::now();
    loop {
        if let Some(settled) = flights.poll(backend).map_err(unknown_fate)?.pop() {
            return Ok(settled.outcome);
        }
        if started.elapsed() > options.max_wait {
            return Err(Error::Expired(format!(
                "transaction {signature} was not confirmed within {} s; check it before retrying",
                options.max_wait.as_secs()
            )));
        }
        std::thread::sleep(backend.poll_interval());
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use solana_account::Account;
    use solana_clock::Clock;
    use solana_instruction_error::InstructionError;
    use solana_transaction_error::TransactionError;

    use super::*;
    use crate::backend::{AccountFilter, Simulation, TxStatus};

    type Hook = Box<dyn FnMut(&mut Mock)>;

    /// A scripted chain: block height rises by one per query, a send lands only when it is the
    /// `land_on_send`-th send overall.
    struct Mock {
        height: u64,
        blockhashes: u64,
        sends: Vec<Vec<u8>>,
        land_on_send: Option<usize>,
        landed: HashMap<Signature, ()>,
        simulation_error: Option<TransactionError>,
        units: u64,
        on_check: Option<Hook>,
    }

    impl Mock {
        fn new(land_on_send: Option<usize>) -> Self {
            Mock {
                height: 0,
                blockhashes: 0,
                sends: Vec::new(),
                land_on_send,
                landed: HashMap::new(),
                simulation_error: None,
                units: 10_000,
                on_check: None,
            }
        }
    }

    impl Backend for Mock {
        fn describe(&self) -> String {
            "mock".into()
        }
        fn poll_interval(&self) -> Duration {
            Duration::ZERO
        }
        fn resend_interval(&self) -> Duration {
            Duration::ZERO
        }
        fn latest_blockhash(&mut self) -> Result<(Hash, u64), Error> {
            self.blockhashes += 1;
            Ok((
                Hash::new_from_array([self.blockhashes as u8; 32]),
                self.height + 5,
            ))
        }
        fn block_height(&mut self) -> Result<u64, Error> {
            self.height += 1;
            Ok(self.height)
        }
        fn slot(&mut self) -> Result<u64, Error> {
            Ok(self.height)
        }
        fn simulate(&mut self, _: &VersionedTransaction) -> Result<Simulation, Error> {
            Ok(Simulation {
                err: self.simulation_error.clone(),
                logs: vec![],
                units_consumed: self.units,
                inner_per_instruction: None,
            })
        }
        fn send(&mut self, transaction: &VersionedTransaction) -> Result<Signature, Error> {
            self.sends.push(bincode_bytes(transaction));
            if Some(self.sends.len()) == self.land_on_send {
                self.landed.insert(transaction.signatures[0], ());
            }
            Ok(transaction.signatures[0])
        }
        fn signature_statuses(
            &mut self,
            signatures: &[Signature],
            _: bool,
        ) -> Result<Vec<Option<TxStatus>>, Error> {
            Ok(signatures
                .iter()
                .map(|s| {
                    self.landed.contains_key(s).then(|| TxStatus {
                        slot: 1,
                        err: None,
                        confirmed: true,
                        logs: vec![],
                    })
                })
                .collect())
        }
        fn get_multiple_accounts(&mut self, a: &[Pubkey]) -> Result<Vec<Option<Account>>, Error> {
            Ok(vec![None; a.len()])
        }
        fn get_program_accounts(
            &mut self,
            _: &Pubkey,
            _: &[AccountFilter],
        ) -> Result<Vec<(Pubkey, Account)>, Error> {
            Ok(vec![])
        }
        fn clock(&mut self) -> Result<Clock, Error> {
            Ok(Clock::default())
        }
        fn minimum_balance_for_rent_exemption(&mut self, _: usize) -> Result<u64, Error> {
            Ok(890_880)
        }
        fn airdrop(&mut self, _: &Pubkey, _: u64) -> Result<(), Error> {
            if let Some(mut hook) = self.on_check.take() {
                hook(self);
                self.on_check = Some(hook);
            }
            Ok(())
        }
    }

    fn bincode_bytes(transaction: &VersionedTransaction) -> Vec<u8> {
        // Signatures followed by the message: the exact wire bytes that matter here.
        let mut bytes = Vec::new();
        for s in &transaction.signatures {
            bytes.extend_from_slice(s.as_ref());
        }
        bytes.extend_from_slice(&transaction.message.serialize());
        bytes
    }

    fn memo_instruction(payer: &Keypair) -> Instruction {
        Instruction {
            program_id: Pubkey::new_unique(),
            accounts: vec![solana_instruction::AccountMeta::new(payer.pubkey(), true)],
            data: vec![1, 2, 3],
        }
    }

    #[test]
    fn resends_the_same_bytes_until_confirmed() {
        let payer = Keypair::new();
        let mut chain = Mock::new(Some(3));
        let sent = send_transaction(
            &mut chain,
            &SendOptions::default(),
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap();
        assert_eq!(sent.status, SendStatus::Confirmed);
        assert_eq!(sent.signings, 1);
        assert_eq!(chain.sends.len(), 3);
        assert!(
            chain.sends.iter().all(|s| *s == chain.sends[0]),
            "every resend is the same bytes"
        );
    }

    #[test]
    fn re_signs_only_after_expiry_and_a_state_check() {
        let payer = Keypair::new();
        let mut chain = Mock::new(None);
        // The state check sees how many sends happened and lets the next one land.
        let sends_at_check = std::rc::Rc::new(std::cell::Cell::new(0usize));
        let seen = sends_at_check.clone();
        let land_next = std::rc::Rc::new(std::cell::Cell::new(false));
        let land = land_next.clone();
        chain.on_check = Some(Box::new(move |mock: &mut Mock| {
            seen.set(mock.sends.len());
            if land.get() {
                mock.land_on_send = Some(mock.sends.len() + 1);
            }
        }));
        land_next.set(true);
        let mut checks = 0;
        let result = send_transaction(
            &mut chain,
            &SendOptions {
                max_signings: 2,
                ..SendOptions::default()
            },
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut |backend: &mut dyn Backend| {
                checks += 1;
                backend.airdrop(&Pubkey::default(), 0)?; // runs the mock's on_check hook
                Ok(false)
            },
        )
        .unwrap();
        assert_eq!(result.status, SendStatus::Confirmed);
        assert_eq!(result.signings, 2);
        assert_eq!(
            checks, 1,
            "the chain is checked once, between the two signings"
        );
        let (first, second) = chain.sends.split_at(sends_at_check.get());
        assert!(
            first.len() > 1 && first.iter().all(|s| *s == first[0]),
            "resent until expiry"
        );
        assert_eq!(second.len(), 1);
        assert_ne!(
            second[0], first[0],
            "the second signing uses a fresh blockhash"
        );
    }

    #[test]
    fn never_re_signs_when_the_chain_shows_the_effect() {
        let payer = Keypair::new();
        let mut chain = Mock::new(None);
        let sent = send_transaction(
            &mut chain,
            &SendOptions::default(),
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut |_: &mut dyn Backend| Ok(true),
        )
        .unwrap();
        assert_eq!(sent.status, SendStatus::AlreadyApplied);
        assert_eq!(sent.signings, 1);
        assert!(chain.sends.iter().all(|s| *s == chain.sends[0]));
    }

    #[test]
    fn gives_up_after_the_last_signing_expires() {
        let payer = Keypair::new();
        let mut chain = Mock::new(None);
        let err = send_transaction(
            &mut chain,
            &SendOptions {
                max_signings: 2,
                ..SendOptions::default()
            },
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Expired(_)), "{err:?}");
    }

    #[test]
    fn a_refused_simulation_sends_nothing_and_names_the_error() {
        let payer = Keypair::new();
        let mut chain = Mock::new(Some(1));
        let code = anchor_lang::error::ERROR_CODE_OFFSET
            + clipstake::errors::ClipstakeError::ViewsNotIncreasing as u32;
        chain.simulation_error = Some(TransactionError::InstructionError(
            1,
            InstructionError::Custom(code),
        ));
        let err = send_transaction(
            &mut chain,
            &SendOptions::default(),
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap_err();
        assert_eq!(err.program_error_name(), Some("ViewsNotIncreasing"));
        assert!(chain.sends.is_empty());
    }

    #[test]
    fn the_limit_comes_from_the_simulation_and_dry_run_sends_nothing() {
        let payer = Keypair::new();
        let mut chain = Mock::new(Some(1));
        chain.units = 50_000;
        let options = SendOptions {
            compute_unit_price: Some(7),
            ..SendOptions::default()
        };
        let sent = send_transaction(
            &mut chain,
            &options,
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap();
        assert_eq!(sent.compute_unit_limit, 60_000);
        assert_eq!(compute_unit_limit(1_000, &options), 2_000);
        assert_eq!(
            compute_unit_limit(2_000_000, &options),
            MAX_COMPUTE_UNIT_LIMIT
        );

        let mut chain = Mock::new(Some(1));
        let dry = SendOptions {
            dry_run: true,
            ..SendOptions::default()
        };
        let sent = send_transaction(
            &mut chain,
            &dry,
            &[memo_instruction(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap();
        assert_eq!(sent.status, SendStatus::Simulated);
        assert!(chain.sends.is_empty());
    }

    #[test]
    fn a_missing_signer_is_named() {
        let payer = Keypair::new();
        let other = Keypair::new();
        let mut chain = Mock::new(Some(1));
        let err = send_transaction(
            &mut chain,
            &SendOptions::default(),
            &[memo_instruction(&other)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap_err();
        match err {
            Error::MissingSigner(message) => assert!(message.contains(&other.pubkey().to_string())),
            other => panic!("{other:?}"),
        }
    }
}
