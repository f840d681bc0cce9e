//! The one place that moves value: token `transfer_checked` CPIs signed by the campaign, or
//! direct lamport moves out of the program-owned SOL vault.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed_unchecked;
use anchor_lang::system_program;
use anchor_spl::associated_token;

use crate::errors::ClipstakeError;
use crate::state::CampaignSigner;

/// Size of the token-account fields shared by SPL Token and Token-2022: mint (32) + owner (32).
const TOKEN_ACCOUNT_OWNER_END: usize = 64;
/// Length of an SPL token account without extensions.
const TOKEN_ACCOUNT_LEN: usize = 165;
/// Offset of a token account's state byte (0 uninitialised, 1 initialised, 2 frozen).
const TOKEN_ACCOUNT_STATE_AT: usize = 108;
/// State byte of a usable (initialised, not frozen) token account.
const TOKEN_ACCOUNT_INITIALIZED: u8 = 1;

/// Everything needed to move tokens out of a campaign's vault.
pub struct TokenVault<'a, 'info> {
    /// The token program (SPL Token or Token-2022) that owns the mint.
    pub token_program: &'a AccountInfo<'info>,
    /// The campaign's mint.
    pub mint: &'a AccountInfo<'info>,
    /// Decimals of the mint.
    pub decimals: u8,
    /// The vault token account.
    pub vault: &'a AccountInfo<'info>,
    /// The campaign PDA, the vault's owner.
    pub authority: &'a AccountInfo<'info>,
    /// The campaign's seeds, to sign as the authority.
    pub signer: &'a CampaignSigner,
}

/// The `TransferChecked` instruction's tag, the same in SPL Token and Token-2022.
const TRANSFER_CHECKED: u8 = 12;

/// p-token's `Batch` tag: the SPL Token program runs each instruction packed after it, so one
/// CPI (one runtime invoke, about 950 compute units) moves every share of a payout.
const BATCH: u8 = 255;
/// SPL Token's `Transfer` tag.
const TRANSFER: u8 = 3;
/// Accounts and data bytes of a `Transfer` inside a `Batch`: source, destination, owner; tag
/// and amount.
const BATCHED_TRANSFER_HEADER: [u8; 3] = [3, 9, TRANSFER];

