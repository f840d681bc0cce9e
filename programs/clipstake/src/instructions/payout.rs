//! The payout path shared by `disburse` (oracle push) and `claim` (creator pull): compute what
//! is owed above the watermark, split it three ways and move it out of the vault, all in one
//! instruction or not at all.
use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::TokenInterface;

use crate::errors::ClipstakeError;
use crate::events::PayoutMade;
use crate::math::{self, Bps, Split};
use crate::mint_policy;
use crate::state::{AssetKind, Campaign, OracleRegistration, Platform, Submission};
use crate::transfer::{AtaCreator, LamportVault, TokenVault, held_beyond_owed};

/// Which of a payout's third-party shares reached their recipient. A share that cannot be
/// delivered (the account is frozen, requires memos, was handed to someone else, or cannot
/// hold SOL) is accrued in the vault for `settle_accrued` instead, so no recipient can block
/// the creator's share or anyone else's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The platform fee reached the treasury.
    pub fee: bool,
    /// The affiliate commission reached the affiliate.
    pub commission: bool,
}

/// Accounts of one payout. Recipients are checked against the submission and campaign; token
/// accounts that do not exist yet are created as associated token accounts, paid by `payer`.
/// The accounts only a token campaign needs come last, so a SOL payout leaves them off (the
/// program's `allow-missing-optionals`); this struct is therefore the last of its instruction.
#[derive(Accounts)]
pub struct Payout<'info> {
    /// Pays rent for any recipient token account that has to be created.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// Platform settings, for the global pause. The owner and discriminator checks suffice:
    /// `init_platform` can only ever create one Platform account (a fixed-seed PDA).
    pub platform: Account<'info, Platform>,
    /// CHECK: the campaign's oracle registration, checked in `validate` by
    /// `OracleRegistration::check_active` (owner, discriminator, the key it stores equal to
    /// `campaign.oracle`, active): a revoked oracle's pushes and attestations pay nothing.
    pub oracle_registration: UncheckedAccount<'info>,
    /// The campaign paying out. `dup`: it is the only account here written back on exit, so
    /// no other field could alias it into a double write (recipients are kept off it by
    /// `validate`), and Anchor's duplicate-mutable-account check, a SipHash set built per
    /// instruction, costs about 1,800 compute units for nothing.
    #[account(mut, dup)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// The video being paid; its watermark is the receipt. Zero-copy: read and written in
    /// place.
    #[account(mut, has_one = campaign @ ClipstakeError::WrongRecipient)]
    pub submission: AccountLoader<'info, Submission>,
    /// CHECK: the campaign's vault, checked against `campaign.vault`.
    #[account(mut, address = campaign.load()?.vault @ ClipstakeError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the creator wallet, checked against `submission.creator`; receives lamports in a
    /// SOL campaign and owns `creator_token_account` in a token campaign.
    #[account(mut, address = submission.load()?.creator @ ClipstakeError::WrongRecipient)]
    pub creator: UncheckedAccount<'info>,
    /// CHECK: the affiliate wallet, present exactly when the submission has one; checked
    /// against `submission.affiliate` in `validate`.
    #[account(mut)]
    pub affiliate: Option<UncheckedAccount<'info>>,
    /// CHECK: the fee wallet, checked against `campaign.treasury`.
    #[account(mut, address = campaign.load()?.treasury @ ClipstakeError::WrongRecipient)]
    pub treasury: UncheckedAccount<'info>,
    /// CHECK: the creator's token account (token campaigns only); checked or created by
    /// `AtaCreator::ensure`.
    #[account(mut)]
    pub creator_token_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the affiliate's token account (token campaigns with an affiliate); checked or
    /// created by `AtaCreator::ensure`.
    #[account(mut)]
    pub affiliate_token_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the treasury's token account (token campaigns only); checked or created by
    /// `AtaCreator::ensure`.
    #[account(mut)]
    pub treasury_token_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the campaign's mint (token campaigns only), checked against `campaign.mint`.
    pub mint: Option<UncheckedAccount<'info>>,
    /// The campaign's token program (token campaigns only), checked against
    /// `campaign.token_program`.
    pub token_program: Option<Interface<'info, TokenInterface>>,
    /// Creates missing recipient token accounts (token campaigns only).
    pub associated_token_program: Option<Program<'info, AssociatedToken>>,
    /// Needed by the associated token program to create accounts (token campaigns only).
    pub system_program: Option<Program<'info, System>>,
}

