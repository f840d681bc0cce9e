//! The RPC backend: any Solana JSON-RPC endpoint through `solana-rpc-client`'s blocking client.
//!
//! It uses exactly the calls the sender and the commands need: `getLatestBlockhash`,
//! `simulateTransaction` (no signature check, blockhash replaced), `sendTransaction` with
//! `skipPreflight` (we simulated ourselves) and no node-side retries (we resend ourselves),
//! `getSignatureStatuses` in batches of 256, `getMultipleAccounts` in batches of 100,
//! `getBlockHeight` for blockhash expiry, and `getProgramAccounts` with memcmp filters.
use std::time::{Duration, Instant};

use anchor_lang::prelude::{Pubkey, pubkey};
use solana_account::Account;
use solana_clock::Clock;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_rpc_client::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
    RpcSimulateTransactionConfig, UiAccountEncoding, UiTransactionEncoding,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::RpcError;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;

use super::{AccountFilter, Backend, Simulation, TxStatus};
use crate::Error;

/// The clock sysvar.
const CLOCK_SYSVAR: Pubkey = pubkey!("SysvarC1ock11111111111111111111111111111111");
/// `getSignatureStatuses` takes at most this many signatures.
const MAX_SIGNATURES_PER_CALL: usize = 256;
/// `getMultipleAccounts` takes at most this many addresses.
const MAX_ACCOUNTS_PER_CALL: usize = 100;

/// A Solana cluster reached over JSON-RPC.
pub struct RpcBackend {
    client: RpcClient,
    url: String,
    commitment: CommitmentConfig,
}

impl RpcBackend {
    /// A client for `url` reading and confirming at `commitment`.
    pub fn new(url: &str, commitment: CommitmentConfig) -> Self {
        RpcBackend {
            client: RpcClient::new_with_timeout_and_commitment(
                url.to_string(),
                Duration::from_secs(30),
                commitment,
            ),
            url: url.to_string(),
            commitment,
        }
    }

