//! `clipstake platform init|show|update|accept-admin` (the admin), and the admin's registries
//! (`platform oracle ...`, `platform trust-mint ...`, in [`super::platform_registry`]).
use std::fmt;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::instructions::{InitPlatformArgs, UpdatePlatformArgs};
use clipstake::state::Platform;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::Sent;
use clipstake_sdk::instructions as ix;
use clipstake_sdk::pda;
use serde::Serialize;

use super::platform_registry::{self, MintArg, OracleCommand};
use super::{Transaction, dry_run_report, parse_positive_duration, parse_pubkey, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Block, Report, duration, utc, write_blocks};

#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Initialises the platform, once per deployment; sign with the program's upgrade
    /// authority, who becomes the admin. Registers the signer as a payout oracle unless
    /// --oracle names another or --no-oracle is given.
    Init(InitArgs),
    /// Shows the platform settings.
    Show,
    /// Changes platform settings (sign with the admin); fee and settlement-window changes
    /// apply to campaigns created afterwards. --admin only proposes a new admin, who takes
    /// over with `platform accept-admin`.
    Update(UpdateArgs),
    /// Takes over as admin: sign (-k) with the key `platform update --admin` proposed.
    AcceptAdmin,
    /// Payout oracles campaigns may name: add, revoke, list (the admin).
    #[command(subcommand)]
    Oracle(OracleCommand),
    /// Trusts a mint's issuer (e.g. USDC): campaigns created afterwards in it skip the mint
    /// policy (freeze authority, extensions). Sign with the admin.
    TrustMint(MintArg),
    /// Stops trusting a mint's issuer, for campaigns created afterwards (sign with the admin).
    DistrustMint(MintArg),
    /// Lists the mints whose issuers the platform trusts.
    TrustedMints,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Wallet receiving platform fees [default: the signer].
    #[arg(long, value_parser = parse_pubkey)]
    pub treasury: Option<Pubkey>,
    /// Platform fee in basis points of every payout.
    #[arg(long, default_value_t = 250)]
    pub fee_bps: u16,
    /// Highest affiliate commission in basis points.
    #[arg(long, default_value_t = 2_000)]
    pub max_affiliate_bps: u16,
    /// Shortest settlement window a campaign may have (e.g. 1d, 12h, 20s).
    #[arg(long, value_parser = parse_positive_duration, default_value = "1d")]
    pub min_settlement_window: i64,
    /// Longest an oracle attestation may stay valid (e.g. 7d, 1h).
    #[arg(long, value_parser = parse_positive_duration, default_value = "7d")]
    pub max_attestation_lifetime: i64,
    /// The payout oracle to register with the platform [default: the signer].
    #[arg(long, value_parser = parse_pubkey, conflicts_with = "no_oracle")]
    pub oracle: Option<Pubkey>,
    /// Register no oracle (`clipstake platform oracle add` registers them later).
    #[arg(long)]
    pub no_oracle: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Proposes a new admin; the current admin stays in charge until the proposed key signs
    /// `clipstake platform accept-admin` (two steps, so a typo cannot lock the platform).
    #[arg(long, value_parser = parse_pubkey, conflicts_with = "cancel_admin")]
    pub admin: Option<Pubkey>,
    /// Withdraws a pending admin proposal.
    #[arg(long)]
    pub cancel_admin: bool,
    /// A new fee wallet.
    #[arg(long, value_parser = parse_pubkey)]
    pub treasury: Option<Pubkey>,
    /// A new platform fee in basis points.
    #[arg(long)]
    pub fee_bps: Option<u16>,
    /// A new maximum affiliate commission in basis points.
    #[arg(long)]
    pub max_affiliate_bps: Option<u16>,
    /// A new minimum settlement window (e.g. 1d; for campaigns created afterwards).
    #[arg(long, value_parser = parse_positive_duration)]
    pub min_settlement_window: Option<i64>,
    /// A new maximum attestation lifetime (e.g. 7d; applies to every claim from now on).
    #[arg(long, value_parser = parse_positive_duration)]
    pub max_attestation_lifetime: Option<i64>,
    /// Pause the whole platform (nothing is created, funded, registered, paid or withdrawn;
    /// every campaign's deadline moves back by the pause's length).
    #[arg(long, conflicts_with = "resume")]
    pub pause: bool,
    /// Resume the platform.
    #[arg(long)]
    pub resume: bool,
    /// Whether SPL Token payouts move every share in one p-token `Batch` transfer (true, the
    /// default); false on a cluster still running the classic SPL Token program.
    #[arg(long, value_name = "BOOL")]
    pub spl_token_batch: Option<bool>,
}

