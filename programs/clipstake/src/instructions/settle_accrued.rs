use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::TokenInterface;

use crate::errors::ClipstakeError;
use crate::events::AccruedSettled;
use crate::math;
use crate::mint_policy;
use crate::state::{Campaign, Platform, Submission};
use crate::transfer::{AtaCreator, LamportVault, TokenVault};

/// Delivers what a payout had to accrue because its recipient could not receive it then: a
/// submission's commission to its affiliate, or (without a submission) a campaign's fees to its
/// treasury. Anyone may send it once the recipient's account can receive; it is never subject
/// to the settlement window, because the value is already owed.
#[derive(Accounts)]
pub struct SettleAccrued<'info> {
    /// Pays rent for the recipient's token account if it has to be created.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// Platform settings, for the global pause.
    /// (The type check suffices: `init_platform` can only create the one fixed-seed Platform.)
    pub platform: Account<'info, Platform>,
    /// The campaign whose vault holds the accrued value.
    #[account(mut)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// The submission whose commission is delivered; absent to deliver the campaign's fees.
    #[account(mut, has_one = campaign @ ClipstakeError::WrongRecipient)]
    pub submission: Option<AccountLoader<'info, Submission>>,
    /// CHECK: the campaign's vault, checked against `campaign.vault`.
    #[account(mut, address = campaign.load()?.vault @ ClipstakeError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the affiliate (with a submission) or treasury wallet; `validate` checks it
    /// against `submission.affiliate` or `campaign.treasury`.
    #[account(mut)]
    pub recipient: UncheckedAccount<'info>,
    /// CHECK: the recipient's token account (token campaigns); checked or created by
    /// `AtaCreator::prepare`.
    #[account(mut)]
    pub recipient_token_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the campaign's mint (token campaigns), checked against `campaign.mint`.
    #[account(address = campaign.load()?.mint @ ClipstakeError::WrongMint)]
    pub mint: Option<UncheckedAccount<'info>>,
    /// The campaign's token program (token campaigns), checked against
    /// `campaign.token_program`.
    #[account(address = campaign.load()?.token_program @ ClipstakeError::WrongTokenProgram)]
    pub token_program: Option<Interface<'info, TokenInterface>>,
    /// Creates a missing recipient token account (token campaigns).
    pub associated_token_program: Option<Program<'info, AssociatedToken>>,
    /// Needed by the associated token program to create accounts.
    pub system_program: Program<'info, System>,
}

impl SettleAccrued<'_> {
    /// The accrued amount owed to the recipient this instruction names.
    fn owed(&self) -> Result<u64> {
        Ok(match &self.submission {
            Some(submission) => submission.load()?.commission_accrued,
            None => self.campaign.load()?.fees_accrued,
        })
    }

    fn validate(&self) -> Result<()> {
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        let campaign = *self.campaign.load()?;
        let expected = match &self.submission {
            Some(submission) => submission.load()?.affiliate,
            None => campaign.treasury,
        };
        require_keys_eq!(
            self.recipient.key(),
            expected,
            ClipstakeError::WrongRecipient
        );
        require!(self.owed()? > 0, ClipstakeError::NothingAccrued);
        let is_token = !campaign.is_native_sol()?;
        let present = [
            self.recipient_token_account.is_some(),
            self.mint.is_some(),
            self.token_program.is_some(),
            self.associated_token_program.is_some(),
        ];
        require!(
            present.iter().all(|p| *p == is_token),
            ClipstakeError::MissingTokenAccounts
        );
        let protected = [self.vault.key(), self.campaign.key()];
        let destinations = [
            Some(self.recipient.key()),
            self.recipient_token_account.as_ref().map(|a| a.key()),
        ];
        require!(
            destinations
                .iter()
                .flatten()
                .all(|d| !protected.contains(d)),
            ClipstakeError::DuplicateAccount
        );
        if let Some(mint) = &self.mint {
            mint_policy::enforce(campaign.is_mint_trusted(), mint, Clock::get()?.epoch)?;
        }
        Ok(())
    }

    fn deliver(&self, amount: u64) -> Result<()> {
        let (Some(to), Some(mint), Some(token_program), Some(ata_program)) = (
            &self.recipient_token_account,
            &self.mint,
            &self.token_program,
            &self.associated_token_program,
        ) else {
            let vault = self.vault.to_account_info();
            return LamportVault::new(&vault)?.pay(&self.recipient, amount);
        };
        let (mint, token_program) = (mint.to_account_info(), token_program.to_account_info());
        let ata_creator = AtaCreator {
            payer: &self.payer.to_account_info(),
            mint: &mint,
            token_program: &token_program,
            associated_token_program: &ata_program.to_account_info(),
            system_program: &self.system_program.to_account_info(),
        };
        require!(
            ata_creator.prepare(to, &self.recipient)?,
            ClipstakeError::RecipientCannotReceive
        );
        // A copy: the campaign's data must not stay borrowed across the CPI it signs.
        let campaign = *self.campaign.load()?;
        let signer = campaign.signer();
        TokenVault {
            token_program: &token_program,
            mint: &mint,
            decimals: campaign.decimals,
            vault: &self.vault.to_account_info(),
            authority: &self.campaign.to_account_info(),
            signer: &signer,
        }
        .pay(to, amount)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let amount = ctx.accounts.owed()?;
        ctx.accounts.deliver(amount)?;
        let accounts = &mut *ctx.accounts;
        let mut campaign = accounts.campaign.load_mut()?;
        let submission_key = match &mut accounts.submission {
            Some(loader) => {
                let mut submission = loader.load_mut()?;
                submission.commission_accrued = 0;
                submission.commissions_paid = math::add(submission.commissions_paid, amount)?;
                campaign.commissions_accrued = campaign.commissions_accrued.saturating_sub(amount);
                campaign.commissions_paid = math::add(campaign.commissions_paid, amount)?;
                loader.key()
            }
            None => {
                campaign.fees_accrued = 0;
                campaign.fees_paid = math::add(campaign.fees_paid, amount)?;
                Pubkey::default()
            }
        };
        emit!(AccruedSettled {
            campaign: accounts.campaign.key(),
            submission: submission_key,
            recipient: accounts.recipient.key(),
            amount,
        });
        Ok(())
    }
}
