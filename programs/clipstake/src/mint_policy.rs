//! The mint policy: which mints an escrow can hold without the mint's authorities being able to
//! take, freeze or tax what creators are owed. Applied to the mint as it is *now* on every use
//! (`create_campaign`, `fund_campaign`, every payout, `withdraw`), unless the platform admin
//! trusted the issuer when the campaign was created.
//!
//! Pure functions over the mint's bytes, so the check costs a few hundred compute units on the
//! payout path instead of a full Token-2022 unpack. Layout (shared by SPL Token and
//! Token-2022): `mint_authority: COption<Pubkey>` (36), `supply` (8), `decimals` (1),
//! `is_initialized` (1), `freeze_authority: COption<Pubkey>` (36) = 82 bytes; a Token-2022 mint
//! with extensions pads to 165, has its account type (1 = mint) at 165 and TLV entries
//! (`u16` type, `u16` length, value) from 166.
use anchor_spl::token_interface::spl_token_2022::extension::ExtensionType;

use crate::errors::ClipstakeError;

/// Length of the base mint state.
pub const MINT_BASE_LEN: usize = 82;
/// Offset of the decimals byte.
const DECIMALS_AT: usize = 44;
/// Offset of the `is_initialized` byte.
const INITIALIZED_AT: usize = 45;
/// Offset of the freeze authority's `COption` tag (a `u32`).
const FREEZE_AUTHORITY_AT: usize = 46;
/// Offset of the account-type byte of an extended Token-2022 account.
const ACCOUNT_TYPE_AT: usize = 165;
/// Where the first TLV entry of an extended Token-2022 account starts.
const TLV_START: usize = 166;
/// Account type byte of a mint.
const ACCOUNT_TYPE_MINT: u8 = 1;

/// Why a mint is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MintPolicyError {
    /// Not an initialised mint.
    NotAMint,
    /// A freeze authority could freeze the vault or recipients.
    FreezeAuthority,
    /// A close authority could close the mint and re-create it with new powers.
    CloseAuthority,
    /// The transfer fee could still change (config authority set, or a new fee pending).
    TransferFeeAdjustable,
    /// An authority may withdraw the fees withheld in recipients' accounts: whoever holds it
    /// (the brand, if it issued the mint) takes back part of every payout.
    TransferFeeWithdrawable,
    /// An extension that could move, freeze or lock escrowed funds, or one not known.
    UnsupportedExtension,
}

impl From<MintPolicyError> for ClipstakeError {
    fn from(error: MintPolicyError) -> Self {
        match error {
            MintPolicyError::NotAMint => ClipstakeError::UnsupportedMintProgram,
            MintPolicyError::FreezeAuthority => ClipstakeError::MintFreezeAuthority,
            MintPolicyError::CloseAuthority => ClipstakeError::MintCloseAuthority,
            MintPolicyError::TransferFeeAdjustable => ClipstakeError::MintTransferFeeAdjustable,
            MintPolicyError::TransferFeeWithdrawable => ClipstakeError::MintTransferFeeWithdrawable,
            MintPolicyError::UnsupportedExtension => ClipstakeError::UnsupportedMintExtension,
        }
    }
}

impl From<MintPolicyError> for anchor_lang::error::Error {
    fn from(error: MintPolicyError) -> Self {
        ClipstakeError::from(error).into()
    }
}

/// The mint's decimals, if `data` is an initialised mint (SPL Token or Token-2022).
pub fn mint_decimals(data: &[u8]) -> Result<u8, MintPolicyError> {
    let initialized = data.len() >= MINT_BASE_LEN && data[INITIALIZED_AT] == 1;
    let extended_ok = data.len() == MINT_BASE_LEN
        || (data.len() > ACCOUNT_TYPE_AT && data[ACCOUNT_TYPE_AT] == ACCOUNT_TYPE_MINT);
    if !initialized || !extended_ok {
        return Err(MintPolicyError::NotAMint);
    }
    Ok(data[DECIMALS_AT])
}

/// Checks that the mint's authorities cannot take, freeze or tax escrowed funds: no freeze
/// authority, and (Token-2022) only extensions that are harmless as they stand. `epoch` is the
/// current epoch, to refuse a transfer-fee change still pending.
pub fn check_untrusted_mint(data: &[u8], epoch: u64) -> Result<(), MintPolicyError> {
    mint_decimals(data)?;
    if data[FREEZE_AUTHORITY_AT..FREEZE_AUTHORITY_AT + 4] != [0, 0, 0, 0] {
        return Err(MintPolicyError::FreezeAuthority);
    }
    let mut at = TLV_START;
    while at + 4 <= data.len() {
        let kind = u16::from_le_bytes([data[at], data[at + 1]]);
        let len = usize::from(u16::from_le_bytes([data[at + 2], data[at + 3]]));
        let value = data
            .get(at + 4..at + 4 + len)
            .ok_or(MintPolicyError::NotAMint)?;
        if kind == u16::from(ExtensionType::Uninitialized) {
            break;
        }
        check_extension(kind, value, epoch)?;
        at += 4 + len;
    }
    Ok(())
}

