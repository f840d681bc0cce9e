use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::math::{self, Split};
use crate::state::seeds::CAMPAIGN_SEED;
use crate::state::{Platform, Submission};

/// What a campaign's budget is held in.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum AssetKind {
    /// An SPL Token mint; the vault is the campaign's associated token account.
    SplToken,
    /// A Token-2022 mint; the vault is the campaign's associated token account.
    Token2022,
    /// Native SOL; the vault is a program-owned PDA holding lamports.
    NativeSol,
}

impl AssetKind {
    /// The kind a campaign's `asset` byte stands for.
    pub fn from_byte(byte: u8) -> Result<AssetKind> {
        match byte {
            0 => Ok(AssetKind::SplToken),
            1 => Ok(AssetKind::Token2022),
            2 => Ok(AssetKind::NativeSol),
            _ => err!(ClipstakeError::CorruptCampaign),
        }
    }
}

/// Lifecycle status set by the brand (or the admin for `Paused`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum CampaignStatus {
    /// Registering videos and paying out until `end_time` plus the settlement window.
    Active,
    /// Paused: no new videos; payouts only within the settlement window after `paused_at`
    /// (none while the admin keeps it paused; the admin pause's length is added afterwards).
    Paused,
    /// Ended by the brand before `end_time`; `end_time` was moved to that moment.
    Ended,
}

impl CampaignStatus {
    /// The status a campaign's `status` byte stands for.
    pub fn from_byte(byte: u8) -> Result<CampaignStatus> {
        match byte {
            0 => Ok(CampaignStatus::Active),
            1 => Ok(CampaignStatus::Paused),
            2 => Ok(CampaignStatus::Ended),
            _ => err!(ClipstakeError::CorruptCampaign),
        }
    }
}

