//! The embedded backend: litesvm in process, with the program's SBF build loaded from
//! `target/deploy`, and the chain's state kept in a JSON file so successive CLI calls see the
//! same chain.
//!
//! What is persisted: every account that is not a builtin, loader-owned (programs and their
//! data), sysvar or feature account, plus the clock and the program's upgrade authority. On the
//! next call a fresh litesvm is built, the program is deployed again from the ELF with the
//! recorded upgrade authority, and the accounts are put back with `set_account`.
//!
//! Time follows the wall clock (it never goes backwards) and can be moved forward with
//! [`Backend::warp`], so a settlement window can pass in a test or the demo.
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anchor_lang::prelude::{Pubkey, pubkey};
use base64::Engine;
use litesvm::LiteSVM;
use serde::{Deserialize, Serialize};
use solana_account::Account;
use solana_clock::Clock;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_slot_hashes::SlotHashes;
use solana_transaction::versioned::VersionedTransaction;

use super::{AccountFilter, Backend, Simulation, TxStatus};
use clipstake_sdk::pda;

use crate::Error;

/// Format tag of the ledger file.
const LEDGER_FORMAT: &str = "clipstake-embedded-ledger/1";
/// Slots a blockhash stays valid, as on a real cluster.
const BLOCKHASH_VALIDITY_SLOTS: u64 = 150;

/// Owners whose accounts are rebuilt by litesvm itself and never persisted.
const NOT_PERSISTED_OWNERS: [Pubkey; 7] = [
    pubkey!("NativeLoader1111111111111111111111111111111"),
    pubkey!("BPFLoader1111111111111111111111111111111111"),
    pubkey!("BPFLoader2111111111111111111111111111111111"),
    pubkey!("BPFLoaderUpgradeab1e11111111111111111111111"),
    pubkey!("LoaderV411111111111111111111111111111111111"),
    pubkey!("Sysvar1111111111111111111111111111111111111"),
    pubkey!("Feature111111111111111111111111111111111111"),
];

/// Where the embedded chain lives and what it runs.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// The ledger file (`None`: in memory only, nothing persisted).
    pub ledger_path: Option<PathBuf>,
    /// The program's SBF build.
    pub program_so: PathBuf,
    /// Upgrade authority of the program when the ledger is new (an existing ledger keeps the
    /// one it recorded).
    pub deployer: Pubkey,
}

/// The ledger file's contents.
#[derive(Serialize, Deserialize)]
struct LedgerFile {
    format: String,
    program_id: String,
    upgrade_authority: String,
    clock: ClockState,
    accounts: BTreeMap<String, AccountState>,
}

#[derive(Serialize, Deserialize)]
struct ClockState {
    slot: u64,
    epoch_start_timestamp: i64,
    epoch: u64,
    leader_schedule_epoch: u64,
    unix_timestamp: i64,
}

#[derive(Serialize, Deserialize)]
struct AccountState {
    lamports: u64,
    owner: String,
    executable: bool,
    rent_epoch: u64,
    /// Base64 of the account data.
    data: String,
}

/// litesvm with the program deployed, persisted to a file after every state change.
pub struct EmbeddedBackend {
    svm: LiteSVM,
    ledger_path: Option<PathBuf>,
    upgrade_authority: Pubkey,
    statuses: HashMap<Signature, TxStatus>,
    /// An exclusive lock on `<ledger>.lock`, held while this process uses the ledger, so two
    /// CLI calls on the same ledger run one after the other instead of losing updates.
    _lock: Option<std::fs::File>,
}

fn wall_clock_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn parse_pubkey(path: &Path, text: &str, what: &str) -> Result<Pubkey, Error> {
    text.parse()
        .map_err(|_| corrupt(path, format!("bad {what} address {text:?}")))
}

fn corrupt(path: &Path, reason: String) -> Error {
    Error::CorruptFile {
        path: path.to_path_buf(),
        what: "embedded ledger",
        reason,
    }
}

