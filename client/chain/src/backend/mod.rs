//! One chain abstraction, two implementations: [`embedded::EmbeddedBackend`] (litesvm in
//! process, state kept in a file) and [`rpc::RpcBackend`] (any Solana JSON-RPC URL). Commands,
//! the transaction sender and the demo are written once against [`Backend`].
use std::time::Duration;

use anchor_lang::Discriminator;
use anchor_lang::prelude::Pubkey;
use clipstake::state::{Campaign, Platform, Submission};
use solana_account::Account;
use solana_clock::Clock;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

pub use clipstake_sdk::accounts::AccountFilter;
use clipstake_sdk::instructions::{CampaignAccount, SubmissionAccount};
use clipstake_sdk::{accounts, pda};

use crate::Error;

#[cfg(feature = "embedded")]
pub mod embedded;
pub mod rpc;

/// Result of simulating a transaction.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Why it would fail, if it would.
    pub err: Option<TransactionError>,
    /// Program logs.
    pub logs: Vec<String>,
    /// Compute units the transaction consumed.
    pub units_consumed: u64,
    /// Inner instructions (CPIs) under each top-level instruction, in order, when the backend
    /// reports them (a transaction's whole trace, top-level plus inner, may hold 64 entries).
    pub inner_per_instruction: Option<Vec<usize>>,
}

/// What the cluster knows about a sent transaction.
#[derive(Debug, Clone)]
pub struct TxStatus {
    /// Slot it landed in.
    pub slot: u64,
    /// Why it failed, if it did (a failed transaction still lands and pays its fee).
    pub err: Option<TransactionError>,
    /// True once it reached the commitment the backend was asked for.
    pub confirmed: bool,
    /// Program logs, when the backend has them cheaply (embedded).
    pub logs: Vec<String>,
}

/// A Solana chain the client can read and write.
pub trait Backend {
    /// Human description: `embedded (ledger path)` or the RPC URL.
    fn describe(&self) -> String;

    /// True for the in-process chain (which can airdrop freely and travel in time).
    fn is_embedded(&self) -> bool {
        false
    }

    /// How long the sender waits between status polls.
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(400)
    }

    /// How long the sender waits before resending the same signed bytes.
    fn resend_interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    /// The latest blockhash and the last block height at which it is valid.
    fn latest_blockhash(&mut self) -> Result<(Hash, u64), Error>;

    /// The current block height (for blockhash expiry).
    fn block_height(&mut self) -> Result<u64, Error>;

    /// The current slot at the backend's commitment (address lookup tables are created at a
    /// recent slot and usable from the slot after they were extended).
    fn slot(&mut self) -> Result<u64, Error>;

    /// Simulates a transaction (signatures are not checked on RPC).
    fn simulate(&mut self, transaction: &VersionedTransaction) -> Result<Simulation, Error>;

    /// Submits a signed transaction without preflight; its fate is read with
    /// [`Backend::signature_statuses`].
    fn send(&mut self, transaction: &VersionedTransaction) -> Result<Signature, Error>;

    /// Statuses of up to any number of signatures (batched by the backend);
    /// `search_history` also looks beyond the recent status cache.
    fn signature_statuses(
        &mut self,
        signatures: &[Signature],
        search_history: bool,
    ) -> Result<Vec<Option<TxStatus>>, Error>;

    /// Accounts at `addresses`, `None` where there is none (batched by the backend).
    fn get_multiple_accounts(
        &mut self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, Error>;

    /// The account at `address`, if any.
    fn get_account(&mut self, address: &Pubkey) -> Result<Option<Account>, Error> {
        Ok(self.get_multiple_accounts(&[*address])?.pop().flatten())
    }

    /// All accounts of `program` passing every filter.
    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, Error>;

    /// The chain's clock.
    fn clock(&mut self) -> Result<Clock, Error>;

    /// Lamports an account of `data_len` bytes needs to be rent exempt.
    fn minimum_balance_for_rent_exemption(&mut self, data_len: usize) -> Result<u64, Error>;

    /// Gives `to` some lamports (embedded: from the built-in faucet; RPC: `requestAirdrop`,
    /// which only test clusters grant).
    fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), Error>;

    /// Moves the chain's clock forward by `seconds` (embedded only).
    fn warp(&mut self, seconds: i64) -> Result<Clock, Error> {
        let _ = seconds;
        Err(Error::Unsupported(format!(
            "time travel works only on the embedded backend, not on {}",
            self.describe()
        )))
    }
}

