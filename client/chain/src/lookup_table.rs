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
    close_lookup_table, create_lookup_table, deactivate_lookup_table, derive_lookup_table_address,
    extend_lookup_table,
};
use solana_address_lookup_table_interface::state::{
    AddressLookupTable, LookupTableMeta, LookupTableStatus,
};
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;
use solana_slot_hashes::SlotHashes;

use crate::Error;
use crate::backend::{AccountFilter, Backend};
use crate::in_flight::{InFlight, Outcome, submit};
use crate::sender::{SendOptions, Sent, prepare, send_transaction};

/// The address lookup table program.
pub const PROGRAM_ID: Pubkey = solana_address_lookup_table_interface::program::ID;
/// Most addresses one table holds.
pub const MAX_ADDRESSES: usize = 256;
/// Addresses appended per `extend` transaction (32 bytes each; 20 keep it well under the
/// packet size with two signatures).
const EXTEND_CHUNK: usize = 20;
/// `create` instructions per transaction (about 50 bytes each: the new table's key and the
/// instruction; 10 stay well under the packet size).
pub const CREATES_PER_TX: usize = 10;

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

/// Decodes a lookup table account's data with the program's own state type.
pub fn decode(address: Pubkey, data: &[u8]) -> Result<Table, Error> {
    let table = AddressLookupTable::deserialize(data)
        .map_err(|e| Error::Decode(format!("{address} is not an address lookup table: {e}")))?;
    Ok(Table {
        address,
        addresses: table.addresses.to_vec(),
        deactivation_slot: table.meta.deactivation_slot,
        last_extended_slot: table.meta.last_extended_slot,
        authority: table.meta.authority,
    })
}

/// Reads a table; `None` when the account is gone or is not an active table.
pub fn fetch(backend: &mut dyn Backend, address: &Pubkey) -> Result<Option<Table>, Error> {
    Ok(fetch_many(backend, &[*address])?.pop().flatten())
}

/// Reads tables in one batched call; `None` where an account is gone or is not an active table.
pub fn fetch_many(
    backend: &mut dyn Backend,
    addresses: &[Pubkey],
) -> Result<Vec<Option<Table>>, Error> {
    backend
        .get_multiple_accounts(addresses)?
        .into_iter()
        .zip(addresses)
        .map(|(account, address)| match account {
            Some(account) if account.owner == PROGRAM_ID => {
                let table = decode(*address, &account.data)?;
                Ok((table.deactivation_slot == u64::MAX).then_some(table))
            }
            _ => Ok(None),
        })
        .collect()
}

/// Reads a table whatever its state, with its balance; `None` when the account is gone.
pub fn fetch_any(
    backend: &mut dyn Backend,
    address: &Pubkey,
) -> Result<Option<(Table, u64)>, Error> {
    match backend.get_account(address)? {
        Some(account) if account.owner == PROGRAM_ID => {
            Ok(Some((decode(*address, &account.data)?, account.lamports)))
        }
        _ => Ok(None),
    }
}

/// Every table whose authority is `authority`, with its balance, found on chain (so tables the
/// ledger never recorded are found too).
pub fn owned_by(backend: &mut dyn Backend, authority: &Pubkey) -> Result<Vec<(Table, u64)>, Error> {
    // The authority is an `Option<Pubkey>` at byte 21: tag 1, then the key.
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(authority.as_ref());
    let mut tables = backend
        .get_program_accounts(&PROGRAM_ID, &[AccountFilter::Memcmp { offset: 21, bytes }])?
        .into_iter()
        .map(|(address, account)| Ok((decode(address, &account.data)?, account.lamports)))
        .collect::<Result<Vec<_>, Error>>()?;
    tables.sort_by_key(|(t, _)| t.address);
    Ok(tables)
}

/// Where a table is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Usable, and can be extended.
    Active,
    /// Deactivated; in-flight transactions may still use it for this many more slots, then
    /// it can be closed.
    CoolingDown {
        /// Slots (roughly; skipped slots do not count) before it can be closed.
        remaining_slots: u64,
    },
    /// Deactivated long enough: closing it returns its rent.
    Closable,
}

