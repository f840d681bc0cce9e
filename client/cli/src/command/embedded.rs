//! `clipstake embedded status|warp|airdrop|create-mint`: developer tools for the embedded
//! chain (airdrop and create-mint work on any test cluster too; warp only embedded).
use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::no_state_check;
use clipstake_sdk::instructions::{TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};
use clipstake_sdk::pda;
use serde_json::json;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;

use super::{dry_run_report, parse_duration, parse_pubkey, sent_json, sent_line, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Report, amount_text, duration, utc};

#[derive(Debug, Subcommand)]
pub enum EmbeddedCommand {
    /// Shows the chain: ledger, clock, signer balance, platform.
    Status,
    /// Moves the embedded chain's clock forward (e.g. past a settlement window).
    Warp(WarpArgs),
    /// Gives a wallet SOL (embedded faucet; `requestAirdrop` on test clusters).
    Airdrop(AirdropArgs),
    /// Creates a test mint (the signer is its authority) and optionally mints to a wallet.
    CreateMint(CreateMintArgs),
}

#[derive(Debug, Args)]
pub struct WarpArgs {
    /// How far: seconds, or with a unit (90m, 12h, 3d).
    #[arg(long, value_parser = parse_duration)]
    pub seconds: i64,
}

#[derive(Debug, Args)]
pub struct AirdropArgs {
    /// The wallet.
    #[arg(value_parser = parse_pubkey)]
    pub wallet: Pubkey,
    /// SOL to give.
    #[arg(default_value = "10")]
    pub sol: String,
}

#[derive(Debug, Args)]
pub struct CreateMintArgs {
    /// Decimals of the mint.
    #[arg(long, default_value_t = 6)]
    pub decimals: u8,
    /// Create it under Token-2022 instead of SPL Token.
    #[arg(long)]
    pub token_2022: bool,
    /// Give the mint a freeze authority (the signer), as `spl-token create-token
    /// --enable-freeze` does; campaigns refuse such a mint unless the admin trusts it.
    #[arg(long)]
    pub enable_freeze: bool,
    /// Mint this many tokens (UI units) to --to.
    #[arg(long)]
    pub amount: Option<String>,
    /// The wallet receiving --amount [default: the signer].
    #[arg(long, value_parser = parse_pubkey, requires = "amount")]
    pub to: Option<Pubkey>,
}

pub fn run(ctx: &mut Ctx, command: EmbeddedCommand) -> Result<Report, CliError> {
    match command {
        EmbeddedCommand::Status => status(ctx),
        EmbeddedCommand::Warp(args) => {
            let clock = ctx.backend.warp(args.seconds)?;
            let before = clock.unix_timestamp - args.seconds;
            Ok(Report::new(json!({ "unix_timestamp": clock.unix_timestamp, "slot": clock.slot, "warped_seconds": args.seconds }))
                .line(format!(
                    "clock moved {} forward: {} -> {} (slot {})",
                    duration(args.seconds),
                    utc(before),
                    utc(clock.unix_timestamp),
                    clock.slot
                )))
        }
        EmbeddedCommand::Airdrop(args) => {
            let lamports = clipstake_sdk::amount::parse_ui_amount(&args.sol, 9)
                .map_err(|e| CliError::usage(e.to_string()))?;
            ctx.backend.airdrop(&args.wallet, lamports)?;
            let balance = ctx.backend.lamports(&args.wallet)?;
            Ok(
                Report::new(json!({ "wallet": args.wallet.to_string(), "lamports": balance }))
                    .line(format!(
                        "{} now holds {}",
                        args.wallet,
                        amount_text(balance, 9, "SOL")
                    )),
            )
        }
        EmbeddedCommand::CreateMint(args) => create_mint_command(ctx, args),
    }
}

fn status(ctx: &mut Ctx) -> Result<Report, CliError> {
    let clock = ctx.backend.clock()?;
    let signer = ctx.signer_pubkey()?;
    let balance = ctx.backend.lamports(&signer)?;
    let platform = match ctx.backend.platform() {
        Ok(p) => Some(p),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let program_data = ctx.backend.get_account(&pda::program_data())?;
    // ProgramData: u32 tag, u64 slot, Option<Pubkey> upgrade authority.
    let upgrade_authority = program_data
        .filter(|a| a.data.len() >= 45 && a.data[12] == 1)
        .map(|a| Pubkey::new_from_array(a.data[13..45].try_into().expect("32 bytes")));
    let json = json!({
        "cluster": ctx.backend.describe(),
        "embedded": ctx.backend.is_embedded(),
        "unix_timestamp": clock.unix_timestamp,
        "slot": clock.slot,
        "signer": signer.to_string(),
        "signer_lamports": balance,
        "program_id": clipstake::ID.to_string(),
        "upgrade_authority": upgrade_authority.map(|a| a.to_string()),
        "platform_initialised": platform.is_some(),
    });
    Ok(Report::new(json)
        .title(format!("Chain: {}", ctx.backend.describe()))
        .fields(vec![
            (
                "clock",
                format!("{} (slot {})", utc(clock.unix_timestamp), clock.slot),
            ),
            ("program", clipstake::ID.to_string()),
            (
                "upgrade authority",
                upgrade_authority
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "none".into()),
            ),
            (
                "platform",
                if platform.is_some() {
                    "initialised".into()
                } else {
                    "not initialised (clipstake platform init)".into()
                },
            ),
            ("signer", signer.to_string()),
            ("signer balance", amount_text(balance, 9, "SOL")),
        ]))
}

