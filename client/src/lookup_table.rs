//! Address lookup tables for the oracle's batches.
//!
//! A `disburse` names about fifteen accounts; in a legacy transaction each costs 32 bytes, so
//! only a few fit in 1,232 bytes. In a v0 transaction an account held by a lookup table costs
//! one byte, so a batch is limited by compute instead. The oracle keeps one or more tables per
//! campaign (a table holds at most 256 addresses) with the campaign's fixed accounts and its
//! submissions' creators, affiliates and their token accounts, created and extended as needed.
//! Addresses appended in slot `s` are usable from slot `s + 1` on; [`wait_until_usable`] waits
//! for that.
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use solana_address_lookup_table_interface::instruction::{
    create_lookup_table, extend_lookup_table,
};
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;

use crate::Error;
use crate::backend::Backend;
use crate::sender::{SendOptions, no_state_check, prepare, send_transaction};

/// The address lookup table program.
pub const PROGRAM_ID: Pubkey = solana_address_lookup_table_interface::program::ID;
/// Most addresses one table holds.
pub const MAX_ADDRESSES: usize = 256;
/// Addresses appended per `extend` transaction (32 bytes each; 20 keep it well under the
/// packet size with two signatures).
const EXTEND_CHUNK: usize = 20;
/// Bytes of table metadata before the addresses.
const META_SIZE: usize = 56;

/// A table as read from the chain.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's address.
    pub address: Pubkey,
    /// Its addresses, in order.
    pub addresses: Vec<Pubkey>,
    /// The slot of the last extension (its new addresses are usable from the next slot).
    pub last_extended_slot: u64,
    /// `u64::MAX` while active.
    pub deactivation_slot: u64,
    /// Who may extend it.
    pub authority: Option<Pubkey>,
}

impl Table {
    /// The form `v0::Message::try_compile` takes.
    pub fn account(&self) -> AddressLookupTableAccount {
        AddressLookupTableAccount {
            key: self.address,
            addresses: self.addresses.clone(),
        }
    }

    /// Free slots left.
    pub fn room(&self) -> usize {
        MAX_ADDRESSES.saturating_sub(self.addresses.len())
    }
}

/// Decodes a lookup table account's data (the program's `ProgramState::LookupTable` layout:
/// u32 tag 1, deactivation slot, last extended slot, start index, optional authority,
/// padding, then the addresses).
pub fn decode(address: Pubkey, data: &[u8]) -> Result<Table, Error> {
    let bad = || Error::Other(format!("{address} is not an address lookup table"));
    if data.len() < META_SIZE || data[..4] != 1u32.to_le_bytes() {
        return Err(bad());
    }
    let u64_at = |at: usize| u64::from_le_bytes(data[at..at + 8].try_into().unwrap_or_default());
    let authority = match data[21] {
        0 => None,
        1 => Some(Pubkey::new_from_array(
            data[22..54].try_into().map_err(|_| bad())?,
        )),
        _ => return Err(bad()),
    };
    let rest = &data[META_SIZE..];
    if !rest.len().is_multiple_of(32) {
        return Err(bad());
    }
    Ok(Table {
        address,
        addresses: rest
            .chunks_exact(32)
            .map(|c| Pubkey::new_from_array(c.try_into().unwrap_or_default()))
            .collect(),
        deactivation_slot: u64_at(4),
        last_extended_slot: u64_at(12),
        authority,
    })
}

/// Reads a table; `None` when the account is gone or is not an active table.
pub fn fetch(backend: &mut dyn Backend, address: &Pubkey) -> Result<Option<Table>, Error> {
    match backend.get_account(address)? {
        Some(account) if account.owner == PROGRAM_ID => {
            let table = decode(*address, &account.data)?;
            Ok((table.deactivation_slot == u64::MAX).then_some(table))
        }
        _ => Ok(None),
    }
}

/// Creates an empty table owned by `authority` and returns its address.
pub fn create(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
) -> Result<Pubkey, Error> {
    // The program checks the slot against the SlotHashes sysvar, which lags the tip by one:
    // use a slot that is certainly in it.
    let recent_slot = backend.slot()?.saturating_sub(1);
    let (instruction, address) =
        create_lookup_table(authority.pubkey(), payer.pubkey(), recent_slot);
    send_transaction(
        backend,
        options,
        &[instruction],
        payer,
        &[authority],
        &mut no_state_check,
    )?;
    Ok(address)
}

