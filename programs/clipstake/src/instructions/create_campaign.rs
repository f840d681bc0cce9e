use anchor_lang::Discriminator;
use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::associated_token::{self, AssociatedToken};
use anchor_spl::token_interface::TokenInterface;

use crate::errors::ClipstakeError;
use crate::events::CampaignCreated;
use crate::mint_policy;
use crate::state::{
    AssetKind, CAMPAIGN_SEED, Campaign, CampaignStatus, ORACLE_SEED, OracleRegistration, Platform,
    SOL_VAULT_SEED, SolVault, TrustedMint,
};

/// Decimals reported for native SOL campaigns.
pub const SOL_DECIMALS: u8 = 9;

/// Terms of a new campaign.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateCampaignArgs {
    /// Brand-chosen number that makes the campaign address unique per brand.
    pub campaign_id: u64,
    /// The payout oracle allowed to register videos and sign view counts; it must be
    /// registered with the platform (a brand cannot be its own oracle).
    pub oracle: Pubkey,
    /// Base units paid per 1,000 verified views.
    pub rate_per_thousand_views: u64,
    /// The most one video can earn, in base units.
    pub cap_per_submission: u64,
    /// Unix time from which views are paid.
    pub start_time: i64,
    /// Unix time after which new views no longer count.
    pub end_time: i64,
    /// Seconds after the end (or a pause) to settle payouts before the brand may withdraw; at
    /// least the platform's minimum.
    pub settlement_window_secs: i64,
}

#[derive(Accounts)]
#[instruction(args: CreateCampaignArgs)]
pub struct CreateCampaign<'info> {
    /// The brand that owns the campaign.
    pub brand: Signer<'info>,
    /// Pays rent for the campaign and its vault (may differ from the brand: gas sponsorship).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// Platform settings, copied into the campaign.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The registration of `args.oracle`, at its `["oracle", key]` address; it must be active.
    #[account(
        seeds = [ORACLE_SEED, args.oracle.as_ref()],
        bump = oracle_registration.bump,
    )]
    pub oracle_registration: Account<'info, OracleRegistration>,
    /// The new campaign.
    #[account(
        init,
        payer = payer,
        space = Campaign::SPACE,
        seeds = [CAMPAIGN_SEED, brand.key().as_ref(), &args.campaign_id.to_le_bytes()],
        bump,
    )]
    pub campaign: AccountLoader<'info, Campaign>,
    /// CHECK: the vault to create. For a token campaign the associated token program checks it
    /// is the campaign's ATA for the mint; for SOL `validate` checks it is the `["vault",
    /// campaign]` PDA.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the budget's mint, absent for native SOL; `handler` checks it is owned by
    /// `token_program` and applies the mint policy unless the issuer is trusted.
    pub mint: Option<UncheckedAccount<'info>>,
    /// CHECK: the mint's `["trusted_mint", mint]` record, absent for native SOL; it may not
    /// exist. `mint_is_trusted` counts it only when it is a `TrustedMint` of this program (owner
    /// and discriminator) for this very mint, which only `trust_mint` can create.
    pub trusted_mint: Option<UncheckedAccount<'info>>,
    /// SPL Token or Token-2022, absent for native SOL.
    pub token_program: Option<Interface<'info, TokenInterface>>,
    /// Creates the token vault, absent for native SOL.
    pub associated_token_program: Option<Program<'info, AssociatedToken>>,
    /// Creates the accounts.
    pub system_program: Program<'info, System>,
}

