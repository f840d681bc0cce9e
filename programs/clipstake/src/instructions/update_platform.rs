use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::PlatformUpdated;
use crate::math::Bps;
use crate::state::{PLATFORM_SEED, Platform};

/// Platform settings to change; `None` keeps the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdatePlatformArgs {
    /// Proposes a new admin, who takes over by signing `accept_admin` (two steps, so a typo
    /// cannot lock the platform); `Pubkey::default()` withdraws a proposal.
    pub new_admin: Option<Pubkey>,
    /// A new fee wallet (for campaigns created afterwards).
    pub treasury: Option<Pubkey>,
    /// A new platform fee in basis points (for campaigns created afterwards).
    pub fee_bps: Option<u16>,
    /// A new maximum affiliate commission (for campaigns created afterwards).
    pub max_affiliate_bps: Option<u16>,
    /// A new minimum settlement window in seconds (above zero; for campaigns created
    /// afterwards).
    pub min_settlement_window_secs: Option<i64>,
    /// A new maximum attestation lifetime in seconds (above zero; applies to every claim).
    pub max_attestation_lifetime_secs: Option<i64>,
    /// Pause or resume the whole platform. Every campaign's payout deadline moves back by the
    /// length of the pause.
    pub paused: Option<bool>,
    /// Whether SPL Token payouts use p-token's `Batch` instruction (see
    /// `Platform::spl_token_batch`); off on a cluster running the classic SPL Token program.
    pub spl_token_batch: Option<bool>,
}

#[derive(Accounts)]
pub struct UpdatePlatform<'info> {
    /// The current platform admin (a key or a multisig vault).
    pub admin: Signer<'info>,
    /// The platform settings.
    #[account(mut, seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
}

impl UpdatePlatform<'_> {
    fn validate(&self, args: &UpdatePlatformArgs) -> Result<()> {
        let platform = &self.platform;
        let fee = Bps::new(args.fee_bps.unwrap_or(platform.fee_bps))?;
        let max_affiliate = Bps::new(args.max_affiliate_bps.unwrap_or(platform.max_affiliate_bps))?;
        fee.checked_add(max_affiliate)?;
        let window = args
            .min_settlement_window_secs
            .unwrap_or(platform.min_settlement_window_secs);
        let lifetime = args
            .max_attestation_lifetime_secs
            .unwrap_or(platform.max_attestation_lifetime_secs);
        require!(
            window > 0 && lifetime > 0,
            ClipstakeError::InvalidPlatformSetting
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: UpdatePlatformArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let platform = &mut ctx.accounts.platform;
        platform.pending_admin = args.new_admin.unwrap_or(platform.pending_admin);
        platform.treasury = args.treasury.unwrap_or(platform.treasury);
        platform.fee_bps = args.fee_bps.unwrap_or(platform.fee_bps);
        platform.max_affiliate_bps = args.max_affiliate_bps.unwrap_or(platform.max_affiliate_bps);
        platform.min_settlement_window_secs = args
            .min_settlement_window_secs
            .unwrap_or(platform.min_settlement_window_secs);
        platform.max_attestation_lifetime_secs = args
            .max_attestation_lifetime_secs
            .unwrap_or(platform.max_attestation_lifetime_secs);
        platform.spl_token_batch = args.spl_token_batch.unwrap_or(platform.spl_token_batch);
        if let Some(paused) = args.paused {
            platform.set_paused(paused, now);
        }
        emit!(PlatformUpdated {
            admin: platform.admin,
            pending_admin: platform.pending_admin,
            treasury: platform.treasury,
            fee_bps: platform.fee_bps,
            max_affiliate_bps: platform.max_affiliate_bps,
            min_settlement_window_secs: platform.min_settlement_window_secs,
            max_attestation_lifetime_secs: platform.max_attestation_lifetime_secs,
            paused: platform.paused,
            pause_total_secs: platform.pause_total_secs,
            spl_token_batch: platform.spl_token_batch,
        });
        Ok(())
    }
}
