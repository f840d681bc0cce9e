//! `clipstake oracle ingest / review / run / ledger / serve` end to end through the binary, on
//! the embedded chain.
use std::path::PathBuf;

use solana_keypair::Keypair;
use solana_signer::Signer;

fn line(video: &str, views: u64, at: i64) -> String {
    format!(
        r#"{{"platform":"youtube","video":"{video}","views":{views},"observed_at":{at},"source":"test"}}"#
    )
}

#[test]
fn cli_ingest_review_run_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let so =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("../../target/deploy/clipstake.so");
    let cli = |args: &[&str]| -> serde_json::Value {
        let out = assert_cmd::Command::cargo_bin("clipstake")
            .unwrap()
            .current_dir(dir.path())
            .env("CLIPSTAKE_PROGRAM_SO", &so)
            .env("HOME", dir.path())
            .arg("--output")
            .arg("json")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
    };
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
        "2.5",
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
    for v in ["a", "b"] {
        cli(&[
            "submission",
            "register",
            &campaign,
            "--video",
            &format!("https://youtu.be/{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}A"),
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--creator",
            &creator,
        ]);
    }
    // Another spelling of a registered video is the same submission: refused, nothing sent.
    // So is a registration without the creator's platform account, or with a malformed one.
    let raw = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("clipstake")
            .unwrap()
            .current_dir(dir.path())
            .env("CLIPSTAKE_PROGRAM_SO", &so)
            .env("HOME", dir.path())
            .arg("--output")
            .arg("json")
            .args(args)
            .output()
            .unwrap()
    };
    let register = |video: &str, account: Option<&str>| {
        let mut args = vec!["submission", "register", &campaign, "--video", video];
        args.extend(["--creator", &creator]);
        if let Some(account) = account {
            args.extend(["--account", account]);
        }
        raw(&args)
    };
    let again = register(
        "https://m.youtube.com/watch?v=aaaaaaaaaaA&feature=share",
        Some("UCuAXFkgsw1L7xaCfnd5JJOw"),
    );
    assert_eq!(again.status.code(), Some(2));
    let error = String::from_utf8_lossy(&again.stderr);
    assert!(
        error.contains("youtube:aaaaaaaaaaA") && error.contains("already registered"),
        "{error}"
    );
    let unowned = register("youtube:ccccccccccA", None);
    assert_eq!(unowned.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unowned.stderr).contains("--account"));
    let handle = register("youtube:ccccccccccA", Some("@RickAstleyYT"));
    assert_eq!(handle.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&handle.stderr).contains("not a YouTube channel id"));
    let show = |video: &str| {
        cli(&[
            "submission",
            "show",
            "--campaign",
            &campaign,
            "--video",
            video,
        ])["address"]
            .clone()
    };
    assert_eq!(
        show("youtube:aaaaaaaaaaA"),
        show("https://www.youtube.com/shorts/aaaaaaaaaaA/")
    );
    // The campaign's verification policy: defaults, then changed; a quorum of 0 is refused.
    let policy = cli(&["oracle", "policy", &campaign]);
    assert_eq!(
        (
            policy["scraper_quorum"].as_u64(),
            policy["changed"].as_bool()
        ),
        (Some(2), Some(false))
    );
    let policy = cli(&[
        "oracle",
        "policy",
        &campaign,
        "--scraper-quorum",
        "3",
        "--tolerance-bps",
        "200",
    ]);
    assert_eq!(
        (
            policy["scraper_quorum"].as_u64(),
            policy["tolerance_bps"].as_u64(),
            policy["first_party_quorum"].as_u64()
        ),
        (Some(3), Some(200), Some(1))
    );
    assert_eq!(cli(&["oracle", "policy", &campaign])["scraper_quorum"], 3);
    let zero = raw(&["oracle", "policy", &campaign, "--first-party-quorum", "0"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("at least 1"));
    let look_alike = register(
        "https://youtube.com.evil.example/watch?v=ccccccccccA",
        Some("UCuAXFkgsw1L7xaCfnd5JJOw"),
    );
    assert_eq!(look_alike.status.code(), Some(2));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    std::fs::write(
        dir.path().join("r.jsonl"),
        format!(
            "{}\n{{\"video\":\"https://youtu.be/bbbbbbbbbbA\",\"views\":\"x\",\"observed_at\":1}}\n",
            line("https://youtu.be/aaaaaaaaaaA", 120_000, now as i64)
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        format!("platform,video,creator,views,observed_at,source\nyoutube,https://youtu.be/bbbbbbbbbbA,,50000,{now},csv\n"),
    )
    .unwrap();
    let i = cli(&["oracle", "ingest", "r.jsonl", "--campaign", &campaign]);
    assert_eq!(
        (i["accepted"].as_u64(), i["quarantined"].as_u64()),
        (Some(1), Some(1))
    );
    let i = cli(&["oracle", "ingest", "r.csv", "--campaign", &campaign]);
    assert_eq!(i["accepted"].as_u64(), Some(1));
    let review = cli(&["oracle", "review"]);
    assert!(
        review[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("wrong type")
    );
    let due = cli(&["oracle", "due", "--campaign", &campaign, "--all"]);
    assert_eq!(due.as_array().unwrap().len(), 2);
    let run = cli(&["oracle", "run"]);
    assert_eq!(
        (run["paid"].as_u64(), run["transactions"].as_u64()),
        (Some(2), Some(1))
    );
    // 2.5 per 1,000 views at 6 decimals: 300 + 125.
    assert_eq!(run["paid_gross"].as_u64(), Some(425_000_000));
    let ledger = cli(&["oracle", "ledger"]);
    assert_eq!(ledger["intents"].as_array().unwrap().len(), 2);
    // Each payout names the source its count came from (the reports' `source` field).
    let mut sources: Vec<&str> = ledger["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sources"].as_str().unwrap())
        .collect();
    sources.sort();
    assert_eq!(sources, ["csv", "test"]);
    assert!(ledger["unbalanced_intents"].as_array().unwrap().is_empty());
    let r = cli(&["oracle", "reconcile"]);
    assert_eq!(r["unfinished"].as_u64(), Some(0));
    assert!(dir.path().join(".clipstake/oracle.sqlite").exists());

    // A directory of report files: each is ingested, then moved to `ingested/`.
    std::fs::create_dir_all(dir.path().join("inbox")).unwrap();
    std::fs::write(
        dir.path().join("inbox/r2.jsonl"),
        line("https://youtu.be/aaaaaaaaaaA", 130_000, now as i64 + 3600),
    )
    .unwrap();
    let i = cli(&["oracle", "ingest", "inbox", "--campaign", &campaign]);
    assert_eq!(i["accepted"].as_u64(), Some(1));
    assert!(dir.path().join("inbox/ingested/r2.jsonl").exists());
    assert_eq!(cli(&["oracle", "run"])["paid"].as_u64(), Some(1));

    // The HTTP endpoint: signed JSON Lines and CSV bodies (by the new key and the old one,
    // mid-rotation), a replay, unsigned, badly signed and stale requests, an unknown campaign,
    // a bad path.
    const OLD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const NEW: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let unsigned = assert_cmd::Command::cargo_bin("clipstake")
        .unwrap()
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env_remove("CLIPSTAKE_WEBHOOK_SECRETS")
        .args([
            "--output",
            "json",
            "oracle",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(
        unsigned.status.code(),
        Some(2),
        "serve refuses to start without secrets"
    );
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("clipstake"))
        .current_dir(dir.path())
        .env("CLIPSTAKE_PROGRAM_SO", &so)
        .env("HOME", dir.path())
        .env("CLIPSTAKE_WEBHOOK_SECRETS", format!("{OLD} {NEW}"))
        .args([
            "--output",
            "json",
            "oracle",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--campaign", &campaign, "--max-requests", "8"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(server.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut first).unwrap();
    let address = first
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.strip_suffix("/reports"))
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    let clock = now as i64 - 60;
    let body = line("https://youtu.be/aaaaaaaaaaA", 140_000, now as i64 + 7200);
    let by_new = signed(NEW, "msg_1", clock, &body);
    let (status, reply) = http_post(&address, "/reports", "application/x-ndjson", &by_new, &body);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        (reply["accepted"].as_u64(), reply["replayed"].as_bool()),
        (Some(1), Some(false))
    );
    let (status, reply) = http_post(&address, "/reports", "application/x-ndjson", &by_new, &body);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        (reply["accepted"].as_u64(), reply["replayed"].as_bool()),
        (Some(0), Some(true))
    );
    let csv = format!(
        "video,views,observed_at\nyoutube:bbbbbbbbbbA,40000,{}\n",
        now + 7200
    );
    let by_old = signed(OLD, "msg_2", clock, &csv);
    let (status, reply) = http_post(&address, "/reports", "text/csv", &by_old, &csv);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["quarantined"], 1, "40,000 < the 50,000 already paid");
    // Refused before anything is read: more views that must never be paid.
    let more = line("https://youtu.be/aaaaaaaaaaA", 900_000, now as i64 + 9000);
    let forged = signed(NEW, "msg_3", clock, "something else");
    let stale = signed(NEW, "msg_4", clock - 600, &more);
    for headers in [vec![], forged, stale] {
        let (status, reply) = http_post(
            &address,
            "/reports",
            "application/x-ndjson",
            &headers,
            &more,
        );
        assert_eq!(status, 401, "{reply}");
    }
    let unknown = Keypair::new().pubkey();
    let (status, reply) = http_post(
        &address,
        &format!("/reports?campaign={unknown}"),
        "application/x-ndjson",
        &signed(NEW, "msg_5", clock, ""),
        "",
    );
    assert_eq!(status, 404, "{reply}");
    let (status, _) = http_post(&address, "/elsewhere", "text/plain", &[], "");
    assert_eq!(status, 404);
    let output = server.wait_with_output().unwrap();
    assert!(output.status.success());
    let served: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(served["requests"], 8);
    assert_eq!(served["accepted"], 1);
    assert_eq!(served["unauthorized"], 3);
    let run = cli(&["oracle", "run"]);
    assert_eq!(run["paid"].as_u64(), Some(1), "{run}");
    // 140,000 views: 350 in all, 325 paid before.
    assert_eq!(run["paid_gross"].as_u64(), Some(25_000_000));
}

/// The Standard Webhooks headers of a delivery `id` of `body` signed by `secret` at `timestamp`.
fn signed(secret: &str, id: &str, timestamp: i64, body: &str) -> Vec<(String, String)> {
    let signature =
        clipstake_oracle::webhook::sign(secret, id, timestamp, body.as_bytes()).unwrap();
    vec![
        ("webhook-id".into(), id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ]
}

/// A one-shot HTTP/1.1 POST; returns the status and the JSON body.
fn http_post(
    address: &str,
    path: &str,
    content_type: &str,
    headers: &[(String, String)],
    body: &str,
) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n{extra}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not HTTP: {response}"));
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}