fn embedded(action: &'static str) -> impl Fn(litesvm::error::LiteSVMError) -> Error {
    move |e| Error::Embedded {
        action,
        source: Box::new(e),
    }
}

impl EmbeddedBackend {
    /// Opens (or creates) the embedded chain described by `options`.
    pub fn open(options: &EmbeddedOptions) -> Result<Self, Error> {
        // A file that cannot be read is an I/O failure (the CLI's exit 1), not an account
        // missing on chain (exit 5).
        let elf = std::fs::read(&options.program_so)
            .map_err(Error::io("read the program ELF", &options.program_so))?;
        let lock = match &options.ledger_path {
            Some(path) => Some(lock_ledger(path)?),
            None => None,
        };
        let saved = match &options.ledger_path {
            Some(path) if path.exists() => Some((path, read_ledger(path)?)),
            _ => None,
        };
        let upgrade_authority = match &saved {
            Some((path, ledger)) => {
                parse_pubkey(path, &ledger.upgrade_authority, "upgrade authority")?
            }
            None => options.deployer,
        };
        let mut backend = Self::with_program(&elf, upgrade_authority)?;
        backend.ledger_path = options.ledger_path.clone();
        backend._lock = lock;
        match saved {
            Some((path, ledger)) => backend.restore(path, ledger)?,
            None => {
                backend.set_unix_timestamp(wall_clock_now());
                backend.persist()?;
            }
        }
        Ok(backend)
    }

    /// An in-memory chain running `elf` (nothing persisted), for tests.
    pub fn in_memory(elf: &[u8], upgrade_authority: Pubkey) -> Result<Self, Error> {
        let mut backend = Self::with_program(elf, upgrade_authority)?;
        backend.set_unix_timestamp(wall_clock_now());
        Ok(backend)
    }

    fn with_program(elf: &[u8], upgrade_authority: Pubkey) -> Result<Self, Error> {
        let mut svm = LiteSVM::new();
        svm.add_program(clipstake::ID, elf)
            .map_err(embedded("load the program ELF"))?;
        set_upgrade_authority(&mut svm, &upgrade_authority)?;
        Ok(EmbeddedBackend {
            svm,
            ledger_path: None,
            upgrade_authority,
            statuses: HashMap::new(),
            _lock: None,
        })
    }

    /// The program's upgrade authority on this chain.
    pub fn upgrade_authority(&self) -> Pubkey {
        self.upgrade_authority
    }

    /// The ledger file, if persisted.
    pub fn ledger_path(&self) -> Option<&Path> {
        self.ledger_path.as_deref()
    }

    /// Number of persisted (user) accounts.
    pub fn persisted_account_count(&self) -> usize {
        self.persisted_accounts().count()
    }

    fn set_unix_timestamp(&mut self, unix_timestamp: i64) {
        let mut clock: Clock = self.svm.get_sysvar();
        clock.unix_timestamp = unix_timestamp;
        self.svm.set_sysvar(&clock);
    }

    fn restore(&mut self, path: &Path, ledger: LedgerFile) -> Result<(), Error> {
        if ledger.format != LEDGER_FORMAT {
            return Err(corrupt(
                path,
                format!(
                    "it has format {:?}, this build reads {LEDGER_FORMAT:?}",
                    ledger.format
                ),
            ));
        }
        for (address, state) in ledger.accounts {
            let address = parse_pubkey(path, &address, "account")?;
            let data = base64::engine::general_purpose::STANDARD
                .decode(&state.data)
                .map_err(|e| corrupt(path, format!("account {address}: {e}")))?;
            let account = Account {
                lamports: state.lamports,
                data,
                owner: parse_pubkey(path, &state.owner, "owner")?,
                executable: state.executable,
                rent_epoch: state.rent_epoch,
            };
            self.svm
                .set_account(address, account)
                .map_err(embedded("restore an account"))?;
        }
        let clock = Clock {
            slot: ledger.clock.slot,
            epoch_start_timestamp: ledger.clock.epoch_start_timestamp,
            epoch: ledger.clock.epoch,
            leader_schedule_epoch: ledger.clock.leader_schedule_epoch,
            // Time follows the wall clock but never goes back (a warp stays in effect).
            unix_timestamp: ledger.clock.unix_timestamp.max(wall_clock_now()),
        };
        self.svm.set_sysvar(&clock);
        // Sysvars are not persisted: a validator that had been running would hold the last
        // 512 slots (lookup tables are derived from, and cool down against, those).
        self.record_skipped_slot_hashes(
            clock
                .slot
                .saturating_sub(solana_slot_hashes::MAX_ENTRIES as u64),
            clock.slot,
        );
        Ok(())
    }

