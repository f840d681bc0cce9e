use anchor_lang::prelude::*;

/// The lamport vault of a native-SOL campaign (`["vault", campaign]`), owned by this program so
/// that payouts move lamports directly. Its balance is rent + the campaign's available budget.
#[account]
#[derive(InitSpace, Debug)]
pub struct SolVault {
    /// The campaign whose budget this vault holds.
    pub campaign: Pubkey,
    /// Canonical bump of this PDA.
    pub bump: u8,
}
