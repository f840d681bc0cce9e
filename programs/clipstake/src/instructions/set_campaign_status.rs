use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::CampaignStatusChanged;
use crate::state::{Campaign, CampaignStatus, Platform};

#[derive(Accounts)]
pub struct SetCampaignStatus<'info> {
    /// The brand, or the platform admin (who may only pause and resume).
    pub authority: Signer<'info>,
    /// Platform settings, to recognise the admin.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The campaign whose status changes.
    #[account(mut)]
    pub campaign: Account<'info, Campaign>,
}

impl SetCampaignStatus<'_> {
    fn validate(&self, status: CampaignStatus) -> Result<()> {
        let signer = self.authority.key();
        let is_brand = signer == self.campaign.brand;
        let is_admin = signer == self.platform.admin;
        let current = self.campaign.status;
        match status {
            CampaignStatus::Paused => {
                require!(is_brand || is_admin, ClipstakeError::NotCampaignBrand);
                require!(
                    current == CampaignStatus::Active,
                    ClipstakeError::InvalidStatusChange
                );
            }
            CampaignStatus::Active => {
                require!(is_brand || is_admin, ClipstakeError::NotCampaignBrand);
                require!(
                    current == CampaignStatus::Paused,
                    ClipstakeError::InvalidStatusChange
                );
                require!(
                    !self.campaign.paused_by_admin || is_admin,
                    ClipstakeError::AdminPauseLocked
                );
            }
            CampaignStatus::Ended => {
                require!(is_brand, ClipstakeError::NotCampaignBrand);
                require!(
                    current != CampaignStatus::Ended,
                    ClipstakeError::InvalidStatusChange
                );
                require!(
                    !self.campaign.paused_by_admin,
                    ClipstakeError::AdminPauseLocked
                );
            }
        }
        Ok(())
    }

    /// Pauses, resumes or ends the campaign. Ending moves `end_time` to now, so the settlement
    /// window starts at once; pausing starts it too, for as long as the pause lasts.
    #[access_control(ctx.accounts.validate(status))]
    pub fn handler(ctx: Context<Self>, status: CampaignStatus) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let by = ctx.accounts.authority.key();
        let by_admin = by == ctx.accounts.platform.admin && by != ctx.accounts.campaign.brand;
        let campaign = &mut ctx.accounts.campaign;
        match status {
            CampaignStatus::Paused => {
                campaign.paused_at = now;
                campaign.paused_by_admin = by_admin;
            }
            CampaignStatus::Active => campaign.paused_by_admin = false,
            CampaignStatus::Ended => {
                // A pause that began earlier keeps its (earlier) settlement deadline.
                let stopped = if campaign.status == CampaignStatus::Paused {
                    campaign.paused_at
                } else {
                    now
                };
                campaign.end_time = campaign.end_time.min(stopped);
            }
        }
        campaign.status = status;
        emit!(CampaignStatusChanged {
            campaign: campaign.key(),
            by,
            status,
            paused_by_admin: campaign.paused_by_admin,
            end_time: campaign.end_time,
        });
        Ok(())
    }
}