    fn persisted_accounts(
        &self,
    ) -> impl Iterator<Item = (&Pubkey, &solana_account::AccountSharedData)> {
        use solana_account::ReadableAccount;
        let airdrop = self.svm.airdrop_pubkey();
        self.svm
            .accounts_db()
            .inner
            .iter()
            .filter(move |(address, account)| {
                **address != airdrop
                    && account.lamports() > 0
                    && !account.executable()
                    && !NOT_PERSISTED_OWNERS.contains(account.owner())
            })
    }

    /// Writes the ledger file (atomically: a temporary file renamed over it).
    pub fn persist(&self) -> Result<(), Error> {
        use solana_account::ReadableAccount;
        let Some(path) = &self.ledger_path else {
            return Ok(());
        };
        let clock: Clock = self.svm.get_sysvar();
        let accounts = self
            .persisted_accounts()
            .map(|(address, account)| {
                (
                    address.to_string(),
                    AccountState {
                        lamports: account.lamports(),
                        owner: account.owner().to_string(),
                        executable: account.executable(),
                        rent_epoch: account.rent_epoch(),
                        data: base64::engine::general_purpose::STANDARD.encode(account.data()),
                    },
                )
            })
            .collect();
        let ledger = LedgerFile {
            format: LEDGER_FORMAT.to_string(),
            program_id: clipstake::ID.to_string(),
            upgrade_authority: self.upgrade_authority.to_string(),
            clock: ClockState {
                slot: clock.slot,
                epoch_start_timestamp: clock.epoch_start_timestamp,
                epoch: clock.epoch,
                leader_schedule_epoch: clock.leader_schedule_epoch,
                unix_timestamp: clock.unix_timestamp,
            },
            accounts,
        };
        let io = |e| Error::io("write the embedded ledger", path)(e);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // Every field is a string or a number: serialising it cannot fail.
        let json = serde_json::to_vec(&ledger).expect("the ledger serialises");
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(())
    }

    /// After every processed transaction: a new slot and blockhash (so the same instructions
    /// can be sent again), and time catches up with the wall clock.
    /// Records `slot`'s hash in SlotHashes as a validator does when a slot ends, so address
    /// lookup tables (created at a recent slot found there) work here as on a cluster.
    fn record_slot_hash(&mut self, slot: u64) {
        let mut slot_hashes: SlotHashes = self.svm.get_sysvar();
        slot_hashes.add(slot, self.svm.latest_blockhash());
        self.svm.set_sysvar(&slot_hashes);
    }

    /// Records the hashes of the slots from `from` to just before `to`, as a validator that
    /// lived through them would have: SlotHashes keeps the newest 512, and a deactivated
    /// lookup table can be closed only once its deactivation slot has left it.
    fn record_skipped_slot_hashes(&mut self, from: u64, to: u64) {
        use sha2::Digest;
        let old: SlotHashes = self.svm.get_sysvar();
        let newest = to.saturating_sub(1);
        let oldest = from.max(newest.saturating_sub(solana_slot_hashes::MAX_ENTRIES as u64 - 1));
        let mut entries: Vec<(u64, Hash)> = old.slot_hashes().to_vec();
        entries.extend((oldest..=newest).map(|slot| {
            let digest = sha2::Sha256::digest(slot.to_le_bytes());
            (slot, Hash::new_from_array(digest.into()))
        }));
        entries.sort_by(|(a, _), (b, _)| b.cmp(a));
        entries.dedup_by_key(|(slot, _)| *slot);
        entries.truncate(solana_slot_hashes::MAX_ENTRIES);
        self.svm.set_sysvar(&SlotHashes::new(&entries));
    }

