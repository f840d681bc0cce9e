use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::PlatformInitialized;
use crate::math::Bps;
use crate::state::{Platform, PLATFORM_SEED};

/// Settings of a new platform.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitPlatformArgs {
    /// Wallet that receives platform fees.
    pub treasury: Pubkey,
    /// Platform fee in basis points.
    pub fee_bps: u16,
    /// Highest affiliate commission in basis points.
    pub max_affiliate_bps: u16,
}

#[event_cpi]
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
    /// This program's data account, which names its upgrade authority; its address is the
    /// loader's PDA of this program id.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = anchor_lang::solana_program::bpf_loader_upgradeable::ID,
    )]
    pub program_data: Account<'info, ProgramData>,
    /// Creates the platform account.
    pub system_program: Program<'info, System>,
}

impl InitPlatform<'_> {
    /// Only the upgrade authority may initialise, so nobody can front-run a deployment.
    fn validate(&self, args: &InitPlatformArgs) -> Result<()> {
        require!(
            self.program_data.upgrade_authority_address == Some(self.admin.key()),
            ClipstakeError::NotUpgradeAuthority
        );
        Bps::new(args.fee_bps)?.checked_add(Bps::new(args.max_affiliate_bps)?)?;
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: InitPlatformArgs) -> Result<()> {
        let platform = &mut ctx.accounts.platform;
        platform.set_inner(Platform {
            admin: ctx.accounts.admin.key(),
            treasury: args.treasury,
            fee_bps: args.fee_bps,
            max_affiliate_bps: args.max_affiliate_bps,
            paused: false,
            bump: ctx.bumps.platform,
        });
        emit_cpi!(PlatformInitialized {
            admin: ctx.accounts.admin.key(),
            treasury: args.treasury,
            fee_bps: args.fee_bps,
            max_affiliate_bps: args.max_affiliate_bps,
        });
        Ok(())
    }
}
