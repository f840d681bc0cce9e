use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::SubmissionClosed;
use crate::state::{Campaign, Submission};

#[derive(Accounts)]
pub struct CloseSubmission<'info> {
    /// The campaign's brand or oracle.
    pub authority: Signer<'info>,
    /// The submission's campaign.
    #[account(mut)]
    pub campaign: Account<'info, Campaign>,
    /// The submission to close; its rent goes back to whoever paid it.
    #[account(
        mut,
        has_one = campaign @ ClipstakeError::WrongRecipient,
        has_one = rent_payer @ ClipstakeError::WrongRecipient,
        close = rent_payer,
    )]
    pub submission: Account<'info, Submission>,
    /// CHECK: receives the rent; checked against `submission.rent_payer` by `has_one`.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseSubmission<'_> {
    fn validate(&self) -> Result<()> {
        let signer = self.authority.key();
        require!(
            signer == self.campaign.brand || signer == self.campaign.oracle,
            ClipstakeError::NotBrandOrOracle
        );
        // Only after the final deadline: registration has long stopped, so the video can never
        // be registered again with a fresh watermark.
        let final_deadline = self
            .campaign
            .end_time
            .saturating_add(self.campaign.settlement_window_secs);
        require!(
            Clock::get()?.unix_timestamp >= final_deadline,
            ClipstakeError::SettlementWindowOpen
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let campaign = &mut ctx.accounts.campaign;
        campaign.open_submissions = campaign.open_submissions.saturating_sub(1);
        emit!(SubmissionClosed {
            campaign: campaign.key(),
            submission: ctx.accounts.submission.key(),
            paid_views: ctx.accounts.submission.paid_views,
            paid_gross: ctx.accounts.submission.paid_gross,
        });
        Ok(())
    }
}
