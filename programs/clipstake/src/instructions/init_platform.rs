use anchor_lang::prelude::*;

use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::errors::ClipstakeError;
use crate::events::PlatformInitialized;
use crate::math::Bps;
use crate::state::{PLATFORM_SEED, Platform};

/// Settings of a new platform.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitPlatformArgs {
    /// Wallet that receives platform fees.
    pub treasury: Pubkey,
    /// Platform fee in basis points.
    pub fee_bps: u16,
    /// Highest affiliate commission in basis points.
    pub max_affiliate_bps: u16,
    /// Shortest settlement window a campaign may have, in seconds (above zero; 1 day is the
    /// CLI's default).
    pub min_settlement_window_secs: i64,
    /// Longest an oracle attestation may be valid, in seconds (above zero).
    pub max_attestation_lifetime_secs: i64,
}

#[derive(Accounts)]
pub struct InitPlatform<'info> {
    /// The program's upgrade authority; becomes the platform admin.
    pub admin: Signer<'info>,
    /// Pays the platform account's rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The platform settings, created here once (`init` refuses a second time).
    #[account(init, payer = payer, space = 8 + Platform::INIT_SPACE, seeds = [PLATFORM_SEED], bump)]
    pub platform: Account<'info, Platform>,
    /// CHECK: this program's data account, which names its upgrade authority. Its address is
    /// the upgradeable loader's PDA of this program id (checked by `seeds`); its owner and
    /// layout are checked in `validate`. Parsed by hand: Anchor's `ProgramData` type goes
    /// through bincode, whose error formatting pulls float code into the SBF build.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
    )]
    pub program_data: UncheckedAccount<'info>,
    /// Creates the platform account.
    pub system_program: Program<'info, System>,
}

impl InitPlatform<'_> {
    /// Only the upgrade authority may initialise, so nobody can front-run a deployment.
    fn validate(&self, args: &InitPlatformArgs) -> Result<()> {
        require!(
            upgrade_authority(&self.program_data)? == Some(self.admin.key()),
            ClipstakeError::NotUpgradeAuthority
        );
        Bps::new(args.fee_bps)?.checked_add(Bps::new(args.max_affiliate_bps)?)?;
        require!(
            args.min_settlement_window_secs > 0 && args.max_attestation_lifetime_secs > 0,
            ClipstakeError::InvalidPlatformSetting
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: InitPlatformArgs) -> Result<()> {
        let platform = &mut ctx.accounts.platform;
        platform.set_inner(Platform {
            admin: ctx.accounts.admin.key(),
            pending_admin: Pubkey::default(),
            treasury: args.treasury,
            fee_bps: args.fee_bps,
            max_affiliate_bps: args.max_affiliate_bps,
            min_settlement_window_secs: args.min_settlement_window_secs,
            max_attestation_lifetime_secs: args.max_attestation_lifetime_secs,
            paused: false,
            paused_since: 0,
            pause_total_secs: 0,
            bump: ctx.bumps.platform,
            spl_token_batch: true,
        });
        emit!(PlatformInitialized {
            admin: ctx.accounts.admin.key(),
            treasury: args.treasury,
            fee_bps: args.fee_bps,
            max_affiliate_bps: args.max_affiliate_bps,
        });
        Ok(())
    }
}

/// The upgrade authority recorded in an upgradeable loader `ProgramData` account: a `u32` tag
/// (3), the deployment slot (`u64`), then `Option<Pubkey>` (one tag byte and 32 bytes).
fn upgrade_authority(program_data: &AccountInfo) -> Result<Option<Pubkey>> {
    const PROGRAM_DATA_TAG: [u8; 4] = 3u32.to_le_bytes();
    require_keys_eq!(
        *program_data.owner,
        bpf_loader_upgradeable::ID,
        ClipstakeError::NotUpgradeAuthority
    );
    let data = program_data.try_borrow_data()?;
    require!(
        data.len() >= 45 && data[..4] == PROGRAM_DATA_TAG,
        ClipstakeError::NotUpgradeAuthority
    );
    Ok(
        (data[12] == 1)
            .then(|| Pubkey::new_from_array(data[13..45].try_into().unwrap_or_default())),
    )
}