/// A brand's campaign (`["campaign", brand, campaign_id]`), which also signs for its vault.
///
/// Zero-copy, like `Submission`: instructions read and write it in place instead of a borsh
/// round trip on entry and exit (about 2,000 compute units a payout). The 8-byte fields come
/// first, then the keys, then the small ones, so the `repr(C)` layout has no hidden gaps (376
/// bytes after the discriminator). Enums and flags are bytes (`Pod` has no enums or bools):
/// read them through `asset()`, `status()` and the `is_*` methods, write them through the
/// state transitions below.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Campaign {
    /// Brand-chosen number that makes the PDA unique per brand.
    pub campaign_id: u64,
    /// Base units paid per 1,000 verified views.
    pub rate_per_thousand_views: u64,
    /// The most one submission can ever earn, in base units.
    pub cap_per_submission: u64,
    /// Unix time from which payouts are allowed.
    pub start_time: i64,
    /// Unix time after which no new views count.
    pub end_time: i64,
    /// Seconds after the end (or a pause) during which the oracle may still settle payouts and
    /// the brand may not withdraw; at least the platform's minimum.
    pub settlement_window_secs: i64,
    /// Unix time of the last pause (0 if never paused).
    pub paused_at: i64,
    /// Seconds the admin kept this campaign paused, all admin pauses summed; added to the
    /// payout deadline so an admin pause never costs creators.
    pub admin_paused_secs: i64,
    /// `Platform::pause_total_secs` when the campaign was created: platform pauses since then
    /// are added to the payout deadline.
    pub platform_pause_baseline: i64,
    /// Total the vault actually received from funders.
    pub funded: u64,
    /// Total paid to creators.
    pub paid_to_creators: u64,
    /// Total platform fees delivered to the treasury.
    pub fees_paid: u64,
    /// Total affiliate commissions delivered.
    pub commissions_paid: u64,
    /// Fees earned but not deliverable when paid (the treasury's account could not receive);
    /// held in the vault for the treasury until `settle_accrued` delivers them.
    pub fees_accrued: u64,
    /// Commissions earned but not deliverable when paid, summed over submissions; held in the
    /// vault for the affiliates until `settle_accrued` delivers them.
    pub commissions_accrued: u64,
    /// Total withdrawn by the brand.
    pub withdrawn: u64,
    /// What verified views are owed beyond what the vault could pay when their payouts were
    /// made, summed over submissions (each `entitlement(paid_views) - paid_gross`). Kept back
    /// from withdrawals, and payable even after the deadline, so a brand that funds less than
    /// its verified views earn cannot take the difference back.
    pub shortfall_owed: u64,
    /// The brand that created the campaign and may fund, pause, withdraw and close it.
    pub brand: Pubkey,
    /// The budget's mint; `Pubkey::default()` for native SOL.
    pub mint: Pubkey,
    /// Token program of the mint; the system program for native SOL.
    pub token_program: Pubkey,
    /// The vault: the campaign's associated token account, or the SOL vault PDA.
    pub vault: Pubkey,
    /// The payout oracle (registered with the platform) that registers videos and signs view
    /// counts; only the admin may re-point it.
    pub oracle: Pubkey,
    /// Fee recipient wallet, copied from the platform at creation.
    pub treasury: Pubkey,
    /// Who paid the rent of this account and the vault, and gets it back on close.
    pub rent_payer: Pubkey,
    /// Submissions registered and not yet closed; the campaign closes only at zero.
    pub open_submissions: u32,
    /// Platform fee in basis points, frozen at creation.
    pub fee_bps: u16,
    /// Maximum affiliate commission in basis points, frozen at creation.
    pub max_affiliate_bps: u16,
    /// What the budget is held in: an `AssetKind` (0 SPL Token, 1 Token-2022, 2 native SOL);
    /// read it with `asset()`.
    pub asset: u8,
    /// Decimals of the mint (9 for native SOL), used for `transfer_checked`.
    pub decimals: u8,
    /// 1 when the platform admin trusted the mint's issuer at creation, else 0; the mint
    /// policy is then not applied to this campaign (see `mint_policy`).
    pub mint_trusted: u8,
    /// Canonical bump of the SOL vault PDA (0 for token campaigns).
    pub vault_bump: u8,
    /// Lifecycle status: a `CampaignStatus` (0 active, 1 paused, 2 ended); read it with
    /// `status()`.
    pub status: u8,
    /// 1 when the admin paused the campaign (only the admin may resume it), else 0.
    pub paused_by_admin: u8,
    /// 1 once the brand has withdrawn: the campaign is over for good (no resume, no new
    /// videos, no payouts), else 0.
    pub settled: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
}

impl Campaign {
    /// Bytes of the account: the discriminator and the struct.
    pub const SPACE: usize = 8 + std::mem::size_of::<Campaign>();

    /// What the budget is held in.
    pub fn asset(&self) -> Result<AssetKind> {
        AssetKind::from_byte(self.asset)
    }

    /// True for a native-SOL campaign (its vault holds lamports, not tokens).
    pub fn is_native_sol(&self) -> Result<bool> {
        Ok(self.asset()? == AssetKind::NativeSol)
    }

    /// The lifecycle status.
    pub fn status(&self) -> Result<CampaignStatus> {
        CampaignStatus::from_byte(self.status)
    }

    /// Whether the admin trusted the mint's issuer at creation.
    pub fn is_mint_trusted(&self) -> bool {
        self.mint_trusted != 0
    }

    /// Whether the admin paused the campaign.
    pub fn is_paused_by_admin(&self) -> bool {
        self.paused_by_admin != 0
    }

    /// Whether the brand has withdrawn (the campaign is over for good).
    pub fn is_settled(&self) -> bool {
        self.settled != 0
    }

    /// Gross amount paid out so far (creators + fees + commissions, delivered or accrued).
    pub fn paid_gross(&self) -> u64 {
        // Each total is bounded by `funded`, which is a u64, so the sum cannot overflow.
        self.paid_to_creators
            + self.fees_paid
            + self.commissions_paid
            + self.fees_accrued
            + self.commissions_accrued
    }

