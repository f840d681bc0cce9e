//! `clipstake embedded status|warp|airdrop|create-mint`: developer tools for the embedded
//! chain (airdrop and create-mint work on any test cluster too; warp only embedded).
use std::fmt;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::no_state_check;
use clipstake_sdk::instructions::{TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};
use clipstake_sdk::pda;
use serde::Serialize;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;

use super::{Transaction, dry_run_report, parse_duration, parse_pubkey, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Amount, Block, Report, amount_text, duration, utc, write_blocks};

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
            Report::of(&Warped {
                unix_timestamp: clock.unix_timestamp,
                slot: clock.slot,
                warped_seconds: args.seconds,
            })
        }
        EmbeddedCommand::Airdrop(args) => {
            let lamports = clipstake_sdk::amount::parse_ui_amount(&args.sol, 9)
                .map_err(|e| CliError::usage(e.to_string()))?;
            ctx.backend.airdrop(&args.wallet, lamports)?;
            Report::of(&Airdropped {
                wallet: args.wallet.to_string(),
                lamports: ctx.backend.lamports(&args.wallet)?,
            })
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
    Report::of(&ChainStatus {
        cluster: ctx.backend.describe(),
        embedded: ctx.backend.is_embedded(),
        unix_timestamp: clock.unix_timestamp,
        slot: clock.slot,
        signer: signer.to_string(),
        signer_lamports: balance,
        program_id: clipstake::ID.to_string(),
        upgrade_authority: upgrade_authority.map(|a| a.to_string()),
        platform_initialised: platform.is_some(),
    })
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
    let mint = mint.pubkey();
    Report::of(&MintCreated {
        mint: mint.to_string(),
        token_program: token_program.to_string(),
        decimals: args.decimals,
        mint_authority: authority.to_string(),
        freeze_authority: args.enable_freeze.then(|| authority.to_string()),
        minted: minted.map(|(owner, amount)| Minted {
            owner: owner.to_string(),
            token_account: pda::associated_token(&owner, &mint, &token_program).to_string(),
            amount: Amount::new(amount, args.decimals),
        }),
        transaction: (&sent).into(),
        program_name: if args.token_2022 {
            "Token-2022"
        } else {
            "SPL Token"
        },
    })
}

/// What `embedded warp` prints: the clock after moving it forward.
#[derive(Serialize)]
struct Warped {
    /// The clock now (unix time).
    unix_timestamp: i64,
    /// The slot now.
    slot: u64,
    /// How far it moved.
    warped_seconds: i64,
}

impl fmt::Display for Warped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "clock moved {} forward: {} -> {} (slot {})",
            duration(self.warped_seconds),
            utc(self.unix_timestamp - self.warped_seconds),
            utc(self.unix_timestamp),
            self.slot
        )
    }
}

/// What `embedded airdrop` prints: the wallet's balance after.
#[derive(Serialize)]
struct Airdropped {
    /// The wallet.
    wallet: String,
    /// What it holds now, in lamports.
    lamports: u64,
}

impl fmt::Display for Airdropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let balance = amount_text(self.lamports, 9, "SOL");
        writeln!(f, "{} now holds {balance}", self.wallet)
    }
}

/// What `embedded status` prints: the chain, its clock, the program and the signer.
#[derive(Serialize)]
struct ChainStatus {
    /// The chain (`embedded (...)`, or the RPC URL).
    cluster: String,
    /// Whether it is the embedded chain.
    embedded: bool,
    /// Its clock (unix time).
    unix_timestamp: i64,
    /// Its slot.
    slot: u64,
    /// The signer.
    signer: String,
    /// The signer's balance, in lamports.
    signer_lamports: u64,
    /// The program.
    program_id: String,
    /// Who may upgrade it, if anyone.
    upgrade_authority: Option<String>,
    /// Whether `platform init` ran.
    platform_initialised: bool,
}

impl fmt::Display for ChainStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let platform = if self.platform_initialised {
            "initialised"
        } else {
            "not initialised (clipstake platform init)"
        };
        let clock = format!("{} (slot {})", utc(self.unix_timestamp), self.slot);
        let upgrade_authority = self.upgrade_authority.as_deref().unwrap_or("none");
        let blocks = [
            Block::Title(format!("Chain: {}", self.cluster)),
            Block::fields(vec![
                ("clock", clock),
                ("program", self.program_id.clone()),
                ("upgrade authority", upgrade_authority.to_string()),
                ("platform", platform.to_string()),
                ("signer", self.signer.clone()),
                (
                    "signer balance",
                    amount_text(self.signer_lamports, 9, "SOL"),
                ),
            ]),
        ];
        write_blocks(f, &blocks)
    }
}

/// What `embedded create-mint` prints: the new mint, and what was minted.
#[derive(Serialize)]
struct MintCreated {
    /// The mint.
    mint: String,
    /// Its token program.
    token_program: String,
    /// Its decimals.
    decimals: u8,
    /// Who may mint (the signer).
    mint_authority: String,
    /// Who may freeze (the signer, with `--enable-freeze`).
    freeze_authority: Option<String>,
    /// What was minted, with `--amount`.
    minted: Option<Minted>,
    /// The transaction that created it.
    transaction: Transaction,
    /// `SPL Token` or `Token-2022` (for people only).
    #[serde(skip)]
    program_name: &'static str,
}

/// The tokens `embedded create-mint --amount` minted.
#[derive(Serialize)]
struct Minted {
    /// The wallet that received them.
    owner: String,
    /// Its associated token account.
    token_account: String,
    /// How many.
    amount: Amount,
}

impl fmt::Display for MintCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "created mint {} ({} decimals, {})",
            self.mint, self.decimals, self.program_name
        )?;
        if let Some(m) = &self.minted {
            writeln!(f, "minted {} to {}", m.amount.text(""), m.owner)?;
        }
        writeln!(f, "{}", self.transaction)
    }
}
