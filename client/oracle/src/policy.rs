//! The verification policy: when the readings of a video's sources make its view count payable.
//!
//! Pure: no I/O. A count is payable when enough sources whose ownership of the video is
//! established agree within a tolerance; the value paid is the lowest agreeing count (a brand
//! is never charged for views only one optimistic source saw). Anything else goes to
//! quarantine with every source's value.
use serde::{Deserialize, Serialize};

use crate::video::{Platform, Reading};

/// How many sources must agree, and how closely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Agreeing sources needed when a first-party API (ownership checked) is among them.
    pub first_party_quorum: usize,
    /// Agreeing sources needed when only scrapers answered.
    pub scraper_quorum: usize,
    /// Largest spread of agreeing counts, in basis points of the lowest one.
    pub tolerance_bps: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            first_party_quorum: 1,
            scraper_quorum: 2,
            tolerance_bps: 500,
        }
    }
}

impl Policy {
    /// Refuses a policy that could pay on nothing: quorums of at least 1, a tolerance of at
    /// most 100% (10,000 bps).
    pub fn check(&self) -> Result<(), String> {
        if self.first_party_quorum == 0 || self.scraper_quorum == 0 {
            return Err("a quorum is at least 1 source".into());
        }
        if self.tolerance_bps > 10_000 {
            return Err(format!(
                "a tolerance of {} bps is over 10,000 (100%)",
                self.tolerance_bps
            ));
        }
        Ok(())
    }
}

/// What the policy decided for one video's readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// `views` may be paid; `sources` backed it.
    Payable {
        /// The lowest agreeing count.
        views: u64,
        /// The agreeing sources, in ascending order of their counts.
        sources: Vec<String>,
    },
    /// Nothing may be paid from these readings.
    Quarantine {
        /// Why, naming every source's value.
        reason: String,
    },
}

/// Judges one video's readings against its registered owner on `platform`.
pub fn judge(policy: &Policy, platform: Platform, owner: &str, readings: &[Reading]) -> Verdict {
    let readings = latest_per_source(readings);
    let values = describe(readings.iter().copied());
    if readings.is_empty() {
        return quarantine("no source answered".to_string(), &values);
    }
    if let Some(r) = readings.iter().find(|r| owner_differs(platform, owner, r)) {
        let reported = r.owner.as_deref().unwrap_or_default();
        return quarantine(
            format!(
                "owner mismatch: {} says the video belongs to {reported:?}, not the registered {owner:?}",
                r.source
            ),
            &values,
        );
    }
    if let Some(r) = readings.iter().find(|r| r.views == 0) {
        return quarantine(format!("{} reported zero views", r.source), &values);
    }
    // A scraper that does not name the owner cannot establish it; a first-party API scoped to
    // the creator's token can.
    let counted: Vec<&Reading> = readings
        .iter()
        .copied()
        .filter(|r| r.first_party || r.owner.is_some())
        .collect();
    let needed = if counted.iter().any(|r| r.first_party) {
        policy.first_party_quorum
    } else {
        policy.scraper_quorum
    }
    .max(1);
    let agreeing = largest_agreeing(&counted, policy.tolerance_bps);
    if agreeing.len() >= needed {
        return Verdict::Payable {
            views: agreeing[0].views,
            sources: agreeing.iter().map(|r| r.source.clone()).collect(),
        };
    }
    let reason = if counted.len() >= needed {
        format!(
            "sources disagree: at most {} of {} agree within {} bps, {needed} needed",
            agreeing.len(),
            counted.len(),
            policy.tolerance_bps
        )
    } else {
        format!(
            "quorum shortfall: {} source(s) with ownership established, {needed} needed",
            counted.len()
        )
    };
    quarantine(reason, &values)
}

fn quarantine(reason: String, values: &str) -> Verdict {
    Verdict::Quarantine {
        reason: format!("{reason} ({values})"),
    }
}

/// Each source's newest reading, sorted by views.
fn latest_per_source(readings: &[Reading]) -> Vec<&Reading> {
    let mut latest: Vec<&Reading> = Vec::new();
    for reading in readings {
        match latest.iter_mut().find(|r| r.source == reading.source) {
            Some(kept) if kept.observed_at >= reading.observed_at => {}
            Some(kept) => *kept = reading,
            None => latest.push(reading),
        }
    }
    latest.sort_by(|a, b| a.views.cmp(&b.views).then(a.source.cmp(&b.source)));
    latest
}

/// `source=views by owner, ...` for each reading.
pub(crate) fn describe<'a>(readings: impl IntoIterator<Item = &'a Reading>) -> String {
    let parts: Vec<String> = readings
        .into_iter()
        .map(|r| match &r.owner {
            Some(owner) => format!("{}={} by {owner}", r.source, r.views),
            None => format!("{}={}", r.source, r.views),
        })
        .collect();
    parts.join(", ")
}

fn owner_differs(platform: Platform, registered: &str, reading: &Reading) -> bool {
    reading
        .owner
        .as_deref()
        .is_some_and(|reported| !same_owner(platform, registered, reported))
}

/// YouTube channel ids and X author ids are exact; usernames (TikTok, Instagram, X handles)
/// are case-insensitive and may carry a leading `@`.
pub fn same_owner(platform: Platform, registered: &str, reported: &str) -> bool {
    let registered = registered.trim();
    let reported = reported.trim();
    match platform {
        Platform::YouTube => registered == reported,
        _ => registered
            .trim_start_matches('@')
            .eq_ignore_ascii_case(reported.trim_start_matches('@')),
    }
}

