use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::CampaignOracleChanged;
use crate::state::{Campaign, ORACLE_SEED, OracleRegistration, PLATFORM_SEED, Platform};

#[derive(Accounts)]
pub struct SetCampaignOracle<'info> {
    /// The platform admin; a brand cannot choose who verifies its own campaign's views.
    pub admin: Signer<'info>,
    /// The platform settings, naming the admin.
    #[account(seeds = [PLATFORM_SEED], bump = platform.bump, has_one = admin @ ClipstakeError::NotPlatformAdmin)]
    pub platform: Account<'info, Platform>,
    /// The campaign to re-point.
    #[account(mut)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// The registration of the new oracle, at its own `["oracle", key]` address.
    #[account(
        seeds = [ORACLE_SEED, oracle_registration.oracle.as_ref()],
        bump = oracle_registration.bump,
    )]
    pub oracle_registration: Account<'info, OracleRegistration>,
}

impl SetCampaignOracle<'_> {
    fn validate(&self) -> Result<()> {
        require!(
            self.oracle_registration.active,
            ClipstakeError::OracleRevoked
        );
        Ok(())
    }

    /// Makes the campaign's oracle the registered one; the previous oracle's attestations for
    /// it stop paying at once.
    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let mut campaign = ctx.accounts.campaign.load_mut()?;
        let previous_oracle = campaign.oracle;
        campaign.oracle = ctx.accounts.oracle_registration.oracle;
        emit!(CampaignOracleChanged {
            campaign: ctx.accounts.campaign.key(),
            previous_oracle,
            oracle: campaign.oracle,
        });
        Ok(())
    }
}
