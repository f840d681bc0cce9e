//! `disburse_batch`: the oracle pays many submissions of one campaign in one instruction.
//!
//! The platform, oracle, campaign and mint are checked once; each payout keeps every check of
//! `disburse` (its submission belongs to the campaign, its recipients are the submission's,
//! owed only for views not yet paid, cut to what the vault holds). Fees are summed (each
//! payout's fee floored on its own, so the books match single payouts exactly) and moved to the
//! treasury in one transfer. Under SPL Token on p-token every transfer of the batch goes in one
//! `Batch` CPI (`TokenVault::pay_all`). Payouts run in order, each booked before the next is computed, so
//! a submission listed twice is paid once for the same views. As with `disburse`, a payout the
//! vault cannot cover records its verified views and the shortfall they leave.
//!
//! The whole batch is described by one [`BatchPaid`] event, logged before any transfer so the
//! transfers' own log lines can never push it past the runtime's 10 KB log limit.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::errors::ClipstakeError;
use crate::events::{BatchPaid, BatchPayout};
use crate::math::{self, Bps, Split};
use crate::mint_policy;
use crate::state::{AssetKind, Campaign, OracleRegistration, Platform, Submission};
use crate::transfer::{
    LamportVault, TokenVault, existing_token_account_receivable, held_beyond_owed,
};

/// Most payouts one batch may carry. A transaction's 64 account locks allow about 26 payouts
/// without affiliates anyway; the bound keeps the event far below the 10 KB log limit.
#[constant]
pub const MAX_BATCH_PAYOUTS: u8 = 32;

#[derive(Accounts)]
pub struct DisburseBatch<'info> {
    /// The campaign's oracle, vouching for every view count of the batch.
    pub oracle: Signer<'info>,
    /// Platform settings, for the global pause (a fixed-seed PDA: owner and discriminator
    /// checks suffice).
    pub platform: Account<'info, Platform>,
    /// CHECK: the campaign's oracle registration, checked in `validate` by
    /// `OracleRegistration::check_active`.
    pub oracle_registration: UncheckedAccount<'info>,
    /// The campaign paying out. `dup` for the reason given on `Payout::campaign`: the only
    /// account written back on exit, kept off every recipient by the checks here.
    #[account(mut, dup)]
    pub campaign: AccountLoader<'info, Campaign>,
    /// CHECK: the campaign's vault, checked against `campaign.vault`.
    #[account(mut, address = campaign.load()?.vault @ ClipstakeError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: receives the batch's fee: the treasury wallet itself in a SOL campaign (checked
    /// against `campaign.treasury` in `validate`), or an existing token account of it for the
    /// mint in a token campaign (checked by `existing_token_account_receivable`). One that
    /// cannot receive leaves the fee accrued for `settle_accrued`.
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
    /// CHECK: the campaign's mint (token campaigns only), checked against `campaign.mint`.
    pub mint: Option<UncheckedAccount<'info>>,
    /// The campaign's token program (token campaigns only), checked against
    /// `campaign.token_program`.
    pub token_program: Option<Interface<'info, TokenInterface>>,
    // Remaining accounts, per payout in order: the submission (writable), the creator's
    // receiving account (writable: the wallet for SOL, an existing token account of the
    // creator for the mint otherwise) and, exactly when the submission has an affiliate, the
    // affiliate's receiving account (writable, same rule).
}

/// One payout's remaining accounts, checked.
struct PayoutAccounts<'info> {
    /// The submission, to write in place.
    loader: AccountLoader<'info, Submission>,
    /// A copy of the submission as it was before this payout.
    submission: Submission,
    /// The creator's receiving account.
    creator: &'info AccountInfo<'info>,
    /// Whether it can receive now (it must, unless the creator's share is zero).
    creator_can_receive: bool,
    /// The affiliate's, exactly when the submission has an affiliate.
    affiliate: Option<&'info AccountInfo<'info>>,
    /// Whether the affiliate's account can receive now (true without an affiliate).
    affiliate_can_receive: bool,
}

/// Lamports booked earlier in the batch to the wallet `key` (listed for several payouts), which
/// reach it before a later payout's share does.
/// What one payout of a batch owes and pays.
struct Priced {
    /// Owed above the watermark.
    due: u64,
    /// Paid now: `due`, or what the vault can cover.
    gross: u64,
    /// `gross` in three shares.
    split: Split,
}

impl Priced {
    /// Prices `cumulative_views` for `submission` against what the vault still has, net of
    /// the fees this batch booked before it.
    fn new(
        campaign: &Campaign,
        submission: &Submission,
        cumulative_views: u64,
        available: u64,
    ) -> Result<Self> {
        let due = campaign.owed(submission, cumulative_views)?;
        let top_up = cumulative_views == submission.paid_views;
        let gross = math::payable(due, available, !top_up)?;
        let split = math::split(
            gross,
            Bps::new(campaign.fee_bps)?,
            Bps::new(submission.affiliate_bps)?,
        )?;
        Ok(Priced { due, gross, split })
    }

