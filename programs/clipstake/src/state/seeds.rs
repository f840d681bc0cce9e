//! Every PDA seed of the program, in one place. Clients derive addresses from these too.

/// `["platform"]`: the one Platform account of a deployment.
pub const PLATFORM_SEED: &[u8] = b"platform";
/// `["campaign", brand, campaign_id (u64 LE)]`: a brand's campaign. It is also the authority
/// of a token vault.
pub const CAMPAIGN_SEED: &[u8] = b"campaign";
/// `["vault", campaign]`: the lamport vault of a native-SOL campaign.
pub const SOL_VAULT_SEED: &[u8] = b"vault";
/// `["submission", campaign, content_hash]`: one registered video of a campaign.
pub const SUBMISSION_SEED: &[u8] = b"submission";