    /// Wraps an existing client (e.g. one with a custom sender or mocks).
    pub fn from_client(client: RpcClient, url: &str, commitment: CommitmentConfig) -> Self {
        RpcBackend {
            client,
            url: url.to_string(),
            commitment,
        }
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Checks the endpoint answers (`getVersion`).
    pub fn check_reachable(&self) -> Result<String, Error> {
        self.client
            .get_version()
            .map(|v| v.solana_core)
            .map_err(|e| self.error(e))
    }

    /// Maps a client error: transaction refusals are decoded, everything else is a network or
    /// node problem.
    fn error(&self, error: ClientError) -> Error {
        if let Some(tx_error) = error.get_transaction_error() {
            let logs = match error.kind() {
                ErrorKind::RpcError(RpcError::RpcResponseError {
                    data: solana_rpc_client_api::request::RpcResponseErrorData::SendTransactionPreflightFailure(result),
                    ..
                }) => result.logs.clone().unwrap_or_default(),
                _ => Vec::new(),
            };
            return Error::from_transaction_error(&tx_error, &logs);
        }
        let unreachable = match error.kind() {
            ErrorKind::Reqwest(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            ErrorKind::Io(_) => true,
            _ => false,
        };
        let context = if unreachable {
            format!("cannot reach the RPC endpoint {}", self.url)
        } else {
            format!("the RPC endpoint {} failed", self.url)
        };
        Error::network(context, error)
    }
}

impl Backend for RpcBackend {
    fn describe(&self) -> String {
        self.url.clone()
    }

    /// Half a 400 ms slot, as `solana-rpc-client`'s own confirmation loop: a transaction is
    /// seen confirmed at most half a slot after it is, for one batched status query per poll.
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(200)
    }

    fn latest_blockhash(&mut self) -> Result<(Hash, u64), Error> {
        self.client
            .get_latest_blockhash_with_commitment(self.commitment)
            .map_err(|e| self.error(e))
    }

    fn block_height(&mut self) -> Result<u64, Error> {
        self.client
            .get_block_height_with_commitment(self.commitment)
            .map_err(|e| self.error(e))
    }

    fn slot(&mut self) -> Result<u64, Error> {
        self.client
            .get_slot_with_commitment(self.commitment)
            .map_err(|e| self.error(e))
    }

    fn simulate(&mut self, transaction: &VersionedTransaction) -> Result<Simulation, Error> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.commitment),
            encoding: Some(UiTransactionEncoding::Base64),
            inner_instructions: true,
            ..RpcSimulateTransactionConfig::default()
        };
        let top_level = transaction.message.instructions().len();
        let result = self
            .client
            .simulate_transaction_with_config(transaction, config)
            .map_err(|e| self.error(e))?
            .value;
        Ok(Simulation {
            err: result.err.map(Into::into),
            logs: result.logs.unwrap_or_default(),
            units_consumed: result.units_consumed.unwrap_or(0),
            inner_per_instruction: result.inner_instructions.map(|inner| {
                let mut counts = vec![0; top_level];
                for entry in inner {
                    if let Some(count) = counts.get_mut(usize::from(entry.index)) {
                        *count += entry.instructions.len();
                    }
                }
                counts
            }),
        })
    }

    fn send(&mut self, transaction: &VersionedTransaction) -> Result<Signature, Error> {
        let config = RpcSendTransactionConfig {
            skip_preflight: true,
            preflight_commitment: Some(self.commitment.commitment),
            encoding: Some(UiTransactionEncoding::Base64),
            max_retries: Some(0),
            min_context_slot: None,
        };
        self.client
            .send_transaction_with_config(transaction, config)
            .map_err(|e| self.error(e))
    }

    fn signature_statuses(
        &mut self,
        signatures: &[Signature],
        search_history: bool,
    ) -> Result<Vec<Option<TxStatus>>, Error> {
        let mut statuses = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(MAX_SIGNATURES_PER_CALL) {
            let response = if search_history {
                self.client.get_signature_statuses_with_history(chunk)
            } else {
                self.client.get_signature_statuses(chunk)
            }
            .map_err(|e| self.error(e))?;
            statuses.extend(response.value.into_iter().map(|status| {
                status.map(|s| TxStatus {
                    slot: s.slot,
                    confirmed: s.satisfies_commitment(self.commitment),
                    err: s.err,
                    logs: Vec::new(),
                })
            }));
        }
        Ok(statuses)
    }

    fn get_multiple_accounts(
        &mut self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, Error> {
        // Plain base64, not the client's default base64+zstd: ClipStake's accounts are a few
        // hundred bytes, which zstd barely shrinks, and compressing each one cost the local
        // validator a fifth of its time in the oracle's rounds.
        let config = RpcAccountInfoConfig {
            encoding: Some(UiAccountEncoding::Base64),
            commitment: Some(self.commitment),
            data_slice: None,
            min_context_slot: None,
        };
        let mut accounts = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(MAX_ACCOUNTS_PER_CALL) {
            let response = self
                .client
                .get_multiple_ui_accounts_with_config(chunk, config.clone())
                .map_err(|e| self.error(e))?;
            for (address, account) in chunk.iter().zip(response.value) {
                accounts.push(match account {
                    None => None,
                    Some(ui) => Some(ui.to_account().ok_or_else(|| {
                        Error::Decode(format!(
                            "{} answered account {address} in an encoding other than base64",
                            self.url
                        ))
                    })?),
                });
            }
        }
        Ok(accounts)
    }

    fn get_program_accounts(
        &mut self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, Error> {
        let filters = filters
            .iter()
            .map(|f| match f {
                AccountFilter::Memcmp { offset, bytes } => {
                    RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*offset, bytes.clone()))
                }
                AccountFilter::DataSize(len) => RpcFilterType::DataSize(*len),
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.commitment),
                ..RpcAccountInfoConfig::default()
            },
            with_context: None,
            sort_results: None,
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(program, config)
            .map_err(|e| self.error(e))?;
        accounts
            .into_iter()
            .map(|(address, ui)| {
                ui.to_account()
                    .map(|account| (address, account))
                    .ok_or_else(|| {
                        Error::Decode(format!("account {address} came back undecodable"))
                    })
            })
            .collect()
    }

    fn clock(&mut self) -> Result<Clock, Error> {
        let account = self
            .get_account(&CLOCK_SYSVAR)?
            .ok_or_else(|| Error::NotFound(format!("{} has no clock sysvar", self.url)))?;
        clock_from_sysvar_data(&account.data)
    }

    fn minimum_balance_for_rent_exemption(&mut self, data_len: usize) -> Result<u64, Error> {
        self.client
            .get_minimum_balance_for_rent_exemption(data_len)
            .map_err(|e| self.error(e))
    }

    fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), Error> {
        let signature = self
            .client
            .request_airdrop(to, lamports)
            .map_err(|e| self.error(e))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(Some(status)) = self.signature_statuses(&[signature], false)?.pop() {
                if let Some(err) = status.err {
                    return Err(Error::from_transaction_error(&err, &[]));
                }
                if status.confirmed {
                    return Ok(());
                }
            }
            std::thread::sleep(self.poll_interval());
        }
        Err(Error::Expired(format!(
            "airdrop {signature} was not confirmed within 60 s"
        )))
    }
}

