use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::CampaignStatusChanged;
use crate::state::{Campaign, CampaignStatus, Platform};

#[derive(Accounts)]
pub struct SetCampaignStatus<'info> {
    /// The brand, or the platform admin (who may only pause and resume).
    pub authority: Signer<'info>,
    /// Platform settings, to recognise the admin and the global pause.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The campaign whose status changes.
    #[account(mut)]
    pub campaign: AccountLoader<'info, Campaign>,
}

impl SetCampaignStatus<'_> {
    /// Whether the signer acts as the admin (an admin who is also the brand acts as brand).
    fn by_admin(&self) -> Result<bool> {
        let signer = self.authority.key();
        Ok(signer == self.platform.admin && signer != self.campaign.load()?.brand)
    }

    fn validate(&self, status: CampaignStatus) -> Result<()> {
        let by_admin = self.by_admin()?;
        let campaign = self.campaign.load()?;
        let is_brand = self.authority.key() == campaign.brand;
        let is_admin = self.authority.key() == self.platform.admin;
        require!(is_brand || is_admin, ClipstakeError::NotCampaignBrand);
        // During a platform pause the brand can change nothing (it could otherwise end the
        // campaign and let the settlement window run out while payouts are blocked).
        require!(
            !self.platform.paused || by_admin,
            ClipstakeError::PlatformPaused
        );
        // A withdrawal ended the campaign for good.
        require!(!campaign.is_settled(), ClipstakeError::CampaignSettled);
        let current = campaign.status()?;
        match status {
            CampaignStatus::Paused => require!(
                current == CampaignStatus::Active,
                ClipstakeError::InvalidStatusChange
            ),
            CampaignStatus::Active => {
                require!(
                    current == CampaignStatus::Paused,
                    ClipstakeError::InvalidStatusChange
                );
                require!(
                    !campaign.is_paused_by_admin() || by_admin,
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
                    !campaign.is_paused_by_admin(),
                    ClipstakeError::AdminPauseLocked
                );
            }
        }
        Ok(())
    }

    /// Pauses, resumes or ends the campaign. Ending moves `end_time` to now, so the settlement
    /// window starts at once; a brand pause starts it too, for as long as the pause lasts. An
    /// admin pause stops the clock instead: its length is added to the payout deadline.
    #[access_control(ctx.accounts.validate(status))]
    pub fn handler(ctx: Context<Self>, status: CampaignStatus) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let by = ctx.accounts.authority.key();
        let by_admin = ctx.accounts.by_admin()?;
        let mut campaign = ctx.accounts.campaign.load_mut()?;
        match status {
            CampaignStatus::Paused => campaign.pause(now, by_admin),
            CampaignStatus::Active => campaign.resume(now),
            CampaignStatus::Ended => campaign.end(now),
        }
        emit!(CampaignStatusChanged {
            campaign: ctx.accounts.campaign.key(),
            by,
            status,
            paused_by_admin: campaign.is_paused_by_admin(),
            end_time: campaign.end_time,
            admin_paused_secs: campaign.admin_paused_secs,
        });
        Ok(())
    }
}