impl<'info> Payout<'info> {
    /// Checks everything that does not depend on who asked for the payout. A payout at the
    /// watermark can only be a top-up of a recorded shortfall.
    pub fn validate(&self, cumulative_views: u64) -> Result<()> {
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        let campaign = self.campaign.load()?;
        OracleRegistration::check_active(&self.oracle_registration, &campaign.oracle)?;
        let clock = Clock::get()?;
        let submission = self.submission.load()?;
        let top_up = cumulative_views == submission.paid_views;
        campaign.check_payable(clock.unix_timestamp, &self.platform, top_up)?;

        let affiliate = submission.affiliate();
        require!(
            self.affiliate.as_ref().map(|a| a.key()) == affiliate,
            ClipstakeError::WrongRecipient
        );

        let is_token = !campaign.is_native_sol()?;
        let token_accounts_present = [
            self.creator_token_account.is_some(),
            self.treasury_token_account.is_some(),
            self.mint.is_some(),
            self.token_program.is_some(),
            self.associated_token_program.is_some(),
            self.system_program.is_some(),
            self.affiliate_token_account.is_some() == affiliate.is_some(),
        ];
        if is_token {
            require!(
                token_accounts_present.iter().all(|p| *p),
                ClipstakeError::MissingTokenAccounts
            );
            require_keys_eq!(
                self.mint.as_ref().map(|m| m.key()).unwrap_or_default(),
                campaign.mint,
                ClipstakeError::WrongMint
            );
            require_keys_eq!(
                self.token_program
                    .as_ref()
                    .map(|p| p.key())
                    .unwrap_or_default(),
                campaign.token_program,
                ClipstakeError::WrongTokenProgram
            );
            if let Some(mint) = &self.mint {
                mint_policy::enforce(campaign.is_mint_trusted(), mint, clock.epoch)?;
            }
        } else {
            require!(
                self.creator_token_account.is_none()
                    && self.treasury_token_account.is_none()
                    && self.affiliate_token_account.is_none()
                    && self.mint.is_none()
                    && self.token_program.is_none(),
                ClipstakeError::MissingTokenAccounts
            );
        }

        // No recipient may alias an account the payout itself writes.
        let protected = [self.vault.key(), self.campaign.key(), self.submission.key()];
        let recipients = [
            Some(self.creator.key()),
            Some(self.treasury.key()),
            self.affiliate.as_ref().map(|a| a.key()),
            self.creator_token_account.as_ref().map(|a| a.key()),
            self.treasury_token_account.as_ref().map(|a| a.key()),
            self.affiliate_token_account.as_ref().map(|a| a.key()),
        ];
        require!(
            recipients.iter().flatten().all(|r| !protected.contains(r)),
            ClipstakeError::DuplicateAccount
        );
        Ok(())
    }

