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
    /// The vault holds nothing to pay a shortfall that is already recorded.
    VaultEmpty,
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

/// What is owed for `new_views` cumulative verified views when `paid_gross` has been paid and
/// the watermark is at `paid_views`: `entitlement(new_views) - paid_gross`.
///
/// Computed on cumulative totals, so a sequence of payouts never drifts from
/// `entitlement(final)` however the views arrive. A report equal to the watermark is accepted
/// while part of its entitlement is still unpaid (an earlier payout was cut to what the vault
/// held), so that shortfall stays owed. Refuses views below the watermark (it never falls) and
/// any report with nothing left to pay: that is the replay guard.
pub fn owed(
    paid_views: u64,
    paid_gross: u64,
    new_views: u64,
    rate_per_thousand: u64,
    cap: u64,
) -> Result<u64, MathError> {
    if new_views < paid_views {
        return Err(MathError::ViewsNotIncreasing);
    }
    // paid_gross <= entitlement(paid_views) <= entitlement(new_views) on consistent books;
    // saturating keeps the function total on any input.
    let due = entitlement(new_views, rate_per_thousand, cap).saturating_sub(paid_gross);
    if due == 0 {
        return Err(MathError::ViewsNotIncreasing);
    }
    Ok(due)
}

/// What one payout moves: everything owed, or all the vault holds when that is less. The rest
/// stays owed to the same views (a recorded shortfall) and is paid when the vault holds it.
///
/// A payout for views above the watermark is made even when the vault holds nothing: it
/// records those verified views, and the shortfall they leave is kept back from the brand's
/// withdrawals. A top-up of an already recorded shortfall (`records_new_views` false) with
/// nothing to pay it is refused.
pub fn payable(owed: u64, available: u64, records_new_views: bool) -> Result<u64, MathError> {
    match owed.min(available) {
        0 if !records_new_views => Err(MathError::VaultEmpty),
        gross => Ok(gross),
    }
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
        assert_eq!(
            owed(10_000, 10, 10_000, 1, 1),
            Err(MathError::ViewsNotIncreasing)
        );
        assert_eq!(
            owed(10_000, 1, 9_000, 1_000, 1),
            Err(MathError::ViewsNotIncreasing)
        );
        assert_eq!(owed(0, 0, 2_000, 3_000, u64::MAX), Ok(6_000));
    }

    #[test]
    fn owed_keeps_a_shortfall_owed_at_the_same_watermark() {
        // 2,000 views at 3,000 per thousand earn 6,000; 4,000 were paid (the vault was short).
        assert_eq!(owed(2_000, 4_000, 2_000, 3_000, u64::MAX), Ok(2_000));
        assert_eq!(owed(2_000, 4_000, 3_000, 3_000, u64::MAX), Ok(5_000));
        assert_eq!(
            owed(2_000, 6_000, 2_000, 3_000, u64::MAX),
            Err(MathError::ViewsNotIncreasing)
        );
        // The watermark never falls, even with a shortfall.
        assert_eq!(
            owed(2_000, 4_000, 1_999, 3_000, u64::MAX),
            Err(MathError::ViewsNotIncreasing)
        );
    }

    #[test]
    fn payable_is_what_the_vault_holds_at_most() {
        assert_eq!(payable(100, 1_000, true), Ok(100));
        assert_eq!(payable(100, 40, false), Ok(40));
        // New views are recorded even from an empty vault; a bare top-up is refused.
        assert_eq!(payable(100, 0, true), Ok(0));
        assert_eq!(payable(100, 0, false), Err(MathError::VaultEmpty));
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

        /// Paying along any increasing sequence of view counts, with the vault topped up at
        /// random between reports, pays exactly min(entitlement(final), everything funded),
        /// never more than the cap, and every shortfall stays owed until it is paid.
        #[test]
        fn increasing_reports_pay_exactly_the_final_entitlement(
            mut reports in proptest::collection::vec(0u64..5_000_000, 1..40),
            top_ups in proptest::collection::vec(0u64..3_000_000_000, 40),
            rate in 0u64..2_000_000,
            cap in 0u64..u64::MAX,
            budget in 0u64..3_000_000_000,
        ) {
            reports.sort_unstable();
            let (mut watermark, mut paid, mut remaining, mut funded) = (0u64, 0u64, budget, budget);
            for (&views, &top_up) in reports.iter().zip(&top_ups) {
                match owed(watermark, paid, views, rate, cap) {
                    Ok(due) => {
                        prop_assert_eq!(due, entitlement(views, rate, cap) - paid);
                        match payable(due, remaining, views > watermark) {
                            Ok(gross) => {
                                prop_assert!(gross <= due && gross <= remaining);
                                remaining -= gross;
                                paid = add(paid, gross).unwrap();
                                watermark = views;
                            }
                            Err(e) => {
                                prop_assert_eq!(e, MathError::VaultEmpty);
                                prop_assert_eq!(remaining, 0);
                                prop_assert_eq!(views, watermark);
                            }
                        }
                    }
                    Err(e) => {
                        prop_assert_eq!(e, MathError::ViewsNotIncreasing);
                        prop_assert_eq!(paid, entitlement(views, rate, cap));
                    }
                }
                // A replay of the same report pays only a shortfall, never beyond entitlement.
                if let Ok(due) = owed(watermark, paid, watermark, rate, cap) {
                    prop_assert_eq!(due, entitlement(watermark, rate, cap) - paid);
                    prop_assert_eq!(remaining, 0);
                }
                // Either everything earned so far is paid or the vault was emptied trying.
                prop_assert!(paid == entitlement(watermark, rate, cap) || remaining == 0);
                remaining += top_up;
                funded += top_up;
            }
            prop_assert!(paid <= entitlement(watermark, rate, cap));
            prop_assert!(paid <= cap);
            prop_assert_eq!(paid + remaining, funded);
        }
    }
}