/// Instructions creating a mint under `token_program` with `authority` (and optionally a
/// freeze authority).
pub fn create_mint_instructions(
    backend: &mut dyn Backend,
    payer: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    freeze_authority: Option<&Pubkey>,
    token_program: &Pubkey,
    decimals: u8,
) -> Result<Vec<Instruction>, Error> {
    let space = spl_token_interface::state::Mint::LEN;
    let lamports = backend.minimum_balance_for_rent_exemption(space)?;
    let initialize = if *token_program == TOKEN_PROGRAM_ID {
        spl_token_interface::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            freeze_authority,
            decimals,
        )
    } else {
        spl_token_2022_interface::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            freeze_authority,
            decimals,
        )
    }
    .map_err(|e| Error::Build {
        what: "initialize_mint2",
        source: Box::new(e),
    })?;
    Ok(vec![
        solana_system_interface::instruction::create_account(
            payer,
            mint,
            lamports,
            space as u64,
            token_program,
        ),
        initialize,
    ])
}

/// Instructions creating `owner`'s associated token account (if missing) and minting to it.
pub fn mint_to_instructions(
    payer: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    token_program: &Pubkey,
    decimals: u8,
    owner: &Pubkey,
    amount: u64,
) -> Result<Vec<Instruction>, Error> {
    let ata = pda::associated_token(owner, mint, token_program);
    let create = spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
        payer,
        owner,
        mint,
        token_program,
    );
    let mint_to = if *token_program == TOKEN_PROGRAM_ID {
        spl_token_interface::instruction::mint_to_checked(
            token_program,
            mint,
            &ata,
            authority,
            &[],
            amount,
            decimals,
        )
    } else {
        spl_token_2022_interface::instruction::mint_to_checked(
            token_program,
            mint,
            &ata,
            authority,
            &[],
            amount,
            decimals,
        )
    }
    .map_err(|e| Error::Build {
        what: "mint_to_checked",
        source: Box::new(e),
    })?;
    Ok(vec![create, mint_to])
}

fn create_mint_command(ctx: &mut Ctx, args: CreateMintArgs) -> Result<Report, CliError> {
    let token_program = if args.token_2022 {
        TOKEN_2022_PROGRAM_ID
    } else {
        TOKEN_PROGRAM_ID
    };
    let authority = ctx.signer_pubkey()?;
    let payer = ctx.fee_payer_pubkey()?;
    let mint = Keypair::new();
    let mut instructions = create_mint_instructions(
        ctx.backend.as_mut(),
        &payer,
        &mint.pubkey(),
        &authority,
        args.enable_freeze.then_some(&authority),
        &token_program,
        args.decimals,
    )?;
    let mut minted = None;
    if let Some(amount) = &args.amount {
        let amount = clipstake_sdk::amount::parse_ui_amount(amount, args.decimals)
            .map_err(|e| CliError::usage(e.to_string()))?;
        let owner = args.to.unwrap_or(authority);
        instructions.extend(mint_to_instructions(
            &payer,
            &mint.pubkey(),
            &authority,
            &token_program,
            args.decimals,
            &owner,
            amount,
        )?);
        minted = Some((owner, amount));
    }
    let sent = ctx.send(&instructions, &[&mint], &mut no_state_check)?;
    if simulated(&sent) {
        return dry_run_report("embedded create-mint", &sent);
    }
    let mut report = Report::new(json!({
        "mint": mint.pubkey().to_string(),
        "token_program": token_program.to_string(),
        "decimals": args.decimals,
        "mint_authority": authority.to_string(),
        "freeze_authority": args.enable_freeze.then(|| authority.to_string()),
        "minted": minted.map(|(owner, amount)| json!({
            "owner": owner.to_string(),
            "token_account": pda::associated_token(&owner, &mint.pubkey(), &token_program).to_string(),
            "amount": crate::output::amount_json(amount, args.decimals),
        })),
        "transaction": sent_json(&sent),
    }))
    .line(format!("created mint {} ({} decimals, {})", mint.pubkey(), args.decimals, if args.token_2022 { "Token-2022" } else { "SPL Token" }));
    if let Some((owner, amount)) = minted {
        report = report.line(format!(
            "minted {} to {owner}",
            amount_text(amount, args.decimals, "")
        ));
    }
    Ok(report.line(sent_line(&sent)))
}