    /// As in `disburse`: a creator's wallet that cannot hold its SOL share yet has the views
    /// recorded and all of it kept owed, and an affiliate wallet that cannot hold its
    /// commission has it accrued. Lamports this batch booked to the same wallet earlier
    /// arrive first, as they would one payout at a time (looked up only when the share alone
    /// would not do).
    fn apply_rent_limits<'info>(
        &mut self,
        vault: &LamportVault,
        (creator, affiliate): (&AccountInfo<'info>, Option<&AccountInfo<'info>>),
        earlier: &[Booked<'info>],
        top_up: bool,
        commission_delivered: &mut bool,
    ) -> Result<()> {
        let share = self.split.creator;
        let short = |amount: u64| vault.leaves_below_rent(creator, amount);
        if !top_up
            && share > 0
            && short(share)?
            && short(share.saturating_add(booked_to(earlier, creator.key)))?
        {
            self.gross = 0;
            self.split = Split::default();
        }
        if let Some(account) = affiliate {
            let commission = self.split.commission;
            *commission_delivered &= vault.can_receive(account, commission)?
                || vault.can_receive(
                    account,
                    commission.saturating_add(booked_to(earlier, account.key)),
                )?;
        }
        Ok(())
    }
}

/// Lamports this batch booked to `key` before: creator shares, and commissions it delivers.
fn booked_to(earlier: &[Booked], key: &Pubkey) -> u64 {
    earlier.iter().fold(0u64, |sum, payout| {
        let creator = if payout.creator.key == key {
            payout.split.creator
        } else {
            0
        };
        let affiliate = match payout.affiliate {
            Some(account) if payout.commission_delivered && account.key == key => {
                payout.split.commission
            }
            _ => 0,
        };
        sum.saturating_add(creator).saturating_add(affiliate)
    })
}

/// Whether the campaign takes a payout now, judged once for the batch: for new views and for
/// a top-up at the watermark (what a payout books never changes it).
struct PayoutWindow {
    new_views: Option<ClipstakeError>,
    top_up: Option<ClipstakeError>,
}

impl PayoutWindow {
    fn new(campaign: &Campaign, now: i64, platform: &Platform) -> Self {
        PayoutWindow {
            new_views: campaign.payable_refusal(now, platform, false),
            top_up: campaign.payable_refusal(now, platform, true),
        }
    }

    /// `Campaign::check_payable` for one payout.
    fn check(&self, top_up: bool) -> Result<()> {
        match if top_up { self.top_up } else { self.new_views } {
            Some(refusal) => Err(refusal.into()),
            None => Ok(()),
        }
    }
}

/// One payout of the batch, booked and waiting to be delivered.
struct Booked<'info> {
    creator: &'info AccountInfo<'info>,
    affiliate: Option<&'info AccountInfo<'info>>,
    split: Split,
    commission_delivered: bool,
}

impl<'info> DisburseBatch<'info> {
    /// Checks what every payout of the batch shares.
    fn validate(&self, views: &[u64]) -> Result<()> {
        require!(!views.is_empty(), ClipstakeError::EmptyBatch);
        require!(
            views.len() <= usize::from(MAX_BATCH_PAYOUTS),
            ClipstakeError::BatchTooLarge
        );
        let campaign = self.campaign.load()?;
        require_keys_eq!(
            self.oracle.key(),
            campaign.oracle,
            ClipstakeError::NotCampaignOracle
        );
        require!(!self.platform.paused, ClipstakeError::PlatformPaused);
        OracleRegistration::check_active(&self.oracle_registration, &campaign.oracle)?;
        let clock = Clock::get()?;
        if campaign.is_native_sol()? {
            require!(
                self.mint.is_none() && self.token_program.is_none(),
                ClipstakeError::MissingTokenAccounts
            );
            require_keys_eq!(
                self.treasury.key(),
                campaign.treasury,
                ClipstakeError::WrongRecipient
            );
            return Ok(());
        }
        let (Some(mint), Some(token_program)) = (&self.mint, &self.token_program) else {
            return err!(ClipstakeError::MissingTokenAccounts);
        };
        require_keys_eq!(mint.key(), campaign.mint, ClipstakeError::WrongMint);
        require_keys_eq!(
            token_program.key(),
            campaign.token_program,
            ClipstakeError::WrongTokenProgram
        );
        mint_policy::enforce(campaign.is_mint_trusted(), mint, clock.epoch)
    }

