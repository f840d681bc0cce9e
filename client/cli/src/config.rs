//! Global flags (like the Solana CLI's), the Solana CLI config file, keypair loading, cluster
//! monikers, and the [`Ctx`] every command runs with.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use clap::{Args, ValueEnum};
use clipstake_client::Error;
use clipstake_client::backend::embedded::{EmbeddedBackend, EmbeddedOptions};
use clipstake_client::backend::rpc::RpcBackend;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::{self, SendOptions, SendStatus, Sent};
use solana_commitment_config::CommitmentConfig;
use solana_instruction::Instruction;
use solana_keypair::{Keypair, read_keypair_file, write_keypair_file};
use solana_signer::Signer;

use super::{CliError, ExitCode};
use crate::signer::SignerSource;

/// Lamports per SOL.
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;
/// The embedded backend tops signers up to this when they fall below `EMBEDDED_LOW_WATER`.
const EMBEDDED_AIRDROP: u64 = 100 * LAMPORTS_PER_SOL;
const EMBEDDED_LOW_WATER: u64 = 10 * LAMPORTS_PER_SOL;
/// The embedded ledger, relative to the current directory.
pub const DEFAULT_LEDGER: &str = ".clipstake/embedded-ledger.json";
/// Where the SBF build lands, relative to the workspace root.
const PROGRAM_SO: &str = "target/deploy/clipstake.so";

/// Confirmation level, as in the Solana CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Commitment {
    /// Seen by the node.
    Processed,
    /// Voted on by a supermajority.
    Confirmed,
    /// Rooted.
    Finalized,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human tables.
    Display,
    /// One JSON document on stdout, for scripts.
    Json,
}

/// Flags every command takes (before or after the subcommand).
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Cluster: `embedded` (the default: an in-process chain kept in the ledger file),
    /// `localhost`, `devnet`, `testnet`, `mainnet-beta` (or l/d/t/m), or an RPC URL.
    #[arg(
        short = 'u',
        long = "url",
        global = true,
        value_name = "URL_OR_MONIKER"
    )]
    pub url: Option<String>,

    /// The signer, as the Solana CLI takes one: a keypair file, `stdin`, `prompt://`, or a
    /// bare public key for commands that only need an address [default: `keypair_path` of
    /// the Solana CLI config, else ~/.config/solana/id.json].
    #[arg(short = 'k', long = "keypair", global = true, value_name = "KEYPAIR")]
    pub keypair: Option<String>,

    /// Signer that pays fees and rent instead of the signer (gas sponsorship): a keypair
    /// file, `stdin` or `prompt://`.
    #[arg(long = "fee-payer", global = true, value_name = "KEYPAIR")]
    pub fee_payer: Option<String>,

    /// Solana CLI config file [default: ~/.config/solana/cli/config.yml].
    #[arg(short = 'C', long = "config", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Commitment to read and confirm at.
    #[arg(long, global = true, value_enum, default_value_t = Commitment::Confirmed)]
    pub commitment: Commitment,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Display)]
    pub output: OutputFormat,

    /// Priority fee in micro-lamports per compute unit.
    #[arg(
        long = "with-compute-unit-price",
        global = true,
        value_name = "MICRO_LAMPORTS"
    )]
    pub compute_unit_price: Option<u64>,

    /// Simulate transactions only; send nothing.
    #[arg(long = "dry-run", global = true)]
    pub dry_run: bool,

    /// The authority is this multisig vault (e.g. a Squads v4 vault): nothing is signed or
    /// sent; the command prints its instructions, the vault as signer (and payer unless
    /// --fee-payer is given), to propose as a vault transaction.
    #[arg(long, global = true, value_name = "VAULT", value_parser = parse_vault)]
    pub multisig: Option<Pubkey>,

    /// Print the program logs of refused transactions to stderr.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,

    /// Embedded backend: the ledger file [default: .clipstake/embedded-ledger.json].
    #[arg(
        long = "ledger-path",
        global = true,
        env = "CLIPSTAKE_EMBEDDED_STATE",
        value_name = "PATH"
    )]
    pub ledger_path: Option<PathBuf>,

    /// Embedded backend: the program's SBF build [default: target/deploy/clipstake.so in the
    /// current directory, one of its parents, or the workspace this binary was built from].
    #[arg(
        long = "program-so",
        global = true,
        env = "CLIPSTAKE_PROGRAM_SO",
        value_name = "PATH"
    )]
    pub program_so: Option<PathBuf>,
}

