use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::MintTrustChanged;
use crate::state::{PLATFORM_SEED, Platform, TRUSTED_MINT_SEED, TrustedMint};

#[derive(Accounts)]
pub struct DistrustMint<'info> {
    /// The platform admin.
    pub admin: Signer<'info>,
    /// The platform settings, naming the admin.
    #[account(seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
    /// The trust record, closed here; its rent goes back to whoever paid it.
    #[account(
        mut,
        seeds = [TRUSTED_MINT_SEED, trusted_mint.mint.as_ref()],
        bump = trusted_mint.bump,
        has_one = rent_payer @ ClipstakeError::WrongRecipient,
        close = rent_payer,
    )]
    pub trusted_mint: Account<'info, TrustedMint>,
    /// CHECK: receives the record's rent; checked against `trusted_mint.rent_payer`.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl DistrustMint<'_> {
    /// Stops trusting the mint's issuer for campaigns created from now on. Campaigns created
    /// while it was trusted keep that status: their creators and brands agreed to those terms.
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        emit!(MintTrustChanged {
            mint: ctx.accounts.trusted_mint.mint,
            trusted: false,
        });
        Ok(())
    }
}
