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