pub fn run(ctx: &mut Ctx, command: PlatformCommand) -> Result<Report, CliError> {
    match command {
        PlatformCommand::Init(args) => init(ctx, args),
        PlatformCommand::Show => Report::of(&PlatformShown::read(ctx.backend.as_mut(), None)?),
        PlatformCommand::Update(args) => update(ctx, args),
        PlatformCommand::AcceptAdmin => accept_admin(ctx),
        PlatformCommand::Oracle(command) => platform_registry::run_oracle(ctx, command),
        PlatformCommand::TrustMint(a) => platform_registry::trust_mint(ctx, a.mint),
        PlatformCommand::DistrustMint(a) => platform_registry::distrust_mint(ctx, a.mint),
        PlatformCommand::TrustedMints => platform_registry::trusted_mints(ctx),
    }
}

fn platform_exists(backend: &mut dyn Backend) -> Result<bool, clipstake_client::Error> {
    Ok(backend.get_account(&pda::platform())?.is_some())
}

fn init(ctx: &mut Ctx, args: InitArgs) -> Result<Report, CliError> {
    let admin = ctx.signer_pubkey()?;
    let payer = ctx.fee_payer_pubkey()?;
    if platform_exists(ctx.backend.as_mut())? {
        return Err(CliError::usage(format!(
            "the platform is already initialised on {}; use `clipstake platform update`",
            ctx.backend.describe()
        )));
    }
    let oracle = (!args.no_oracle).then(|| args.oracle.unwrap_or(admin));
    let mut instructions = vec![ix::init_platform(
        &admin,
        &payer,
        InitPlatformArgs {
            treasury: args.treasury.unwrap_or(admin),
            fee_bps: args.fee_bps,
            max_affiliate_bps: args.max_affiliate_bps,
            min_settlement_window_secs: args.min_settlement_window,
            max_attestation_lifetime_secs: args.max_attestation_lifetime,
        },
    )];
    // In the same transaction: the platform never exists without its first oracle.
    instructions.extend(oracle.map(|o| ix::add_oracle(&admin, &payer, &o)));
    let sent = ctx.send(&instructions, &[], &mut |b: &mut dyn Backend| {
        platform_exists(b)
    })?;
    if simulated(&sent) {
        return dry_run_report("platform init", &sent);
    }
    Report::of(&PlatformInitialised {
        shown: PlatformShown::read(ctx.backend.as_mut(), Some(&sent))?,
        oracle_registered: oracle.map(|o| o.to_string()),
    })
}

fn update_args(args: &UpdateArgs) -> UpdatePlatformArgs {
    let paused = match (args.pause, args.resume) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    UpdatePlatformArgs {
        new_admin: args.admin.or(args.cancel_admin.then(Pubkey::default)),
        treasury: args.treasury,
        fee_bps: args.fee_bps,
        max_affiliate_bps: args.max_affiliate_bps,
        min_settlement_window_secs: args.min_settlement_window,
        max_attestation_lifetime_secs: args.max_attestation_lifetime,
        paused,
        spl_token_batch: args.spl_token_batch,
    }
}

fn changes_nothing(c: &UpdatePlatformArgs) -> bool {
    c.new_admin.is_none()
        && c.treasury.is_none()
        && c.fee_bps.is_none()
        && c.max_affiliate_bps.is_none()
        && c.min_settlement_window_secs.is_none()
        && c.max_attestation_lifetime_secs.is_none()
        && c.paused.is_none()
        && c.spl_token_batch.is_none()
}

/// True when the platform already shows every change (the transaction landed).
fn applied(c: &UpdatePlatformArgs, p: &Platform) -> bool {
    c.new_admin.is_none_or(|a| a == p.pending_admin)
        && c.treasury.is_none_or(|t| t == p.treasury)
        && c.fee_bps.is_none_or(|f| f == p.fee_bps)
        && c.max_affiliate_bps.is_none_or(|m| m == p.max_affiliate_bps)
        && c.min_settlement_window_secs
            .is_none_or(|w| w == p.min_settlement_window_secs)
        && c.max_attestation_lifetime_secs
            .is_none_or(|l| l == p.max_attestation_lifetime_secs)
        && c.paused.is_none_or(|x| x == p.paused)
        && c.spl_token_batch.is_none_or(|b| b == p.spl_token_batch)
}