/// Where commands run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cluster {
    /// litesvm in process.
    Embedded,
    /// A JSON-RPC URL.
    Rpc(String),
}

/// Resolves `-u`: monikers like the Solana CLI's, `embedded`, or a URL.
pub fn parse_cluster(url: Option<&str>) -> Result<Cluster, CliError> {
    let Some(url) = url.map(str::trim) else {
        return Ok(Cluster::Embedded);
    };
    let rpc = |u: &str| Ok(Cluster::Rpc(u.to_string()));
    match url {
        "embedded" | "e" => Ok(Cluster::Embedded),
        "localhost" | "l" => rpc("http://localhost:8899"),
        "devnet" | "d" => rpc("https://api.devnet.solana.com"),
        "testnet" | "t" => rpc("https://api.testnet.solana.com"),
        "mainnet-beta" | "m" => rpc("https://api.mainnet-beta.solana.com"),
        u if u.starts_with("http://") || u.starts_with("https://") => rpc(u),
        other => Err(CliError::usage(format!(
            "unknown cluster {other:?}: use embedded, localhost, devnet, testnet, mainnet-beta or an http(s) URL"
        ))),
    }
}

/// Expands a leading `~` to the home directory.
pub fn expand_tilde(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => dirs::home_dir()
            .map(|h| h.join(rest))
            .unwrap_or_else(|| path.to_path_buf()),
        Err(_) => path.to_path_buf(),
    }
}

/// The Solana CLI config file's default location.
pub fn default_solana_config() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join(".config/solana/cli/config.yml"))
}

/// Reads one top-level `key: value` of the Solana CLI's YAML config (a flat map of strings;
/// no YAML library needed for it).
pub fn solana_config_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k.trim() != key || line.starts_with([' ', '\t']) {
            return None;
        }
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        (!v.is_empty()).then(|| v.to_string())
    })
}

fn parse_vault(text: &str) -> Result<Pubkey, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a base58 public key"))
}

/// Where the signer keypair comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeypairSource {
    /// `-k`: must resolve.
    Explicit(SignerSource),
    /// From the Solana CLI config or the default `id.json`; may be missing.
    Default(PathBuf),
}

/// `-k`, else the Solana CLI config's `keypair_path`, else ~/.config/solana/id.json.
pub fn keypair_source(global: &GlobalArgs) -> KeypairSource {
    if let Some(text) = &global.keypair {
        return KeypairSource::Explicit(SignerSource::parse(text));
    }
    let config_path = global
        .config
        .as_ref()
        .map(|p| expand_tilde(p))
        .or_else(default_solana_config);
    let configured = config_path
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| solana_config_value(&text, "keypair_path"));
    if let Some(keypair) = configured {
        return KeypairSource::Default(expand_tilde(Path::new(&keypair)));
    }
    let home = dirs::home_dir().unwrap_or_default();
    KeypairSource::Default(home.join(".config/solana/id.json"))
}

/// Reads a keypair file, with a message that says which file and why.
pub fn load_keypair(path: &Path, what: &str) -> Result<Keypair, CliError> {
    read_keypair_file(path).map_err(|e| {
        CliError::usage(format!(
            "cannot read the {what} keypair file {}: {e}",
            path.display()
        ))
    })
}