    fn advance(&mut self) {
        let mut clock: Clock = self.svm.get_sysvar();
        self.record_slot_hash(clock.slot);
        clock.slot += 1;
        clock.unix_timestamp = clock.unix_timestamp.max(wall_clock_now());
        self.svm.set_sysvar(&clock);
        self.svm.expire_blockhash();
    }
}

/// Takes the ledger's lock file, waiting for another process holding it.
fn lock_ledger(path: &Path) -> Result<std::fs::File, Error> {
    let io = |e| Error::io("lock the embedded ledger", path)(e);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_extension("lock"))
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(file)
}

fn read_ledger(path: &Path) -> Result<LedgerFile, Error> {
    let bytes = std::fs::read(path).map_err(Error::io("read the embedded ledger", path))?;
    serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e.to_string()))
}

/// Rewrites the program data account so `authority` is the upgrade authority, as after a real
/// `solana program deploy` by that key.
fn set_upgrade_authority(svm: &mut LiteSVM, authority: &Pubkey) -> Result<(), Error> {
    use solana_loader_v3_interface::state::UpgradeableLoaderState;
    let address = pda::program_data();
    let mut account = svm.get_account(&address).ok_or_else(|| {
        Error::NotFound("the program data account is missing after deployment".into())
    })?;
    let metadata = UpgradeableLoaderState::size_of_programdata_metadata();
    let header = account
        .data
        .get_mut(..metadata)
        .ok_or_else(|| Error::Decode("the program data account is too short".into()))?;
    let slot = match bincode::deserialize(header) {
        Ok(UpgradeableLoaderState::ProgramData { slot, .. }) => slot,
        _ => return Err(Error::Decode(format!("{address} is not program data"))),
    };
    let state = UpgradeableLoaderState::ProgramData {
        slot,
        upgrade_authority_address: Some(*authority),
    };
    bincode::serialize_into(&mut header[..], &state).map_err(|e| Error::Build {
        what: "the program data header",
        source: e,
    })?;
    svm.set_account(address, account)
        .map_err(embedded("set the upgrade authority"))
}

impl Backend for EmbeddedBackend {
    fn describe(&self) -> String {
        match &self.ledger_path {
            Some(path) => format!("the embedded chain ({})", path.display()),
            None => "the embedded chain (in memory)".to_string(),
        }
    }

    fn is_embedded(&self) -> bool {
        true
    }

    fn poll_interval(&self) -> Duration {
        Duration::ZERO
    }

    fn resend_interval(&self) -> Duration {
        Duration::ZERO
    }

    fn latest_blockhash(&mut self) -> Result<(Hash, u64), Error> {
        let clock: Clock = self.svm.get_sysvar();
        Ok((
            self.svm.latest_blockhash(),
            clock.slot + BLOCKHASH_VALIDITY_SLOTS,
        ))
    }

    fn block_height(&mut self) -> Result<u64, Error> {
        Ok(self.svm.get_sysvar::<Clock>().slot)
    }

    fn slot(&mut self) -> Result<u64, Error> {
        Ok(self.svm.get_sysvar::<Clock>().slot)
    }

