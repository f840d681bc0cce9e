use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::SubmissionRegistered;
use crate::math::Bps;
use crate::state::{
    Campaign, ORACLE_SEED, OracleRegistration, Platform, SUBMISSION_SEED, Submission,
};

/// A video the oracle verified off-chain.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterSubmissionArgs {
    /// SHA-256 of the video's canonical platform id or URL.
    pub content_hash: [u8; 32],
    /// Wallet that receives the creator's share (it need not hold SOL).
    pub creator: Pubkey,
    /// Affiliate wallet, if any.
    pub affiliate: Option<Pubkey>,
    /// Affiliate commission in basis points (0 without an affiliate).
    pub affiliate_bps: u16,
}

#[derive(Accounts)]
#[instruction(args: RegisterSubmissionArgs)]
pub struct RegisterSubmission<'info> {
    /// The campaign's oracle, vouching that the video exists and belongs to the creator.
    pub oracle: Signer<'info>,
    /// Pays the submission's rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// Platform settings, for the global pause.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The campaign the video joins.
    #[account(mut, has_one = oracle @ ClipstakeError::NotCampaignOracle)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// The oracle's registration with the platform, at its `["oracle", key]` address; a
    /// revoked oracle registers nothing.
    #[account(seeds = [ORACLE_SEED, oracle.key().as_ref()], bump = oracle_registration.bump)]
    pub oracle_registration: Account<'info, OracleRegistration>,
    /// The new submission; `init` refuses a video registered twice.
    #[account(
        init,
        payer = payer,
        space = Submission::SPACE,
        seeds = [SUBMISSION_SEED, campaign.key().as_ref(), &args.content_hash],
        bump,
    )]
    pub submission: AccountLoader<'info, Submission>,
    /// Creates the submission account.
    pub system_program: Program<'info, System>,
}

impl RegisterSubmission<'_> {
    fn validate(&self, args: &RegisterSubmissionArgs) -> Result<()> {
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        require!(
            self.oracle_registration.active,
            ClipstakeError::OracleRevoked
        );
        let campaign = self.campaign.load()?;
        campaign.check_accepting_submissions(Clock::get()?.unix_timestamp)?;
        require!(
            args.affiliate.is_some() == (args.affiliate_bps > 0)
                && args.affiliate != Some(Pubkey::default())
                && args.creator != Pubkey::default(),
            ClipstakeError::AffiliateMismatch
        );
        let commission = Bps::new(args.affiliate_bps)?;
        require!(
            args.affiliate_bps <= campaign.max_affiliate_bps,
            ClipstakeError::AffiliateCommissionTooHigh
        );
        Bps::new(campaign.fee_bps)?.checked_add(commission)?;
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: RegisterSubmissionArgs) -> Result<()> {
        let campaign_key = ctx.accounts.campaign.key();
        let mut campaign = ctx.accounts.campaign.load_mut()?;
        campaign.open_submissions = campaign
            .open_submissions
            .checked_add(1)
            .ok_or(ClipstakeError::Overflow)?;
        let affiliate = args.affiliate.unwrap_or_default();
        *ctx.accounts.submission.load_init()? = Submission {
            campaign: campaign_key,
            content_hash: args.content_hash,
            creator: args.creator,
            affiliate,
            affiliate_bps: args.affiliate_bps,
            paid_views: 0,
            paid_gross: 0,
            paid_to_creator: 0,
            fees_paid: 0,
            commissions_paid: 0,
            commission_accrued: 0,
            registered_at: Clock::get()?.unix_timestamp,
            rent_payer: ctx.accounts.payer.key(),
            bump: ctx.bumps.submission,
            reserved: [0; 5],
        };
        emit!(SubmissionRegistered {
            campaign: campaign_key,
            submission: ctx.accounts.submission.key(),
            content_hash: args.content_hash,
            creator: args.creator,
            affiliate,
            affiliate_bps: args.affiliate_bps,
        });
        Ok(())
    }
}
