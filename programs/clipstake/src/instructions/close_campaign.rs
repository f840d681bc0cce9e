use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::token_interface::{self, TokenInterface};

use crate::errors::ClipstakeError;
use crate::events::CampaignClosed;
use crate::state::Campaign;
use crate::transfer::{LamportVault, token_amount, withheld_transfer_fees};

#[derive(Accounts)]
pub struct CloseCampaign<'info> {
    /// The campaign's brand.
    pub brand: Signer<'info>,
    /// The campaign to close; its rent goes back to whoever paid it.
    #[account(
        mut,
        has_one = brand @ ClipstakeError::NotCampaignBrand,
        has_one = rent_payer @ ClipstakeError::WrongRecipient,
        close = rent_payer,
    )]
    pub campaign: AccountLoader<'info, Campaign>,
    /// CHECK: the campaign's vault, checked against `campaign.vault`; closed here.
    #[account(mut, address = campaign.load()?.vault @ ClipstakeError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: receives the rent of the campaign and its vault; checked by `has_one`.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    /// CHECK: the campaign's mint (token campaigns), checked against `campaign.mint`; writable
    /// because Token-2022 fees withheld in the vault are harvested into it before closing.
    #[account(mut, address = campaign.load()?.mint @ ClipstakeError::WrongMint)]
    pub mint: Option<UncheckedAccount<'info>>,
    /// The campaign's token program (token campaigns), checked against
    /// `campaign.token_program`.
    #[account(address = campaign.load()?.token_program @ ClipstakeError::WrongTokenProgram)]
    pub token_program: Option<Interface<'info, TokenInterface>>,
}

impl CloseCampaign<'_> {
    fn validate(&self) -> Result<()> {
        let campaign = self.campaign.load()?;
        require!(
            campaign.open_submissions == 0,
            ClipstakeError::SubmissionsStillOpen
        );
        require!(
            campaign.owed_in_vault() == 0,
            ClipstakeError::AccruedStillOwed
        );
        let is_token = !campaign.is_native_sol()?;
        require!(
            self.token_program.is_some() == is_token && self.mint.is_some() == is_token,
            ClipstakeError::MissingTokenAccounts
        );
        let empty = if is_token {
            token_amount(&self.vault)? == 0
        } else {
            LamportVault::new(&self.vault.to_account_info())?.balance() == 0
        };
        require!(empty, ClipstakeError::CampaignNotEmpty);
        Ok(())
    }

    /// Closes the empty vault and the campaign, returning both rents.
    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let accounts = &ctx.accounts;
        // A copy: the campaign's data must not stay borrowed across the CPIs it signs.
        let campaign = *accounts.campaign.load()?;
        let vault = accounts.vault.to_account_info();
        let rent_payer = accounts.rent_payer.to_account_info();
        if let (Some(token_program), Some(mint)) = (&accounts.token_program, &accounts.mint) {
            if withheld_transfer_fees(&vault)? > 0 {
                // Token-2022 refuses to close an account holding withheld fees; moving them to
                // the mint is permissionless and the mint's fee authority collects them there.
                token_interface::harvest_withheld_tokens_to_mint(
                    CpiContext::new(
                        token_program.key(),
                        token_interface::HarvestWithheldTokensToMint {
                            token_program_id: token_program.to_account_info(),
                            mint: mint.to_account_info(),
                        },
                    ),
                    vec![vault.clone()],
                )?;
            }
            let signer = campaign.signer();
            let seeds = signer.seeds();
            token_interface::close_account(CpiContext::new_with_signer(
                token_program.key(),
                token_interface::CloseAccount {
                    account: vault,
                    destination: rent_payer,
                    authority: accounts.campaign.to_account_info(),
                },
                &[&seeds],
            ))?;
        } else {
            let lamports = vault.lamports();
            **vault.try_borrow_mut_lamports()? = 0;
            **rent_payer.try_borrow_mut_lamports()? = rent_payer
                .lamports()
                .checked_add(lamports)
                .ok_or(ClipstakeError::Overflow)?;
            vault.assign(&system_program::ID);
            vault.resize(0)?;
        }
        emit!(CampaignClosed {
            campaign: accounts.campaign.key(),
            funded: campaign.funded,
            paid_gross: campaign.paid_gross(),
            withdrawn: campaign.withdrawn,
        });
        Ok(())
    }
}