    fn simulate(&mut self, transaction: &VersionedTransaction) -> Result<Simulation, Error> {
        let top_level = transaction.message.instructions().len();
        // litesvm lists the inner instructions of every top-level instruction, by position.
        fn per_instruction<T>(top_level: usize, inner: &[Vec<T>]) -> Option<Vec<usize>> {
            let mut counts: Vec<usize> = inner.iter().map(Vec::len).collect();
            counts.resize(top_level.max(counts.len()), 0);
            Some(counts)
        }
        Ok(match self.svm.simulate_transaction(transaction.clone()) {
            Ok(info) => Simulation {
                err: None,
                inner_per_instruction: per_instruction(top_level, &info.meta.inner_instructions),
                logs: info.meta.logs,
                units_consumed: info.meta.compute_units_consumed,
            },
            Err(failed) => Simulation {
                err: Some(failed.err),
                inner_per_instruction: per_instruction(top_level, &failed.meta.inner_instructions),
                logs: failed.meta.logs,
                units_consumed: failed.meta.compute_units_consumed,
            },
        })
    }

    fn send(&mut self, transaction: &VersionedTransaction) -> Result<Signature, Error> {
        let signature = transaction.signatures.first().copied().unwrap_or_default();
        if self.statuses.contains_key(&signature) {
            // Already processed: a cluster drops the duplicate too.
            return Ok(signature);
        }
        let slot = self.svm.get_sysvar::<Clock>().slot;
        match self.svm.send_transaction(transaction.clone()) {
            Ok(meta) => {
                self.statuses.insert(
                    signature,
                    TxStatus {
                        slot,
                        err: None,
                        confirmed: true,
                        logs: meta.logs,
                    },
                );
                self.advance();
                self.persist()?;
                Ok(signature)
            }
            Err(failed) => {
                if self.svm.get_transaction(&signature).is_some() {
                    // It landed and failed, as it would on a cluster.
                    self.statuses.insert(
                        signature,
                        TxStatus {
                            slot,
                            err: Some(failed.err),
                            confirmed: true,
                            logs: failed.meta.logs,
                        },
                    );
                    self.advance();
                    Ok(signature)
                } else {
                    // Refused before execution (bad signature, unknown blockhash, no fee...).
                    Err(Error::from_transaction_error(
                        &failed.err,
                        &failed.meta.logs,
                    ))
                }
            }
        }
    }

    fn signature_statuses(
        &mut self,
        signatures: &[Signature],
        _search_history: bool,
    ) -> Result<Vec<Option<TxStatus>>, Error> {
        Ok(signatures
            .iter()
            .map(|s| self.statuses.get(s).cloned())
            .collect())
    }

    fn get_multiple_accounts(
        &mut self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, Error> {
        Ok(addresses
            .iter()
            .map(|a| {
                self.svm
                    .get_account(a)
                    .filter(|account| account.lamports > 0)
            })
            .collect())
    }

    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, Error> {
        Ok(self
            .svm
            .get_program_accounts(program)
            .into_iter()
            .filter(|(_, account)| {
                account.lamports > 0 && filters.iter().all(|f| f.matches(&account.data))
            })
            .collect())
    }

    fn clock(&mut self) -> Result<Clock, Error> {
        Ok(self.svm.get_sysvar())
    }

    fn minimum_balance_for_rent_exemption(&mut self, data_len: usize) -> Result<u64, Error> {
        Ok(self.svm.minimum_balance_for_rent_exemption(data_len))
    }

    fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), Error> {
        let result = self.svm.airdrop(to, lamports);
        self.advance();
        result.map_err(|failed| Error::from_transaction_error(&failed.err, &failed.meta.logs))?;
        self.persist()
    }

    fn warp(&mut self, seconds: i64) -> Result<Clock, Error> {
        if seconds < 0 {
            return Err(Error::Unsupported("time only moves forward".into()));
        }
        let mut clock: Clock = self.svm.get_sysvar();
        let from_slot = clock.slot;
        clock.unix_timestamp = clock.unix_timestamp.saturating_add(seconds);
        // 400 ms slots, as on a cluster.
        clock.slot = clock
            .slot
            .saturating_add((seconds as u64).saturating_mul(5) / 2);
        self.svm.set_sysvar(&clock);
        self.record_skipped_slot_hashes(from_slot, clock.slot);
        self.svm.expire_blockhash();
        self.persist()?;
        Ok(clock)
    }
}
