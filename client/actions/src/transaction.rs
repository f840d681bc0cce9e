//! Transactions handed to a wallet: simulated first (a refusal comes back as the program's
//! named error and no transaction is returned), the compute-unit limit set from the simulation,
//! signed by the server's co-signers (the claim's sponsor) and left unsigned for the wallet.
use anchor_lang::prelude::Pubkey;
use base64::Engine;
use clipstake_client::Error;
use clipstake_client::backend::Backend;
use clipstake_client::sender::{
    MAX_COMPUTE_UNIT_LIMIT, SendOptions, budget_instructions, compile, compute_unit_limit,
};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::VersionedMessage;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

use crate::Refusal;

/// Builds a legacy transaction of `instructions` paid by `fee_payer`, simulates it, and signs it
/// with `co_signers`; every other required signature (the wallet's) is left empty.
pub fn for_wallet(
    backend: &mut dyn Backend,
    instructions: &[Instruction],
    fee_payer: &Pubkey,
    co_signers: &[&Keypair],
) -> Result<VersionedTransaction, Refusal> {
    let (blockhash, _) = backend.latest_blockhash()?;
    let with_budget = |limit: u32| {
        let mut all = budget_instructions(limit, None);
        all.extend_from_slice(instructions);
        all
    };
    let probe = unsigned(compile(
        &with_budget(MAX_COMPUTE_UNIT_LIMIT),
        fee_payer,
        blockhash,
        &[],
    )?);
    let simulation = backend.simulate(&probe)?;
    if let Some(err) = &simulation.err {
        return Err(Error::from_transaction_error(err, &simulation.logs).into());
    }
    let limit = compute_unit_limit(simulation.units_consumed, &SendOptions::default());
    let mut transaction = unsigned(compile(&with_budget(limit), fee_payer, blockhash, &[])?);
    sign_as(&mut transaction, co_signers);
    Ok(transaction)
}

/// A transaction with every signature slot empty (zeros), as wallets expect to fill them.
fn unsigned(message: VersionedMessage) -> VersionedTransaction {
    let required = usize::from(message.header().num_required_signatures);
    VersionedTransaction {
        signatures: vec![Signature::default(); required],
        message,
    }
}

/// Fills the signature slots of `keypairs` (those the message requires).
fn sign_as(transaction: &mut VersionedTransaction, keypairs: &[&Keypair]) {
    let bytes = transaction.message.serialize();
    let keys = transaction.message.static_account_keys().to_vec();
    for (slot, key) in transaction.signatures.iter_mut().zip(&keys) {
        if let Some(keypair) = keypairs.iter().find(|k| k.pubkey() == *key) {
            *slot = keypair.sign_message(&bytes);
        }
    }
}

/// The wire bytes (compact-u16 signature count, signatures, message), base64-encoded as the
/// Actions and Solana Pay specs carry them.
pub fn to_base64(transaction: &VersionedTransaction) -> String {
    let count = transaction.signatures.len();
    // A compact-u16 below 128 is one byte; a legacy message holds at most a handful of signers.
    assert!(count < 128, "{count} signatures");
    let mut bytes = vec![count as u8];
    for signature in &transaction.signatures {
        bytes.extend_from_slice(signature.as_ref());
    }
    bytes.extend_from_slice(&transaction.message.serialize());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