impl std::fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lifecycle::Active => write!(f, "active"),
            Lifecycle::CoolingDown { remaining_slots } => {
                write!(f, "cooling down ({remaining_slots} slots)")
            }
            Lifecycle::Closable => write!(f, "closable"),
        }
    }
}

/// The table's state at `current_slot`, by the program's own rule: a deactivated table can be
/// closed once its deactivation slot has left the SlotHashes sysvar (512 slots).
pub fn lifecycle(table: &Table, current_slot: u64, slot_hashes: &SlotHashes) -> Lifecycle {
    if table.deactivation_slot != u64::MAX && table.deactivation_slot > current_slot {
        // Deactivated in a slot this node has not reached (a lagging RPC node): not yet.
        return Lifecycle::CoolingDown {
            remaining_slots: solana_slot_hashes::MAX_ENTRIES as u64 + 1,
        };
    }
    let meta = LookupTableMeta {
        deactivation_slot: table.deactivation_slot,
        ..LookupTableMeta::default()
    };
    match meta.status(current_slot, slot_hashes) {
        LookupTableStatus::Activated => Lifecycle::Active,
        LookupTableStatus::Deactivating { remaining_blocks } => Lifecycle::CoolingDown {
            remaining_slots: remaining_blocks as u64,
        },
        LookupTableStatus::Deactivated => Lifecycle::Closable,
    }
}

/// The SlotHashes sysvar as the chain holds it.
pub fn slot_hashes(backend: &mut dyn Backend) -> Result<SlotHashes, Error> {
    let account = backend
        .get_account(&solana_slot_hashes::sysvar::ID)?
        .ok_or_else(|| Error::NotFound("the chain has no SlotHashes sysvar".into()))?;
    decode_slot_hashes(&account.data)
}

/// Decodes the sysvar's bincode form.
fn decode_slot_hashes(data: &[u8]) -> Result<SlotHashes, Error> {
    bincode::deserialize(data)
        .map_err(|e| Error::Decode(format!("the SlotHashes sysvar does not decode: {e}")))
}

/// Deactivates a table (it can never be extended or reactivated; transactions may use it
/// for 512 more slots, then it can be closed). Idempotent: a table already deactivated or
/// gone is left as it is and `None` comes back. With `options.dry_run` it is only simulated.
pub fn deactivate(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
    table: &Pubkey,
) -> Result<Option<Sent>, Error> {
    let address = *table;
    let mut deactivated = |b: &mut dyn Backend| -> Result<bool, Error> {
        Ok(fetch_any(b, &address)?.is_none_or(|(t, _)| t.deactivation_slot != u64::MAX))
    };
    if deactivated(backend)? {
        return Ok(None);
    }
    send_transaction(
        backend,
        options,
        &[deactivate_lookup_table(address, authority.pubkey())],
        payer,
        &[authority],
        &mut deactivated,
    )
    .map(Some)
}

/// Closes a deactivated, cooled-down table; its lamports go to `recipient`. Idempotent: a
/// table already gone is left alone and `None` comes back. With `options.dry_run` it is only
/// simulated.
pub fn close(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
    table: &Pubkey,
    recipient: &Pubkey,
) -> Result<Option<Sent>, Error> {
    let address = *table;
    let mut gone =
        |b: &mut dyn Backend| -> Result<bool, Error> { Ok(fetch_any(b, &address)?.is_none()) };
    if gone(backend)? {
        return Ok(None);
    }
    send_transaction(
        backend,
        options,
        &[close_lookup_table(address, authority.pubkey(), *recipient)],
        payer,
        &[authority],
        &mut gone,
    )
    .map(Some)
}

