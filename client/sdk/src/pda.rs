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
    REGISTRATIONS.get_or_derive([*oracle; 1], |[oracle]| {
        Pubkey::find_program_address(&[ORACLE_SEED, oracle.as_ref()], &clipstake::ID).0
    })
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
    TOKEN_ACCOUNTS.get_or_derive([*wallet, *mint, *token_program], |[wallet, mint, program]| {
        spl_associated_token_account_interface::address::get_associated_token_address_with_program_id(
            &wallet, &mint, &program,
        )
    })
}

/// Addresses already derived in this process. A derivation is a SHA-256 and a curve check per
/// bump tried, tens of microseconds; the oracle builds an instruction naming the same oracle
/// registration and recipients' token accounts for every payout of every run. Bounded: past
/// `MEMO_LIMIT` entries it starts afresh, so a long-running service never grows without end.
struct Memo<const N: usize> {
    derived: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<[Pubkey; N], Pubkey>>>,
}

/// Entries a [`Memo`] keeps before it starts afresh (about 10 MB for token accounts).
const MEMO_LIMIT: usize = 100_000;

static REGISTRATIONS: Memo<1> = Memo::new();
static TOKEN_ACCOUNTS: Memo<3> = Memo::new();

impl<const N: usize> Memo<N> {
    const fn new() -> Self {
        Memo {
            derived: std::sync::LazyLock::new(Default::default),
        }
    }

    fn get_or_derive(
        &self,
        key: [Pubkey; N],
        derive: impl FnOnce([Pubkey; N]) -> Pubkey,
    ) -> Pubkey {
        // A poisoned lock only means another thread panicked mid-insert: the map is still
        // a map of correct derivations.
        let lock = || self.derived.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(address) = lock().get(&key) {
            return *address;
        }
        let address = derive(key);
        let mut derived = lock();
        if derived.len() >= MEMO_LIMIT {
            derived.clear();
        }
        derived.insert(key, address);
        address
    }
}

/// SHA-256 of a video's canonical id (`youtube:dQw4w9WgXcQ`; `clipstake_oracle::video::VideoId`
/// reads any URL of a video into it): the submission's content hash.
pub fn content_hash(video: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(video.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_addresses_are_the_derived_ones() {
        let (wallet, mint) = (Pubkey::new_unique(), Pubkey::new_unique());
        let program = crate::instructions::TOKEN_PROGRAM_ID;
        let derived =
            spl_associated_token_account_interface::address::get_associated_token_address_with_program_id(
                &wallet, &mint, &program,
            );
        for _ in 0..3 {
            assert_eq!(associated_token(&wallet, &mint, &program), derived);
        }
        // Every part of the key counts: the same wallet's account for another mint or under
        // Token-2022 is another address.
        let other_mint = Pubkey::new_unique();
        let token_2022 = crate::instructions::TOKEN_2022_PROGRAM_ID;
        for (mint, program) in [(&other_mint, &program), (&mint, &token_2022)] {
            let expected =
                spl_associated_token_account_interface::address::get_associated_token_address_with_program_id(
                    &wallet, mint, program,
                );
            assert_ne!(expected, derived);
            assert_eq!(associated_token(&wallet, mint, program), expected);
        }
        let oracle = Pubkey::new_unique();
        let registration =
            Pubkey::find_program_address(&[ORACLE_SEED, oracle.as_ref()], &clipstake::ID).0;
        assert_eq!(oracle_registration(&oracle), registration);
        assert_eq!(oracle_registration(&oracle), registration);
        assert_eq!(
            platform(),
            Pubkey::find_program_address(&[PLATFORM_SEED], &clipstake::ID).0
        );
    }

    #[test]
    fn a_full_memo_starts_afresh_and_still_answers_right() {
        let memo: Memo<1> = Memo::new();
        let mut derivations = 0;
        let first = Pubkey::new_unique();
        for i in 0..=MEMO_LIMIT {
            let key = if i == 0 { first } else { Pubkey::new_unique() };
            memo.get_or_derive([key], |[k]| {
                derivations += 1;
                k
            });
        }
        assert_eq!(derivations, MEMO_LIMIT + 1);
        assert_eq!(
            memo.derived.lock().unwrap().len(),
            1,
            "cleared at the limit"
        );
        // `first` was dropped with the rest: derived again, to the same answer.
        assert_eq!(memo.get_or_derive([first], |[k]| k), first);
    }
}
