use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::MintTrustChanged;
use crate::state::{PLATFORM_SEED, Platform, TRUSTED_MINT_SEED, TrustedMint};

#[derive(Accounts)]
pub struct TrustMint<'info> {
    /// The platform admin.
    pub admin: Signer<'info>,
    /// Pays the trust record's rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The platform settings, naming the admin.
    #[account(seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
    /// CHECK: the mint whose issuer is trusted; `validate` checks it is owned by SPL Token or
    /// Token-2022 and is an initialised mint.
    pub mint: UncheckedAccount<'info>,
    /// The trust record; `init` refuses a mint already trusted.
    #[account(
        init,
        payer = payer,
        space = 8 + TrustedMint::INIT_SPACE,
        seeds = [TRUSTED_MINT_SEED, mint.key().as_ref()],
        bump,
    )]
    pub trusted_mint: Account<'info, TrustedMint>,
    /// Creates the record.
    pub system_program: Program<'info, System>,
}

impl TrustMint<'_> {
    fn validate(&self) -> Result<()> {
        let owner = self.mint.owner;
        require!(
            *owner == anchor_spl::token::ID || *owner == anchor_spl::token_2022::ID,
            ClipstakeError::UnsupportedMintProgram
        );
        crate::mint_policy::mint_decimals(&self.mint.try_borrow_data()?)?;
        Ok(())
    }

    /// Trusts the mint's issuer: campaigns created from now on in this mint skip the mint
    /// policy (freeze authority, extensions) for their whole life.
    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let mint = ctx.accounts.mint.key();
        ctx.accounts.trusted_mint.set_inner(TrustedMint {
            mint,
            trusted_at: Clock::get()?.unix_timestamp,
            rent_payer: ctx.accounts.payer.key(),
            bump: ctx.bumps.trusted_mint,
        });
        emit!(MintTrustChanged {
            mint,
            trusted: true,
        });
        Ok(())
    }
}