impl<'info> TokenVault<'_, 'info> {
    /// Transfers `amount` from the vault to `to`. Does nothing for a zero amount.
    ///
    /// A lean CPI: the 10-byte `TransferChecked` data and four account metas built in place
    /// and invoked through `solana_invoke`'s borrowed stable instruction, instead of
    /// anchor-spl's wrapper, whose `CpiContext`, instruction builder and owned-instruction
    /// conversion cost about 800 compute units per transfer more than the transfer itself.
    /// The token program still checks everything: the vault's owner (the campaign PDA,
    /// signing here), the mint and its decimals, and the destination's mint.
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let mut data = [0u8; 10];
        data[0] = TRANSFER_CHECKED;
        data[1..9].copy_from_slice(&amount.to_le_bytes());
        data[9] = self.decimals;
        let instruction = Instruction {
            program_id: *self.token_program.key,
            accounts: vec![
                AccountMeta::new(*self.vault.key, false),
                AccountMeta::new_readonly(*self.mint.key, false),
                AccountMeta::new(*to.key, false),
                AccountMeta::new_readonly(*self.authority.key, true),
            ],
            data: data.to_vec(),
        };
        let seeds = self.signer.seeds();
        invoke_vault_signed(
            &instruction,
            &[
                self.vault.clone(),
                self.mint.clone(),
                to.clone(),
                self.authority.clone(),
            ],
            &[&seeds],
        )
    }

    /// Transfers each `(recipient, amount)` from the vault; zero amounts are skipped.
    ///
    /// Under SPL Token with `spl_token_batch` (the platform's setting: the cluster runs
    /// p-token), two or more transfers go in one `Batch` CPI of plain
    /// `Transfer`s (SPL Token has no extensions, the token program checks that the vault and
    /// each recipient share the mint, and every amount here is computed in base units on
    /// chain, so `TransferChecked`'s decimals check adds nothing). Token-2022 has no `Batch`:
    /// one `TransferChecked` each.
    pub fn pay_all(
        &self,
        payments: &[(&AccountInfo<'info>, u64)],
        spl_token_batch: bool,
    ) -> Result<()> {
        let due = || payments.iter().filter(|(_, amount)| *amount > 0);
        let batch = spl_token_batch && *self.token_program.key == anchor_spl::token::ID;
        if !batch || due().count() < 2 {
            return due().try_for_each(|(to, amount)| self.pay(to, *amount));
        }
        let count = due().count();
        let mut data = Vec::with_capacity(1 + count * 12);
        data.push(BATCH);
        let mut accounts = Vec::with_capacity(count * 3);
        let mut infos = Vec::with_capacity(count + 2);
        infos.push(self.vault.clone());
        infos.push(self.authority.clone());
        for (to, amount) in due() {
            data.extend_from_slice(&BATCHED_TRANSFER_HEADER);
            data.extend_from_slice(&amount.to_le_bytes());
            accounts.push(AccountMeta::new(*self.vault.key, false));
            accounts.push(AccountMeta::new(*to.key, false));
            accounts.push(AccountMeta::new_readonly(*self.authority.key, true));
            infos.push((*to).clone());
        }
        let instruction = Instruction {
            program_id: *self.token_program.key,
            accounts,
            data,
        };
        let seeds = self.signer.seeds();
        invoke_vault_signed(&instruction, &infos, &[&seeds])
    }
}

/// Invokes a transfer out of the vault, signed by the campaign.
///
/// Unchecked: `invoke_signed` first scans every account meta against every account info for
/// outstanding `RefCell` borrows, about 20 compute units a pair, so 13,000 units for the 63
/// metas of a ten-payout batch. Nothing in this program holds a borrow across a transfer:
/// every borrow of a token account, submission or vault is scoped to the check that takes it,
/// and Anchor's typed accounts are copies. So the scan can find nothing, and is skipped.
fn invoke_vault_signed(
    instruction: &Instruction,
    infos: &[AccountInfo],
    seeds: &[&[&[u8]]],
) -> Result<()> {
    invoke_signed_unchecked(instruction, infos, seeds).map_err(Into::into)
}

/// Accounts to create a missing associated token account, paid by `payer`.
pub struct AtaCreator<'a, 'info> {
    /// Pays the rent of new token accounts.
    pub payer: &'a AccountInfo<'info>,
    /// The campaign's mint.
    pub mint: &'a AccountInfo<'info>,
    /// Token program of the mint.
    pub token_program: &'a AccountInfo<'info>,
    /// The associated token account program.
    pub associated_token_program: &'a AccountInfo<'info>,
    /// The system program.
    pub system_program: &'a AccountInfo<'info>,
}

impl<'info> AtaCreator<'_, 'info> {
    /// Makes sure `token_account` can receive the campaign's tokens for `wallet`; returns
    /// whether it can receive right now.
    ///
    /// An existing account must be a token account of `wallet` for the mint (any account the
    /// wallet owns is fine); it cannot receive while frozen or requiring memos. A missing one
    /// is created idempotently as the wallet's associated token account; the ATA program then
    /// checks that the address is the canonical one. The wallet's own associated token account
    /// handed to someone else (SPL Token allows moving its owner) cannot receive either; any
    /// other account is refused.
    pub fn prepare(
        &self,
        token_account: &AccountInfo<'info>,
        wallet: &AccountInfo<'info>,
    ) -> Result<bool> {
        if token_account.owner == self.token_program.key {
            let data = token_account.try_borrow_data()?;
            require!(
                data.len() >= TOKEN_ACCOUNT_LEN && &data[..32] == self.mint.key.as_ref(),
                ClipstakeError::RecipientTokenAccountMismatch
            );
            if &data[32..TOKEN_ACCOUNT_OWNER_END] == wallet.key.as_ref() {
                return Ok(can_receive(&data));
            }
            // Rare path: only here is the canonical address derived.
            let canonical = associated_token::get_associated_token_address_with_program_id(
                wallet.key,
                self.mint.key,
                self.token_program.key,
            );
            require_keys_eq!(
                canonical,
                token_account.key(),
                ClipstakeError::RecipientTokenAccountMismatch
            );
            return Ok(false);
        }
        require!(
            token_account.owner == &system_program::ID && token_account.data_is_empty(),
            ClipstakeError::RecipientTokenAccountMismatch
        );
        associated_token::create_idempotent(CpiContext::new(
            self.associated_token_program.key(),
            associated_token::Create {
                payer: self.payer.clone(),
                associated_token: token_account.clone(),
                authority: wallet.clone(),
                mint: self.mint.clone(),
                system_program: self.system_program.clone(),
                token_program: self.token_program.clone(),
            },
        ))?;
        Ok(true)
    }
}

