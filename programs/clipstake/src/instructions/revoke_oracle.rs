use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::OracleRevoked;
use crate::state::{ORACLE_SEED, OracleRegistration, PLATFORM_SEED, Platform};

#[derive(Accounts)]
pub struct RevokeOracle<'info> {
    /// The platform admin.
    pub admin: Signer<'info>,
    /// The platform settings, naming the admin.
    #[account(seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
    /// The registration to revoke; kept (inactive) so the key can never be registered again.
    #[account(
        mut,
        seeds = [ORACLE_SEED, oracle_registration.oracle.as_ref()],
        bump = oracle_registration.bump,
    )]
    pub oracle_registration: Account<'info, OracleRegistration>,
}

impl RevokeOracle<'_> {
    fn validate(&self) -> Result<()> {
        require!(
            self.oracle_registration.active,
            ClipstakeError::OracleRevoked
        );
        Ok(())
    }

    /// Revokes the oracle for good: its registrations, pushes and attestations are refused
    /// from now on, on every campaign that names it, until the admin re-points them.
    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let registration = &mut ctx.accounts.oracle_registration;
        registration.active = false;
        registration.revoked_at = Clock::get()?.unix_timestamp;
        emit!(OracleRevoked {
            oracle: registration.oracle,
        });
        Ok(())
    }
}
