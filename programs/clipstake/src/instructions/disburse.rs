use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::instructions::payout::*;

#[derive(Accounts)]
pub struct Disburse<'info> {
    /// The campaign's oracle, vouching for the view count.
    pub oracle: Signer<'info>,
    /// The payout's accounts.
    pub payout: Payout<'info>,
}

impl Disburse<'_> {
    fn validate(&self, cumulative_views: u64) -> Result<()> {
        require_keys_eq!(
            self.oracle.key(),
            self.payout.campaign.load()?.oracle,
            ClipstakeError::NotCampaignOracle
        );
        self.payout.validate(cumulative_views)
    }

    /// Pays the submission for `cumulative_views` verified views (oracle push).
    #[access_control(ctx.accounts.validate(cumulative_views))]
    pub fn handler(ctx: Context<Self>, cumulative_views: u64) -> Result<()> {
        let event = ctx.accounts.payout.pay(cumulative_views, false)?;
        emit!(event);
        Ok(())
    }
}
