//! Money math for ClipStake: pure, total functions with no Anchor types.
//!
//! Everything here works in `u64` only. The offline SBF toolchain cannot lower 128-bit
//! multiplication, and none is needed: each `floor(a * b / d)` is computed exactly by splitting
//! `a` into quotient and remainder of `d`, which keeps every intermediate product in range.

/// Basis points in one whole (100%).
pub const BPS_PER_WHOLE: u16 = 10_000;
/// The campaign rate is quoted per this many verified views.
pub const VIEWS_PER_RATE_UNIT: u64 = 1_000;

/// Why a money computation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    /// A basis-point value above 10,000 (100%).
    BpsOutOfRange,
    /// Fee and commission together exceed 100% of the gross.
    BpsSumExceedsWhole,
    /// The reported cumulative views do not exceed the views already paid.
    ViewsNotIncreasing,
    /// A running total would exceed `u64::MAX`.
    Overflow,
}

/// A share in basis points, checked to be at most 100% when it is made.
///
/// Modelled on Marinade's `Fee`: the range is checked once, and applying it cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Bps(u16);

impl Bps {
    /// Zero percent.
    pub const ZERO: Bps = Bps(0);

    /// Checks that `bps` is at most 10,000.
    pub fn new(bps: u16) -> Result<Self, MathError> {
        if bps > BPS_PER_WHOLE {
            return Err(MathError::BpsOutOfRange);
        }
        Ok(Bps(bps))
    }

    /// The raw basis points.
    pub fn get(self) -> u16 {
        self.0
    }

    /// The sum of two shares, refused when it exceeds 100%.
    pub fn checked_add(self, other: Bps) -> Result<Bps, MathError> {
        let sum = self.0 + other.0; // both <= 10_000, so no u16 overflow
        if sum > BPS_PER_WHOLE {
            return Err(MathError::BpsSumExceedsWhole);
        }
        Ok(Bps(sum))
    }

    /// `floor(amount * bps / 10_000)`, exact for every `u64` amount.
    ///
    /// With `amount = 10_000 q + r`: `amount * bps / 10_000 = q * bps + r * bps / 10_000`, and
    /// `q * bps` is whole, so the floor only applies to the second term. `q * bps <= amount` and
    /// `r * bps < 10^8`, so nothing can overflow.
    pub fn apply_floor(self, amount: u64) -> u64 {
        let bps = u64::from(self.0);
        let whole = u64::from(BPS_PER_WHOLE);
        (amount / whole) * bps + (amount % whole) * bps / whole
    }
}

/// How much a submission has earned for `views` cumulative verified views:
/// `min(floor(views * rate_per_thousand / 1000), cap)`.
///
/// Total: a product beyond `u64::MAX` is beyond any `u64` cap, so it yields the cap.
pub fn entitlement(views: u64, rate_per_thousand: u64, cap: u64) -> u64 {
    let unit = VIEWS_PER_RATE_UNIT;
    let (thousands, rest) = (views / unit, views % unit);
    // floor(rest * rate / 1000) without overflow: rate = 1000 a + b.
    let partial = rest * (rate_per_thousand / unit) + rest * (rate_per_thousand % unit) / unit;
    thousands
        .saturating_mul(rate_per_thousand)
        .saturating_add(partial)
        .min(cap)
}

/// What is owed when the watermark moves from `paid_views` to `new_views`:
/// `entitlement(new_views) - entitlement(paid_views)`.
///
/// Computed on cumulative totals, so a sequence of payouts never drifts from
/// `entitlement(final)` however the views arrive. Refuses views that do not exceed the
/// watermark: that is the replay guard.
pub fn owed(
    paid_views: u64,
    new_views: u64,
    rate_per_thousand: u64,
    cap: u64,
) -> Result<u64, MathError> {
    if new_views <= paid_views {
        return Err(MathError::ViewsNotIncreasing);
    }
    let earned_now = entitlement(new_views, rate_per_thousand, cap);
    let earned_before = entitlement(paid_views, rate_per_thousand, cap);
    // entitlement is monotone in views, so this never underflows.
    Ok(earned_now - earned_before)
}

/// One payout, split three ways. `fee + commission + creator == gross` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Split {
    /// Amount paid before the split.
    pub gross: u64,
    /// Platform fee: `floor(gross * fee_bps / 10_000)`.
    pub fee: u64,
    /// Affiliate commission: `floor(gross * commission_bps / 10_000)`.
    pub commission: u64,
    /// The creator's share: the remainder, so rounding dust goes to the creator on purpose.
    pub creator: u64,
}

/// Splits `gross` into platform fee, affiliate commission and creator payout.
pub fn split(gross: u64, fee: Bps, commission: Bps) -> Result<Split, MathError> {
    fee.checked_add(commission)?;
    let fee_amount = fee.apply_floor(gross);
    let commission_amount = commission.apply_floor(gross);
    // fee_bps + commission_bps <= 10_000, so the two floors together are at most gross.
    let creator = gross - fee_amount - commission_amount;
    Ok(Split {
        gross,
        fee: fee_amount,
        commission: commission_amount,
        creator,
    })
}