    /// Value in the vault that belongs to the treasury or affiliates, not to the brand.
    pub fn owed_in_vault(&self) -> u64 {
        self.fees_accrued + self.commissions_accrued
    }

    /// What `submission` is owed for `cumulative_views` beyond what it was paid, at this
    /// campaign's rate and cap (`ViewsNotIncreasing` below its watermark or with nothing due).
    pub fn owed(&self, submission: &Submission, cumulative_views: u64) -> Result<u64> {
        Ok(math::owed(
            submission.paid_views,
            submission.paid_gross,
            cumulative_views,
            self.rate_per_thousand_views,
            self.cap_per_submission,
        )?)
    }

    /// What `submission`'s recorded views are still owed at this campaign's rate and cap.
    pub fn shortfall_of(&self, submission: &Submission) -> u64 {
        submission.shortfall(self.rate_per_thousand_views, self.cap_per_submission)
    }

    /// What the vault holds by the campaign's books: funded − paid − withdrawn. Saturates at
    /// zero because the brand may also sweep tokens someone sent to the vault directly, which
    /// the books never counted as funding.
    pub fn available(&self) -> u64 {
        self.funded
            .saturating_sub(self.paid_gross())
            .saturating_sub(self.withdrawn)
    }

    /// Seconds of admin pauses (this campaign's and the platform's since its creation) that
    /// push the payout deadline back.
    fn pause_extension(&self, platform: &Platform) -> i64 {
        let platform_pauses = platform
            .pause_total_secs
            .saturating_sub(self.platform_pause_baseline)
            .max(0);
        self.admin_paused_secs.saturating_add(platform_pauses)
    }

    /// The moment after which nothing is owed any more: the end, or a brand pause, plus the
    /// settlement window, plus every admin pause.
    pub fn settlement_deadline(&self, platform: &Platform) -> i64 {
        let brand_paused =
            self.status == CampaignStatus::Paused as u8 && !self.is_paused_by_admin();
        let stopped_at = if brand_paused {
            self.paused_at.min(self.end_time)
        } else {
            self.end_time
        };
        stopped_at
            .saturating_add(self.settlement_window_secs)
            .saturating_add(self.pause_extension(platform))
    }

    /// The latest a payout can ever be made (whatever the status): after it, submissions may
    /// be closed.
    pub fn final_deadline(&self, platform: &Platform) -> i64 {
        self.end_time
            .saturating_add(self.settlement_window_secs)
            .saturating_add(self.pause_extension(platform))
    }

    /// Books one payout's shares: the creator's, and the fee and commission each as delivered
    /// or accrued in the vault for `settle_accrued`.
    pub fn book_payout(
        &mut self,
        split: &Split,
        fee_delivered: bool,
        commission_delivered: bool,
    ) -> Result<()> {
        self.book_shares(split, commission_delivered)?;
        self.book_fee(split.fee, fee_delivered)
    }

    /// Books a payout's creator share and commission (a batch books its fees once, in total).
    pub fn book_shares(&mut self, split: &Split, commission_delivered: bool) -> Result<()> {
        self.paid_to_creators = math::add(self.paid_to_creators, split.creator)?;
        if commission_delivered {
            self.commissions_paid = math::add(self.commissions_paid, split.commission)?;
        } else {
            self.commissions_accrued = math::add(self.commissions_accrued, split.commission)?;
        }
        Ok(())
    }

    /// Books platform fees, delivered to the treasury or accrued in the vault.
    pub fn book_fee(&mut self, fee: u64, delivered: bool) -> Result<()> {
        if delivered {
            self.fees_paid = math::add(self.fees_paid, fee)?;
        } else {
            self.fees_accrued = math::add(self.fees_accrued, fee)?;
        }
        Ok(())
    }

    /// Books how a payout changed its submission's shortfall: `before` was owed beyond what was
    /// paid ahead of it, `after` is left owed.
    pub fn book_shortfall(&mut self, before: u64, after: u64) -> Result<()> {
        // `before` is part of the total, which is the sum of every submission's shortfall.
        self.shortfall_owed = math::add(self.shortfall_owed.saturating_sub(before), after)?;
        Ok(())
    }

