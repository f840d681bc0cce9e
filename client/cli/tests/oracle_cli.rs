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
    let so = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy/clipstake.so");
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
            &format!("https://youtu.be/{v}"),
            "--creator",
            &creator,
        ]);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    std::fs::write(
        dir.path().join("r.jsonl"),
        format!(
            "{}\n{{\"video\":\"https://youtu.be/b\",\"views\":\"x\",\"observed_at\":1}}\n",
            line("https://youtu.be/a", 120_000, now as i64)
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        format!("platform,video,creator,views,observed_at,source\nyoutube,https://youtu.be/b,,50000,{now},csv\n"),
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
    assert!(ledger["unbalanced_intents"].as_array().unwrap().is_empty());
    let r = cli(&["oracle", "reconcile"]);
    assert_eq!(r["unfinished"].as_u64(), Some(0));
    assert!(dir.path().join(".clipstake/oracle.sqlite").exists());

    // A directory of report files: each is ingested, then moved to `ingested/`.
    std::fs::create_dir_all(dir.path().join("inbox")).unwrap();
    std::fs::write(
        dir.path().join("inbox/r2.jsonl"),
        line("https://youtu.be/a", 130_000, now as i64 + 3600),
    )
    .unwrap();
    let i = cli(&["oracle", "ingest", "inbox", "--campaign", &campaign]);
    assert_eq!(i["accepted"].as_u64(), Some(1));
    assert!(dir.path().join("inbox/ingested/r2.jsonl").exists());
    assert_eq!(cli(&["oracle", "run"])["paid"].as_u64(), Some(1));

    // The HTTP endpoint: JSON Lines and CSV bodies, an unknown campaign, a bad path.
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("clipstake"))
        .current_dir(dir.path())
        .env("CLIPSTAKE_PROGRAM_SO", &so)
        .env("HOME", dir.path())
        .args([
            "--output",
            "json",
            "oracle",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--campaign", &campaign, "--max-requests", "4"])
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
    let (status, body) = http_post(
        &address,
        "/reports",
        "application/x-ndjson",
        &line("https://youtu.be/a", 140_000, now as i64 + 7200),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 1);
    let (status, body) = http_post(
        &address,
        "/reports",
        "text/csv",
        &format!(
            "video,views,observed_at\nhttps://youtu.be/b,40000,{}\n",
            now + 7200
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["quarantined"], 1, "40,000 < the 50,000 already paid");
    let unknown = Keypair::new().pubkey();
    let (status, body) = http_post(
        &address,
        &format!("/reports?campaign={unknown}"),
        "application/x-ndjson",
        "",
    );
    assert_eq!(status, 404, "{body}");
    let (status, _) = http_post(&address, "/elsewhere", "text/plain", "");
    assert_eq!(status, 404);
    let output = server.wait_with_output().unwrap();
    assert!(output.status.success());
    let served: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(served["requests"], 4);
    assert_eq!(served["accepted"], 1);
    let run = cli(&["oracle", "run"]);
    assert_eq!(run["paid"].as_u64(), Some(1), "{run}");
    // 140,000 views: 350 in all, 325 paid before.
    assert_eq!(run["paid_gross"].as_u64(), Some(25_000_000));
}

/// A one-shot HTTP/1.1 POST; returns the status and the JSON body.
fn http_post(
    address: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
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
