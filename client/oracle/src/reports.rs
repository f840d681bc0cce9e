//! View reports: parsing (JSON Lines and CSV) and the verification rules that decide whether a
//! report may ever be paid. Nothing here touches the chain or the ledger; see
//! [`crate::ingest`] for the glue.
use serde::{Deserialize, Serialize};

/// One view report: the cumulative views of a video at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewReport {
    /// e.g. `youtube`, `tiktok`.
    #[serde(default)]
    pub platform: String,
    /// The video id or URL, exactly as registered (its SHA-256 is the content hash).
    pub video: String,
    /// The creator's wallet, when the source knows it (checked against the submission).
    #[serde(default)]
    pub creator: Option<String>,
    /// Cumulative view count.
    pub views: u64,
    /// Unix seconds at which the count was observed.
    pub observed_at: i64,
    /// Where the count came from.
    #[serde(default)]
    pub source: String,
}

/// A line that could not be parsed at all (quarantined with its reason and raw text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// 1-based line number in the input.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
    /// The line as read.
    pub raw: String,
}

/// Parsed input: reports in file order (with their line) and malformed lines.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Good reports with their line number.
    pub reports: Vec<(usize, ViewReport)>,
    /// Lines that did not parse.
    pub malformed: Vec<Malformed>,
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    JsonLines,
    /// A header line then comma-separated fields (no quoting; fields must not contain commas).
    Csv,
}

impl Format {
    /// From a file name: `.csv` is CSV, anything else JSON Lines.
    pub fn from_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::JsonLines,
        }
    }
}

/// Parses `text` in `format`. Never fails: bad lines are returned as [`Malformed`].
pub fn parse(text: &str, format: Format) -> Parsed {
    match format {
        Format::JsonLines => parse_json_lines(text),
        Format::Csv => parse_csv(text),
    }
}

/// Accepts `observed_at` as unix seconds (number or string) or RFC 3339 UTC
/// (`2026-11-23T10:00:00Z`).
#[derive(Deserialize)]
struct RawJson {
    #[serde(default)]
    platform: Option<String>,
    #[serde(alias = "video_id", alias = "url")]
    video: Option<String>,
    #[serde(default)]
    creator: Option<String>,
    #[serde(alias = "view_count", alias = "cumulative_views")]
    views: Option<serde_json::Value>,
    observed_at: Option<serde_json::Value>,
    #[serde(default)]
    source: Option<String>,
}

fn parse_json_lines(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let bad = |reason: String| Malformed {
            line,
            reason,
            raw: raw.to_string(),
        };
        let value: RawJson = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                parsed.malformed.push(bad(format!("malformed JSON: {e}")));
                continue;
            }
        };
        match build(
            value.platform,
            value.video,
            value.creator,
            value.views.as_ref().map(json_field),
            value.observed_at.as_ref().map(json_field),
            value.source,
        ) {
            Ok(report) => parsed.reports.push((line, report)),
            Err(reason) => parsed.malformed.push(bad(reason)),
        }
    }
    parsed
}

fn json_field(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_csv(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return parsed;
    };
    let columns: Vec<String> = header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let platform = col(&["platform"]);
    let video = col(&["video", "video_id", "url"]);
    let creator = col(&["creator"]);
    let views = col(&["views", "view_count", "cumulative_views"]);
    let observed = col(&["observed_at"]);
    let source = col(&["source"]);
    for (index, raw) in lines {
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        let get = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string())
        };
        let result = if fields.len() != columns.len() {
            Err(format!(
                "malformed CSV: {} fields, the header has {}",
                fields.len(),
                columns.len()
            ))
        } else {
            build(
                get(platform),
                get(video),
                get(creator),
                get(views),
                get(observed),
                get(source),
            )
        };
        match result {
            Ok(report) => parsed.reports.push((index + 1, report)),
            Err(reason) => parsed.malformed.push(Malformed {
                line: index + 1,
                reason,
                raw: raw.to_string(),
            }),
        }
    }
    parsed
}

fn build(
    platform: Option<String>,
    video: Option<String>,
    creator: Option<String>,
    views: Option<String>,
    observed_at: Option<String>,
    source: Option<String>,
) -> Result<ViewReport, String> {
    let video = video
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or("missing field: video")?;
    let views = views.ok_or("missing field: views")?;
    let views: u64 = views
        .trim()
        .parse()
        .map_err(|_| format!("wrong type: views must be a non-negative integer, got {views:?}"))?;
    let observed = observed_at.ok_or("missing field: observed_at")?;
    let observed_at = parse_time(observed.trim()).ok_or_else(|| {
        format!("wrong type: observed_at must be unix seconds or RFC 3339 UTC, got {observed:?}")
    })?;
    Ok(ViewReport {
        platform: platform.unwrap_or_default(),
        video,
        creator,
        views,
        observed_at,
        source: source.unwrap_or_default(),
    })
}