    /// Writes the books a payout keeps on a copy of the campaign (`book_stray_funds`,
    /// `book_payout`, `book_shares`, `book_fee`, `book_shortfall`) back into the account:
    /// only those fields, not the 376-byte whole (about 90 compute units less per payout).
    pub fn store_books(&mut self, booked: &Campaign) {
        self.funded = booked.funded;
        self.paid_to_creators = booked.paid_to_creators;
        self.fees_paid = booked.fees_paid;
        self.commissions_paid = booked.commissions_paid;
        self.fees_accrued = booked.fees_accrued;
        self.commissions_accrued = booked.commissions_accrued;
        self.shortfall_owed = booked.shortfall_owed;
    }

    /// Books what the vault `held` beyond accrued shares and beyond the books — tokens or
    /// lamports sent to it outside `fund_campaign` — as funding, so they pay what verified views
    /// are owed before anything goes back to the brand. Returns the amount booked.
    pub fn book_stray_funds(&mut self, held: u64) -> Result<u64> {
        let stray = held.saturating_sub(self.available());
        self.funded = math::add(self.funded, stray)?;
        Ok(stray)
    }

    /// Refuses a payout unless the campaign is live or settling. A `top_up` (a payout of a
    /// recorded shortfall, at the watermark) stays payable after the deadline and after
    /// settlement, since withdrawals kept its funds back; only an admin pause stops it.
    pub fn check_payable(&self, now: i64, platform: &Platform, top_up: bool) -> Result<()> {
        match self.payable_refusal(now, platform, top_up) {
            Some(refusal) => Err(refusal.into()),
            None => Ok(()),
        }
    }

    /// [`Campaign::check_payable`]'s refusal as a value, for a batch to judge once for all its
    /// payouts (nothing a payout books changes it).
    pub fn payable_refusal(
        &self,
        now: i64,
        platform: &Platform,
        top_up: bool,
    ) -> Option<ClipstakeError> {
        use ClipstakeError::*;
        if top_up {
            return self.is_paused_by_admin().then_some(CampaignPaused);
        }
        if self.is_settled() {
            return Some(CampaignSettled);
        }
        if now < self.start_time {
            return Some(CampaignNotStarted);
        }
        if self.is_paused_by_admin() {
            return Some(CampaignPaused);
        }
        let open = now < self.settlement_deadline(platform);
        match self.status() {
            Err(_) => Some(CorruptCampaign),
            Ok(CampaignStatus::Paused) if !open => Some(CampaignPaused),
            Ok(_) if !open => Some(CampaignEnded),
            Ok(_) => None,
        }
    }

    /// Refuses new registrations unless the campaign is active and before its end.
    pub fn check_accepting_submissions(&self, now: i64) -> Result<()> {
        require!(!self.is_settled(), ClipstakeError::CampaignSettled);
        let status = self.status()?;
        require!(
            status != CampaignStatus::Paused,
            ClipstakeError::CampaignPaused
        );
        require!(
            status == CampaignStatus::Active && now < self.end_time,
            ClipstakeError::CampaignEnded
        );
        Ok(())
    }

    /// Pauses at `now`; an admin pause freezes payouts and withdrawals until the admin resumes.
    pub fn pause(&mut self, now: i64, by_admin: bool) {
        self.status = CampaignStatus::Paused as u8;
        self.paused_at = now;
        self.paused_by_admin = u8::from(by_admin);
    }

    /// Resumes a paused campaign at `now`; an admin pause's length is added to the deadline.
    pub fn resume(&mut self, now: i64) {
        if self.is_paused_by_admin() {
            let length = now.saturating_sub(self.paused_at).max(0);
            self.admin_paused_secs = self.admin_paused_secs.saturating_add(length);
        }
        self.status = CampaignStatus::Active as u8;
        self.paused_by_admin = 0;
    }