fn update(ctx: &mut Ctx, args: UpdateArgs) -> Result<Report, CliError> {
    let change = update_args(&args);
    if changes_nothing(&change) {
        return Err(CliError::usage(
            "nothing to change: pass --admin, --cancel-admin, --treasury, --fee-bps, --max-affiliate-bps, \
             --min-settlement-window, --max-attestation-lifetime, --pause, --resume or --spl-token-batch",
        ));
    }
    let platform = ctx.backend.platform()?;
    check_admin_proposal(&platform, &args)?;
    let admin = ctx.signer_pubkey()?;
    let instruction = ix::update_platform(&admin, change.clone());
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(applied(&change, &b.platform()?))
    })?;
    if simulated(&sent) {
        return dry_run_report("platform update", &sent);
    }
    let admin_change = match (args.admin, args.cancel_admin) {
        (Some(proposed), _) => Some(format!(
            "proposed {proposed} as the new admin; {} stays admin until {proposed} signs \
             `clipstake -k <its keypair> platform accept-admin`",
            platform.admin
        )),
        (_, true) => Some("withdrew the pending admin proposal".into()),
        _ => None,
    };
    Report::of(&PlatformUpdated {
        shown: PlatformShown::read(ctx.backend.as_mut(), Some(&sent))?,
        admin_change,
    })
}

/// Refuses proposing the current admin, or withdrawing a proposal when none is pending.
fn check_admin_proposal(platform: &Platform, args: &UpdateArgs) -> Result<(), CliError> {
    if args.admin == Some(platform.admin) {
        return Err(CliError::usage(format!(
            "{} is already the platform admin",
            platform.admin
        )));
    }
    if args.cancel_admin && platform.pending_admin == Pubkey::default() {
        return Err(CliError::usage("no admin change is pending"));
    }
    Ok(())
}

fn accept_admin(ctx: &mut Ctx) -> Result<Report, CliError> {
    let platform = ctx.backend.platform()?;
    let signer = ctx.signer_pubkey()?;
    let pending = platform.pending_admin;
    if pending == Pubkey::default() {
        return Err(CliError::usage(
            "no admin change is pending: the admin proposes one with `clipstake platform update --admin <PUBKEY>`",
        ));
    }
    if pending != signer {
        return Err(CliError::usage(format!(
            "sign with the proposed admin {pending} (-k); {signer} is not it"
        )));
    }
    let sent = ctx.send(
        &[ix::accept_admin(&signer)],
        &[],
        &mut |b: &mut dyn Backend| Ok(b.platform()?.admin == signer),
    )?;
    if simulated(&sent) {
        return dry_run_report("platform accept-admin", &sent);
    }
    Report::of(&AdminAccepted {
        shown: PlatformShown::read(ctx.backend.as_mut(), Some(&sent))?,
        previous_admin: platform.admin.to_string(),
    })
}

/// The platform's settings and state: what `platform show` prints, and what the commands that
/// change them print after.
#[derive(Serialize)]
struct PlatformShown {
    /// The platform account.
    address: String,
    /// The program.
    program_id: String,
    /// The admin.
    admin: String,
    /// The proposed next admin, until it accepts.
    pending_admin: Option<String>,
    /// Where platform fees go.
    treasury: String,
    /// Platform fee, in basis points.
    fee_bps: u16,
    /// Largest affiliate commission, in basis points.
    max_affiliate_bps: u16,
    /// Shortest settlement window a campaign may choose.
    min_settlement_window_secs: i64,
    /// Longest an attestation may stay valid.
    max_attestation_lifetime_secs: i64,
    /// Whether the admin paused the platform.
    paused: bool,
    /// Since when (unix time), while paused.
    paused_since: Option<i64>,
    /// Seconds of platform pauses, over its life.
    pause_total_secs: i64,
    /// Whether SPL Token payouts move every share in one p-token `Batch`.
    spl_token_batch: bool,
    /// The transaction that changed it, if a command did.
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction: Option<Transaction>,
}