impl CreateCampaign<'_> {
    fn validate(&self, args: &CreateCampaignArgs) -> Result<()> {
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        require_keys_eq!(
            self.oracle_registration.oracle,
            args.oracle,
            ClipstakeError::OracleNotRegistered
        );
        require!(
            self.oracle_registration.active,
            ClipstakeError::OracleRevoked
        );
        require!(
            args.rate_per_thousand_views > 0 && args.cap_per_submission > 0,
            ClipstakeError::InvalidRate
        );
        require!(
            args.start_time < args.end_time && args.settlement_window_secs >= 0,
            ClipstakeError::InvalidSchedule
        );
        require!(
            args.settlement_window_secs >= self.platform.min_settlement_window_secs,
            ClipstakeError::SettlementWindowTooShort
        );
        let token_accounts = [
            self.mint.is_some(),
            self.trusted_mint.is_some(),
            self.token_program.is_some(),
            self.associated_token_program.is_some(),
        ];
        require!(
            token_accounts.iter().all(|present| *present)
                || token_accounts.iter().all(|present| !present),
            ClipstakeError::MissingTokenAccounts
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: CreateCampaignArgs) -> Result<()> {
        let vault = open_vault(&ctx)?;
        let campaign = new_campaign(&ctx, &args, &vault);
        *ctx.accounts.campaign.load_init()? = campaign;
        emit!(CampaignCreated {
            campaign: ctx.accounts.campaign.key(),
            brand: campaign.brand,
            campaign_id: args.campaign_id,
            asset: vault.asset,
            mint: vault.mint,
            vault: campaign.vault,
            oracle: args.oracle,
            mint_trusted: vault.mint_trusted,
            fee_bps: campaign.fee_bps,
            rate_per_thousand_views: args.rate_per_thousand_views,
            cap_per_submission: args.cap_per_submission,
            start_time: args.start_time,
            end_time: args.end_time,
            settlement_window_secs: args.settlement_window_secs,
        });
        Ok(())
    }
}

/// The vault a new campaign holds its budget in, and what it holds.
struct OpenedVault {
    asset: AssetKind,
    /// The campaign's mint; `Pubkey::default()` for SOL.
    mint: Pubkey,
    /// The mint's token program; the system program for SOL.
    token_program: Pubkey,
    decimals: u8,
    /// The SOL vault PDA's bump; 0 for a token vault (an associated token account).
    vault_bump: u8,
    mint_trusted: bool,
}

/// Creates the vault: the campaign's associated token account for a token campaign (after the
/// mint checks), a system-owned PDA for SOL.
fn open_vault(ctx: &Context<CreateCampaign>) -> Result<OpenedVault> {
    let accounts = &ctx.accounts;
    let (Some(mint), Some(token_program), Some(associated_token_program)) = (
        &accounts.mint,
        &accounts.token_program,
        &accounts.associated_token_program,
    ) else {
        let vault_bump = create_sol_vault(ctx, accounts.campaign.key())?;
        return Ok(OpenedVault {
            asset: AssetKind::NativeSol,
            mint: Pubkey::default(),
            token_program: system_program::ID,
            decimals: SOL_DECIMALS,
            vault_bump,
            mint_trusted: false,
        });
    };
    let mint_trusted = mint_is_trusted(accounts.trusted_mint.as_ref(), mint.key)?;
    let (asset, decimals) = inspect_mint(mint, token_program.key, mint_trusted)?;
    associated_token::create_idempotent(CpiContext::new(
        associated_token_program.key(),
        associated_token::Create {
            payer: accounts.payer.to_account_info(),
            associated_token: accounts.vault.to_account_info(),
            authority: accounts.campaign.to_account_info(),
            mint: mint.to_account_info(),
            system_program: accounts.system_program.to_account_info(),
            token_program: token_program.to_account_info(),
        },
    ))?;
    Ok(OpenedVault {
        asset,
        mint: mint.key(),
        token_program: token_program.key(),
        decimals,
        vault_bump: 0,
        mint_trusted,
    })
}

/// The campaign as created: the brand's terms, the platform's current fee settings (copied, so
/// a later change never reaches it) and nothing funded or paid yet.
fn new_campaign(
    ctx: &Context<CreateCampaign>,
    args: &CreateCampaignArgs,
    vault: &OpenedVault,
) -> Campaign {
    let platform = &ctx.accounts.platform;
    Campaign {
        brand: ctx.accounts.brand.key(),
        campaign_id: args.campaign_id,
        asset: vault.asset as u8,
        mint: vault.mint,
        token_program: vault.token_program,
        decimals: vault.decimals,
        mint_trusted: u8::from(vault.mint_trusted),
        vault: ctx.accounts.vault.key(),
        vault_bump: vault.vault_bump,
        oracle: args.oracle,
        treasury: platform.treasury,
        fee_bps: platform.fee_bps,
        max_affiliate_bps: platform.max_affiliate_bps,
        rate_per_thousand_views: args.rate_per_thousand_views,
        cap_per_submission: args.cap_per_submission,
        start_time: args.start_time,
        end_time: args.end_time,
        settlement_window_secs: args.settlement_window_secs,
        status: CampaignStatus::Active as u8,
        paused_at: 0,
        paused_by_admin: 0,
        admin_paused_secs: 0,
        platform_pause_baseline: platform.pause_total_secs,
        settled: 0,
        funded: 0,
        paid_to_creators: 0,
        fees_paid: 0,
        commissions_paid: 0,
        fees_accrued: 0,
        commissions_accrued: 0,
        withdrawn: 0,
        shortfall_owed: 0,
        open_submissions: 0,
        rent_payer: ctx.accounts.payer.key(),
        bump: ctx.bumps.campaign,
    }
}

