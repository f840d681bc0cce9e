//! `clipstake-localnet`: a local Solana validator for ClipStake, built from crates.io alone.
//!
//! It runs a Surfpool simnet offline (no mainnet datasource, nothing fetched) behind the
//! standard Solana JSON-RPC and WebSocket APIs on loopback, with the ClipStake ELF deployed at
//! the program id as an upgradeable program whose upgrade authority the caller names (so
//! `clipstake platform init`, which only the upgrade authority may run, works as on a real
//! cluster). It runs in the foreground until SIGINT or SIGTERM and then stops the simnet
//! cleanly.
//!
//! ```text
//! clipstake-localnet --upgrade-authority ~/.config/solana/id.json --ready-file /tmp/url
//! clipstake -u localhost platform init ...
//! ```
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

use clap::Parser;
use crossbeam_channel::RecvTimeoutError;
use solana_account::Account;
use solana_pubkey::Pubkey;
use surfpool_core::runloops::start_local_surfnet_runloop;
use surfpool_core::surfnet::locker::SurfnetSvmLocker;
use surfpool_core::surfnet::svm::{SurfnetSvm, SurfnetSvmConfig};
use surfpool_types::{
    BlockProductionMode, RpcConfig, SimnetCommand, SimnetConfig, SimnetEvent, SurfpoolConfig,
};

/// The upgradeable BPF loader, which owns deployed programs.
const BPF_LOADER_UPGRADEABLE: Pubkey =
    Pubkey::from_str_const("BPFLoaderUpgradeab1e11111111111111111111111");
/// How long the simnet may take to bind its ports and start.
const READY_DEADLINE: Duration = Duration::from_secs(60);
/// How long it may take to stop after being asked.
const STOP_DEADLINE: Duration = Duration::from_secs(10);
/// Transaction profiles kept for `surfnet_getProfileResults` (profiling itself is off).
const PROFILES_KEPT: usize = 16;
/// Lamports a rent-exempt account needs per byte-year, times two years (Solana's rent).
const RENT_LAMPORTS_PER_BYTE: u64 = 6_960;
/// Bytes of account metadata that rent also charges for.
const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;

#[derive(Parser, Debug)]
#[command(
    name = "clipstake-localnet",
    version,
    about = "Run a local Solana JSON-RPC validator (Surfpool, offline) with ClipStake deployed"
)]
struct Args {
    /// The program ELF to deploy at the ClipStake program id.
    #[arg(
        long,
        env = "CLIPSTAKE_PROGRAM_SO",
        default_value = "target/deploy/clipstake.so"
    )]
    program: PathBuf,

    /// The program's upgrade authority (who may run `clipstake platform init`): a base58
    /// address or a keypair file. Defaults to the Solana CLI's default keypair when it exists;
    /// otherwise the program is deployed immutable.
    #[arg(long)]
    upgrade_authority: Option<String>,

    /// Address to bind the RPC and WebSocket servers to.
    #[arg(long, default_value = "127.0.0.1")]
    bind_address: String,

    /// JSON-RPC port (0 picks a free one).
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,

    /// WebSocket (PubSub) port (0 picks a free one).
    #[arg(long, default_value_t = 8900)]
    ws_port: u16,

    /// Slot time in milliseconds (mainnet: 400). A blockhash is valid for 150 slots.
    #[arg(long, default_value_t = 400)]
    slot_time_ms: u64,

    /// Addresses to fund at start (repeatable); the upgrade authority is always funded.
    #[arg(long = "airdrop", value_name = "ADDRESS")]
    airdrop: Vec<String>,

    /// SOL given to each `--airdrop` address.
    #[arg(long, default_value_t = 1_000)]
    airdrop_sol: u64,

    /// Write the RPC URL to this file once the validator is ready (for scripts and tests).
    #[arg(long)]
    ready_file: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let elf = std::fs::read(&args.program).map_err(|e| {
        format!(
            "cannot read the program ELF {} ({e}); build it with `make build` or pass --program",
            args.program.display()
        )
    })?;
    let upgrade_authority = match &args.upgrade_authority {
        Some(text) => Some(parse_address(text)?),
        None => default_keypair_address(),
    };
    let rpc_port = free_port_if_zero(&args.bind_address, args.rpc_port)?;
    let ws_port = free_port_if_zero(&args.bind_address, args.ws_port)?;
    let config = surfpool_config(&args, upgrade_authority, rpc_port, ws_port)?;
    let simnet = Simnet::start(config, args.slot_time_ms.max(1))?;
    let simnet = simnet.wait_until_started(rpc_port, ws_port)?;
    deploy(
        &simnet.locker,
        &Pubkey::new_from_array(clipstake::ID.to_bytes()),
        &elf,
        upgrade_authority,
    )?;

    let url = format!("http://{}:{rpc_port}", args.bind_address);
    println!(
        "ClipStake localnet ready\n  RPC URL:           {url}\n  WebSocket URL:     ws://{}:{ws_port}\n  \
         program:           {} ({} bytes)\n  upgrade authority: {}",
        args.bind_address,
        clipstake::ID,
        elf.len(),
        upgrade_authority.map_or("none (immutable)".to_string(), |a| a.to_string()),
    );
    if let Some(path) = &args.ready_file {
        write_atomically(path, &url)?;
    }
    let served = simnet.serve_until_signal();
    if let Some(path) = &args.ready_file {
        let _ = std::fs::remove_file(path);
    }
    served
}