/// Applies the policy to a campaign's mint as it is now, unless the campaign's issuer was
/// trusted at creation.
pub fn enforce(
    mint_trusted: bool,
    mint: &anchor_lang::prelude::AccountInfo,
    epoch: u64,
) -> anchor_lang::Result<()> {
    if mint_trusted {
        return Ok(());
    }
    check_untrusted_mint(&mint.try_borrow_data()?, epoch)?;
    Ok(())
}

/// True when a 32-byte optional key (Token-2022's `OptionalNonZeroPubkey`) is set.
fn key_set(value: &[u8], at: usize) -> bool {
    value
        .get(at..at + 32)
        .is_some_and(|k| k.iter().any(|b| *b != 0))
}

fn check_extension(kind: u16, value: &[u8], epoch: u64) -> Result<(), MintPolicyError> {
    use ExtensionType as E;
    let Ok(extension) = ExtensionType::try_from(kind) else {
        return Err(MintPolicyError::UnsupportedExtension);
    };
    match extension {
        // Display-only or metadata: nothing that moves or locks tokens.
        E::InterestBearingConfig
        | E::ScaledUiAmount
        | E::MetadataPointer
        | E::TokenMetadata
        | E::GroupPointer
        | E::TokenGroup
        | E::GroupMemberPointer
        | E::TokenGroupMember => Ok(()),
        E::MintCloseAuthority if key_set(value, 0) => Err(MintPolicyError::CloseAuthority),
        E::MintCloseAuthority => Ok(()),
        E::PermanentDelegate if key_set(value, 0) => Err(MintPolicyError::UnsupportedExtension),
        E::PermanentDelegate => Ok(()),
        // Authority (32) and program id (32): either set means a hook now or later.
        E::TransferHook if key_set(value, 0) || key_set(value, 32) => {
            Err(MintPolicyError::UnsupportedExtension)
        }
        E::TransferHook => Ok(()),
        E::TransferFeeConfig => check_transfer_fee(value, epoch),
        // Default-frozen accounts, pausable, non-transferable, confidential, or anything else.
        _ => Err(MintPolicyError::UnsupportedExtension),
    }
}

