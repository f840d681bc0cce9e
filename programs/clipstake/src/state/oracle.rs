use anchor_lang::prelude::*;

/// A payout oracle key registered by the platform admin (`["oracle", oracle]`).
///
/// Campaigns may only name a registered oracle, so a brand cannot be its own oracle. Revoking
/// is final: a revoked key can never register, push or have its attestations redeemed again, so
/// its outstanding attestations die with it.
#[account]
#[derive(InitSpace, Debug)]
pub struct OracleRegistration {
    /// The oracle's signing key.
    pub oracle: Pubkey,
    /// False once the admin revoked the key.
    pub active: bool,
    /// Unix time of registration.
    pub added_at: i64,
    /// Unix time of revocation (0 while active).
    pub revoked_at: i64,
    /// Canonical bump of this PDA.
    pub bump: u8,
}

impl OracleRegistration {
    /// Offset of `oracle` in the account data (after the discriminator).
    const ORACLE_AT: usize = 8;
    /// Offset of `active`.
    const ACTIVE_AT: usize = 8 + 32;

    /// Checks, without deserialising (this is on every payout), that `info` is this
    /// program's registration of `oracle` and that it is active. Owner and discriminator prove
    /// it was created by `add_oracle`, which only ever creates it at the `["oracle", key]`
    /// address of the key it stores and never closes or moves it; so there is exactly one
    /// such account per key, and re-deriving the address (about 1,500 CU) is not needed here.
    /// The admin-side instructions, off the payout path, do check the seeds.
    pub fn check_active(info: &AccountInfo, oracle: &Pubkey) -> Result<()> {
        use anchor_lang::Discriminator;
        let data = info.try_borrow_data()?;
        require!(
            info.owner == &crate::ID
                && data.len() > Self::ACTIVE_AT
                && data[..8] == *Self::DISCRIMINATOR
                && data[Self::ORACLE_AT..Self::ACTIVE_AT] == oracle.to_bytes(),
            crate::errors::ClipstakeError::OracleNotRegistered
        );
        require!(
            data[Self::ACTIVE_AT] == 1,
            crate::errors::ClipstakeError::OracleRevoked
        );
        Ok(())
    }
}

/// A mint whose issuer the platform admin trusts (`["trusted_mint", mint]`), e.g. USDC or
/// PYUSD, which keep freeze authorities and extensions the mint policy otherwise refuses.
#[account]
#[derive(InitSpace, Debug)]
pub struct TrustedMint {
    /// The trusted mint.
    pub mint: Pubkey,
    /// Unix time the admin trusted it.
    pub trusted_at: i64,
    /// Who paid this account's rent and gets it back when the mint is distrusted.
    pub rent_payer: Pubkey,
    /// Canonical bump of this PDA.
    pub bump: u8,
}
