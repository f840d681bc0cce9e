use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::errors::ClipstakeError;
use crate::events::CampaignWithdrawn;
use crate::mint_policy;
use crate::state::{Campaign, Platform};
use crate::transfer::{LamportVault, TokenVault, vault_held};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    /// The campaign's brand; receives the funds.
    #[account(mut)]
    pub brand: Signer<'info>,
    /// Platform settings: the global pause, and platform pauses that moved the deadline.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The campaign to withdraw from.
    #[account(mut, has_one = brand @ ClipstakeError::NotCampaignBrand)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// CHECK: the campaign's vault, checked against `campaign.vault`.
    #[account(mut, address = campaign.load()?.vault @ ClipstakeError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the brand's token account (token campaigns); `validate` checks the brand owns it
    /// and the token program checks its mint.
    #[account(mut)]
    pub brand_token_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the campaign's mint (token campaigns), checked against `campaign.mint`.
    #[account(address = campaign.load()?.mint @ ClipstakeError::WrongMint)]
    pub mint: Option<UncheckedAccount<'info>>,
    /// The campaign's token program (token campaigns), checked against
    /// `campaign.token_program`.
    #[account(address = campaign.load()?.token_program @ ClipstakeError::WrongTokenProgram)]
    pub token_program: Option<Interface<'info, TokenInterface>>,
}

impl Withdraw<'_> {
    /// What the vault holds beyond accrued fees and commissions.
    fn held(&self) -> Result<u64> {
        vault_held(&*self.campaign.load()?, &self.vault)
    }

    /// What the brand may take: what the vault holds beyond accrued shares and beyond what
    /// verified views are still owed (recorded shortfalls).
    fn withdrawable(&self) -> Result<u64> {
        let shortfall_owed = self.campaign.load()?.shortfall_owed;
        Ok(self.held()?.saturating_sub(shortfall_owed))
    }

    fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, ClipstakeError::ZeroAmount);
        // Payouts are blocked during a platform pause, so withdrawals are too; the pause's
        // length is then added to every campaign's deadline.
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        let campaign = self.campaign.load()?;
        // An admin pause freezes the budget too: payouts are blocked while the admin looks into
        // abuse, and the pause's length is added to the deadline once it is resumed.
        require!(
            !campaign.is_paused_by_admin(),
            ClipstakeError::AdminPauseLocked
        );
        let clock = Clock::get()?;
        require!(
            clock.unix_timestamp >= campaign.settlement_deadline(&self.platform),
            ClipstakeError::SettlementWindowOpen
        );
        let is_token = !campaign.is_native_sol()?;
        let present = [
            self.brand_token_account.is_some(),
            self.mint.is_some(),
            self.token_program.is_some(),
        ];
        require!(
            present.iter().all(|p| *p == is_token),
            ClipstakeError::MissingTokenAccounts
        );
        if let Some(destination) = &self.brand_token_account {
            require_keys_neq!(
                destination.key(),
                self.vault.key(),
                ClipstakeError::DuplicateAccount
            );
            require_keys_eq!(
                *destination.owner,
                campaign.token_program,
                ClipstakeError::RecipientTokenAccountMismatch
            );
            let data = destination.try_borrow_data()?;
            require!(
                data.len() >= 64 && &data[32..64] == self.brand.key().as_ref(),
                ClipstakeError::RecipientTokenAccountMismatch
            );
        }
        if let Some(mint) = &self.mint {
            mint_policy::enforce(campaign.is_mint_trusted(), mint, clock.epoch)?;
        }
        drop(campaign);
        require!(
            amount <= self.withdrawable()?,
            ClipstakeError::WithdrawExceedsAvailable
        );
        Ok(())
    }

    /// Returns `amount` of the budget to the brand once the settlement window has closed, and
    /// ends the campaign for good (it can never be resumed and pay from an emptied vault).
    #[access_control(ctx.accounts.validate(amount))]
    pub fn handler(ctx: Context<Self>, amount: u64) -> Result<()> {
        // Whatever reached the vault outside `fund_campaign` is booked as funding first, so
        // the books can pay the recorded shortfalls it was kept back for.
        let held = ctx.accounts.held()?;
        let stray = ctx.accounts.campaign.load_mut()?.book_stray_funds(held)?;
        let accounts = &ctx.accounts;
        // A copy: the campaign's data must not stay borrowed across the CPI it signs.
        let campaign = *accounts.campaign.load()?;
        match (
            &accounts.brand_token_account,
            &accounts.mint,
            &accounts.token_program,
        ) {
            (Some(destination), Some(mint), Some(token_program)) => {
                let signer = campaign.signer();
                let route = TokenVault {
                    token_program: &token_program.to_account_info(),
                    mint: &mint.to_account_info(),
                    decimals: campaign.decimals,
                    vault: &accounts.vault.to_account_info(),
                    authority: &accounts.campaign.to_account_info(),
                    signer: &signer,
                };
                route.pay(&destination.to_account_info(), amount)?;
            }
            _ => {
                let vault = accounts.vault.to_account_info();
                LamportVault::new(&vault)?.pay(&accounts.brand.to_account_info(), amount)?;
            }
        }
        let mut campaign = ctx.accounts.campaign.load_mut()?;
        campaign.record_withdrawal(amount, Clock::get()?.unix_timestamp)?;
        emit!(CampaignWithdrawn {
            campaign: ctx.accounts.campaign.key(),
            amount,
            withdrawn_total: campaign.withdrawn,
            stray_funds_booked: stray,
        });
        Ok(())
    }
}
