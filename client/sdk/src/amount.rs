//! Amounts in UI units (`12.5`) and base units (`12500000` at 6 decimals), converted exactly
//! with integer arithmetic (no floating point ever touches money).
use crate::Error;

/// Parses a UI amount such as `12.5`, `0.000001` or `1_000` into base units of a mint with
/// `decimals`. Refuses negative numbers, more fractional digits than the mint has, and
/// anything that does not fit in a u64.
pub fn parse_ui_amount(text: &str, decimals: u8) -> Result<u64, Error> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let bad = |why: &str| Error::Invalid {
        what: "amount",
        text: text.to_string(),
        reason: why.to_string(),
    };
    if cleaned.is_empty() {
        return Err(bad("empty"));
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err(bad("no digits"));
    }
    if !whole
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit())
    {
        return Err(bad("use digits and at most one decimal point, e.g. 12.5"));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(decimals) {
        return Err(bad(&format!("the mint has only {decimals} decimals")));
    }
    let scale = 10u64
        .checked_pow(u32::from(decimals))
        .ok_or_else(|| bad("too many decimals"))?;
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad("too large"))?
    };
    let mut fraction_units: u64 = 0;
    if !fraction.is_empty() {
        let padded = format!("{fraction:0<width$}", width = usize::from(decimals));
        fraction_units = padded.parse().map_err(|_| bad("too large"))?;
    }
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction_units))
        .ok_or_else(|| bad("too large"))
}

/// Formats base units as a UI amount without trailing zeros: `12500000` at 6 decimals is
/// `12.5`.
pub fn format_ui_amount(base_units: u64, decimals: u8) -> String {
    if decimals == 0 {
        return base_units.to_string();
    }
    let digits = format!("{base_units:0>width$}", width = usize::from(decimals) + 1);
    let (whole, fraction) = digits.split_at(digits.len() - usize::from(decimals));
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ui_amounts_exactly() {
        assert_eq!(parse_ui_amount("12.5", 6).unwrap(), 12_500_000);
        assert_eq!(parse_ui_amount("0.000001", 6).unwrap(), 1);
        assert_eq!(parse_ui_amount("1_000", 2).unwrap(), 100_000);
        assert_eq!(parse_ui_amount(".5", 9).unwrap(), 500_000_000);
        assert_eq!(parse_ui_amount("7.", 0).unwrap(), 7);
        assert_eq!(parse_ui_amount("1.2300", 2).unwrap(), 123);
        assert_eq!(
            parse_ui_amount("18446744073709551615", 0).unwrap(),
            u64::MAX
        );
    }

    #[test]
    fn refuses_bad_amounts() {
        for bad in [
            "",
            "-1",
            "1.2.3",
            "abc",
            "0.0000001",
            "18446744073709551616",
            "1e3",
            ".",
        ] {
            assert!(
                parse_ui_amount(bad, 6).is_err(),
                "{bad:?} should be refused"
            );
        }
        assert!(parse_ui_amount("18446744073709.551616", 6).is_err());
    }

    #[test]
    fn formats_and_round_trips() {
        assert_eq!(format_ui_amount(12_500_000, 6), "12.5");
        assert_eq!(format_ui_amount(1, 6), "0.000001");
        assert_eq!(format_ui_amount(0, 9), "0");
        assert_eq!(format_ui_amount(5, 0), "5");
        assert_eq!(format_ui_amount(u64::MAX, 9), "18446744073.709551615");
        for (units, decimals) in [
            (0u64, 6u8),
            (1, 9),
            (123_456_789, 3),
            (u64::MAX, 6),
            (10, 1),
        ] {
            let ui = format_ui_amount(units, decimals);
            assert_eq!(parse_ui_amount(&ui, decimals).unwrap(), units, "{ui}");
        }
    }
}