    /// Pays `views[i]` cumulative verified views to the i-th submission of the remaining
    /// accounts (oracle push, many at once).
    #[access_control(ctx.accounts.validate(&views))]
    pub fn handler(ctx: Context<'info, Self>, views: Vec<u64>) -> Result<()> {
        let accounts = ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        // Booked on a copy, written back before the transfers: the campaign's data is not
        // borrowed across the CPIs it signs.
        let mut campaign = *accounts.campaign.load()?;
        let vault_info = accounts.vault.to_account_info();
        let lamports = match campaign.asset()? {
            AssetKind::NativeSol => Some(LamportVault::new(&vault_info)?),
            _ => None,
        };
        let held = held_beyond_owed(&campaign, &vault_info, lamports.as_ref())?;
        campaign.book_stray_funds(held)?;
        let window = PayoutWindow::new(&campaign, now, &accounts.platform);
        let mut remaining = ctx.remaining_accounts.iter();
        let mut booked = Vec::with_capacity(views.len());
        let mut payouts = Vec::with_capacity(views.len());
        let mut fee = 0u64;
        for &cumulative_views in &views {
            let (payout, entry) = accounts.book_next(
                &mut campaign,
                &mut remaining,
                cumulative_views,
                (fee, &booked),
                &window,
                lamports.as_ref(),
            )?;
            fee = math::add(fee, payout.split.fee)?;
            booked.push(payout);
            payouts.push(entry);
        }
        require!(
            remaining.next().is_none(),
            ClipstakeError::BatchAccountsMismatch
        );
        // As in `disburse`, the treasury's account matters only when there is a fee to move.
        let fee_delivered =
            fee == 0 || accounts.treasury_can_receive(&campaign, fee, lamports.as_ref())?;
        campaign.book_fee(fee, fee_delivered)?;
        accounts.campaign.load_mut()?.store_books(&campaign);
        emit!(BatchPaid {
            campaign: accounts.campaign.key(),
            fee,
            fee_accrued: !fee_delivered,
            payouts,
        });
        accounts.deliver(&campaign, &booked, fee, fee_delivered, lamports.as_ref())
    }

