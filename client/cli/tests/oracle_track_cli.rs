//! `clipstake oracle track / sources / run --sources` end to end through the binary, on the
//! embedded chain, against local fake sources: what the first-party APIs answer is paid, a
//! video whose channel is not the registered one and a video only two disagreeing scrapers
//! read are quarantined with every source's value, and nothing is read again before due.
#[path = "../../oracle/tests/fake/mod.rs"]
mod fake;

use std::collections::HashMap;
use std::path::PathBuf;

use fake::Fake;
use serde_json::{Value, json};
use solana_keypair::Keypair;
use solana_signer::Signer;

const YT: &str = "dQw4w9WgXcQ";
const YT_OTHER: &str = "9bZkp7q19f0";
const TT: &str = "7301234567890123456";
const TT_OTHER: &str = "7309999999999999999";

#[test]
fn track_verifies_and_run_pays_only_what_the_sources_back() {
    let dir = tempfile::tempdir().unwrap();
    let so =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("../../target/deploy/clipstake.so");
    // The binary in the test's directory, its credential in the environment.
    let clipstake = || {
        let mut command = assert_cmd::Command::cargo_bin("clipstake").unwrap();
        command
            .current_dir(dir.path())
            .env("CLIPSTAKE_PROGRAM_SO", &so)
            .env("HOME", dir.path())
            .env("TEST_YOUTUBE_KEY", "from-the-environment");
        command
    };
    let cli = |args: &[&str]| -> Value {
        let out = clipstake()
            .args(["--output", "json"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };
    let (yt, tt) = (
        Fake::start(fake::youtube(HashMap::new())),
        Fake::start(fake::tiktok()),
    );
    let (rapid_a, rapid_b) = (
        Fake::start(fake::rapidapi(100)),
        Fake::start(fake::rapidapi(130)),
    );
    let config = json!({"sources": [
        {"name": "youtube", "kind": "youtube", "base_url": yt.url, "api_key": "env:TEST_YOUTUBE_KEY"},
        {"name": "tiktok", "kind": "tiktok", "base_url": tt.url, "client_key": "ck", "client_secret": "cs",
         "creators": {"maya.makes": {"access_token": "act.maya.makes", "refresh_token": "rft.maya.makes"}}},
        {"name": "rapid-a", "kind": "rapidapi-tiktok", "base_url": rapid_a.url, "api_key": "k"},
        {"name": "rapid-b", "kind": "rapidapi-tiktok", "base_url": rapid_b.url, "api_key": "k"}
    ]});
    std::fs::write(dir.path().join("sources.json"), config.to_string()).unwrap();

    cli(&["platform", "init", "--fee-bps", "250"]);
    let mint = cli(&[
        "embedded",
        "create-mint",
        "--decimals",
        "6",
        "--amount",
        "1000",
    ])["mint"]
        .as_str()
        .unwrap()
        .to_string();
    let campaign = cli(&[
        "campaign",
        "create",
        "--mint",
        &mint,
        "--rate",
        "1",
        "--cap",
        "400",
        "--duration",
        "30d",
        "--settlement-window",
        "3d",
    ])["address"]
        .as_str()
        .unwrap()
        .to_string();
    cli(&["campaign", "fund", &campaign, "500"]);
    let creator = Keypair::new().pubkey().to_string();
    let videos = [
        (format!("youtube:{YT}"), "UCuAXFkgsw1L7xaCfnd5JJOw"),
        (format!("youtube:{YT_OTHER}"), "UCsomeoneElseEntirely000"),
        (format!("tiktok:{TT}"), "maya.makes"),
        (format!("tiktok:{TT_OTHER}"), "other.one"),
    ];
    for (video, owner) in &videos {
        cli(&[
            "submission",
            "register",
            &campaign,
            "--video",
            video,
            "--account",
            owner,
            "--creator",
            &creator,
        ]);
    }
    // `oracle track --add` records an account again (here the same one, from another spelling
    // of the video): what an operator does for a submission registered without it.
    let added = cli(&[
        "oracle",
        "track",
        "--add",
        &format!("https://youtu.be/{YT}"),
        "--campaign",
        &campaign,
        "--owner",
        videos[0].1,
    ]);
    assert_eq!(added["owner"], videos[0].1);

    // The first round, with the oracle's structured logs on stderr.
    let out = clipstake()
        .env("CLIPSTAKE_LOG", "clipstake_oracle=info")
        .args([
            "--output",
            "json",
            "oracle",
            "run",
            "--sources",
            "sources.json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("source request") && logs.contains("source=\"youtube\""),
        "{logs}"
    );
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tracked = &run["tracked"];
    assert_eq!(
        (tracked["due"].as_u64(), tracked["accepted"].as_u64()),
        (Some(4), Some(2)),
        "{run}"
    );
    assert_eq!(tracked["quarantined"].as_u64(), Some(2));
    // 1 token per 1,000 views at 6 decimals: 154,200 (YouTube) + 88,000 (TikTok's own API).
    assert_eq!(run["paid"].as_u64(), Some(2));
    assert_eq!(run["paid_gross"].as_u64(), Some(242_200_000));
    assert!(yt.hits()[0].query["key"] == "from-the-environment");
    // The Display API answered for its creator; the scrapers were asked only for the video
    // whose creator gave no token.
    assert_eq!(rapid_a.hits().len(), 1);

    let review = cli(&["oracle", "review"]);
    let reasons: Vec<&str> = review
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("owner mismatch") && r.contains("UCrDkAvwZum-UTjHmzDI2iIw")),
        "{reasons:?}"
    );
    let disagreement = reasons.iter().find(|r| r.contains("rapid-a")).unwrap();
    assert!(
        disagreement.contains("12100") && disagreement.contains("15730"),
        "{disagreement}"
    );

    let sources = cli(&["oracle", "sources", "--sources", "sources.json"]);
    let youtube = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "youtube")
        .unwrap();
    assert_eq!(
        (youtube["requests"].as_u64(), youtube["units"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(youtube["quota_left"].as_u64(), Some(9_999));
    assert_eq!(youtube["success_rate"].as_f64(), Some(1.0));

    // Nothing is due again for 2 hours: a second round reads nothing and pays nothing.
    let out = clipstake()
        .args([
            "--output",
            "json",
            "oracle",
            "run",
            "--every",
            "1s",
            "--rounds",
            "2",
            "--sources",
            "sources.json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rounds: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"round\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rounds.len(), 2);
    assert!(
        rounds
            .iter()
            .all(|r| r["tracked"]["due"] == 0 && r["paid"] == 0),
        "{rounds:?}"
    );
    assert_eq!(yt.hits().len(), 1);

    // A bad configuration is a usage error (exit 2), with the file named.
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"sources": [{"name": "y", "kind": "vimeo"}]}"#,
    )
    .unwrap();
    let out = clipstake()
        .args(["oracle", "track", "--sources", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}