/// Whether an existing `token_account` of `wallet` for `mint` under `token_program` can receive
/// right now (not frozen, no incoming memo required). The wallet's canonical associated token
/// account handed to another owner exists but cannot receive, as in `AtaCreator::prepare`.
/// Anything else — another program's account, another mint, another owner's account, a
/// missing account — is refused: a batch creates no accounts, so the oracle pays such
/// recipients with `disburse`, which does.
pub fn existing_token_account_receivable(
    token_account: &AccountInfo,
    token_program: &Pubkey,
    mint: &Pubkey,
    wallet: &Pubkey,
) -> Result<bool> {
    require!(
        token_account.owner == token_program,
        ClipstakeError::RecipientTokenAccountMismatch
    );
    let data = token_account.try_borrow_data()?;
    require!(
        data.len() >= TOKEN_ACCOUNT_LEN && &data[..32] == mint.as_ref(),
        ClipstakeError::RecipientTokenAccountMismatch
    );
    if &data[32..TOKEN_ACCOUNT_OWNER_END] == wallet.as_ref() {
        return Ok(can_receive(&data));
    }
    // Rare path: only here is the canonical address derived.
    let canonical =
        associated_token::get_associated_token_address_with_program_id(wallet, mint, token_program);
    require_keys_eq!(
        canonical,
        *token_account.key,
        ClipstakeError::RecipientTokenAccountMismatch
    );
    Ok(false)
}

/// An initialised, unfrozen token account that does not require incoming memos.
fn can_receive(data: &[u8]) -> bool {
    data[TOKEN_ACCOUNT_STATE_AT] == TOKEN_ACCOUNT_INITIALIZED && !requires_incoming_memo(data)
}

/// True when a Token-2022 account has the `MemoTransfer` extension with incoming memos
/// required (type 8: one bool). SPL Token accounts are exactly 165 bytes and have none.
fn requires_incoming_memo(data: &[u8]) -> bool {
    const MEMO_TRANSFER: u16 = 8;
    let mut at = TOKEN_ACCOUNT_LEN + 1;
    while at + 4 <= data.len() {
        let kind = u16::from_le_bytes([data[at], data[at + 1]]);
        let len = usize::from(u16::from_le_bytes([data[at + 2], data[at + 3]]));
        if kind == 0 {
            return false;
        }
        if kind == MEMO_TRANSFER {
            return data.get(at + 4).is_some_and(|required| *required != 0);
        }
        at += 4 + len;
    }
    false
}

/// The program-owned lamport vault of a SOL campaign, with the rent floors it needs computed
/// once per instruction (rent math is soft-float on SBF, so it is not repeated per recipient).
pub struct LamportVault<'a, 'info> {
    vault: &'a AccountInfo<'info>,
    /// The vault's own rent exemption, below which it never goes.
    floor: u64,
    rent: Rent,
    /// Rent exemption of a data-less wallet, the usual recipient.
    wallet_floor: u64,
}

impl<'a, 'info> LamportVault<'a, 'info> {
    /// Reads the rent sysvar and computes the floors.
    pub fn new(vault: &'a AccountInfo<'info>) -> Result<Self> {
        let rent = Rent::get()?;
        Ok(LamportVault {
            vault,
            floor: rent_exempt_minimum(&rent, vault.data_len()),
            wallet_floor: rent_exempt_minimum(&rent, 0),
            rent,
        })
    }

    /// Lamports above the vault's rent exemption.
    pub fn balance(&self) -> u64 {
        self.vault.lamports().saturating_sub(self.floor)
    }

    /// Moves `amount` lamports into `to`. Does nothing for a zero amount.
    ///
    /// The vault keeps its rent exemption; a recipient that cannot hold SOL or would end below
    /// rent exemption is refused with a clear error instead of failing in the runtime.
    pub fn pay(&self, to: &AccountInfo, amount: u64) -> Result<()> {
        match self.receivable(to, amount)? {
            Receivable::Yes => self.move_lamports(to, amount),
            Receivable::NotSolHolder => err!(ClipstakeError::RecipientCannotReceive),
            Receivable::BelowRentExemption => err!(ClipstakeError::RecipientBelowRentExemption),
        }
    }

    /// Like `pay`, but a recipient that cannot take the lamports is left unpaid and `false`
    /// returned, for shares that accrue instead of blocking the payout.
    pub fn pay_if_receivable(&self, to: &AccountInfo, amount: u64) -> Result<bool> {
        match self.receivable(to, amount)? {
            Receivable::Yes => self.move_lamports(to, amount).map(|()| true),
            _ => Ok(false),
        }
    }

    /// Whether `to` could take `amount` lamports now, for shares booked before they move.
    pub fn can_receive(&self, to: &AccountInfo, amount: u64) -> Result<bool> {
        Ok(matches!(self.receivable(to, amount)?, Receivable::Yes))
    }

    /// Whether `amount` lamports would leave `to`, an account that can hold SOL, below rent
    /// exemption (a new wallet with no SOL yet, sent less than its rent).
    pub fn leaves_below_rent(&self, to: &AccountInfo, amount: u64) -> Result<bool> {
        Ok(matches!(
            self.receivable(to, amount)?,
            Receivable::BelowRentExemption
        ))
    }