/// Creates `count` tables owned by `authority` together: a table's address is derived from its
/// authority and a recent slot, so each takes a different slot from the SlotHashes sysvar (one
/// not already used by a table of this authority), and up to [`CREATES_PER_TX`] go in one
/// transaction, so a campaign's tables cost one confirmation rather than one each.
/// `record` gets each transaction's addresses before it is sent (the ledger remembers a table
/// before it can exist; one that never lands is forgotten the next time it is not found).
/// Its errors (the caller's own type, e.g. a database's) come back as they are.
pub fn create_many<E: From<Error>>(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
    count: usize,
    record: &mut dyn FnMut(&[Pubkey]) -> Result<(), E>,
) -> Result<Vec<Pubkey>, E> {
    if count == 0 {
        return Ok(Vec::new());
    }
    // Newest first; the program accepts any slot still in the sysvar.
    let candidates: Vec<(u64, Pubkey)> = slot_hashes(backend)?
        .slot_hashes()
        .iter()
        .map(|(slot, _)| {
            let (address, _) = derive_lookup_table_address(&authority.pubkey(), *slot);
            (*slot, address)
        })
        .collect();
    let addresses: Vec<Pubkey> = candidates.iter().map(|(_, a)| *a).collect();
    let taken = backend.get_multiple_accounts(&addresses)?;
    let free: Vec<u64> = candidates
        .iter()
        .zip(taken)
        .filter(|(_, account)| account.is_none())
        .map(|((slot, _), _)| *slot)
        .take(count)
        .collect();
    if free.len() < count {
        return Err(Error::NotReady(format!(
            "only {} recent slots are free to derive {count} new lookup tables from",
            free.len()
        ))
        .into());
    }
    let mut created = Vec::with_capacity(count);
    for slots in free.chunks(CREATES_PER_TX) {
        let (instructions, chunk): (Vec<_>, Vec<Pubkey>) = slots
            .iter()
            .map(|slot| create_lookup_table(authority.pubkey(), payer.pubkey(), *slot))
            .unzip();
        record(&chunk)?;
        let expected = chunk.clone();
        send_transaction(
            backend,
            options,
            &instructions,
            payer,
            &[authority],
            // After an expired blockhash: created already means never sign again.
            &mut |b: &mut dyn Backend| {
                Ok(b.get_multiple_accounts(&expected)?
                    .iter()
                    .all(|a| a.as_ref().is_some_and(|a| a.owner == PROGRAM_ID)))
            },
        )?;
        created.extend(chunk);
    }
    Ok(created)
}

/// Appends addresses to tables (each list must fit its table's room): every chunk of every
/// table is simulated, signed and sent at once, then all are confirmed together by the
/// in-flight engine (one status query per poll). Chunks whose blockhash expired unconfirmed are settled from the tables'
/// contents: what is missing is appended again by [`extend`], which checks the table before it
/// ever signs again.
pub fn extend_many(
    backend: &mut dyn Backend,
    options: &SendOptions,
    payer: &Keypair,
    authority: &Keypair,
    plan: &[(Pubkey, Vec<Pubkey>)],
) -> Result<(), Error> {
    let mut flights = InFlight::new();
    let chunks = plan
        .iter()
        .flat_map(|(table, addresses)| addresses.chunks(EXTEND_CHUNK).map(move |c| (table, c)));
    for (table, chunk) in chunks {
        // A fresh blockhash per chunk (the embedded chain moves to a new one every transaction).
        let (blockhash, last_valid) = backend.latest_blockhash()?;
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
        submit(backend, &prepared.transaction)?;
        flights.track((), prepared.transaction, last_valid);
    }
    if await_all(backend, options, &mut flights)? {
        return Ok(());
    }
    let tables: Vec<Pubkey> = plan.iter().map(|(table, _)| *table).collect();
    let fetched = fetch_many(backend, &tables)?;
    for ((table, addresses), fetched) in plan.iter().zip(fetched) {
        let present = fetched.map(|t| t.addresses).unwrap_or_default();
        let missing: Vec<Pubkey> = addresses
            .iter()
            .filter(|a| !present.contains(a))
            .copied()
            .collect();
        extend(backend, options, payer, authority, table, &missing)?;
    }
    Ok(())
}