    /// Pays what `cumulative_views` are owed beyond what was paid, or all the vault holds when
    /// that is less (the rest stays owed), and advances the watermark.
    pub fn pay(&mut self, cumulative_views: u64, claimed: bool) -> Result<PayoutMade> {
        // Booked on a copy, written back once at the end: the campaign's data is not borrowed
        // across the transfer CPIs it signs.
        let mut campaign = *self.campaign.load()?;
        // A SOL vault's rent floors are computed once (soft-float rent math on SBF) for both
        // the creator's rent check and the delivery.
        let vault_info = self.vault.to_account_info();
        let lamports = match campaign.asset()? {
            AssetKind::NativeSol => Some(LamportVault::new(&vault_info)?),
            _ => None,
        };
        let held = held_beyond_owed(&campaign, &vault_info, lamports.as_ref())?;
        campaign.book_stray_funds(held)?;
        let submission = *self.submission.load()?;
        let due = campaign.owed(&submission, cumulative_views)?;
        let records_new_views = cumulative_views > submission.paid_views;
        let mut gross = math::payable(due, campaign.available(), records_new_views)?;
        let shortfall_before = campaign.shortfall_of(&submission);
        let mut split = math::split(
            gross,
            Bps::new(campaign.fee_bps)?,
            Bps::new(submission.affiliate_bps)?,
        )?;
        let creator_below_rent = match &lamports {
            Some(vault) if split.creator > 0 => {
                vault.leaves_below_rent(&self.creator, split.creator)?
            }
            _ => false,
        };
        if records_new_views && creator_below_rent {
            // The creator's wallet cannot hold its share yet: the views are recorded, all of
            // it stays owed (kept back from the brand) and a top-up pays it once it can.
            gross = 0;
            split = Split::default();
        }

        let previous_watermark = submission.paid_views;
        let delivered = match &lamports {
            Some(vault) => self.pay_sol(vault, &split)?,
            None => self.pay_tokens(&campaign, &split)?,
        };
        campaign.book_payout(&split, delivered.fee, delivered.commission)?;
        campaign.book_shortfall(shortfall_before, due - gross)?;
        self.campaign.load_mut()?.store_books(&campaign);
        self.submission
            .load_mut()?
            .book_payout(cumulative_views, &split, delivered.commission)?;

        Ok(PayoutMade {
            campaign: self.campaign.key(),
            submission: self.submission.key(),
            creator: submission.creator,
            affiliate: submission.affiliate,
            previous_watermark,
            watermark: cumulative_views,
            gross,
            fee: split.fee,
            commission: split.commission,
            creator_amount: split.creator,
            fee_accrued: !delivered.fee,
            commission_accrued: !delivered.commission,
            claimed,
            still_owed: due - gross,
        })
    }

    fn pay_sol(&self, vault: &LamportVault, split: &Split) -> Result<Delivered> {
        vault.pay(&self.creator, split.creator)?;
        let fee = vault.pay_if_receivable(&self.treasury, split.fee)?;
        let commission = match &self.affiliate {
            Some(affiliate) => vault.pay_if_receivable(affiliate, split.commission)?,
            None => true,
        };
        Ok(Delivered { fee, commission })
    }

    fn pay_tokens(&self, campaign: &Campaign, split: &Split) -> Result<Delivered> {
        let missing = || error!(ClipstakeError::MissingTokenAccounts);
        let mint = self.mint.as_ref().ok_or_else(missing)?.to_account_info();
        let token_program = self
            .token_program
            .as_ref()
            .ok_or_else(missing)?
            .to_account_info();
        let ata_program = self
            .associated_token_program
            .as_ref()
            .ok_or_else(missing)?
            .to_account_info();
        let payer = self.payer.to_account_info();
        let system_program = self
            .system_program
            .as_ref()
            .ok_or_else(missing)?
            .to_account_info();
        let ata_creator = AtaCreator {
            payer: &payer,
            mint: &mint,
            token_program: &token_program,
            associated_token_program: &ata_program,
            system_program: &system_program,
        };
        let vault = self.vault.to_account_info();
        let authority = self.campaign.to_account_info();
        let signer = campaign.signer();
        let route = TokenVault {
            token_program: &token_program,
            mint: &mint,
            decimals: campaign.decimals,
            vault: &vault,
            authority: &authority,
            signer: &signer,
        };

        let creator_ata = self.creator_token_account.as_ref().ok_or_else(missing)?;
        if split.creator > 0 {
            require!(
                ata_creator.prepare(creator_ata, &self.creator)?,
                ClipstakeError::RecipientCannotReceive
            );
        }
        let treasury_ata = self.treasury_token_account.as_ref().ok_or_else(missing)?;
        let mut delivered = Delivered {
            fee: true,
            commission: true,
        };
        if split.fee > 0 {
            delivered.fee = ata_creator.prepare(treasury_ata, &self.treasury)?;
        }
        let affiliate_ata = match (&self.affiliate, &self.affiliate_token_account) {
            (Some(affiliate), Some(account)) if split.commission > 0 => {
                delivered.commission = ata_creator.prepare(account, affiliate)?;
                Some(account)
            }
            _ => None,
        };

        // Every share moves after every account is ready, in one transfer CPI where the token
        // program allows it.
        let mut payments = vec![(&**creator_ata, split.creator)];
        if delivered.fee {
            payments.push((&**treasury_ata, split.fee));
        }
        if let (Some(account), true) = (affiliate_ata, delivered.commission) {
            payments.push((&**account, split.commission));
        }
        route.pay_all(&payments, self.platform.spl_token_batch)?;
        Ok(delivered)
    }
}