/// The simnet's settings: offline, the given ports, the airdrops (the upgrade authority always
/// gets one: it pays for `platform init` and the demo, as on a fresh test validator).
fn surfpool_config(
    args: &Args,
    upgrade_authority: Option<Pubkey>,
    rpc_port: u16,
    ws_port: u16,
) -> Result<SurfpoolConfig, String> {
    let mut airdrop_addresses = args
        .airdrop
        .iter()
        .map(|a| parse_address(a))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(authority) = upgrade_authority.filter(|a| !airdrop_addresses.contains(a)) {
        airdrop_addresses.push(authority);
    }
    Ok(SurfpoolConfig {
        simnets: vec![SimnetConfig {
            // Offline: accounts that do not exist locally do not exist, nothing is fetched.
            offline_mode: true,
            remote_rpc_url: None,
            slot_time: args.slot_time_ms.max(1),
            block_production_mode: BlockProductionMode::Clock,
            airdrop_addresses,
            airdrop_token_amount: args.airdrop_sol.saturating_mul(1_000_000_000),
            instruction_profiling_enabled: false,
            ..SimnetConfig::default()
        }],
        rpc: RpcConfig {
            bind_host: args.bind_address.clone(),
            bind_port: rpc_port,
            ws_port,
            ..RpcConfig::default()
        },
        ..SurfpoolConfig::default()
    })
}

/// A running simnet: its state, its event stream, its command channel and its thread.
struct Simnet {
    locker: SurfnetSvmLocker,
    events: crossbeam_channel::Receiver<SimnetEvent>,
    commands: crossbeam_channel::Sender<SimnetCommand>,
    runloop: std::thread::JoinHandle<Result<(), String>>,
}

impl Simnet {
    fn start(config: SurfpoolConfig, slot_time_ms: u64) -> Result<Self, String> {
        // Instruction profiling (on by default) re-executes every instruction of every
        // transaction on a clone of the whole simnet: it made a payout batch take seconds.
        // Users debug with `simulateTransaction` logs instead.
        let (surfnet, events, geyser_events) = SurfnetSvm::new(SurfnetSvmConfig {
            instruction_profiling_enabled: false,
            max_profiles: PROFILES_KEPT,
            slot_time: slot_time_ms,
            ..SurfnetSvmConfig::default()
        })
        .map_err(|e| format!("cannot create the simnet: {e}"))?;
        let locker = SurfnetSvmLocker::new(surfnet);
        let (commands, commands_rx) = crossbeam_channel::unbounded::<SimnetCommand>();
        let runloop = {
            let locker = locker.clone();
            let commands = commands.clone();
            hiro_system_kit::thread_named("surfnet")
                .spawn(move || {
                    let run = start_local_surfnet_runloop(
                        locker,
                        config,
                        commands,
                        commands_rx,
                        geyser_events,
                    );
                    hiro_system_kit::nestable_block_on(run).map_err(|e| e.to_string())
                })
                .map_err(|e| format!("cannot start the simnet thread: {e}"))?
        };
        Ok(Simnet {
            locker,
            events,
            commands,
            runloop,
        })
    }

