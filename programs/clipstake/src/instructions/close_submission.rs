use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::SubmissionClosed;
use crate::state::{Campaign, Platform, Submission};

#[derive(Accounts)]
pub struct CloseSubmission<'info> {
    /// The campaign's brand or oracle.
    pub authority: Signer<'info>,
    /// Platform settings: platform pauses moved the final deadline.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The submission's campaign.
    #[account(mut)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// The submission to close; its rent goes back to whoever paid it.
    #[account(
        mut,
        has_one = campaign @ ClipstakeError::WrongRecipient,
        has_one = rent_payer @ ClipstakeError::WrongRecipient,
        close = rent_payer,
    )]
    pub submission: AccountLoader<'info, Submission>,
    /// CHECK: receives the rent; checked against `submission.rent_payer` by `has_one`.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseSubmission<'_> {
    fn validate(&self) -> Result<()> {
        let signer = self.authority.key();
        let campaign = self.campaign.load()?;
        require!(
            signer == campaign.brand || signer == campaign.oracle,
            ClipstakeError::NotBrandOrOracle
        );
        // A pause under way will move the deadline by its length once it ends.
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        require!(
            !campaign.is_paused_by_admin(),
            ClipstakeError::AdminPauseLocked
        );
        // Only after the final deadline: registration has long stopped, so the video can never
        // be registered again with a fresh watermark.
        require!(
            Clock::get()?.unix_timestamp >= campaign.final_deadline(&self.platform),
            ClipstakeError::SettlementWindowOpen
        );
        // The record of an undelivered commission must outlive the submission's closing.
        let submission = self.submission.load()?;
        require!(
            submission.commission_accrued == 0,
            ClipstakeError::AccruedStillOwed
        );
        // So must the record of what its verified views are still owed.
        require!(
            campaign.shortfall_of(&submission) == 0,
            ClipstakeError::ShortfallStillOwed
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let submission = *ctx.accounts.submission.load()?;
        let mut campaign = ctx.accounts.campaign.load_mut()?;
        campaign.open_submissions = campaign.open_submissions.saturating_sub(1);
        emit!(SubmissionClosed {
            campaign: ctx.accounts.campaign.key(),
            submission: ctx.accounts.submission.key(),
            paid_views: submission.paid_views,
            paid_gross: submission.paid_gross,
        });
        Ok(())
    }
}