    /// Whether `to` can take `amount` lamports: a system-owned, non-executable account (what a
    /// program owns could never leave it) that stays rent-exempt.
    fn receivable(&self, to: &AccountInfo, amount: u64) -> Result<Receivable> {
        if amount == 0 {
            return Ok(Receivable::Yes);
        }
        if to.owner != &system_program::ID || to.executable {
            return Ok(Receivable::NotSolHolder);
        }
        let to_floor = match to.data_len() {
            0 => self.wallet_floor,
            len => rent_exempt_minimum(&self.rent, len),
        };
        let to_after = to
            .lamports()
            .checked_add(amount)
            .ok_or(ClipstakeError::Overflow)?;
        Ok(if to_after >= to_floor {
            Receivable::Yes
        } else {
            Receivable::BelowRentExemption
        })
    }

    fn move_lamports(&self, to: &AccountInfo, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let vault_after = self
            .vault
            .lamports()
            .checked_sub(amount)
            .filter(|left| *left >= self.floor)
            .ok_or(ClipstakeError::InsufficientVaultBalance)?;
        **self.vault.try_borrow_mut_lamports()? = vault_after;
        **to.try_borrow_mut_lamports()? += amount;
        Ok(())
    }
}

/// Whether a lamport recipient can take a payment.
enum Receivable {
    Yes,
    /// Owned by a program or executable.
    NotSolHolder,
    /// Would stay below rent exemption.
    BelowRentExemption,
}

/// What a campaign's vault holds beyond the fees and commissions accrued in it: the token
/// account's amount, or the lamports above the vault's rent exemption.
pub fn vault_held(campaign: &crate::state::Campaign, vault: &AccountInfo) -> Result<u64> {
    let lamports = match campaign.is_native_sol()? {
        true => Some(LamportVault::new(vault)?),
        false => None,
    };
    held_beyond_owed(campaign, vault, lamports.as_ref())
}

/// `vault_held` for a payout that has already read a SOL vault's rent floors (`lamports`,
/// `None` for a token vault): the rent sysvar and its soft-float math are not paid twice.
pub fn held_beyond_owed(
    campaign: &crate::state::Campaign,
    vault: &AccountInfo,
    lamports: Option<&LamportVault>,
) -> Result<u64> {
    let balance = match lamports {
        Some(lamports) => lamports.balance(),
        None => token_amount(vault)?,
    };
    Ok(balance.saturating_sub(campaign.owed_in_vault()))
}

/// The `amount` field of a token account (same offset in SPL Token and Token-2022).
pub fn token_amount(token_account: &AccountInfo) -> Result<u64> {
    let data = token_account.try_borrow_data()?;
    let bytes = data
        .get(TOKEN_ACCOUNT_OWNER_END..TOKEN_ACCOUNT_OWNER_END + 8)
        .ok_or(ClipstakeError::WrongVault)?;
    let mut amount = [0u8; 8];
    amount.copy_from_slice(bytes);
    Ok(u64::from_le_bytes(amount))
}

/// Token-2022 transfer fees withheld in a token account (0 for SPL Token accounts and accounts
/// without the transfer-fee extension).
pub fn withheld_transfer_fees(token_account: &AccountInfo) -> Result<u64> {
    use anchor_spl::token_interface::spl_token_2022::extension::transfer_fee::TransferFeeAmount;
    use anchor_spl::token_interface::spl_token_2022::extension::{
        BaseStateWithExtensions, StateWithExtensions,
    };
    use anchor_spl::token_interface::spl_token_2022::state::Account as TokenAccountState;
    if token_account.owner != &anchor_spl::token_2022::ID {
        return Ok(0);
    }
    let data = token_account.try_borrow_data()?;
    let state = StateWithExtensions::<TokenAccountState>::unpack(&data)?;
    Ok(state
        .get_extension::<TransferFeeAmount>()
        .map(|fee| u64::from(fee.withheld_amount))
        .unwrap_or(0))
}

/// `Rent::minimum_balance` without soft-float on the clusters' actual thresholds (2.0 today, 1.0
/// after SIMD-0194), where it is exact integer math; any other threshold takes the float path.
#[allow(deprecated)]
pub fn rent_exempt_minimum(rent: &Rent, data_len: usize) -> u64 {
    /// Bytes every account is charged for on top of its data.
    const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;
    let byte_years = (ACCOUNT_STORAGE_OVERHEAD + data_len as u64) * rent.lamports_per_byte_year;
    match rent.exemption_threshold.to_bits() {
        bits if bits == 2f64.to_bits() => byte_years * 2,
        bits if bits == 1f64.to_bits() => byte_years,
        _ => rent.minimum_balance(data_len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(deprecated)]
    fn integer_rent_matches_the_float_formula() {
        for threshold in [2.0, 1.0, 1.5] {
            let rent = Rent {
                exemption_threshold: threshold,
                ..Rent::default()
            };
            for len in [0usize, 41, 165, 10_240] {
                assert_eq!(rent_exempt_minimum(&rent, len), rent.minimum_balance(len));
            }
        }
    }
}