/// Polls `flights` until every one settled or `options.max_wait` passed; true when all were
/// confirmed. A failure is the error; an expiry (or the wait running out) leaves its chunk to
/// be settled from the table's contents.
fn await_all(
    backend: &mut dyn Backend,
    options: &SendOptions,
    flights: &mut InFlight<()>,
) -> Result<bool, Error> {
    let started = Instant::now();
    let mut all_confirmed = true;
    while !flights.is_empty() && started.elapsed() <= options.max_wait {
        for settled in flights.poll(backend)? {
            match settled.outcome {
                Outcome::Confirmed { .. } => {}
                Outcome::Failed { error, logs } => {
                    return Err(Error::from_transaction_error(&error, &logs));
                }
                Outcome::Expired => all_confirmed = false,
            }
        }
        if !flights.is_empty() {
            std::thread::sleep(backend.poll_interval());
        }
    }
    Ok(all_confirmed && flights.is_empty())
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
    use solana_hash::Hash;

    fn table_deactivated_at(slot: u64) -> Table {
        Table {
            address: Pubkey::new_unique(),
            addresses: Vec::new(),
            last_extended_slot: 0,
            deactivation_slot: slot,
            authority: Some(Pubkey::new_unique()),
        }
    }

    fn hashes(slots: std::ops::RangeInclusive<u64>) -> SlotHashes {
        let entries: Vec<(u64, Hash)> = slots.map(|s| (s, Hash::new_unique())).collect();
        SlotHashes::new(&entries)
    }

    #[test]
    fn a_table_is_closable_once_its_deactivation_slot_left_slot_hashes() {
        let recent = hashes(500..=1_011);
        assert_eq!(
            lifecycle(&table_deactivated_at(u64::MAX), 1_012, &recent),
            Lifecycle::Active
        );
        // Newest first: slot 1,000 is at position 11 of 512, so 501 more slots to go.
        assert_eq!(
            lifecycle(&table_deactivated_at(1_000), 1_012, &recent),
            Lifecycle::CoolingDown {
                remaining_slots: 501
            }
        );
        assert_eq!(
            lifecycle(&table_deactivated_at(1_012), 1_012, &recent),
            Lifecycle::CoolingDown {
                remaining_slots: 513
            },
            "deactivated in the current slot"
        );
        assert_eq!(
            lifecycle(&table_deactivated_at(499), 1_012, &recent),
            Lifecycle::Closable
        );
        assert_eq!(
            lifecycle(&table_deactivated_at(2_000), 1_012, &recent),
            Lifecycle::CoolingDown {
                remaining_slots: 513
            },
            "a slot this node has not reached yet is never taken as cooled down"
        );
    }

    #[test]
    fn decodes_the_slot_hashes_sysvar_and_refuses_a_short_one() {
        let hash = Hash::new_unique();
        let mut data = 2u64.to_le_bytes().to_vec();
        for slot in [9u64, 8] {
            data.extend_from_slice(&slot.to_le_bytes());
            data.extend_from_slice(hash.as_ref());
        }
        let decoded = decode_slot_hashes(&data).unwrap();
        assert_eq!(decoded.slot_hashes(), &[(9, hash), (8, hash)]);
        assert!(decode_slot_hashes(&data[..50]).is_err());
        assert!(decode_slot_hashes(&[1, 2]).is_err());
    }

    #[test]
    fn decodes_the_program_layout() {
        let authority = Pubkey::new_unique();
        let a = Pubkey::new_unique();
        let b = Pubkey::new_unique();
        // The program's layout, written out by hand as an independent check of the decoder:
        // u32 tag 1, deactivation slot, last extended slot, start index, optional authority,
        // padding, then the addresses.
        let mut data = vec![0u8; 56];
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
        let mut data = vec![0u8; 56 + 5];
        data[..4].copy_from_slice(&1u32.to_le_bytes());
        assert!(decode(Pubkey::new_unique(), &data).is_err());
    }
}
