//! Decoding of the program's accounts (discriminator checked).
use anchor_lang::AccountDeserialize;
pub use clipstake::state::{AssetKind, Campaign, CampaignStatus, Platform, SolVault, Submission};

/// Decodes an account's data as `T`, checking its discriminator.
pub fn decode<T: AccountDeserialize>(data: &[u8]) -> Result<T, crate::Error> {
    let mut slice = data;
    T::try_deserialize(&mut slice).map_err(|e| crate::Error::Decode(e.to_string()))
}