/// Whether the platform admin trusts `mint`'s issuer: `record` is a live `TrustedMint` of this
/// program for this mint. Anything else (a missing account, another program's, another mint's)
/// counts as untrusted, so the policy applies.
fn mint_is_trusted(record: Option<&UncheckedAccount>, mint: &Pubkey) -> Result<bool> {
    let Some(record) = record else {
        return Ok(false);
    };
    if record.owner != &crate::ID || record.data_is_empty() {
        return Ok(false);
    }
    let data = record.try_borrow_data()?;
    Ok(TrustedMint::try_deserialize(&mut &data[..]).is_ok_and(|r| r.mint == *mint))
}

/// Checks the mint's owner and, unless trusted, the mint policy; returns its asset kind and
/// decimals.
fn inspect_mint(
    mint: &AccountInfo,
    token_program: &Pubkey,
    trusted: bool,
) -> Result<(AssetKind, u8)> {
    require_keys_eq!(
        *mint.owner,
        *token_program,
        ClipstakeError::UnsupportedMintProgram
    );
    let data = mint.try_borrow_data()?;
    let decimals = mint_policy::mint_decimals(&data)?;
    if !trusted {
        mint_policy::check_untrusted_mint(&data, Clock::get()?.epoch)?;
    }
    let asset = if *token_program == anchor_spl::token::ID {
        AssetKind::SplToken
    } else {
        AssetKind::Token2022
    };
    Ok((asset, decimals))
}

/// Creates the program-owned `["vault", campaign]` lamport vault and returns its bump.
///
/// Works even if someone sent lamports to the address first (which would make a plain
/// `create_account` fail): it then tops up, allocates and assigns, as Anchor's `init` does.
fn create_sol_vault(ctx: &Context<CreateCampaign>, campaign: Pubkey) -> Result<u8> {
    let (expected, bump) =
        Pubkey::find_program_address(&[SOL_VAULT_SEED, campaign.as_ref()], ctx.program_id);
    let vault = ctx.accounts.vault.to_account_info();
    require_keys_eq!(vault.key(), expected, ClipstakeError::WrongVault);
    let space = 8 + SolVault::INIT_SPACE;
    let rent = Rent::get()?.minimum_balance(space);
    let bump_seed = [bump];
    let seeds: &[&[u8]] = &[SOL_VAULT_SEED, campaign.as_ref(), &bump_seed];
    let system = ctx.accounts.system_program.key();
    let payer = ctx.accounts.payer.to_account_info();
    let top_up = rent.saturating_sub(vault.lamports());
    if vault.lamports() == 0 {
        system_program::create_account(
            CpiContext::new_with_signer(
                system,
                system_program::CreateAccount {
                    from: payer,
                    to: vault.clone(),
                },
                &[seeds],
            ),
            rent,
            space as u64,
            ctx.program_id,
        )?;
    } else {
        if top_up > 0 {
            system_program::transfer(
                CpiContext::new(
                    system,
                    system_program::Transfer {
                        from: payer,
                        to: vault.clone(),
                    },
                ),
                top_up,
            )?;
        }
        system_program::allocate(
            CpiContext::new_with_signer(
                system,
                system_program::Allocate {
                    account_to_allocate: vault.clone(),
                },
                &[seeds],
            ),
            space as u64,
        )?;
        system_program::assign(
            CpiContext::new_with_signer(
                system,
                system_program::Assign {
                    account_to_assign: vault.clone(),
                },
                &[seeds],
            ),
            ctx.program_id,
        )?;
    }
    let mut data = vault.try_borrow_mut_data()?;
    data[..8].copy_from_slice(SolVault::DISCRIMINATOR);
    SolVault { campaign, bump }.serialize(&mut &mut data[8..])?;
    Ok(bump)
}
