use anchor_lang::prelude::*;

/// Deployment-wide settings, one per program (`["platform"]`).
///
/// Fee settings are copied into each campaign when it is created, so an admin change only
/// affects campaigns created afterwards. The admin may be a multisig (a Squads vault signs
/// through its CPI like any other signer); nothing here assumes a single key.
#[account]
#[derive(InitSpace, Debug)]
pub struct Platform {
    /// May change these settings, register oracles, trust mints and pause any campaign; set to
    /// the program's upgrade authority at initialisation.
    pub admin: Pubkey,
    /// The admin proposed by `update_platform`, who becomes admin by signing `accept_admin`;
    /// `Pubkey::default()` when no change is pending.
    pub pending_admin: Pubkey,
    /// Wallet that receives platform fees (its associated token account for token campaigns).
    pub treasury: Pubkey,
    /// Platform fee in basis points of every gross payout.
    pub fee_bps: u16,
    /// The highest affiliate commission, in basis points, a submission may carry.
    pub max_affiliate_bps: u16,
    /// The shortest settlement window a campaign may have, in seconds (above zero).
    pub min_settlement_window_secs: i64,
    /// The longest an oracle attestation may be valid: a claim is refused when its expiry is
    /// further than this from now.
    pub max_attestation_lifetime_secs: i64,
    /// When true nothing moves: no campaign is created, funded, registered to, paid out,
    /// withdrawn from or changed by its brand.
    pub paused: bool,
    /// Unix time the current platform pause began (meaningful while `paused`).
    pub paused_since: i64,
    /// Seconds the platform has spent paused, all pauses summed. Every campaign's payout
    /// deadline moves by the pauses since its creation, so a pause never costs creators.
    pub pause_total_secs: i64,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// The cluster's SPL Token program is p-token, whose `Batch` instruction moves every share
    /// of a payout in one CPI (one runtime invoke, about 950 compute units, instead of one per
    /// share). True from initialisation: mainnet, devnet and testnet run p-token
    /// (`replace_spl_token_with_p_token`). On a cluster still running the classic program,
    /// where a `Batch` fails, the admin turns it off with `update_platform`.
    pub spl_token_batch: bool,
}

impl Platform {
    /// Pauses or resumes the platform at `now`, adding a finished pause to `pause_total_secs`.
    pub fn set_paused(&mut self, paused: bool, now: i64) {
        match (self.paused, paused) {
            (false, true) => self.paused_since = now,
            (true, false) => {
                let length = now.saturating_sub(self.paused_since).max(0);
                self.pause_total_secs = self.pause_total_secs.saturating_add(length);
            }
            _ => {}
        }
        self.paused = paused;
    }
}