/// Appends `addresses` (which must fit in the table's room): every chunk is simulated, signed
/// and sent at once, then all are confirmed together (one status query per poll). Chunks whose
/// blockhash expired unconfirmed are settled from the table's contents: what is missing is
/// appended again by [`extend`], which checks the table before it ever signs again.
pub fn extend_pipelined(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
    table: &Pubkey,
    addresses: &[Pubkey],
) -> Result<(), Error> {
    let mut in_flight = Vec::new();
    // Waiting ends when the last of the blockhashes expired: no copy can land after that.
    let mut last_valid = 0;
    for chunk in addresses.chunks(EXTEND_CHUNK) {
        // A fresh blockhash per chunk (the embedded chain moves to a new one every transaction).
        let (blockhash, valid_until) = backend.latest_blockhash()?;
        last_valid = last_valid.max(valid_until);
        let instruction = extend_lookup_table(
            *table,
            authority.pubkey(),
            Some(payer.pubkey()),
            chunk.to_vec(),
        );
        let prepared = prepare(
            backend,
            options,
            &[instruction],
            payer,
            &[authority],
            &[],
            blockhash,
        )?;
        match backend.send(&prepared.transaction) {
            Ok(_) | Err(Error::Network(_)) => {}
            Err(refused) => return Err(refused),
        }
        in_flight.push(prepared.transaction);
    }
    let started = Instant::now();
    let mut last_send = Instant::now();
    loop {
        let signatures: Vec<_> = in_flight.iter().map(|t| t.signatures[0]).collect();
        let statuses = backend.signature_statuses(&signatures, false)?;
        if let Some(err) = statuses.iter().flatten().find_map(|s| s.err.clone()) {
            return Err(Error::from_transaction_error(&err, &[]));
        }
        if statuses
            .iter()
            .all(|s| s.as_ref().is_some_and(|s| s.confirmed))
        {
            return Ok(());
        }
        if backend.block_height()? > last_valid || started.elapsed() > options.max_wait {
            break;
        }
        if last_send.elapsed() >= backend.resend_interval() {
            for (transaction, status) in in_flight.iter().zip(&statuses) {
                if status.is_none() {
                    // The same signed bytes: at most one copy can land.
                    let _ = backend.send(transaction);
                }
            }
            last_send = Instant::now();
        }
        std::thread::sleep(backend.poll_interval());
    }
    let present = fetch(backend, table)?
        .map(|t| t.addresses)
        .unwrap_or_default();
    let missing: Vec<Pubkey> = addresses
        .iter()
        .filter(|a| !present.contains(a))
        .copied()
        .collect();
    extend(backend, options, payer, authority, table, &missing)
}

/// Appends `addresses` (which must fit in the table's room), one transaction at a time.
pub fn extend(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
    table: &Pubkey,
    addresses: &[Pubkey],
) -> Result<(), Error> {
    for chunk in addresses.chunks(EXTEND_CHUNK) {
        let instruction = extend_lookup_table(
            *table,
            authority.pubkey(),
            Some(payer.pubkey()),
            chunk.to_vec(),
        );
        let expected: Vec<Pubkey> = chunk.to_vec();
        let table = *table;
        send_transaction(
            backend,
            options,
            &[instruction],
            payer,
            &[authority],
            // After an expired blockhash the chunk may already be in the table: never add twice.
            &mut |b: &mut dyn Backend| {
                Ok(fetch(b, &table)?
                    .is_some_and(|t| expected.iter().all(|a| t.addresses.contains(a))))
            },
        )?;
    }
    Ok(())
}

/// Waits until the chain is past `last_extended_slot`, so every address is usable.
pub fn wait_until_usable(
    backend: &mut dyn Backend,
    last_extended_slot: u64,
    timeout: Duration,
) -> Result<(), Error> {
    let deadline = Instant::now() + timeout;
    loop {
        if backend.slot()? > last_extended_slot {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Error::Expired(format!(
                "the chain did not move past slot {last_extended_slot} within {} s, so the lookup \
                 table's new addresses are not usable yet; try again",
                timeout.as_secs()
            )));
        }
        std::thread::sleep(backend.poll_interval().max(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_program_layout() {
        let authority = Pubkey::new_unique();
        let a = Pubkey::new_unique();
        let b = Pubkey::new_unique();
        let mut data = vec![0u8; META_SIZE];
        data[..4].copy_from_slice(&1u32.to_le_bytes());
        data[4..12].copy_from_slice(&u64::MAX.to_le_bytes());
        data[12..20].copy_from_slice(&77u64.to_le_bytes());
        data[21] = 1;
        data[22..54].copy_from_slice(authority.as_ref());
        data.extend_from_slice(a.as_ref());
        data.extend_from_slice(b.as_ref());
        let table = decode(Pubkey::new_unique(), &data).unwrap();
        assert_eq!(table.addresses, vec![a, b]);
        assert_eq!(table.last_extended_slot, 77);
        assert_eq!(table.deactivation_slot, u64::MAX);
        assert_eq!(table.authority, Some(authority));
        assert_eq!(table.room(), 254);
    }

    #[test]
    fn refuses_what_is_not_a_table() {
        assert!(decode(Pubkey::new_unique(), &[0u8; 56]).is_err());
        let mut data = vec![0u8; META_SIZE + 5];
        data[..4].copy_from_slice(&1u32.to_le_bytes());
        assert!(decode(Pubkey::new_unique(), &data).is_err());
    }
}