/// The program ELF for the embedded backend.
pub fn program_so_path(global: &GlobalArgs) -> Result<PathBuf, CliError> {
    if let Some(path) = &global.program_so {
        return Ok(expand_tilde(path));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    for dir in cwd.ancestors() {
        let candidate = dir.join(PROGRAM_SO);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    // This crate lives at client/cli: the workspace root is two levels up.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(PROGRAM_SO);
    if workspace.is_file() {
        return Ok(workspace);
    }
    Err(CliError::new(
        ExitCode::Generic,
        format!(
            "the program ELF {PROGRAM_SO} was not found in {} or its parents: build it with `make build`, \
             or set CLIPSTAKE_PROGRAM_SO / --program-so",
            cwd.display()
        ),
    ))
}

fn print_logs(logs: &[String]) {
    for line in logs {
        eprintln!("  log: {line}");
    }
}

/// Everything a command runs with.
pub struct Ctx {
    /// The chain.
    pub backend: Box<dyn Backend>,
    signer: Result<Keypair, CliError>,
    /// `-k` given as a bare public key: the signer's address without its keypair.
    signer_address: Option<Pubkey>,
    fee_payer: Option<Keypair>,
    /// How transactions are sent.
    pub send_options: SendOptions,
    /// Output format.
    pub output: OutputFormat,
    /// Notes for the user (stderr), e.g. which dev keypair the embedded backend used.
    pub notes: Vec<String>,
    /// `--multisig`: the vault that signs instead of `-k`.
    multisig: Option<Pubkey>,
    /// `--multisig`: the instructions a command would have sent, to print for a proposal.
    pub proposed: Vec<Instruction>,
}

impl Ctx {
    /// Resolves the flags: keypairs, backend (deploying and airdropping on the embedded one).
    pub fn new(global: &GlobalArgs) -> Result<Ctx, CliError> {
        let cluster = parse_cluster(global.url.as_deref())?;
        let fee_payer = match &global.fee_payer {
            Some(text) => Some(SignerSource::parse(text).keypair("fee payer")?),
            None => None,
        };
        let source = keypair_source(global);
        // A bare public key for `-k` serves the commands that only need the signer's address;
        // the others are refused when they ask for the keypair.
        let signer_address = match &source {
            KeypairSource::Explicit(SignerSource::Address(address)) => Some(*address),
            _ => None,
        };
        let mut notes = Vec::new();
        let (backend, signer) = match cluster {
            Cluster::Embedded => {
                let wallets = Wallets {
                    source: &source,
                    signer_address,
                    fee_payer: fee_payer.as_ref().map(|k| k.pubkey()),
                };
                embedded_chain(global, wallets, &mut notes)?
            }
            Cluster::Rpc(url) => rpc_chain(global, &url, &source)?,
        };
        Ok(Ctx {
            backend,
            signer,
            signer_address,
            fee_payer,
            send_options: SendOptions {
                compute_unit_price: global.compute_unit_price,
                dry_run: global.dry_run,
                on_failure_logs: global.verbose.then_some(print_logs as fn(&[String])),
                ..SendOptions::default()
            },
            output: global.output,
            notes,
            multisig: global.multisig,
            proposed: Vec::new(),
        })
    }

    /// The signer (`-k`), or the reason there is none.
    pub fn signer(&self) -> Result<&Keypair, CliError> {
        self.signer.as_ref().map_err(Clone::clone)
    }

    /// The signer's address: the `--multisig` vault, else `-k`'s (a bare public key, or its
    /// keypair's).
    pub fn signer_pubkey(&self) -> Result<Pubkey, CliError> {
        match (self.multisig, self.signer_address) {
            (Some(vault), _) => Ok(vault),
            (None, Some(address)) => Ok(address),
            (None, None) => Ok(self.signer()?.pubkey()),
        }
    }

    /// The `--multisig` vault, if the authority is one.
    pub fn multisig(&self) -> Option<Pubkey> {
        self.multisig
    }

    /// The fee payer: `--fee-payer`, else the signer.
    pub fn fee_payer(&self) -> Result<&Keypair, CliError> {
        match &self.fee_payer {
            Some(k) => Ok(k),
            None => self.signer(),
        }
    }

    /// The fee payer's address (the `--multisig` vault pays unless `--fee-payer` is given).
    pub fn fee_payer_pubkey(&self) -> Result<Pubkey, CliError> {
        match (&self.fee_payer, self.multisig) {
            (None, Some(vault)) => Ok(vault),
            _ => Ok(self.fee_payer()?.pubkey()),
        }
    }

    /// True when results go out as JSON.
    pub fn json(&self) -> bool {
        self.output == OutputFormat::Json
    }

    /// True when a progress bar may be drawn (a terminal, human output).
    pub fn progress_allowed(&self) -> bool {
        !self.json() && std::io::stderr().is_terminal()
    }

    /// Sends `instructions` signed by the signer, the fee payer and `extra_signers`, through the
    /// sender (simulate, compute budget, resend, check `already_applied` before re-signing).
    pub fn send(
        &mut self,
        instructions: &[Instruction],
        extra_signers: &[&Keypair],
        already_applied: &mut dyn FnMut(&mut dyn Backend) -> Result<bool, Error>,
    ) -> Result<Sent, CliError> {
        if self.multisig.is_some() {
            // Signed by the vault's members later: keep the instructions, report "not sent".
            self.proposed.extend_from_slice(instructions);
            return Ok(Sent {
                status: SendStatus::Simulated,
                signature: None,
                units_consumed: 0,
                compute_unit_limit: 0,
                signings: 0,
                logs: Vec::new(),
            });
        }
        let fee_payer = match &self.fee_payer {
            Some(k) => k,
            None => self.signer.as_ref().map_err(Clone::clone)?,
        };
        let mut signers: Vec<&Keypair> = extra_signers.to_vec();
        if let Ok(signer) = &self.signer {
            signers.push(signer);
        }
        sender::send_transaction(
            self.backend.as_mut(),
            &self.send_options,
            instructions,
            fee_payer,
            &signers,
            already_applied,
        )
        .map_err(CliError::from)
    }
}

/// The wallets the embedded chain deploys with and keeps funded.
struct Wallets<'a> {
    /// Where `-k` (or the default) says the signer is.
    source: &'a KeypairSource,
    /// `-k` as a bare public key.
    signer_address: Option<Pubkey>,
    /// `--fee-payer`'s address.
    fee_payer: Option<Pubkey>,
}

/// A chain and the signer's keypair (or why there is none).
type ChainAndSigner = (Box<dyn Backend>, Result<Keypair, CliError>);

/// The embedded chain: the signer (else the dev keypair beside the ledger) deploys the program
/// on a fresh ledger, and the signer and fee payer are topped up from its faucet.
fn embedded_chain(
    global: &GlobalArgs,
    wallets: Wallets<'_>,
    notes: &mut Vec<String>,
) -> Result<ChainAndSigner, CliError> {
    let ledger_path = global
        .ledger_path
        .as_ref()
        .map(|p| expand_tilde(p))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER));
    let signer = match wallets.source {
        KeypairSource::Explicit(source) => source.keypair("signer"),
        KeypairSource::Default(path) if path.exists() => Ok(load_keypair(path, "signer")?),
        KeypairSource::Default(path) => Ok(dev_keypair(&ledger_path, path, notes)?),
    };
    // The deployer (and the wallet topped up) is the signer's address, which a bare public key
    // gives without the keypair.
    let (signer, deployer) = match (signer, wallets.signer_address) {
        (Ok(signer), _) => {
            let deployer = signer.pubkey();
            (Ok(signer), deployer)
        }
        (Err(e), Some(address)) => (Err(e), address),
        (Err(e), None) => return Err(e),
    };
    let options = EmbeddedOptions {
        ledger_path: Some(ledger_path),
        program_so: program_so_path(global)?,
        deployer,
    };
    let mut backend = EmbeddedBackend::open(&options).map_err(CliError::from)?;
    for wallet in std::iter::once(deployer).chain(wallets.fee_payer) {
        if backend.lamports(&wallet)? < EMBEDDED_LOW_WATER {
            backend.airdrop(&wallet, EMBEDDED_AIRDROP)?;
        }
    }
    Ok((Box::new(backend), signer))
}

