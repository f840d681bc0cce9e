//! The program's mint policy (programs/clipstake/src/mint_policy.rs) on arbitrary account bytes.
//!
//! Input (see fuzz/README.md): epoch (8, little-endian) | mint account data.
//!
//! Properties:
//! - `mint_decimals` and `check_untrusted_mint` never panic, whatever the bytes and epoch;
//! - `mint_decimals` accepts exactly an initialised mint: 82 bytes, or more than 165 with the
//!   mint account type at 165, `is_initialized == 1` at 45, and returns the byte at 44;
//! - an accepted mint is a mint (`mint_decimals` accepts it) with no freeze authority;
//! - a plain 82-byte SPL mint is accepted exactly when it is initialised with no freeze
//!   authority, at any epoch;
//! - a mint accepted at an epoch stays accepted at every later one (a transfer fee in force
//!   stays in force), and a mint refused for a reason other than a pending fee is refused at
//!   every epoch for the same reason.
#![no_main]

use clipstake::mint_policy::{MINT_BASE_LEN, MintPolicyError, check_untrusted_mint, mint_decimals};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    if input.len() < 8 {
        return;
    }
    let (epoch, data) = input.split_at(8);
    let epoch = u64::from_le_bytes(epoch.try_into().unwrap());

    let is_mint = data.len() >= MINT_BASE_LEN
        && data[45] == 1
        && (data.len() == MINT_BASE_LEN || (data.len() > 165 && data[165] == 1));
    match mint_decimals(data) {
        Ok(decimals) => {
            assert!(is_mint, "mint_decimals accepted {} bytes", data.len());
            assert_eq!(decimals, data[44]);
        }
        Err(e) => {
            assert!(!is_mint, "mint_decimals refused a mint: {e:?}");
            assert_eq!(e, MintPolicyError::NotAMint);
        }
    }

    let result = check_untrusted_mint(data, epoch);
    if result.is_ok() {
        assert!(is_mint);
        assert_eq!(
            data[46..50],
            [0, 0, 0, 0],
            "accepted with a freeze authority"
        );
    }
    if data.len() == MINT_BASE_LEN {
        let expected = if !is_mint {
            Err(MintPolicyError::NotAMint)
        } else if data[46..50] != [0, 0, 0, 0] {
            Err(MintPolicyError::FreezeAuthority)
        } else {
            Ok(())
        };
        assert_eq!(result, expected);
    }
    for later in [
        epoch.saturating_add(1),
        epoch.saturating_add(1 << 20),
        u64::MAX,
    ] {
        let at_later = check_untrusted_mint(data, later);
        match result {
            Ok(()) => assert_eq!(at_later, Ok(()), "accepted at {epoch}, refused at {later}"),
            Err(MintPolicyError::TransferFeeAdjustable) => {}
            Err(e) => assert_eq!(at_later, Err(e), "refused at {epoch}, changed at {later}"),
        }
    }
    assert_eq!(
        check_untrusted_mint(data, epoch),
        result,
        "not deterministic"
    );
});
