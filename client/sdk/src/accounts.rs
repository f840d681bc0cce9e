//! Decoding of the program's accounts (discriminator checked), the byte offsets of the fields
//! `list` commands filter on (found by serialising the program's own types, not typed by hand),
//! and the few token-account facts the client needs.
use std::sync::LazyLock;

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator};
pub use clipstake::state::{AssetKind, Campaign, CampaignStatus, Platform, SolVault, Submission};
use solana_account::Account;
use solana_program_pack::Pack;
use spl_token_2022_interface::extension::StateWithExtensions;

use crate::instructions::{TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};

/// A server-side filter for a program-accounts query (`getProgramAccounts` memcmp / dataSize).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    /// The account data at `offset` starts with `bytes`.
    Memcmp {
        /// Byte offset into the account data.
        offset: usize,
        /// Bytes to compare.
        bytes: Vec<u8>,
    },
    /// The account data is exactly this long.
    DataSize(u64),
}

impl AccountFilter {
    /// True when `data` passes the filter (what an RPC node does server-side).
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::Memcmp { offset, bytes } => data
                .get(*offset..offset.saturating_add(bytes.len()))
                .is_some_and(|window| window == bytes.as_slice()),
            AccountFilter::DataSize(len) => data.len() as u64 == *len,
        }
    }
}

/// Decodes an account's data as `T`, checking its discriminator.
pub fn decode<T: AccountDeserialize>(data: &[u8]) -> Result<T, crate::Error> {
    let mut slice = data;
    T::try_deserialize(&mut slice).map_err(|e| crate::Error::Decode(e.to_string()))
}

/// The filter matching accounts of type `T` (its 8-byte discriminator at offset 0).
pub fn discriminator_filter<T: Discriminator>() -> AccountFilter {
    AccountFilter::Memcmp {
        offset: 0,
        bytes: T::DISCRIMINATOR.to_vec(),
    }
}

/// Byte offsets of the fields `list` commands filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offsets {
    /// `Campaign::brand`.
    pub campaign_brand: usize,
    /// `Campaign::oracle`.
    pub campaign_oracle: usize,
    /// `Submission::campaign`.
    pub submission_campaign: usize,
    /// `Submission::creator`.
    pub submission_creator: usize,
    /// `Submission::affiliate`.
    pub submission_affiliate: usize,
}

/// Where a 32-byte marker lands in a (zero-copy) account's data (discriminator, then the bytes).
fn offset_of<T: bytemuck::Pod + anchor_lang::Discriminator>(value: &T, marker: u8) -> usize {
    let mut data = T::DISCRIMINATOR.to_vec();
    data.extend_from_slice(bytemuck::bytes_of(value));
    position_of(&data, marker)
}

fn position_of(data: &[u8], marker: u8) -> usize {
    let needle = [marker; 32];
    data.windows(32)
        .position(|w| w == needle)
        .expect("marker present")
}

fn marker(byte: u8) -> Pubkey {
    Pubkey::new_from_array([byte; 32])
}

/// The field offsets, computed once by serialising the program's own account types.
pub static OFFSETS: LazyLock<Offsets> = LazyLock::new(|| {
    let campaign = Campaign {
        brand: marker(0xB1),
        oracle: marker(0x0C),
        ..bytemuck::Zeroable::zeroed()
    };
    let submission = Submission {
        campaign: marker(0xCA),
        content_hash: [0; 32],
        creator: marker(0xC4),
        affiliate: marker(0xAF),
        affiliate_bps: 0,
        paid_views: 0,
        paid_gross: 0,
        paid_to_creator: 0,
        fees_paid: 0,
        commissions_paid: 0,
        commission_accrued: 0,
        registered_at: 0,
        rent_payer: Pubkey::default(),
        bump: 0,
        reserved: [0; 5],
    };
    Offsets {
        campaign_brand: offset_of(&campaign, 0xB1),
        campaign_oracle: offset_of(&campaign, 0x0C),
        submission_campaign: offset_of(&submission, 0xCA),
        submission_creator: offset_of(&submission, 0xC4),
        submission_affiliate: offset_of(&submission, 0xAF),
    }
});