/// `total + amount`, refused on overflow.
pub fn add(total: u64, amount: u64) -> Result<u64, MathError> {
    total.checked_add(amount).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bps_range_is_checked_once() {
        assert_eq!(Bps::new(10_001), Err(MathError::BpsOutOfRange));
        assert_eq!(Bps::new(10_000).unwrap().get(), 10_000);
        let fee = Bps::new(6_000).unwrap();
        assert_eq!(
            fee.checked_add(Bps::new(4_001).unwrap()),
            Err(MathError::BpsSumExceedsWhole)
        );
        assert_eq!(
            fee.checked_add(Bps::new(4_000).unwrap()).unwrap().get(),
            10_000
        );
    }

    #[test]
    fn split_examples() {
        let s = split(1_000_001, Bps::new(250).unwrap(), Bps::new(1_000).unwrap()).unwrap();
        assert_eq!((s.fee, s.commission, s.creator), (25_000, 100_000, 875_001));
        let s = split(u64::MAX, Bps::new(10_000).unwrap(), Bps::ZERO).unwrap();
        assert_eq!((s.fee, s.creator), (u64::MAX, 0));
        let s = split(9_999, Bps::new(1).unwrap(), Bps::new(1).unwrap()).unwrap();
        assert_eq!((s.fee, s.commission, s.creator), (0, 0, 9_999));
    }

    #[test]
    fn entitlement_examples() {
        assert_eq!(entitlement(0, 5_000, u64::MAX), 0);
        assert_eq!(entitlement(1_500, 5_000, u64::MAX), 7_500);
        assert_eq!(entitlement(999, 1, u64::MAX), 0);
        assert_eq!(entitlement(1_000_000, 5_000, 1_000_000), 1_000_000);
        assert_eq!(entitlement(u64::MAX, u64::MAX, 77), 77);
        assert_eq!(
            entitlement(999, u64::MAX, u64::MAX),
            (999u128 * u64::MAX as u128 / 1000) as u64
        );
    }

    #[test]
    fn owed_refuses_replay() {
        assert_eq!(owed(10, 10, 1, 1), Err(MathError::ViewsNotIncreasing));
        assert_eq!(owed(10, 9, 1, 1), Err(MathError::ViewsNotIncreasing));
        assert_eq!(owed(0, 2_000, 3_000, u64::MAX), Ok(6_000));
    }

    #[test]
    fn add_refuses_overflow() {
        assert_eq!(add(u64::MAX, 1), Err(MathError::Overflow));
        assert_eq!(add(1, 2), Ok(3));
    }

    fn reference_entitlement(views: u64, rate: u64, cap: u64) -> u64 {
        let exact = u128::from(views) * u128::from(rate) / 1000;
        exact.min(u128::from(cap)) as u64
    }

    proptest! {
        #[test]
        fn apply_floor_matches_wide_math(amount: u64, bps in 0u16..=10_000) {
            let expected = (u128::from(amount) * u128::from(bps) / 10_000) as u64;
            prop_assert_eq!(Bps::new(bps).unwrap().apply_floor(amount), expected);
        }

        #[test]
        fn split_parts_sum_to_gross(gross: u64, fee in 0u16..=10_000, commission in 0u16..=10_000) {
            let (fee, commission) = (Bps::new(fee).unwrap(), Bps::new(commission).unwrap());
            match split(gross, fee, commission) {
                Ok(s) => {
                    prop_assert_eq!(u128::from(s.fee) + u128::from(s.commission) + u128::from(s.creator), u128::from(gross));
                    prop_assert_eq!(s.fee, fee.apply_floor(gross));
                    prop_assert_eq!(s.commission, commission.apply_floor(gross));
                }
                Err(e) => {
                    prop_assert_eq!(e, MathError::BpsSumExceedsWhole);
                    prop_assert!(fee.get() + commission.get() > 10_000);
                }
            }
        }

        #[test]
        fn entitlement_matches_wide_math(views: u64, rate: u64, cap: u64) {
            prop_assert_eq!(entitlement(views, rate, cap), reference_entitlement(views, rate, cap));
        }

        #[test]
        fn entitlement_matches_wide_math_small(views in 0u64..10_000_000, rate in 0u64..10_000_000, cap in 0u64..u64::MAX) {
            prop_assert_eq!(entitlement(views, rate, cap), reference_entitlement(views, rate, cap));
        }

        /// Paying along any increasing sequence of view counts pays exactly
        /// entitlement(final), never more than the cap, and stops at the budget.
        #[test]
        fn increasing_reports_pay_exactly_the_final_entitlement(
            mut reports in proptest::collection::vec(0u64..5_000_000, 1..40),
            rate in 0u64..2_000_000,
            cap in 0u64..u64::MAX,
            budget: u64,
        ) {
            reports.sort_unstable();
            reports.dedup();
            let (mut watermark, mut paid, mut remaining) = (0u64, 0u64, budget);
            for &views in &reports {
                match owed(watermark, views, rate, cap) {
                    Ok(gross) => {
                        if gross > remaining { break; } // the vault is short: nothing moves
                        remaining -= gross;
                        paid = add(paid, gross).unwrap();
                        watermark = views;
                    }
                    Err(e) => {
                        prop_assert_eq!(e, MathError::ViewsNotIncreasing);
                        prop_assert_eq!(views, 0);
                    }
                }
                // A replay of the same report is always refused.
                prop_assert_eq!(owed(watermark, watermark, rate, cap), Err(MathError::ViewsNotIncreasing));
            }
            prop_assert_eq!(paid, entitlement(watermark, rate, cap));
            prop_assert!(paid <= cap);
            prop_assert!(paid <= budget);
            prop_assert_eq!(paid + remaining, budget);
        }
    }
}