    /// Ends the campaign at `now`: `end_time` moves to now, or to the start of a brand pause
    /// that is under way (which keeps its earlier settlement deadline).
    pub fn end(&mut self, now: i64) {
        let stopped = if self.status == CampaignStatus::Paused as u8 {
            self.paused_at
        } else {
            now
        };
        self.end_time = self.end_time.min(stopped);
        self.status = CampaignStatus::Ended as u8;
    }

    /// Records a withdrawal and ends the campaign for good.
    pub fn record_withdrawal(&mut self, amount: u64, now: i64) -> Result<()> {
        self.withdrawn = crate::math::add(self.withdrawn, amount)?;
        if self.status != CampaignStatus::Ended as u8 {
            self.end(now);
        }
        self.settled = 1;
        Ok(())
    }

    /// The seeds this campaign PDA signs with, for CPIs from its vault.
    pub fn signer(&self) -> CampaignSigner {
        CampaignSigner {
            brand: self.brand,
            campaign_id: self.campaign_id.to_le_bytes(),
            bump: [self.bump],
        }
    }
}

/// Owned copies of a campaign's seeds, so signer seeds can borrow from them.
pub struct CampaignSigner {
    brand: Pubkey,
    campaign_id: [u8; 8],
    bump: [u8; 1],
}

impl CampaignSigner {
    /// `["campaign", brand, campaign_id, bump]`.
    pub fn seeds(&self) -> [&[u8]; 4] {
        [
            CAMPAIGN_SEED,
            self.brand.as_ref(),
            &self.campaign_id,
            &self.bump,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_has_no_hidden_padding() {
        // 17 eight-byte fields, 7 keys, a u32, two u16s and eight bytes: 376, a multiple of 8.
        assert_eq!(
            std::mem::size_of::<Campaign>(),
            17 * 8 + 7 * 32 + 4 + 2 * 2 + 8
        );
        assert_eq!(Campaign::SPACE, 8 + 376);
    }

    #[test]
    fn enum_bytes_round_trip_and_unknown_bytes_are_refused() {
        for kind in [
            AssetKind::SplToken,
            AssetKind::Token2022,
            AssetKind::NativeSol,
        ] {
            assert_eq!(AssetKind::from_byte(kind as u8).unwrap(), kind);
        }
        for status in [
            CampaignStatus::Active,
            CampaignStatus::Paused,
            CampaignStatus::Ended,
        ] {
            assert_eq!(CampaignStatus::from_byte(status as u8).unwrap(), status);
        }
        let corrupt = error!(ClipstakeError::CorruptCampaign);
        assert_eq!(AssetKind::from_byte(3).unwrap_err(), corrupt);
        assert_eq!(CampaignStatus::from_byte(255).unwrap_err(), corrupt);
    }

    /// `store_books` must carry every field a payout books: the account after it equals the
    /// copy the books were kept on, byte for byte, whatever was booked.
    #[test]
    fn store_books_writes_back_everything_a_payout_books() {
        let mut stored: Campaign = bytemuck::Zeroable::zeroed();
        let bytes: &mut [u8] = bytemuck::bytes_of_mut(&mut stored);
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = (i % 7) as u8;
        }
        stored.funded = 1_000_000;
        for (fee_delivered, commission_delivered) in
            [(true, true), (false, true), (true, false), (false, false)]
        {
            let mut booked = stored;
            let split = Split {
                gross: 1_000,
                fee: 30,
                commission: 70,
                creator: 900,
            };
            booked.book_stray_funds(2_000_000).unwrap();
            booked
                .book_payout(&split, fee_delivered, commission_delivered)
                .unwrap();
            booked.book_shares(&split, commission_delivered).unwrap();
            booked.book_fee(5, fee_delivered).unwrap();
            booked.book_shortfall(0, 40).unwrap();
            let mut written = stored;
            written.store_books(&booked);
            assert_eq!(bytemuck::bytes_of(&written), bytemuck::bytes_of(&booked));
        }
    }
}
