//! The program's money math (programs/clipstake/src/math.rs), against 128-bit reference
//! arithmetic computed here.
//!
//! Input (see fuzz/README.md), little-endian, zero-padded when short:
//! views_before (8) | views_now (8) | rate_per_thousand (8) | cap (8) | gross (8) |
//! total (8) | fee_bps (2) | commission_bps (2).
//!
//! Properties:
//! - every function is total: no panic for any `u64`/`u16` input;
//! - `Bps::new(b)` accepts exactly `b <= 10_000`; `checked_add` exactly sums `<= 10_000`;
//!   `apply_floor(a) == floor(a * b / 10_000)`;
//! - `split`: refused exactly when the two shares exceed 100%; otherwise
//!   `fee + commission + creator == gross`, `fee == floor(gross * fee_bps / 10_000)`,
//!   `commission == floor(gross * commission_bps / 10_000)`;
//! - `entitlement(v) == min(floor(v * rate / 1000), cap)`, monotone in the views;
//! - `owed(prev, paid, now)`: refused exactly when `now < prev` or `entitlement(now) <= paid`;
//!   otherwise `entitlement(now) - paid`; `payable(owed, vault, new_views)` is
//!   `min(owed, vault)`, refused exactly when that is 0 for a top-up (no new views);
//! - `add` is refused exactly on `u64` overflow.
#![no_main]

use clipstake::math::{BPS_PER_WHOLE, Bps, MathError, add, entitlement, owed, payable, split};
use libfuzzer_sys::fuzz_target;

fn reference_floor(amount: u64, bps: u16) -> u64 {
    u64::try_from(u128::from(amount) * u128::from(bps) / 10_000).unwrap()
}

fn reference_entitlement(views: u64, rate: u64, cap: u64) -> u64 {
    let exact = u128::from(views) * u128::from(rate) / 1_000;
    u64::try_from(exact.min(u128::from(cap))).unwrap()
}

fn check_split(gross: u64, fee_bps: u16, commission_bps: u16) {
    let (Ok(fee), Ok(commission)) = (Bps::new(fee_bps), Bps::new(commission_bps)) else {
        return;
    };
    let sum_ok = u32::from(fee_bps) + u32::from(commission_bps) <= u32::from(BPS_PER_WHOLE);
    match split(gross, fee, commission) {
        Ok(s) => {
            assert!(sum_ok, "split accepted {fee_bps} + {commission_bps} bps");
            assert_eq!(s.gross, gross);
            assert_eq!(
                u128::from(s.fee) + u128::from(s.commission) + u128::from(s.creator),
                u128::from(gross),
                "{s:?} does not sum to its gross"
            );
            assert_eq!(s.fee, reference_floor(gross, fee_bps), "{s:?}");
            assert_eq!(
                s.commission,
                reference_floor(gross, commission_bps),
                "{s:?}"
            );
        }
        Err(e) => {
            assert!(
                !sum_ok,
                "split refused {fee_bps} + {commission_bps} bps: {e:?}"
            );
            assert_eq!(e, MathError::BpsSumExceedsWhole);
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let mut bytes = [0u8; 52];
    let n = input.len().min(bytes.len());
    bytes[..n].copy_from_slice(&input[..n]);
    let u64_at = |i: usize| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap());
    let (before, now, rate, cap, gross, total) = (
        u64_at(0),
        u64_at(1),
        u64_at(2),
        u64_at(3),
        u64_at(4),
        u64_at(5),
    );
    let fee_bps = u16::from_le_bytes([bytes[48], bytes[49]]);
    let commission_bps = u16::from_le_bytes([bytes[50], bytes[51]]);

    // Bps: range checked once, floor exact.
    for bps in [fee_bps, commission_bps] {
        match Bps::new(bps) {
            Ok(b) => {
                assert!(bps <= BPS_PER_WHOLE);
                assert_eq!(b.get(), bps);
                assert_eq!(b.apply_floor(gross), reference_floor(gross, bps));
                assert!(b.apply_floor(gross) <= gross);
            }
            Err(e) => {
                assert!(bps > BPS_PER_WHOLE);
                assert_eq!(e, MathError::BpsOutOfRange);
            }
        }
    }
    if let (Ok(a), Ok(b)) = (Bps::new(fee_bps), Bps::new(commission_bps)) {
        let sum = u32::from(fee_bps) + u32::from(commission_bps);
        match a.checked_add(b) {
            Ok(s) => assert_eq!(u32::from(s.get()), sum),
            Err(e) => {
                assert!(sum > u32::from(BPS_PER_WHOLE));
                assert_eq!(e, MathError::BpsSumExceedsWhole);
            }
        }
    }

    // The split, on the raw shares and on shares folded into range (so both branches are hit).
    check_split(gross, fee_bps, commission_bps);
    check_split(gross, fee_bps % 10_001, commission_bps % 10_001);

    // Entitlement and owed on cumulative views.
    let e_before = entitlement(before, rate, cap);
    let e_now = entitlement(now, rate, cap);
    assert_eq!(
        e_before,
        reference_entitlement(before, rate, cap),
        "entitlement({before}, {rate}, {cap})"
    );
    assert_eq!(
        e_now,
        reference_entitlement(now, rate, cap),
        "entitlement({now}, {rate}, {cap})"
    );
    assert!(e_before <= cap && e_now <= cap);
    if before <= now {
        assert!(e_before <= e_now, "entitlement is not monotone");
    }
    // Owed on cumulative views, from what was paid (`total` stands for the paid gross), and
    // what a vault holding `gross` pays of it.
    match owed(before, total, now, rate, cap) {
        Ok(amount) => {
            assert!(now >= before, "owed accepted {now} < watermark {before}");
            assert!(e_now > total, "owed {amount} with {total} of {e_now} paid");
            assert_eq!(amount, e_now - total, "owed({before}, {total}, {now})");
            let records_new_views = now > before;
            match payable(amount, gross, records_new_views) {
                Ok(pay) => assert!(pay == amount.min(gross) && (pay > 0 || records_new_views)),
                Err(e) => {
                    assert_eq!(e, MathError::VaultEmpty);
                    assert!(gross == 0 && !records_new_views);
                }
            }
        }
        Err(e) => {
            assert!(now < before || e_now <= total, "owed refused {before} -> {now} with {total} of {e_now} paid: {e:?}");
            assert_eq!(e, MathError::ViewsNotIncreasing);
        }
    }

    // Running totals.
    match add(total, gross) {
        Ok(sum) => assert_eq!(u128::from(sum), u128::from(total) + u128::from(gross)),
        Err(e) => {
            assert!(total.checked_add(gross).is_none());
            assert_eq!(e, MathError::Overflow);
        }
    }
});
