use anchor_lang::prelude::*;

use crate::math::{self, Split};

/// One registered video of a campaign (`["submission", campaign, content_hash]`).
///
/// Its watermark (`paid_views`) is the receipt of every payout: a payout is owed only for views
/// above it, so a replayed instruction or attestation pays nothing twice.
///
/// Zero-copy: payouts read and write it in place (no borsh round trip, which cost about 800
/// compute units per payout). The 8-byte fields come first and the padding is explicit, so the
/// `repr(C)` layout has no hidden gaps (224 bytes after the discriminator).
#[account(zero_copy)]
#[derive(Debug)]
pub struct Submission {
    /// The highest cumulative verified views a payout was made for (the watermark). Only ever
    /// rises.
    pub paid_views: u64,
    /// Gross paid for this video so far: `entitlement(paid_views)`, or less when a payout was
    /// cut to what the vault held. The difference is still owed, and paid by the next payout.
    pub paid_gross: u64,
    /// Total the creator received.
    pub paid_to_creator: u64,
    /// Total platform fees taken from this video's payouts.
    pub fees_paid: u64,
    /// Total affiliate commission delivered for this video.
    pub commissions_paid: u64,
    /// Commission earned but not deliverable when paid (the affiliate's account could not
    /// receive), held in the vault until `settle_accrued` delivers it.
    pub commission_accrued: u64,
    /// Unix time of registration.
    pub registered_at: i64,
    /// The campaign this video was registered to.
    pub campaign: Pubkey,
    /// SHA-256 of the video's canonical platform id or URL, as verified off-chain.
    pub content_hash: [u8; 32],
    /// Wallet that receives the creator's share.
    pub creator: Pubkey,
    /// Wallet that receives the affiliate commission; `Pubkey::default()` for none.
    pub affiliate: Pubkey,
    /// Who paid the rent of this account and gets it back on close.
    pub rent_payer: Pubkey,
    /// Affiliate commission in basis points, frozen at registration.
    pub affiliate_bps: u16,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Explicit padding to the 8-byte alignment of the struct; always zero.
    pub reserved: [u8; 5],
}

impl Submission {
    /// Bytes of the account: the discriminator and the struct.
    pub const SPACE: usize = 8 + std::mem::size_of::<Submission>();

    /// What this video's verified views are still owed beyond what was paid: the part of its
    /// payouts the vault could not cover.
    pub fn shortfall(&self, rate_per_thousand: u64, cap: u64) -> u64 {
        math::entitlement(self.paid_views, rate_per_thousand, cap).saturating_sub(self.paid_gross)
    }

    /// Books a payout made for `views`: the watermark rises to them and every running total
    /// grows by its share, the commission as delivered or accrued.
    pub fn book_payout(
        &mut self,
        views: u64,
        split: &Split,
        commission_delivered: bool,
    ) -> Result<()> {
        if commission_delivered {
            self.commissions_paid = math::add(self.commissions_paid, split.commission)?;
        } else {
            self.commission_accrued = math::add(self.commission_accrued, split.commission)?;
        }
        self.paid_views = views;
        self.paid_gross = math::add(self.paid_gross, split.gross)?;
        self.paid_to_creator = math::add(self.paid_to_creator, split.creator)?;
        self.fees_paid = math::add(self.fees_paid, split.fee)?;
        Ok(())
    }

    /// The affiliate wallet, if the video has one.
    pub fn affiliate(&self) -> Option<Pubkey> {
        (self.affiliate != Pubkey::default()).then_some(self.affiliate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_has_no_hidden_padding() {
        assert_eq!(std::mem::size_of::<Submission>(), 224);
        assert_eq!(std::mem::align_of::<Submission>(), 8);
    }
}
