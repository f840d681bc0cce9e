//! Every PDA seed of the program, in one place. Clients derive addresses from these too.
use anchor_lang::prelude::*;

/// `["platform"]`: the one Platform account of a deployment.
#[constant]
pub const PLATFORM_SEED: &[u8] = b"platform";
/// `["campaign", brand, campaign_id (u64 LE)]`: a brand's campaign. It is also the authority
/// of a token vault.
#[constant]
pub const CAMPAIGN_SEED: &[u8] = b"campaign";
/// `["vault", campaign]`: the lamport vault of a native-SOL campaign.
#[constant]
pub const SOL_VAULT_SEED: &[u8] = b"vault";
/// `["submission", campaign, content_hash]`: one registered video of a campaign.
#[constant]
pub const SUBMISSION_SEED: &[u8] = b"submission";
/// `["oracle", oracle key]`: a payout oracle registered by the platform admin.
#[constant]
pub const ORACLE_SEED: &[u8] = b"oracle";
/// `["trusted_mint", mint]`: a mint whose issuer the platform admin trusts.
#[constant]
pub const TRUSTED_MINT_SEED: &[u8] = b"trusted_mint";