/// The latest time a report may carry: 9999-12-31T23:59:59Z. With times in
/// `0..=MAX_OBSERVED_AT`, every difference `verify` takes fits an `i64`.
pub const MAX_OBSERVED_AT: i64 = 253_402_300_799;

/// Unix seconds, or `YYYY-MM-DDTHH:MM:SS[.fff]Z`, between 1970 and the end of year 9999.
pub fn parse_time(text: &str) -> Option<i64> {
    let secs = match text.parse::<i64>() {
        Ok(secs) => secs,
        Err(_) => parse_rfc3339_utc(text)?,
    };
    (0..=MAX_OBSERVED_AT).contains(&secs).then_some(secs)
}

/// Exactly `YYYY-MM-DD`, `T` or a space, `HH:MM:SS`, optional `.digits`, then `Z` or `+00:00`.
fn parse_rfc3339_utc(text: &str) -> Option<i64> {
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = text.split_once(['T', ' '])?;
    let (time, fraction) = time.split_once('.').unwrap_or((time, "0"));
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let [y, m, day] = fields::<3>(date, '-', &[4, 2, 2])?;
    let [hh, mm, ss] = fields::<3>(time, ':', &[2, 2, 2])?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant); y <= 9999, so nothing here can overflow.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// `N` fields of exactly the given digit counts, separated by `separator`, nothing else.
fn fields<const N: usize>(text: &str, separator: char, widths: &[usize; N]) -> Option<[i64; N]> {
    let mut parts = text.split(separator);
    let mut values = [0i64; N];
    for (value, width) in values.iter_mut().zip(widths) {
        let part = parts.next()?;
        if part.len() != *width || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *value = part.parse().ok()?;
    }
    parts.next().is_none().then_some(values)
}

/// Verification settings.
#[derive(Debug, Clone, Copy)]
pub struct VerifyConfig {
    /// A report whose views/second since the last accepted one exceeds this multiple of the
    /// trailing rate is a spike.
    pub spike_multiple: f64,
    /// Trailing rates below this (views per hour) are raised to it, so a quiet video may still
    /// grow normally.
    pub min_rate_per_hour: f64,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig {
            spike_multiple: 10.0,
            min_rate_per_hour: 1_000.0,
        }
    }
}

/// A point of a submission's accepted history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Cumulative views.
    pub views: u64,
    /// Unix seconds.
    pub observed_at: i64,
}

/// What verification needs to know about a report's submission.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The submission's registration time (the trailing rate of its first report starts there).
    pub registered_at: i64,
    /// Its on-chain paid watermark.
    pub paid_views: u64,
    /// The campaign's end time: later observations are not payable.
    pub campaign_end: i64,
    /// The last two accepted reports, oldest first (`None` where there are fewer).
    pub previous: Option<Point>,
    /// The one before `previous`.
    pub before_previous: Option<Point>,
}

