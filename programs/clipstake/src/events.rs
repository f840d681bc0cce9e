//! One event per state change, each carrying the amounts and the new totals or watermark, so an
//! indexer can rebuild every balance.
//!
//! Emitted with `emit!` (one `sol_log_data` syscall, about a hundred compute units) rather than
//! `emit_cpi!` (a self-CPI: an event-authority PDA check, a CPI and a second program entry,
//! several thousand compute units per instruction, which alone would break the payout budgets).
//! The price is that logs are cut at 10 KB per transaction: a payout event is about 250 bytes of
//! log, so the client keeps batches well below that, and every amount is also kept on-chain in
//! the campaign and submission totals, which an indexer can check against.
use anchor_lang::prelude::*;

use crate::state::{AssetKind, CampaignStatus};

/// The platform was initialised.
#[event]
pub struct PlatformInitialized {
    pub admin: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub max_affiliate_bps: u16,
}

/// The admin changed platform settings (fees apply to campaigns created afterwards).
#[event]
pub struct PlatformUpdated {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub max_affiliate_bps: u16,
    pub min_settlement_window_secs: i64,
    pub max_attestation_lifetime_secs: i64,
    pub paused: bool,
    pub pause_total_secs: i64,
    pub spl_token_batch: bool,
}

/// The proposed admin accepted the role.
#[event]
pub struct AdminAccepted {
    pub previous_admin: Pubkey,
    pub admin: Pubkey,
}

/// The admin registered an oracle key.
#[event]
pub struct OracleAdded {
    pub oracle: Pubkey,
}

/// The admin revoked an oracle key, for good.
#[event]
pub struct OracleRevoked {
    pub oracle: Pubkey,
}

/// The admin re-pointed a campaign to another registered oracle.
#[event]
pub struct CampaignOracleChanged {
    pub campaign: Pubkey,
    pub previous_oracle: Pubkey,
    pub oracle: Pubkey,
}

/// The admin trusted (or stopped trusting) a mint's issuer for campaigns created afterwards.
#[event]
pub struct MintTrustChanged {
    pub mint: Pubkey,
    pub trusted: bool,
}

/// Accrued fees or commission were delivered to their recipient.
#[event]
pub struct AccruedSettled {
    pub campaign: Pubkey,
    /// The submission whose commission was delivered; `Pubkey::default()` for fees.
    pub submission: Pubkey,
    pub recipient: Pubkey,
    pub amount: u64,
}

/// A brand created a campaign.
#[event]
pub struct CampaignCreated {
    pub campaign: Pubkey,
    pub brand: Pubkey,
    pub campaign_id: u64,
    pub asset: AssetKind,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub oracle: Pubkey,
    pub mint_trusted: bool,
    pub fee_bps: u16,
    pub rate_per_thousand_views: u64,
    pub cap_per_submission: u64,
    pub start_time: i64,
    pub end_time: i64,
    pub settlement_window_secs: i64,
}

/// The vault received funds. `received` is what actually arrived (after any transfer fee).
#[event]
pub struct CampaignFunded {
    pub campaign: Pubkey,
    pub funder: Pubkey,
    pub requested: u64,
    pub received: u64,
    pub funded_total: u64,
}

/// The brand or admin changed the campaign's status.
#[event]
pub struct CampaignStatusChanged {
    pub campaign: Pubkey,
    pub by: Pubkey,
    pub status: CampaignStatus,
    pub paused_by_admin: bool,
    pub end_time: i64,
    pub admin_paused_secs: i64,
}

/// The oracle registered a video.
#[event]
pub struct SubmissionRegistered {
    pub campaign: Pubkey,
    pub submission: Pubkey,
    pub content_hash: [u8; 32],
    pub creator: Pubkey,
    pub affiliate: Pubkey,
    pub affiliate_bps: u16,
}

/// A payout moved value from the vault. `watermark` is the submission's new paid views.
#[event]
pub struct PayoutMade {
    pub campaign: Pubkey,
    pub submission: Pubkey,
    pub creator: Pubkey,
    pub affiliate: Pubkey,
    pub previous_watermark: u64,
    pub watermark: u64,
    pub gross: u64,
    pub fee: u64,
    pub commission: u64,
    pub creator_amount: u64,
    /// The fee could not be delivered and is held in the vault for the treasury.
    pub fee_accrued: bool,
    /// The commission could not be delivered and is held in the vault for the affiliate.
    pub commission_accrued: bool,
    /// True for a creator's claim with an oracle attestation, false for an oracle push.
    pub claimed: bool,
    /// What these views are still owed because the vault held less than the whole payout;
    /// paid by the next payout at this watermark or above once the campaign is funded.
    pub still_owed: u64,
}

/// A `disburse_batch` paid several submissions of one campaign. Logged before any transfer, so
/// no batch's transfer logs can push it past the runtime's 10 KB log limit. Each payout's
/// creator share is `gross - fee - commission`; recipients follow from the submission.
#[event]
pub struct BatchPaid {
    pub campaign: Pubkey,
    /// The batch's platform fee, the sum of each payout's floored fee, moved in one transfer.
    pub fee: u64,
    /// The treasury could not receive; the fee is held in the vault for `settle_accrued`.
    pub fee_accrued: bool,
    /// The payouts, in the order the instruction listed them.
    pub payouts: Vec<BatchPayout>,
}

/// One payout of a [`BatchPaid`] (73 bytes).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct BatchPayout {
    pub submission: Pubkey,
    /// The submission's watermark after this payout.
    pub watermark: u64,
    pub gross: u64,
    pub fee: u64,
    pub commission: u64,
    /// The affiliate could not receive; the commission is held in the vault.
    pub commission_accrued: bool,
    /// What these views are still owed because the vault held less.
    pub still_owed: u64,
}

/// The brand withdrew unowed funds.
#[event]
pub struct CampaignWithdrawn {
    pub campaign: Pubkey,
    pub amount: u64,
    pub withdrawn_total: u64,
    /// Funds that reached the vault outside `fund_campaign`, booked as funding just before.
    pub stray_funds_booked: u64,
}

/// A submission was closed and its rent returned.
#[event]
pub struct SubmissionClosed {
    pub campaign: Pubkey,
    pub submission: Pubkey,
    pub paid_views: u64,
    pub paid_gross: u64,
}

/// A campaign was closed and its rent returned.
#[event]
pub struct CampaignClosed {
    pub campaign: Pubkey,
    pub funded: u64,
    pub paid_gross: u64,
    pub withdrawn: u64,
}
