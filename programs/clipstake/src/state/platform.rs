use anchor_lang::prelude::*;

/// Deployment-wide settings, one per program (`["platform"]`).
///
/// Fee settings are copied into each campaign when it is created, so an admin change only
/// affects campaigns created afterwards.
#[account]
#[derive(InitSpace, Debug)]
pub struct Platform {
    /// May change these settings and pause any campaign; set to the program's upgrade
    /// authority at initialisation.
    pub admin: Pubkey,
    /// Wallet that receives platform fees (its associated token account for token campaigns).
    pub treasury: Pubkey,
    /// Platform fee in basis points of every gross payout.
    pub fee_bps: u16,
    /// The highest affiliate commission, in basis points, a submission may carry.
    pub max_affiliate_bps: u16,
    /// When true no campaign may be created, funded, registered to or paid out.
    pub paused: bool,
    /// Canonical bump of this PDA.
    pub bump: u8,
}