/// Why a report is quarantined, or `None` when it may be paid. A report equal to the last
/// accepted one (same time, same views) is a duplicate: `Some("duplicate ...")`.
pub fn verify(report: &ViewReport, ctx: &Context, config: &VerifyConfig) -> Option<String> {
    if report.observed_at > ctx.campaign_end {
        return Some(format!(
            "after campaign end: observed at {}, the campaign ended at {}",
            report.observed_at, ctx.campaign_end
        ));
    }
    if report.views < ctx.paid_views {
        return Some(format!(
            "decreasing count: {} views, already paid for {}",
            report.views, ctx.paid_views
        ));
    }
    if let Some(last) = ctx.previous {
        if report.observed_at <= last.observed_at {
            return Some(
                if report.observed_at == last.observed_at && report.views == last.views {
                    "duplicate of an accepted report".to_string()
                } else {
                    format!(
                        "older than the last seen: observed at {}, last accepted report at {}",
                        report.observed_at, last.observed_at
                    )
                },
            );
        }
        if report.views < last.views {
            return Some(format!(
                "decreasing count: {} views, the last accepted report had {}",
                report.views, last.views
            ));
        }
    }
    // Trailing rate: between the last two accepted points, or from registration (0 views) to
    // the last one, or none for the first report (nothing to compare with).
    let trailing = match (ctx.before_previous, ctx.previous) {
        (Some(a), Some(b)) if b.observed_at > a.observed_at => {
            Some((b.views - a.views.min(b.views)) as f64 / (b.observed_at - a.observed_at) as f64)
        }
        (None, Some(b)) if b.observed_at > ctx.registered_at => {
            Some(b.views as f64 / (b.observed_at - ctx.registered_at) as f64)
        }
        _ => None,
    };
    if let (Some(trailing), Some(last)) = (trailing, ctx.previous) {
        let floor = config.min_rate_per_hour / 3600.0;
        let allowed = trailing.max(floor) * config.spike_multiple;
        let rate =
            (report.views - last.views) as f64 / (report.observed_at - last.observed_at) as f64;
        if rate > allowed {
            return Some(format!(
                "implausible jump: {:.0} views/h since the last report, more than {}x the trailing {:.0} views/h",
                rate * 3600.0,
                config.spike_multiple,
                trailing.max(floor) * 3600.0
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_out_of_range_or_malformed_are_refused_not_panics() {
        assert_eq!(parse_time("2026-11-23T10:00:00Z"), Some(1_795_428_000));
        assert_eq!(parse_time("2026-11-23T10:00:00.250Z"), Some(1_795_428_000));
        assert_eq!(parse_time("9999-12-31T23:59:59Z"), Some(MAX_OBSERVED_AT));
        for bad in [
            "999999999999-01-01T00:00:00Z",
            "99999999999999999-01-01T00:00:00Z",
            "2026-01-01T-9223372036854775808:00:00Z",
            "2026-11-23T-1:00:00Z",
            "2026-11-23-7T10:00:00Z",
            "2026-11-23T10:00:00:99Z",
            "2026-11-23T10:00:00.garbageZ",
            "-9223372036854775808",
            "253402300800",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn json_lines_with_bad_lines() {
        let text = r#"{"platform":"yt","video":"v1","views":100,"observed_at":1000,"source":"api"}
not json
{"video":"v2","views":"abc","observed_at":1000}
{"video":"v3","views":-5,"observed_at":1000}
{"video":"v4","views":5,"observed_at":"2026-11-23T10:00:00Z"}
{"views":5,"observed_at":1}
"#;
        let parsed = parse(text, Format::JsonLines);
        assert_eq!(parsed.reports.len(), 2);
        assert_eq!(parsed.reports[1].1.observed_at, 1_795_428_000);
        let reasons: Vec<_> = parsed.malformed.iter().map(|m| m.reason.as_str()).collect();
        assert!(reasons[0].starts_with("malformed JSON"));
        assert!(reasons[1].starts_with("wrong type: views"));
        assert!(reasons[2].starts_with("wrong type: views"));
        assert!(reasons[3].starts_with("missing field: video"));
    }

    #[test]
    fn csv_with_bad_rows() {
        let text = "platform,video,creator,views,observed_at,source\n\
                    yt,v1,,100,1000,api\n\
                    yt,v2,,12x,1000,api\n\
                    yt,v3,100\n";
        let parsed = parse(text, Format::Csv);
        assert_eq!(parsed.reports.len(), 1);
        assert_eq!(parsed.reports[0].1.views, 100);
        assert_eq!(parsed.malformed.len(), 2);
    }

    fn report(views: u64, at: i64) -> ViewReport {
        ViewReport {
            platform: String::new(),
            video: "v".into(),
            creator: None,
            views,
            observed_at: at,
            source: String::new(),
        }
    }

    #[test]
    fn verification_rules() {
        let config = VerifyConfig::default();
        let mut ctx = Context {
            registered_at: 0,
            paid_views: 0,
            campaign_end: 1_000_000,
            previous: Some(Point {
                views: 10_000,
                observed_at: 3600,
            }),
            before_previous: None,
        };
        assert_eq!(verify(&report(20_000, 7200), &ctx, &config), None);
        assert!(
            verify(&report(9_000, 7200), &ctx, &config)
                .unwrap()
                .starts_with("decreasing")
        );
        assert!(
            verify(&report(20_000, 3000), &ctx, &config)
                .unwrap()
                .starts_with("older")
        );
        assert!(
            verify(&report(10_000, 3600), &ctx, &config)
                .unwrap()
                .starts_with("duplicate")
        );
        assert!(
            verify(&report(10_000_000, 7200), &ctx, &config)
                .unwrap()
                .starts_with("implausible")
        );
        assert!(
            verify(&report(20_000, 2_000_000), &ctx, &config)
                .unwrap()
                .starts_with("after campaign end")
        );
        ctx.paid_views = 50_000;
        assert!(
            verify(&report(20_000, 7200), &ctx, &config)
                .unwrap()
                .starts_with("decreasing")
        );
        assert_eq!(parse_time("1970-01-02T00:00:00Z"), Some(86_400));
    }
}
