//! The oracle's view-report parsers (client/oracle/src/reports.rs: `parse` in JSON Lines and
//! CSV, `parse_time`) and the verification rules that `oracle ingest` applies to what they
//! accept (`verify`).
//!
//! The module is compiled here from its source file, as it is (it needs only serde and
//! serde_json, with the client's features): depending on the whole client crate would build
//! litesvm, the RPC client and SQLite with the fuzzer's instrumentation, several times the
//! build time of everything else. A change that makes reports.rs use other client modules
//! breaks this build, loudly.
//!
//! Input (see fuzz/README.md): selector (1) | report text. Bit 0 of the selector picks the
//! format (0 JSON Lines, 1 CSV); the text is the rest, as UTF-8 (lossily: invalid bytes become
//! U+FFFD, as they would have to before `parse` sees them). The verification context is
//! derived from the selector's other bits and the accepted reports themselves.
//!
//! Properties:
//! - `parse` never panics ("Never fails: bad lines are returned as Malformed");
//! - every input line is accounted for: each non-blank line (JSON Lines: also not a `#`
//!   comment; CSV: after the header) is exactly one report or one malformed entry, in file
//!   order, with its 1-based line number and (malformed) its raw text;
//! - an accepted report has a non-empty, trimmed video;
//! - an accepted report, serialised with its own `Serialize` as one JSON line, parses back to
//!   exactly itself; and, when its fields can be written as CSV (no commas, line breaks or
//!   surrounding whitespace, no empty creator), so does its CSV row;
//! - `parse_time` never panics on any line, and unix seconds (decimal `i64`) parse to
//!   themselves, as does an accepted report's `observed_at`;
//! - `verify` on the accepted reports in order, with the ledger's history of the last two
//!   accepted points, never panics, and passes a report only when it is within the campaign,
//!   not below the paid watermark, and strictly newer and not lower than the last accepted.
#![no_main]

#[allow(dead_code)]
#[path = "../../client/oracle/src/reports.rs"]
mod reports;

use libfuzzer_sys::fuzz_target;
use reports::{
    Context, Format, MAX_OBSERVED_AT, Point, VerifyConfig, ViewReport, parse, parse_time, verify,
};

/// The lines `parse` must account for, with their 1-based numbers.
fn candidate_lines(text: &str, format: Format) -> Vec<(usize, &str)> {
    let lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    match format {
        Format::JsonLines => lines
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect(),
        Format::Csv => lines
            .filter(|(_, l)| !l.trim().is_empty())
            .skip(1)
            .collect(),
    }
}

fn csv_safe(field: &str) -> bool {
    field.trim() == field && !field.contains([',', '\n', '\r'])
}

fn csv_row(report: &ViewReport) -> Option<String> {
    let creator = report.creator.as_deref();
    let fields = [
        report.platform.as_str(),
        &report.video,
        creator.unwrap_or(""),
        &report.source,
    ];
    if creator == Some("") || !fields.iter().all(|f| csv_safe(f)) {
        return None;
    }
    Some(format!(
        "platform,video,creator,views,observed_at,source\n{},{},{},{},{},{}\n",
        report.platform,
        report.video,
        creator.unwrap_or(""),
        report.views,
        report.observed_at,
        report.source
    ))
}

fn check_round_trip(report: &ViewReport) {
    let json = serde_json::to_string(report).expect("a report serialises");
    let again = parse(&json, Format::JsonLines);
    assert!(
        again.malformed.is_empty(),
        "{json} -> {:?}",
        again.malformed
    );
    assert_eq!(
        again.reports,
        vec![(1, report.clone())],
        "JSON round trip of {json}"
    );
    if let Some(csv) = csv_row(report) {
        let again = parse(&csv, Format::Csv);
        assert!(
            again.malformed.is_empty(),
            "{csv:?} -> {:?}",
            again.malformed
        );
        assert_eq!(
            again.reports,
            vec![(2, report.clone())],
            "CSV round trip of {csv:?}"
        );
    }
    assert_eq!(
        parse_time(&report.observed_at.to_string()),
        Some(report.observed_at)
    );
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, body)) = input.split_first() else {
        return;
    };
    let format = if selector & 1 == 0 {
        Format::JsonLines
    } else {
        Format::Csv
    };
    let text = String::from_utf8_lossy(body);
    let parsed = parse(&text, format);

    // `parse_time` on each line as a whole (what a CSV field or a JSON string can hold):
    // total, always within 1970..=9999, and unix seconds in that range come back as themselves.
    for line in text.lines() {
        let line = line.trim();
        let time = parse_time(line);
        assert!(time.is_none_or(|t| (0..=MAX_OBSERVED_AT).contains(&t)), "{line:?} -> {time:?}");
        if let Ok(secs) = line.parse::<i64>() {
            let in_range = (0..=MAX_OBSERVED_AT).contains(&secs);
            assert_eq!(time, in_range.then_some(secs));
        }
    }

    // Every candidate line is exactly one report or one malformed entry, in order.
    let expected = candidate_lines(&text, format);
    let mut seen: Vec<(usize, Option<&str>)> = parsed
        .reports
        .iter()
        .map(|(line, _)| (*line, None))
        .chain(
            parsed
                .malformed
                .iter()
                .map(|m| (m.line, Some(m.raw.as_str()))),
        )
        .collect();
    seen.sort_by_key(|(line, _)| *line);
    assert_eq!(seen.len(), expected.len(), "lines lost or duplicated");
    for ((line, raw), (want_line, want_raw)) in seen.iter().zip(&expected) {
        assert_eq!(line, want_line);
        if let Some(raw) = raw {
            assert_eq!(
                raw, want_raw,
                "malformed line {line} does not keep its text"
            );
        }
    }
    assert!(
        parsed.reports.windows(2).all(|w| w[0].0 < w[1].0),
        "reports out of order"
    );

    for (_, report) in &parsed.reports {
        assert!(!report.video.is_empty() && report.video.trim() == report.video);
        check_round_trip(report);
    }

    // `oracle ingest`: each accepted report is verified against the submission's history.
    let base = i64::from(selector >> 1) * 1_000_000;
    let mut ctx = Context {
        registered_at: base,
        paid_views: 0,
        campaign_end: base.saturating_add(1 << 40),
        previous: None,
        before_previous: None,
    };
    let config = VerifyConfig::default();
    for (_, report) in &parsed.reports {
        if verify(report, &ctx, &config).is_none() {
            assert!(report.observed_at <= ctx.campaign_end);
            assert!(report.views >= ctx.paid_views);
            if let Some(last) = ctx.previous {
                assert!(report.observed_at > last.observed_at && report.views >= last.views);
            }
            ctx.before_previous = ctx.previous;
            ctx.previous = Some(Point {
                views: report.views,
                observed_at: report.observed_at,
            });
        }
    }
});