/// A fresh machine without a Solana keypair can still play on the embedded chain: a dev
/// keypair kept beside the ledger, created once (and said so in `notes`).
fn dev_keypair(
    ledger_path: &Path,
    missing: &Path,
    notes: &mut Vec<String>,
) -> Result<Keypair, CliError> {
    let dev = ledger_path.with_file_name("id.json");
    if !dev.exists() {
        let cannot = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
            CliError::new(
                ExitCode::Generic,
                format!("cannot {what} {}: {e}", path.display()),
            )
        };
        if let Some(parent) = dev.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| cannot("create", parent, &e))?;
        }
        write_keypair_file(&Keypair::new(), &dev).map_err(|e| cannot("write", &dev, &e))?;
        notes.push(format!(
            "no keypair at {}; created the embedded dev keypair {}",
            missing.display(),
            dev.display()
        ));
    }
    load_keypair(&dev, "embedded dev")
}

/// A cluster over JSON-RPC at `url`, and the signer: `-k` must resolve now (a bare public key
/// is kept for the commands that only need an address), the default may be missing until a
/// command needs it.
fn rpc_chain(
    global: &GlobalArgs,
    url: &str,
    source: &KeypairSource,
) -> Result<ChainAndSigner, CliError> {
    let commitment = match global.commitment {
        Commitment::Processed => CommitmentConfig::processed(),
        Commitment::Confirmed => CommitmentConfig::confirmed(),
        Commitment::Finalized => CommitmentConfig::finalized(),
    };
    let signer = match source {
        KeypairSource::Explicit(address @ SignerSource::Address(_)) => address.keypair("signer"),
        KeypairSource::Explicit(source) => Ok(source.keypair("signer")?),
        KeypairSource::Default(path) => load_keypair(path, "signer").map_err(|e| {
            CliError::usage(format!(
                "{} (pass -k/--keypair or create one with solana-keygen new)",
                e.message
            ))
        }),
    };
    Ok((Box::new(RpcBackend::new(url, commitment)), signer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_resolve_like_the_solana_cli() {
        assert_eq!(parse_cluster(None).unwrap(), Cluster::Embedded);
        assert_eq!(parse_cluster(Some("embedded")).unwrap(), Cluster::Embedded);
        assert_eq!(
            parse_cluster(Some("localhost")).unwrap(),
            Cluster::Rpc("http://localhost:8899".into())
        );
        assert_eq!(
            parse_cluster(Some("d")).unwrap(),
            Cluster::Rpc("https://api.devnet.solana.com".into())
        );
        assert_eq!(
            parse_cluster(Some("mainnet-beta")).unwrap(),
            Cluster::Rpc("https://api.mainnet-beta.solana.com".into())
        );
        assert_eq!(
            parse_cluster(Some("http://10.0.0.1:8899")).unwrap(),
            Cluster::Rpc("http://10.0.0.1:8899".into())
        );
        let err = parse_cluster(Some("marsnet")).unwrap_err();
        assert_eq!(err.code, ExitCode::Usage);
    }

    #[test]
    fn reads_the_solana_cli_config() {
        let yaml = "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: \"\"\n\
                    keypair_path: /home/me/.config/solana/dev.json\naddress_labels:\n  \
                    \"11111111111111111111111111111111\": System Program\ncommitment: confirmed\n";
        assert_eq!(
            solana_config_value(yaml, "keypair_path").as_deref(),
            Some("/home/me/.config/solana/dev.json")
        );
        assert_eq!(
            solana_config_value(yaml, "json_rpc_url").as_deref(),
            Some("https://api.devnet.solana.com")
        );
        assert_eq!(solana_config_value(yaml, "websocket_url"), None);
        assert_eq!(solana_config_value(yaml, "missing"), None);
    }
}