/// `TransferFeeConfig`: config authority (32), withdraw authority (32), withheld (8), older fee
/// (epoch 8, maximum 8, bps 2), newer fee (epoch 8, ...). A fee is acceptable only when it can
/// no longer change (no config authority, the newer fee already in force: `fund_campaign`
/// measures what arrives, and recipients bear the fixed fee they could see at registration) and
/// nobody can withdraw what it withholds: with a withdraw authority, the withheld part of every
/// payout goes to whoever holds it, which for a brand-issued mint is the brand.
fn check_transfer_fee(value: &[u8], epoch: u64) -> Result<(), MintPolicyError> {
    const NEWER_EPOCH_AT: usize = 32 + 32 + 8 + 18;
    let newer_epoch = value
        .get(NEWER_EPOCH_AT..NEWER_EPOCH_AT + 8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
        .ok_or(MintPolicyError::NotAMint)?;
    if key_set(value, 0) || newer_epoch > epoch {
        return Err(MintPolicyError::TransferFeeAdjustable);
    }
    if key_set(value, 32) {
        return Err(MintPolicyError::TransferFeeWithdrawable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_mint(freeze: bool) -> Vec<u8> {
        let mut data = vec![0u8; MINT_BASE_LEN];
        data[DECIMALS_AT] = 6;
        data[INITIALIZED_AT] = 1;
        if freeze {
            data[FREEZE_AUTHORITY_AT] = 1;
            data[FREEZE_AUTHORITY_AT + 4..FREEZE_AUTHORITY_AT + 36].fill(7);
        }
        data
    }

    fn with_extensions(extensions: &[(ExtensionType, Vec<u8>)]) -> Vec<u8> {
        let mut data = base_mint(false);
        data.resize(ACCOUNT_TYPE_AT, 0);
        data.push(ACCOUNT_TYPE_MINT);
        for (kind, value) in extensions {
            data.extend_from_slice(&u16::from(*kind).to_le_bytes());
            data.extend_from_slice(&(value.len() as u16).to_le_bytes());
            data.extend_from_slice(value);
        }
        data
    }

    fn transfer_fee(config_authority: bool, newer_epoch: u64) -> Vec<u8> {
        let mut value = vec![0u8; 108];
        if config_authority {
            value[..32].fill(9);
        }
        value[90..98].copy_from_slice(&newer_epoch.to_le_bytes());
        value
    }

    #[test]
    fn withdrawable_withheld_fees_are_refused() {
        let mut value = transfer_fee(false, 0);
        value[32..64].fill(3);
        let mint = with_extensions(&[(ExtensionType::TransferFeeConfig, value)]);
        assert_eq!(
            check_untrusted_mint(&mint, 5),
            Err(MintPolicyError::TransferFeeWithdrawable)
        );
    }

    #[test]
    fn plain_mints_pass_and_report_decimals() {
        assert_eq!(check_untrusted_mint(&base_mint(false), 0), Ok(()));
        assert_eq!(mint_decimals(&base_mint(false)), Ok(6));
        let metadata = with_extensions(&[(ExtensionType::MetadataPointer, vec![0; 64])]);
        assert_eq!(check_untrusted_mint(&metadata, 0), Ok(()));
    }

    #[test]
    fn freeze_authority_is_refused() {
        assert_eq!(
            check_untrusted_mint(&base_mint(true), 0),
            Err(MintPolicyError::FreezeAuthority)
        );
    }

    #[test]
    fn authorities_that_are_set_are_refused_and_unset_ones_pass() {
        let cases = [
            (
                ExtensionType::MintCloseAuthority,
                MintPolicyError::CloseAuthority,
            ),
            (
                ExtensionType::PermanentDelegate,
                MintPolicyError::UnsupportedExtension,
            ),
        ];
        for (kind, error) in cases {
            let set = with_extensions(&[(kind, vec![5; 32])]);
            assert_eq!(check_untrusted_mint(&set, 0), Err(error), "{kind:?}");
            let unset = with_extensions(&[(kind, vec![0; 32])]);
            assert_eq!(check_untrusted_mint(&unset, 0), Ok(()), "{kind:?}");
        }
        let hook_program = with_extensions(&[(ExtensionType::TransferHook, {
            let mut v = vec![0; 64];
            v[40] = 1;
            v
        })]);
        assert_eq!(
            check_untrusted_mint(&hook_program, 0),
            Err(MintPolicyError::UnsupportedExtension)
        );
    }

    #[test]
    fn locking_extensions_are_refused() {
        for kind in [
            ExtensionType::NonTransferable,
            ExtensionType::Pausable,
            ExtensionType::DefaultAccountState,
            ExtensionType::ConfidentialTransferMint,
            ExtensionType::ConfidentialMintBurn,
        ] {
            let data = with_extensions(&[(kind, vec![0; 33])]);
            assert_eq!(
                check_untrusted_mint(&data, 0),
                Err(MintPolicyError::UnsupportedExtension),
                "{kind:?}"
            );
        }
        let mut unknown = with_extensions(&[]);
        unknown.extend_from_slice(&[0xEE, 0x7F, 0, 0]);
        assert_eq!(
            check_untrusted_mint(&unknown, 0),
            Err(MintPolicyError::UnsupportedExtension)
        );
    }

    #[test]
    fn transfer_fee_must_be_fixed() {
        let fixed = with_extensions(&[(ExtensionType::TransferFeeConfig, transfer_fee(false, 3))]);
        assert_eq!(check_untrusted_mint(&fixed, 3), Ok(()));
        assert_eq!(
            check_untrusted_mint(&fixed, 2),
            Err(MintPolicyError::TransferFeeAdjustable)
        );
        let adjustable =
            with_extensions(&[(ExtensionType::TransferFeeConfig, transfer_fee(true, 0))]);
        assert_eq!(
            check_untrusted_mint(&adjustable, 9),
            Err(MintPolicyError::TransferFeeAdjustable)
        );
    }

    #[test]
    fn truncated_or_foreign_data_is_not_a_mint() {
        assert_eq!(
            check_untrusted_mint(&[0; 10], 0),
            Err(MintPolicyError::NotAMint)
        );
        let mut token_account = with_extensions(&[]);
        token_account[ACCOUNT_TYPE_AT] = 2;
        assert_eq!(
            mint_decimals(&token_account),
            Err(MintPolicyError::NotAMint)
        );
        let mut cut = with_extensions(&[(ExtensionType::MintCloseAuthority, vec![0; 32])]);
        cut.truncate(cut.len() - 4);
        assert_eq!(
            check_untrusted_mint(&cut, 0),
            Err(MintPolicyError::NotAMint)
        );
    }
}
