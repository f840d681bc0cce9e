use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::token_interface::{self, TokenInterface};

use crate::errors::ClipstakeError;
use crate::events::CampaignFunded;
use crate::math;
use crate::mint_policy;
use crate::state::{Campaign, Platform};
use crate::transfer::token_amount;

#[derive(Accounts)]
pub struct FundCampaign<'info> {
    /// Anyone may fund a campaign; the funder signs for its tokens or lamports.
    #[account(mut)]
    pub funder: Signer<'info>,
    /// Platform settings, for the global pause.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The campaign being funded.
    #[account(mut)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// CHECK: the campaign's vault, checked against `campaign.vault`.
    #[account(mut, address = campaign.load()?.vault @ ClipstakeError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the funder's token account (token campaigns); the token program checks that the
    /// funder owns it and that its mint is `mint`.
    #[account(mut)]
    pub funder_token_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the campaign's mint (token campaigns), checked against `campaign.mint`.
    #[account(address = campaign.load()?.mint @ ClipstakeError::WrongMint)]
    pub mint: Option<UncheckedAccount<'info>>,
    /// The campaign's token program (token campaigns), checked against
    /// `campaign.token_program`.
    #[account(address = campaign.load()?.token_program @ ClipstakeError::WrongTokenProgram)]
    pub token_program: Option<Interface<'info, TokenInterface>>,
    /// Moves lamports for SOL campaigns.
    pub system_program: Program<'info, System>,
}

impl FundCampaign<'_> {
    fn validate(&self, amount: u64) -> Result<()> {
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        require!(amount > 0, ClipstakeError::ZeroAmount);
        let campaign = self.campaign.load()?;
        let is_token = !campaign.is_native_sol()?;
        let present = [
            self.funder_token_account.is_some(),
            self.mint.is_some(),
            self.token_program.is_some(),
        ];
        require!(
            present.iter().all(|p| *p == is_token),
            ClipstakeError::MissingTokenAccounts
        );
        require!(!campaign.is_settled(), ClipstakeError::CampaignSettled);
        if let Some(mint) = &self.mint {
            mint_policy::enforce(campaign.is_mint_trusted(), mint, Clock::get()?.epoch)?;
        }
        Ok(())
    }

    /// Moves `amount` into the vault and records what the vault actually received, so a
    /// Token-2022 transfer fee cannot inflate the budget.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn handler(ctx: Context<Self>, amount: u64) -> Result<()> {
        let accounts = &ctx.accounts;
        let received = match (
            &accounts.funder_token_account,
            &accounts.mint,
            &accounts.token_program,
        ) {
            (Some(from), Some(mint), Some(token_program)) => {
                let before = token_amount(&accounts.vault)?;
                token_interface::transfer_checked(
                    CpiContext::new(
                        token_program.key(),
                        token_interface::TransferChecked {
                            from: from.to_account_info(),
                            mint: mint.to_account_info(),
                            to: accounts.vault.to_account_info(),
                            authority: accounts.funder.to_account_info(),
                        },
                    ),
                    amount,
                    accounts.campaign.load()?.decimals,
                )?;
                token_amount(&accounts.vault)?
                    .checked_sub(before)
                    .ok_or(ClipstakeError::Overflow)?
            }
            _ => {
                system_program::transfer(
                    CpiContext::new(
                        accounts.system_program.key(),
                        system_program::Transfer {
                            from: accounts.funder.to_account_info(),
                            to: accounts.vault.to_account_info(),
                        },
                    ),
                    amount,
                )?;
                amount
            }
        };
        let mut campaign = ctx.accounts.campaign.load_mut()?;
        campaign.funded = math::add(campaign.funded, received)?;
        emit!(CampaignFunded {
            campaign: ctx.accounts.campaign.key(),
            funder: ctx.accounts.funder.key(),
            requested: amount,
            received,
            funded_total: campaign.funded,
        });
        Ok(())
    }
}
