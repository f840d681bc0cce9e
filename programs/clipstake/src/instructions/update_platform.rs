use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::PlatformUpdated;
use crate::math::Bps;
use crate::state::{PLATFORM_SEED, Platform};

/// Platform settings to change; `None` keeps the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdatePlatformArgs {
    /// A new admin.
    pub admin: Option<Pubkey>,
    /// A new fee wallet (for campaigns created afterwards).
    pub treasury: Option<Pubkey>,
    /// A new platform fee in basis points (for campaigns created afterwards).
    pub fee_bps: Option<u16>,
    /// A new maximum affiliate commission (for campaigns created afterwards).
    pub max_affiliate_bps: Option<u16>,
    /// Pause or resume the whole platform.
    pub paused: Option<bool>,
}

#[derive(Accounts)]
pub struct UpdatePlatform<'info> {
    /// The current platform admin.
    pub admin: Signer<'info>,
    /// The platform settings.
    #[account(mut, seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
}

impl UpdatePlatform<'_> {
    fn validate(&self, args: &UpdatePlatformArgs) -> Result<()> {
        let fee = Bps::new(args.fee_bps.unwrap_or(self.platform.fee_bps))?;
        let max_affiliate = Bps::new(
            args.max_affiliate_bps
                .unwrap_or(self.platform.max_affiliate_bps),
        )?;
        fee.checked_add(max_affiliate)?;
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: UpdatePlatformArgs) -> Result<()> {
        let platform = &mut ctx.accounts.platform;
        platform.admin = args.admin.unwrap_or(platform.admin);
        platform.treasury = args.treasury.unwrap_or(platform.treasury);
        platform.fee_bps = args.fee_bps.unwrap_or(platform.fee_bps);
        platform.max_affiliate_bps = args.max_affiliate_bps.unwrap_or(platform.max_affiliate_bps);
        platform.paused = args.paused.unwrap_or(platform.paused);
        emit!(PlatformUpdated {
            admin: platform.admin,
            treasury: platform.treasury,
            fee_bps: platform.fee_bps,
            max_affiliate_bps: platform.max_affiliate_bps,
            paused: platform.paused,
        });
        Ok(())
    }
}