    /// Waits for the simnet's core to start, or says why it did not.
    fn wait_until_started(self, rpc_port: u16, ws_port: u16) -> Result<Self, String> {
        let deadline = Instant::now() + READY_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(SimnetEvent::CoreStarted(_)) => return Ok(self),
                Ok(SimnetEvent::Aborted(why)) => return Err(format!("the simnet aborted: {why}")),
                Ok(SimnetEvent::ErrorLog(_, message)) => eprintln!("simnet error: {message}"),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "the simnet did not start within {} s (is port {rpc_port} or {ws_port} in use?)",
                        READY_DEADLINE.as_secs()
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let why = match self.runloop.join() {
                        Ok(Err(e)) => e,
                        _ => "no reason given".into(),
                    };
                    return Err(format!(
                        "the simnet stopped while starting ({why}); is port {rpc_port} or {ws_port} in use?"
                    ));
                }
            }
        }
    }

    /// Runs until SIGINT or SIGTERM, then asks the simnet to terminate and waits for it.
    fn serve_until_signal(self) -> Result<(), String> {
        let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
        ctrlc::set_handler(move || {
            let _ = stop_tx.try_send(());
        })
        .map_err(|e| format!("cannot install the signal handler: {e}"))?;
        // Drain events so the simnet never blocks on a full channel; stop on a signal.
        loop {
            crossbeam_channel::select! {
                recv(stop_rx) -> _ => break,
                recv(self.events) -> event => match event {
                    Ok(SimnetEvent::Aborted(why)) => return Err(format!("the simnet aborted: {why}")),
                    Ok(_) => {}
                    Err(_) => return Err("the simnet stopped unexpectedly".into()),
                },
            }
        }
        let _ = self.commands.send(SimnetCommand::Terminate(None));
        let deadline = Instant::now() + STOP_DEADLINE;
        while !self.runloop.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if self.runloop.is_finished() {
            eprintln!("ClipStake localnet stopped");
            Ok(())
        } else {
            Err(format!(
                "the simnet did not stop within {} s",
                STOP_DEADLINE.as_secs()
            ))
        }
    }
}

/// Deploys `elf` at `program_id` as the upgradeable loader would: a program account pointing
/// at a program-data account holding the upgrade authority and the ELF.
fn deploy(
    locker: &SurfnetSvmLocker,
    program_id: &Pubkey,
    elf: &[u8],
    upgrade_authority: Option<Pubkey>,
) -> Result<(), String> {
    let (program_data, _) =
        Pubkey::find_program_address(&[program_id.as_ref()], &BPF_LOADER_UPGRADEABLE);
    // UpgradeableLoaderState::ProgramData: u32 tag 3, u64 slot, Option<Pubkey>, then the ELF.
    let mut data = Vec::with_capacity(45 + elf.len());
    data.extend_from_slice(&3u32.to_le_bytes());
    data.extend_from_slice(&0u64.to_le_bytes());
    match upgrade_authority {
        Some(authority) => {
            data.push(1);
            data.extend_from_slice(authority.as_ref());
        }
        None => data.extend_from_slice(&[0; 33]),
    }
    data.extend_from_slice(elf);
    let program_data_account = Account {
        lamports: rent_exempt(data.len()),
        data,
        owner: BPF_LOADER_UPGRADEABLE,
        executable: false,
        rent_epoch: 0,
    };
    // UpgradeableLoaderState::Program: u32 tag 2, the program-data address.
    let mut data = Vec::with_capacity(36);
    data.extend_from_slice(&2u32.to_le_bytes());
    data.extend_from_slice(program_data.as_ref());
    let program_account = Account {
        lamports: rent_exempt(data.len()),
        data,
        owner: BPF_LOADER_UPGRADEABLE,
        executable: true,
        rent_epoch: 0,
    };
    let program_id = *program_id;
    locker.with_svm_writer(move |svm| {
        // Program data first: loading the program account reads it.
        svm.set_account(&program_data, program_data_account)
            .map_err(|e| format!("cannot write the program data account: {e}"))?;
        svm.set_account(&program_id, program_account)
            .map_err(|e| format!("cannot deploy the program at {program_id}: {e}"))
    })
}

fn rent_exempt(data_len: usize) -> u64 {
    (data_len as u64 + ACCOUNT_STORAGE_OVERHEAD) * RENT_LAMPORTS_PER_BYTE
}

/// A base58 address, or the address of a keypair file (a JSON array of 64 bytes).
fn parse_address(text: &str) -> Result<Pubkey, String> {
    if let Ok(address) = Pubkey::from_str(text) {
        return Ok(address);
    }
    let path = expand_tilde(text);
    keypair_file_address(&path).map_err(|e| {
        format!("`{text}` is neither a base58 address nor a readable keypair file ({e})")
    })
}

fn keypair_file_address(path: &Path) -> Result<Pubkey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if bytes.len() != 64 {
        return Err(format!("expected 64 bytes, found {}", bytes.len()));
    }
    let public: [u8; 32] = bytes[32..]
        .try_into()
        .map_err(|_| "bad length".to_string())?;
    Ok(Pubkey::new_from_array(public))
}

/// The Solana CLI's default keypair (`~/.config/solana/id.json`), when it exists.
fn default_keypair_address() -> Option<Pubkey> {
    let path = dirs::home_dir()?.join(".config/solana/id.json");
    keypair_file_address(&path).ok()
}

fn expand_tilde(text: &str) -> PathBuf {
    match (text.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(text),
    }
}

fn free_port_if_zero(host: &str, port: u16) -> Result<u16, String> {
    if port != 0 {
        return Ok(port);
    }
    let listener = std::net::TcpListener::bind((host, 0))
        .map_err(|e| format!("cannot find a free port on {host}: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Writes via a temporary file and a rename, so a reader never sees half a URL.
fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
