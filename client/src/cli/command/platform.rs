//! `clipstake platform init|show|update` (the admin).
use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::instructions::{InitPlatformArgs, UpdatePlatformArgs};
use clipstake::state::Platform;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::instructions as ix;
use clipstake_client::pda;
use clipstake_client::sender::Sent;
use serde_json::json;

use super::{dry_run_report, parse_pubkey, sent_json, sent_line, simulated};
use crate::cli::CliError;
use crate::cli::config::Ctx;
use crate::cli::output::Report;

#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Initialises the platform, once per deployment; sign with the program's upgrade
    /// authority, who becomes the admin.
    Init(InitArgs),
    /// Shows the platform settings.
    Show,
    /// Changes platform settings (sign with the admin); fee changes apply to campaigns
    /// created afterwards.
    Update(UpdateArgs),
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
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// A new admin.
    #[arg(long, value_parser = parse_pubkey)]
    pub admin: Option<Pubkey>,
    /// A new fee wallet.
    #[arg(long, value_parser = parse_pubkey)]
    pub treasury: Option<Pubkey>,
    /// A new platform fee in basis points.
    #[arg(long)]
    pub fee_bps: Option<u16>,
    /// A new maximum affiliate commission in basis points.
    #[arg(long)]
    pub max_affiliate_bps: Option<u16>,
    /// Pause the whole platform (no creation, funding, registration or payout).
    #[arg(long, conflicts_with = "resume")]
    pub pause: bool,
    /// Resume the platform.
    #[arg(long)]
    pub resume: bool,
}

pub fn run(ctx: &mut Ctx, command: PlatformCommand) -> Result<Report, CliError> {
    match command {
        PlatformCommand::Init(args) => init(ctx, args),
        PlatformCommand::Show => show(ctx.backend.as_mut(), None),
        PlatformCommand::Update(args) => update(ctx, args),
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
    let instruction = ix::init_platform(
        &admin,
        &payer,
        InitPlatformArgs {
            treasury: args.treasury.unwrap_or(admin),
            fee_bps: args.fee_bps,
            max_affiliate_bps: args.max_affiliate_bps,
        },
    );
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        platform_exists(b)
    })?;
    if simulated(&sent) {
        return Ok(dry_run_report("platform init", &sent));
    }
    show(ctx.backend.as_mut(), Some(&sent))
}

fn update(ctx: &mut Ctx, args: UpdateArgs) -> Result<Report, CliError> {
    let paused = match (args.pause, args.resume) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let change = UpdatePlatformArgs {
        admin: args.admin,
        treasury: args.treasury,
        fee_bps: args.fee_bps,
        max_affiliate_bps: args.max_affiliate_bps,
        paused,
    };
    if change.admin.is_none()
        && change.treasury.is_none()
        && change.fee_bps.is_none()
        && change.max_affiliate_bps.is_none()
        && change.paused.is_none()
    {
        return Err(CliError::usage(
            "nothing to change: pass --admin, --treasury, --fee-bps, --max-affiliate-bps, --pause or --resume",
        ));
    }
    ctx.backend.platform()?;
    let admin = ctx.signer_pubkey()?;
    let instruction = ix::update_platform(&admin, change.clone());
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        let p = b.platform()?;
        Ok(change.admin.is_none_or(|a| a == p.admin)
            && change.treasury.is_none_or(|t| t == p.treasury)
            && change.fee_bps.is_none_or(|f| f == p.fee_bps)
            && change
                .max_affiliate_bps
                .is_none_or(|m| m == p.max_affiliate_bps)
            && change.paused.is_none_or(|x| x == p.paused))
    })?;
    if simulated(&sent) {
        return Ok(dry_run_report("platform update", &sent));
    }
    show(ctx.backend.as_mut(), Some(&sent))
}

fn show(backend: &mut dyn Backend, sent: Option<&Sent>) -> Result<Report, CliError> {
    let p: Platform = backend.platform()?;
    let mut json = json!({
        "address": pda::platform().to_string(),
        "program_id": clipstake::ID.to_string(),
        "admin": p.admin.to_string(),
        "treasury": p.treasury.to_string(),
        "fee_bps": p.fee_bps,
        "max_affiliate_bps": p.max_affiliate_bps,
        "paused": p.paused,
    });
    if let Some(sent) = sent {
        json["transaction"] = sent_json(sent);
    }
    let mut report = Report::new(json)
        .title(format!("Platform {}", pda::platform()))
        .fields(vec![
            ("program", clipstake::ID.to_string()),
            ("admin", p.admin.to_string()),
            ("treasury", p.treasury.to_string()),
            (
                "platform fee",
                format!("{} bps ({}%)", p.fee_bps, f64::from(p.fee_bps) / 100.0),
            ),
            (
                "max affiliate commission",
                format!("{} bps", p.max_affiliate_bps),
            ),
            ("paused", p.paused.to_string()),
        ]);
    if let Some(sent) = sent {
        report = report.line(sent_line(sent));
    }
    Ok(report)
}