impl PlatformShown {
    /// The platform read from `backend`, after `sent` if a command sent one.
    fn read(backend: &mut dyn Backend, sent: Option<&Sent>) -> Result<PlatformShown, CliError> {
        let p: Platform = backend.platform()?;
        Ok(PlatformShown {
            address: pda::platform().to_string(),
            program_id: clipstake::ID.to_string(),
            admin: p.admin.to_string(),
            pending_admin: (p.pending_admin != Pubkey::default())
                .then(|| p.pending_admin.to_string()),
            treasury: p.treasury.to_string(),
            fee_bps: p.fee_bps,
            max_affiliate_bps: p.max_affiliate_bps,
            min_settlement_window_secs: p.min_settlement_window_secs,
            max_attestation_lifetime_secs: p.max_attestation_lifetime_secs,
            paused: p.paused,
            paused_since: p.paused.then_some(p.paused_since),
            pause_total_secs: p.pause_total_secs,
            spl_token_batch: p.spl_token_batch,
            transaction: sent.map(Transaction::from),
        })
    }
}

impl fmt::Display for PlatformShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pending_admin = match &self.pending_admin {
            None => "none".into(),
            Some(pending) => {
                format!("{pending} (takes over when it signs `clipstake platform accept-admin`)")
            }
        };
        let paused = match self.paused_since {
            Some(since) if self.paused => format!("yes, since {}", utc(since)),
            _ => "no".into(),
        };
        let transfers = if self.spl_token_batch {
            "one p-token Batch per payout"
        } else {
            "one CPI per share"
        };
        let fee = f64::from(self.fee_bps) / 100.0;
        let fields = vec![
            ("program", self.program_id.clone()),
            ("admin", self.admin.clone()),
            ("pending admin", pending_admin),
            ("treasury", self.treasury.clone()),
            ("platform fee", format!("{} bps ({fee}%)", self.fee_bps)),
            (
                "max affiliate commission",
                format!("{} bps", self.max_affiliate_bps),
            ),
            (
                "min settlement window",
                duration(self.min_settlement_window_secs),
            ),
            (
                "max attestation lifetime",
                duration(self.max_attestation_lifetime_secs),
            ),
            ("paused", paused),
            ("total paused time", duration(self.pause_total_secs)),
            ("SPL Token transfers", transfers.to_string()),
        ];
        let mut blocks = vec![
            Block::Title(format!("Platform {}", self.address)),
            Block::fields(fields),
        ];
        blocks.extend(self.transaction.iter().map(|t| Block::Line(t.to_string())));
        write_blocks(f, &blocks)
    }
}

/// What `platform init` prints: the new platform, and the oracle registered with it.
#[derive(Serialize)]
struct PlatformInitialised {
    /// The platform, as `platform show` prints it.
    #[serde(flatten)]
    shown: PlatformShown,
    /// The payout oracle registered in the same transaction, unless `--no-oracle`.
    oracle_registered: Option<String>,
}

impl fmt::Display for PlatformInitialised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.shown)?;
        match &self.oracle_registered {
            Some(o) => writeln!(
                f,
                "registered {o} as a payout oracle: campaigns may name it (`clipstake campaign create --oracle {o}`)"
            ),
            None => writeln!(
                f,
                "no oracle registered: `clipstake platform oracle add <PUBKEY>` registers one"
            ),
        }
    }
}

/// What `platform update` prints: the platform after, and what changed about its admin.
#[derive(Serialize)]
struct PlatformUpdated {
    /// The platform after the update.
    #[serde(flatten)]
    shown: PlatformShown,
    /// The admin proposed or the proposal withdrawn, for people.
    #[serde(skip)]
    admin_change: Option<String>,
}

impl fmt::Display for PlatformUpdated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.shown)?;
        match &self.admin_change {
            Some(change) => writeln!(f, "{change}"),
            None => Ok(()),
        }
    }
}

/// What `platform accept-admin` prints: the platform under its new admin.
#[derive(Serialize)]
struct AdminAccepted {
    /// The platform after the hand-over.
    #[serde(flatten)]
    shown: PlatformShown,
    /// The admin before.
    previous_admin: String,
}

impl fmt::Display for AdminAccepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.shown)?;
        writeln!(
            f,
            "{} is now the platform admin (was {})",
            self.shown.admin, self.previous_admin
        )
    }
}
