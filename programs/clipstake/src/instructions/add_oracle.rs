use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::OracleAdded;
use crate::state::{ORACLE_SEED, OracleRegistration, PLATFORM_SEED, Platform};

#[derive(Accounts)]
#[instruction(oracle: Pubkey)]
pub struct AddOracle<'info> {
    /// The platform admin.
    pub admin: Signer<'info>,
    /// Pays the registration's rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The platform settings, naming the admin.
    #[account(seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
    /// The new registration. `init` refuses a key registered before, revoked ones included:
    /// re-adding a revoked key would revive its outstanding attestations.
    #[account(
        init,
        payer = payer,
        space = 8 + OracleRegistration::INIT_SPACE,
        seeds = [ORACLE_SEED, oracle.as_ref()],
        bump,
    )]
    pub oracle_registration: Account<'info, OracleRegistration>,
    /// Creates the registration.
    pub system_program: Program<'info, System>,
}

impl AddOracle<'_> {
    fn validate(&self, oracle: &Pubkey) -> Result<()> {
        require_keys_neq!(
            *oracle,
            Pubkey::default(),
            ClipstakeError::OracleNotRegistered
        );
        Ok(())
    }

    /// Registers `oracle` as a payout oracle campaigns may name.
    #[access_control(ctx.accounts.validate(&oracle))]
    pub fn handler(ctx: Context<Self>, oracle: Pubkey) -> Result<()> {
        ctx.accounts
            .oracle_registration
            .set_inner(OracleRegistration {
                oracle,
                active: true,
                added_at: Clock::get()?.unix_timestamp,
                revoked_at: 0,
                bump: ctx.bumps.oracle_registration,
            });
        emit!(OracleAdded { oracle });
        Ok(())
    }
}