/// Typed reads of ClipStake and token accounts, for every backend.
pub trait BackendExt: Backend {
    /// The platform settings, or `NotFound`.
    fn platform(&mut self) -> Result<Platform, Error> {
        let address = pda::platform();
        match self.get_account(&address)? {
            Some(account) if account.owner == clipstake::ID => accounts::decode(&account.data),
            _ => Err(Error::NotFound(format!(
                "the platform is not initialised on {} (run `clipstake platform init`)",
                self.describe()
            ))),
        }
    }

    /// A campaign, or `NotFound`.
    fn campaign(&mut self, address: &Pubkey) -> Result<CampaignAccount, Error> {
        match self.get_account(address)? {
            Some(account)
                if account.owner == clipstake::ID
                    && has_discriminator::<Campaign>(&account.data) =>
            {
                Ok(CampaignAccount {
                    address: *address,
                    state: accounts::decode(&account.data)?,
                })
            }
            _ => Err(Error::NotFound(format!(
                "campaign {address} not found on {}",
                self.describe()
            ))),
        }
    }

    /// A submission, or `NotFound`.
    fn submission(&mut self, address: &Pubkey) -> Result<SubmissionAccount, Error> {
        match self.get_account(address)? {
            Some(account)
                if account.owner == clipstake::ID
                    && has_discriminator::<Submission>(&account.data) =>
            {
                Ok(SubmissionAccount {
                    address: *address,
                    state: accounts::decode(&account.data)?,
                })
            }
            _ => Err(Error::NotFound(format!(
                "submission {address} not found on {}",
                self.describe()
            ))),
        }
    }

    /// All campaigns passing `filters` (the discriminator filter is added here).
    fn campaigns(&mut self, filters: &[AccountFilter]) -> Result<Vec<CampaignAccount>, Error> {
        let mut all = vec![accounts::discriminator_filter::<Campaign>()];
        all.extend_from_slice(filters);
        let mut found = Vec::new();
        for (address, account) in self.get_program_accounts(&clipstake::ID, &all)? {
            found.push(CampaignAccount {
                address,
                state: accounts::decode(&account.data)?,
            });
        }
        found.sort_by_key(|c| (c.state.brand, c.state.campaign_id));
        Ok(found)
    }

    /// All submissions passing `filters` (the discriminator filter is added here).
    fn submissions(&mut self, filters: &[AccountFilter]) -> Result<Vec<SubmissionAccount>, Error> {
        let mut all = vec![accounts::discriminator_filter::<Submission>()];
        all.extend_from_slice(filters);
        let mut found = Vec::new();
        for (address, account) in self.get_program_accounts(&clipstake::ID, &all)? {
            found.push(SubmissionAccount {
                address,
                state: accounts::decode(&account.data)?,
            });
        }
        found.sort_by_key(|s| (s.state.registered_at, s.address));
        Ok(found)
    }

    /// Lamports of an account (0 when it does not exist).
    fn lamports(&mut self, address: &Pubkey) -> Result<u64, Error> {
        Ok(self.get_account(address)?.map(|a| a.lamports).unwrap_or(0))
    }

    /// Token balance of a token account (0 when it does not exist).
    fn token_balance(&mut self, token_account: &Pubkey) -> Result<u64, Error> {
        Ok(self
            .get_account(token_account)?
            .map(|a| accounts::token_account_amount(&a.data))
            .transpose()?
            .unwrap_or(0))
    }

    /// A mint's decimals and token program, or `NotFound`.
    fn mint(&mut self, mint: &Pubkey) -> Result<accounts::MintInfo, Error> {
        let account = self.get_account(mint)?.ok_or_else(|| {
            Error::NotFound(format!("mint {mint} not found on {}", self.describe()))
        })?;
        accounts::mint_info(mint, &account)
    }
}

impl<T: Backend + ?Sized> BackendExt for T {}

fn has_discriminator<T: Discriminator>(data: &[u8]) -> bool {
    data.starts_with(T::DISCRIMINATOR)
}