/// Campaigns of `brand`.
pub fn campaigns_of_brand(brand: &Pubkey) -> AccountFilter {
    AccountFilter::Memcmp {
        offset: OFFSETS.campaign_brand,
        bytes: brand.to_bytes().to_vec(),
    }
}

/// Campaigns whose oracle is `oracle`.
pub fn campaigns_of_oracle(oracle: &Pubkey) -> AccountFilter {
    AccountFilter::Memcmp {
        offset: OFFSETS.campaign_oracle,
        bytes: oracle.to_bytes().to_vec(),
    }
}

/// Submissions of `campaign`.
pub fn submissions_of_campaign(campaign: &Pubkey) -> AccountFilter {
    AccountFilter::Memcmp {
        offset: OFFSETS.submission_campaign,
        bytes: campaign.to_bytes().to_vec(),
    }
}

/// Submissions whose creator is `creator`.
pub fn submissions_of_creator(creator: &Pubkey) -> AccountFilter {
    AccountFilter::Memcmp {
        offset: OFFSETS.submission_creator,
        bytes: creator.to_bytes().to_vec(),
    }
}

/// Submissions whose affiliate is `affiliate`.
pub fn submissions_of_affiliate(affiliate: &Pubkey) -> AccountFilter {
    AccountFilter::Memcmp {
        offset: OFFSETS.submission_affiliate,
        bytes: affiliate.to_bytes().to_vec(),
    }
}

/// What the client needs to know about a mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MintInfo {
    /// The mint.
    pub address: Pubkey,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// Its decimals.
    pub decimals: u8,
}

/// Decodes a mint account (SPL Token or Token-2022, with or without extensions).
pub fn mint_info(address: &Pubkey, account: &Account) -> Result<MintInfo, crate::Error> {
    if account.owner != TOKEN_PROGRAM_ID && account.owner != TOKEN_2022_PROGRAM_ID {
        return Err(crate::Error::Decode(format!(
            "{address} is not a mint (owned by {}, not a token program)",
            account.owner
        )));
    }
    let mint = StateWithExtensions::<spl_token_2022_interface::state::Mint>::unpack(&account.data)
        .map_err(|e| crate::Error::Decode(format!("{address} is not a mint: {e}")))?;
    Ok(MintInfo {
        address: *address,
        token_program: account.owner,
        decimals: mint.base.decimals,
    })
}

/// The `amount` of a token account (SPL Token or Token-2022).
pub fn token_account_amount(data: &[u8]) -> Result<u64, crate::Error> {
    if data.len() == spl_token_interface::state::Account::LEN {
        let account = spl_token_interface::state::Account::unpack(data)
            .map_err(|e| crate::Error::Decode(format!("not a token account: {e}")))?;
        return Ok(account.amount);
    }
    let account = StateWithExtensions::<spl_token_2022_interface::state::Account>::unpack(data)
        .map_err(|e| crate::Error::Decode(format!("not a token account: {e}")))?;
    Ok(account.base.amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_account_layouts() {
        // Both zero-copy, the 8-byte fields first. Campaign: seventeen of them, then brand,
        // mint, token program, vault, oracle. Submission: seven, then campaign, content hash,
        // creator, affiliate.
        assert_eq!(OFFSETS.campaign_brand, 8 + 17 * 8);
        assert_eq!(OFFSETS.campaign_oracle, 8 + 17 * 8 + 4 * 32);
        assert_eq!(OFFSETS.submission_campaign, 8 + 56);
        assert_eq!(OFFSETS.submission_creator, 8 + 56 + 32 + 32);
        assert_eq!(OFFSETS.submission_affiliate, 8 + 56 + 32 + 32 + 32);
    }

    #[test]
    fn filters_match_like_an_rpc_node() {
        let filter = AccountFilter::Memcmp {
            offset: 2,
            bytes: vec![7, 8],
        };
        assert!(filter.matches(&[0, 0, 7, 8, 9]));
        assert!(!filter.matches(&[0, 0, 7]));
        assert!(!filter.matches(&[0, 0, 7, 9]));
        assert!(AccountFilter::DataSize(3).matches(&[1, 2, 3]));
    }
}
