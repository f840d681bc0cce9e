//! Program-derived addresses, from the program's own seed constants.
use anchor_lang::prelude::Pubkey;
use clipstake::state::{
    CAMPAIGN_SEED, ORACLE_SEED, PLATFORM_SEED, SOL_VAULT_SEED, SUBMISSION_SEED, TRUSTED_MINT_SEED,
};

/// The program id.
pub fn program_id() -> Pubkey {
    clipstake::ID
}

/// The platform settings account. Derived once per process: every payout instruction names
/// it, and a derivation (a SHA-256 and a curve check per bump tried) costs tens of
/// microseconds.
pub fn platform() -> Pubkey {
    static PLATFORM: std::sync::LazyLock<Pubkey> = std::sync::LazyLock::new(|| {
        Pubkey::find_program_address(&[PLATFORM_SEED], &clipstake::ID).0
    });
    *PLATFORM
}

/// A brand's campaign.
pub fn campaign(brand: &Pubkey, campaign_id: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[CAMPAIGN_SEED, brand.as_ref(), &campaign_id.to_le_bytes()],
        &clipstake::ID,
    )
    .0
}

/// The lamport vault of a native-SOL campaign.
pub fn sol_vault(campaign: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SOL_VAULT_SEED, campaign.as_ref()], &clipstake::ID).0
}

/// A registered video.
pub fn submission(campaign: &Pubkey, content_hash: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &[SUBMISSION_SEED, campaign.as_ref(), content_hash],
        &clipstake::ID,
    )
    .0
}

/// The platform's registration of a payout oracle key.
pub fn oracle_registration(oracle: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[ORACLE_SEED, oracle.as_ref()], &clipstake::ID).0
}

/// The platform's record that it trusts `mint`'s issuer (it may not exist).
pub fn trusted_mint(mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[TRUSTED_MINT_SEED, mint.as_ref()], &clipstake::ID).0
}

/// The upgradeable loader's program data account of this program.
pub fn program_data() -> Pubkey {
    static PROGRAM_DATA: std::sync::LazyLock<Pubkey> = std::sync::LazyLock::new(|| {
        Pubkey::find_program_address(
            &[clipstake::ID.as_ref()],
            &anchor_lang::solana_program::bpf_loader_upgradeable::ID,
        )
        .0
    });
    *PROGRAM_DATA
}

/// The associated token account of `wallet` for `mint` under `token_program`.
pub fn associated_token(wallet: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    spl_associated_token_account_interface::address::get_associated_token_address_with_program_id(
        wallet,
        mint,
        token_program,
    )
}

/// SHA-256 of a video's canonical id (`youtube:dQw4w9WgXcQ`; `clipstake_oracle::video::VideoId`
/// reads any URL of a video into it): the submission's content hash.
pub fn content_hash(video: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(video.trim().as_bytes()).into()
}
