//! Refresh schedule: how often a submission's views are fetched again, growing with its age.

/// Age thresholds and the refresh interval that applies below each (seconds).
#[derive(Debug, Clone)]
pub struct Schedule {
    /// `(max_age, interval)`, ascending by age; beyond the last, `after`.
    pub steps: Vec<(i64, i64)>,
    /// The interval for submissions older than every step.
    pub after: i64,
}

impl Default for Schedule {
    /// 2h for the first day, 6h until day 3, 12h until day 7, then 24h.
    fn default() -> Self {
        Schedule {
            steps: vec![(86_400, 7_200), (3 * 86_400, 21_600), (7 * 86_400, 43_200)],
            after: 86_400,
        }
    }
}

impl Schedule {
    /// Builds a schedule from `intervals` (one more than `ages`), e.g. intervals
    /// `[2h, 6h, 12h, 24h]` and ages `[1d, 3d, 7d]`.
    pub fn new(ages: &[i64], intervals: &[i64]) -> Result<Schedule, String> {
        if intervals.len() != ages.len() + 1 || intervals.iter().any(|i| *i <= 0) {
            return Err("give one more positive interval than age steps".into());
        }
        if ages.windows(2).any(|w| w[0] >= w[1]) {
            return Err("age steps must be ascending".into());
        }
        Ok(Schedule {
            steps: ages
                .iter()
                .copied()
                .zip(intervals.iter().copied())
                .collect(),
            after: *intervals.last().unwrap_or(&86_400),
        })
    }

    /// The refresh interval of a submission `age` seconds old.
    pub fn interval(&self, age: i64) -> i64 {
        self.steps
            .iter()
            .find(|(max_age, _)| age < *max_age)
            .map_or(self.after, |(_, interval)| *interval)
    }

    /// When a submission registered at `registered_at` and last observed at `last_observed`
    /// (if ever) is due next.
    pub fn next_due(&self, registered_at: i64, last_observed: Option<i64>) -> i64 {
        match last_observed {
            None => registered_at,
            Some(at) => at + self.interval(at - registered_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_with_age() {
        let s = Schedule::default();
        assert_eq!(s.interval(0), 7_200);
        assert_eq!(s.interval(86_400), 21_600);
        assert_eq!(s.interval(4 * 86_400), 43_200);
        assert_eq!(s.interval(30 * 86_400), 86_400);
        assert_eq!(s.next_due(100, None), 100);
        assert_eq!(s.next_due(0, Some(3600)), 3600 + 7_200);
        let custom = Schedule::new(&[3600], &[60, 600]).unwrap();
        assert_eq!(custom.interval(10), 60);
        assert_eq!(custom.interval(7200), 600);
        assert!(Schedule::new(&[1], &[1]).is_err());
    }
}