/// Decodes the clock sysvar's bincode form.
fn clock_from_sysvar_data(data: &[u8]) -> Result<Clock, Error> {
    bincode::deserialize(data)
        .map_err(|e| Error::Decode(format!("the clock sysvar does not decode: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_clock_sysvar() {
        let mut data = Vec::new();
        for v in [5u64, 6, 7, 8] {
            data.extend_from_slice(&v.to_le_bytes());
        }
        data.extend_from_slice(&1_800_000_000i64.to_le_bytes());
        let clock = clock_from_sysvar_data(&data).unwrap();
        assert_eq!(
            (clock.slot, clock.epoch, clock.unix_timestamp),
            (5, 7, 1_800_000_000)
        );
        assert!(clock_from_sysvar_data(&data[..30]).is_err());
    }

    use solana_keypair::Keypair;
    use solana_signer::Signer;

    use crate::sender::{SendOptions, SendStatus, no_state_check, send_transaction};

    fn mock(url: &str) -> RpcBackend {
        RpcBackend::from_client(
            RpcClient::new_mock(url.to_string()),
            url,
            CommitmentConfig::confirmed(),
        )
    }

    fn transfer(payer: &Keypair) -> solana_instruction::Instruction {
        solana_system_interface::instruction::transfer(&payer.pubkey(), &Pubkey::new_unique(), 1)
    }

    /// The whole sender path over the real client and its wire encoding (the mock node decodes
    /// the base64 transaction we send and answers with its signature).
    #[test]
    fn the_sender_confirms_over_json_rpc() {
        let payer = Keypair::new();
        let mut backend = mock("succeeds");
        let sent = send_transaction(
            &mut backend,
            &SendOptions::default(),
            &[transfer(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap();
        assert_eq!(sent.status, SendStatus::Confirmed);
        assert_eq!(sent.signings, 1);
    }

    #[test]
    fn a_failed_status_is_decoded() {
        let payer = Keypair::new();
        let mut backend = mock("instruction_error");
        let err = send_transaction(
            &mut backend,
            &SendOptions::default(),
            &[transfer(&payer)],
            &payer,
            &[],
            &mut no_state_check,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Transaction(_)), "{err:?}");
    }

    #[test]
    fn statuses_are_batched_and_accounts_decoded() {
        let mut backend = mock("succeeds");
        let signatures: Vec<Signature> = (0..300u16)
            .map(|i| Signature::from([(i % 250) as u8 + 1; 64]))
            .collect();
        let statuses = backend.signature_statuses(&signatures, true).unwrap();
        assert_eq!(statuses.len(), 300);
        assert!(
            statuses
                .iter()
                .all(|s| s.as_ref().is_some_and(|s| s.confirmed && s.err.is_none()))
        );
        let accounts = backend
            .get_program_accounts(
                &Pubkey::new_unique(),
                &[AccountFilter::Memcmp {
                    offset: 8,
                    bytes: vec![1, 2],
                }],
            )
            .unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!(backend.block_height().unwrap(), 1234);
        assert_eq!(backend.latest_blockhash().unwrap().1, 1234);
        assert_eq!(backend.minimum_balance_for_rent_exemption(0).unwrap(), 20);
    }

    #[test]
    fn an_unreachable_endpoint_is_a_network_error() {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let mut backend = RpcBackend::new("http://127.0.0.1:1", CommitmentConfig::confirmed());
        match backend.latest_blockhash() {
            Err(Error::Network { context, .. }) => {
                assert!(context.contains("127.0.0.1:1"), "{context}")
            }
            other => panic!("expected a network error, got {other:?}"),
        }
    }
}