/// The largest run of readings (sorted by views) whose spread is within `tolerance_bps` of its
/// lowest count; among runs of one size, the one with a first-party reading, then the lowest.
fn largest_agreeing<'a>(sorted: &[&'a Reading], tolerance_bps: u32) -> Vec<&'a Reading> {
    let mut best: &[&Reading] = &[];
    for start in 0..sorted.len() {
        let low = u128::from(sorted[start].views);
        let end = sorted[start..]
            .iter()
            .take_while(|r| (u128::from(r.views) - low) * 10_000 <= low * u128::from(tolerance_bps))
            .count();
        let run = &sorted[start..start + end];
        let better = run.len() > best.len()
            || (run.len() == best.len()
                && run.iter().any(|r| r.first_party)
                && !best.iter().any(|r| r.first_party));
        if better {
            best = run;
        }
    }
    best.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(source: &str, first_party: bool, views: u64, owner: Option<&str>) -> Reading {
        Reading {
            source: source.into(),
            first_party,
            views,
            owner: owner.map(str::to_string),
            observed_at: 1_000,
        }
    }

    fn payable(views: u64, sources: &[&str]) -> Verdict {
        Verdict::Payable {
            views,
            sources: sources.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn reason(verdict: Verdict) -> String {
        match verdict {
            Verdict::Quarantine { reason } => reason,
            other => panic!("expected quarantine, got {other:?}"),
        }
    }

    const CHANNEL: &str = "UCabc";

    #[test]
    fn one_first_party_source_with_ownership_is_enough() {
        let readings = [reading("youtube-data-api", true, 1_200, Some(CHANNEL))];
        assert_eq!(
            judge(&Policy::default(), Platform::YouTube, CHANNEL, &readings),
            payable(1_200, &["youtube-data-api"])
        );
    }

    #[test]
    fn scrapers_alone_need_two_that_agree_and_the_lowest_is_paid() {
        let readings = [
            reading("brightdata", false, 10_300, Some("@Maker")),
            reading("rapidapi", false, 10_000, Some("maker")),
        ];
        assert_eq!(
            judge(&Policy::default(), Platform::TikTok, "maker", &readings),
            payable(10_000, &["rapidapi", "brightdata"])
        );
        let one = reason(judge(
            &Policy::default(),
            Platform::TikTok,
            "maker",
            &readings[..1],
        ));
        assert!(one.starts_with("quorum shortfall: 1 source(s)"), "{one}");
        assert!(one.contains("brightdata=10300 by @Maker"), "{one}");
    }

    #[test]
    fn disagreeing_scrapers_are_quarantined_with_every_value() {
        let readings = [
            reading("brightdata", false, 20_000, Some("maker")),
            reading("rapidapi", false, 10_000, Some("maker")),
        ];
        let why = reason(judge(
            &Policy::default(),
            Platform::TikTok,
            "maker",
            &readings,
        ));
        assert!(why.starts_with("sources disagree: at most 1 of 2"), "{why}");
        assert!(
            why.contains("rapidapi=10000") && why.contains("brightdata=20000"),
            "{why}"
        );
    }

    #[test]
    fn an_owner_mismatch_from_any_source_blocks_the_payout() {
        let readings = [
            reading("youtube-data-api", true, 5_000, Some("UCother")),
            reading("brightdata", false, 5_000, Some(CHANNEL)),
        ];
        let why = reason(judge(
            &Policy::default(),
            Platform::YouTube,
            CHANNEL,
            &readings,
        ));
        assert!(why.starts_with("owner mismatch: youtube-data-api"), "{why}");
        // Channel ids are exact: a case change is another channel.
        let readings = [reading("youtube-data-api", true, 5_000, Some("ucabc"))];
        assert!(matches!(
            judge(&Policy::default(), Platform::YouTube, CHANNEL, &readings),
            Verdict::Quarantine { .. }
        ));
    }

    #[test]
    fn a_zero_is_suspect_and_a_scraper_without_an_owner_does_not_count() {
        let zero = [reading("rapidapi", false, 0, Some("maker"))];
        assert!(
            reason(judge(&Policy::default(), Platform::X, "maker", &zero)).contains("zero views")
        );
        let anonymous = [
            reading("brightdata", false, 900, None),
            reading("rapidapi", false, 900, Some("maker")),
        ];
        let why = reason(judge(&Policy::default(), Platform::X, "maker", &anonymous));
        assert!(why.starts_with("quorum shortfall: 1 source(s)"), "{why}");
    }

    #[test]
    fn a_source_counts_once_with_its_newest_reading() {
        let mut old = reading("rapidapi", false, 100, Some("maker"));
        old.observed_at = 1;
        let readings = [old, reading("rapidapi", false, 5_000, Some("maker"))];
        let why = reason(judge(
            &Policy::default(),
            Platform::TikTok,
            "maker",
            &readings,
        ));
        assert!(
            why.contains("rapidapi=5000") && !why.contains("rapidapi=100,"),
            "{why}"
        );
        assert!(
            reason(judge(&Policy::default(), Platform::TikTok, "maker", &[]))
                .starts_with("no source")
        );
    }

    #[test]
    fn the_largest_agreeing_group_wins_whatever_the_order() {
        let policy = Policy {
            tolerance_bps: 100,
            ..Policy::default()
        };
        let readings = [
            reading("a", false, 50_000, Some("m")),
            reading("b", false, 10_050, Some("m")),
            reading("c", false, 10_000, Some("m")),
            reading("d", false, 10_100, Some("m")),
        ];
        assert_eq!(
            judge(&policy, Platform::Instagram, "m", &readings),
            payable(10_000, &["c", "b", "d"])
        );
    }
}