    /// Takes the next payout's accounts, computes what it owes and books it on the campaign
    /// and the submission. `earlier` is what this batch booked before it: the fee sum, not yet
    /// in the campaign's totals, and the payouts, whose lamports reach their wallets first.
    fn book_next(
        &self,
        campaign: &mut Campaign,
        remaining: &mut std::slice::Iter<'info, AccountInfo<'info>>,
        cumulative_views: u64,
        (batch_fee, earlier): (u64, &[Booked<'info>]),
        window: &PayoutWindow,
        lamports: Option<&LamportVault>,
    ) -> Result<(Booked<'info>, BatchPayout)> {
        let PayoutAccounts {
            loader,
            submission,
            creator,
            creator_can_receive,
            affiliate,
            affiliate_can_receive,
        } = self.take_payout_accounts(campaign, remaining)?;
        let mut commission_delivered = affiliate_can_receive;

        let top_up = cumulative_views == submission.paid_views;
        window.check(top_up)?;
        let available = campaign.available().saturating_sub(batch_fee);
        let mut priced = Priced::new(campaign, &submission, cumulative_views, available)?;
        if let Some(vault) = lamports {
            let recipients = (creator, affiliate);
            priced.apply_rent_limits(
                vault,
                recipients,
                earlier,
                top_up,
                &mut commission_delivered,
            )?;
        }
        let Priced { due, gross, split } = priced;
        // As in `disburse`: the creator's account must take its share; a zero share (views
        // recorded while the vault is empty) needs nothing of it.
        require!(
            creator_can_receive || split.creator == 0,
            ClipstakeError::RecipientCannotReceive
        );
        // Nothing to deliver is delivered: no zero accrual, as in `disburse`.
        commission_delivered |= split.commission == 0;
        campaign.book_shares(&split, commission_delivered)?;
        campaign.book_shortfall(campaign.shortfall_of(&submission), due - gross)?;
        // Written in place at once, so a repeat listing of the submission sees it.
        loader
            .load_mut()?
            .book_payout(cumulative_views, &split, commission_delivered)?;
        let entry = BatchPayout {
            submission: loader.key(),
            watermark: cumulative_views,
            gross,
            fee: split.fee,
            commission: split.commission,
            commission_accrued: !commission_delivered,
            still_owed: due - gross,
        };
        let payout = Booked {
            creator,
            affiliate,
            split,
            commission_delivered,
        };
        Ok((payout, entry))
    }

    /// The next payout's accounts, checked: a writable submission of this campaign (a copy of
    /// it as it is now), the creator's receiving account with whether it can receive and,
    /// exactly when the submission has an affiliate, the affiliate's with whether it can.
    fn take_payout_accounts(
        &self,
        campaign: &Campaign,
        remaining: &mut std::slice::Iter<'info, AccountInfo<'info>>,
    ) -> Result<PayoutAccounts<'info>> {
        let mut next = || {
            remaining
                .next()
                .ok_or_else(|| error!(ClipstakeError::BatchAccountsMismatch))
        };
        let submission_info = next()?;
        require!(
            submission_info.is_writable,
            ClipstakeError::BatchAccountsMismatch
        );
        let loader = AccountLoader::<Submission>::try_from(submission_info)?;
        let submission = *loader.load()?;
        require_keys_eq!(
            submission.campaign,
            self.campaign.key(),
            ClipstakeError::WrongRecipient
        );
        // What no recipient may be: the accounts this payout writes.
        let protected = [self.vault.key(), self.campaign.key(), *submission_info.key];
        let creator = next()?;
        let creator_can_receive =
            self.recipient_can_receive(campaign, creator, &submission.creator, &protected)?;
        let (affiliate, affiliate_can_receive) = match submission.affiliate() {
            Some(wallet) => {
                let account = next()?;
                let receivable =
                    self.recipient_can_receive(campaign, account, &wallet, &protected)?;
                (Some(account), receivable)
            }
            None => (None, true),
        };
        Ok(PayoutAccounts {
            loader,
            submission,
            creator,
            creator_can_receive,
            affiliate,
            affiliate_can_receive,
        })
    }

    /// Whether `account` is a receiving account of `wallet` that can take a payment now. In a
    /// SOL campaign it must be the wallet itself (its rent floor is checked on delivery); in a
    /// token campaign an existing token account of the wallet for the mint. Neither the
    /// account nor the wallet may be one the payout itself writes (`protected`: vault,
    /// campaign, submission), as in `disburse`: value sent there could never leave.
    fn recipient_can_receive(
        &self,
        campaign: &Campaign,
        account: &AccountInfo,
        wallet: &Pubkey,
        protected: &[Pubkey; 3],
    ) -> Result<bool> {
        require!(account.is_writable, ClipstakeError::BatchAccountsMismatch);
        if campaign.is_native_sol()? {
            // The account is the wallet itself, so one comparison with the protected accounts
            // covers both (the hot path of a SOL batch).
            if account.key != wallet {
                require!(
                    !protected.contains(account.key),
                    ClipstakeError::DuplicateAccount
                );
                return err!(ClipstakeError::WrongRecipient);
            }
            require!(
                !protected.contains(wallet),
                ClipstakeError::DuplicateAccount
            );
            return Ok(true);
        }
        require!(
            !protected.contains(account.key) && !protected.contains(wallet),
            ClipstakeError::DuplicateAccount
        );
        existing_token_account_receivable(account, &campaign.token_program, &campaign.mint, wallet)
    }

    /// Whether the treasury account can take the batch's `fee` now.
    fn treasury_can_receive(
        &self,
        campaign: &Campaign,
        fee: u64,
        lamports: Option<&LamportVault>,
    ) -> Result<bool> {
        let treasury = self.treasury.to_account_info();
        match lamports {
            Some(vault) => vault.can_receive(&treasury, fee),
            None => {
                let protected = [self.vault.key(), self.campaign.key(), self.vault.key()];
                self.recipient_can_receive(campaign, &treasury, &campaign.treasury, &protected)
            }
        }
    }

    /// Moves every booked share out of the vault, then the batch's fee in one transfer.
    fn deliver(
        &self,
        campaign: &Campaign,
        booked: &[Booked<'info>],
        fee: u64,
        fee_delivered: bool,
        lamports: Option<&LamportVault>,
    ) -> Result<()> {
        let treasury = self.treasury.to_account_info();
        if let Some(vault) = lamports {
            for payout in booked {
                vault.pay(payout.creator, payout.split.creator)?;
                if let (Some(affiliate), true) = (payout.affiliate, payout.commission_delivered) {
                    vault.pay(affiliate, payout.split.commission)?;
                }
            }
            if fee_delivered {
                vault.pay(&treasury, fee)?;
            }
            return Ok(());
        }
        let missing = || error!(ClipstakeError::MissingTokenAccounts);
        let mint = self.mint.as_ref().ok_or_else(missing)?.to_account_info();
        let token_program = self
            .token_program
            .as_ref()
            .ok_or_else(missing)?
            .to_account_info();
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
        let mut payments: Vec<(&AccountInfo<'info>, u64)> =
            Vec::with_capacity(booked.len() * 2 + 1);
        for payout in booked {
            payments.push((payout.creator, payout.split.creator));
            if let (Some(affiliate), true) = (payout.affiliate, payout.commission_delivered) {
                payments.push((affiliate, payout.split.commission));
            }
        }
        if fee_delivered {
            payments.push((&treasury, fee));
        }
        route.pay_all(&payments, self.platform.spl_token_batch)
    }
}
