//! The view sources and the router against local fake servers speaking each source's wire
//! format (fixtures in `tests/fixtures/sources`), with every fault injected: 429 with reset
//! headers, 5xx bursts, timeouts, quotaExceeded, malformed and drifted JSON, missing videos,
//! an expired creator token, a source failing until its breaker opens, and two processes
//! sharing one source's limit through one ledger.
mod fake;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use clipstake_oracle::ledger::Ledger;
use clipstake_oracle::sources::router::Due;
use clipstake_oracle::sources::{Router, SourcesConfig};
use clipstake_oracle::video::{Platform, Reading, VideoId};
use fake::{Fake, Fault, fixture_text};
use serde_json::{Value, json};

const YT: &str = "dQw4w9WgXcQ";
const YT_CHANNEL: &str = "UCuAXFkgsw1L7xaCfnd5JJOw";
const TT: &str = "7301234567890123456";
const POST: &str = "1858192049173708800";
const REEL: &str = "C9xYzAbCdEf";

fn due(platform: Platform, id: &str, owner: &str) -> Due {
    Due {
        video: VideoId {
            platform,
            id: id.to_string(),
        },
        owner: owner.to_string(),
    }
}

/// A router over `sources` (JSON entries), with quick retries for tests.
fn router(sources: Value, router: Value) -> Router {
    let mut settings =
        json!({"attempts": 3, "base_delay_ms": 20, "max_delay_ms": 100, "max_wait_ms": 3_000});
    for (k, v) in router.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let text = json!({"sources": sources, "router": settings}).to_string();
    SourcesConfig::parse(&text).unwrap().router().unwrap()
}

fn youtube(name: &str, fake: &Fake) -> Value {
    json!({"name": name, "kind": "youtube", "base_url": fake.url, "api_key": "test-key", "timeout_ms": 500})
}

fn tiktok(fake: &Fake, token: &str) -> Value {
    json!({"name": "tiktok", "kind": "tiktok", "base_url": fake.url, "timeout_ms": 300,
           "client_key": "ck", "client_secret": "cs",
           "creators": {"maya.makes": {"access_token": token, "refresh_token": "rft.maya.makes"}}})
}

fn rapid(name: &str, fake: &Fake) -> Value {
    json!({"name": name, "kind": "rapidapi-tiktok", "base_url": fake.url, "api_key": "rk", "timeout_ms": 500})
}

fn read(router: &mut Router, ledger: &mut Ledger, due: &[Due]) -> HashMap<VideoId, Vec<Reading>> {
    router.read(ledger, due, 1_795_500_000).unwrap()
}

fn views(readings: &HashMap<VideoId, Vec<Reading>>, id: &str) -> Vec<(String, u64)> {
    readings
        .iter()
        .filter(|(v, _)| v.id == id)
        .flat_map(|(_, r)| r.iter().map(|r| (r.source.clone(), r.views)))
        .collect()
}

/// Outcomes of the attempts recorded for `source`, oldest first.
fn outcomes(ledger: &Ledger, source: &str) -> Vec<String> {
    let stats = ledger.source_stats(0).unwrap();
    let s = stats.iter().find(|s| s.source == source);
    let ok = s.map_or(0, |s| s.ok);
    let failed = s.map_or(0, |s| s.requests - s.ok);
    let mut v = vec!["fail".to_string(); failed as usize];
    v.extend(std::iter::repeat_n("ok".to_string(), ok as usize));
    v
}

#[test]
fn each_source_reads_its_own_wire_format() {
    let (yt, x, tt, ig, rapid_fake) = (
        Fake::start(fake::youtube(HashMap::new())),
        Fake::start(fake::x()),
        Fake::start(fake::tiktok()),
        Fake::start(fake::instagram()),
        Fake::start(fake::rapidapi(100)),
    );
    let sources = json!([
        youtube("youtube", &yt),
        {"name": "x", "kind": "x", "base_url": x.url, "bearer_token": "app"},
        tiktok(&tt, "act.maya.makes"),
        {"name": "ig-insights", "kind": "instagram-insights", "base_url": ig.url,
         "creators": {"lena.cuts": {"user_id": "17841405309211844", "access_token": "igt"}}},
        {"name": "ig-discovery", "kind": "instagram-discovery", "base_url": ig.url,
         "ig_user_id": "17841400000000001", "access_token": "ours"},
        rapid("rapid", &rapid_fake),
    ]);
    let mut r = router(sources, json!({}));
    let mut ledger = Ledger::in_memory().unwrap();
    let wanted = [
        due(Platform::YouTube, YT, YT_CHANNEL),
        due(Platform::YouTube, "aaaaaaaaaaa", YT_CHANNEL),
        due(Platform::X, POST, "2244994945"),
        due(Platform::X, "1858200000000000001", "783214"),
        due(Platform::TikTok, TT, "maya.makes"),
        due(Platform::Instagram, REEL, "lena.cuts"),
        due(Platform::Instagram, "C8smallOne1", "lena.cuts"),
    ];
    let got = read(&mut r, &mut ledger, &wanted);
    let yt_reading = &got[&wanted[0].video][0];
    assert_eq!(
        (yt_reading.views, yt_reading.owner.as_deref()),
        (154_200, Some(YT_CHANNEL))
    );
    assert!(yt_reading.first_party);
    // Absent from `items`: missing, and no other YouTube source is configured.
    assert!(!got.contains_key(&wanted[1].video));
    // X pays on video views by default: the attached video's view_count; a text-only post has
    // none to pay.
    assert_eq!(views(&got, POST), vec![("x".to_string(), 64_000)]);
    assert_eq!(
        got[&wanted[2].video][0].owner.as_deref(),
        Some("2244994945")
    );
    assert!(!got.contains_key(&wanted[3].video));
    // The Display API answers for its creator: first party, so the scraper is not asked.
    assert_eq!(views(&got, TT), vec![("tiktok".to_string(), 88_000)]);
    assert!(rapid_fake.hits().is_empty());
    // Instagram insights answer; the small reel has no insights yet (#10), so Business
    // Discovery reads it.
    assert_eq!(views(&got, REEL), vec![("ig-insights".to_string(), 32_386)]);
    assert_eq!(
        views(&got, "C8smallOne1"),
        vec![("ig-discovery".to_string(), 140)]
    );
    // One YouTube request carried both ids (one quota unit).
    assert_eq!(yt.hits().len(), 1);
    assert_eq!(yt.hits()[0].query["id"], format!("{YT},aaaaaaaaaaa"));
    let stats = ledger.source_stats(0).unwrap();
    let yt_stats = stats.iter().find(|s| s.source == "youtube").unwrap();
    assert_eq!(
        (yt_stats.requests, yt_stats.units, yt_stats.videos_found),
        (1, 1, 1)
    );
    let x_stats = stats.iter().find(|s| s.source == "x").unwrap();
    assert!(
        (x_stats.usd - 0.005).abs() < 1e-9,
        "one post read at $0.005: {x_stats:?}"
    );
}

#[test]
fn a_429_is_retried_after_the_reset_the_source_gave() {
    let x = Fake::start(fake::x());
    let reset = fake_now() / 1_000 + 2;
    x.push(Fault::Reply(
        429,
        fixture_text("x/rate_limited.json"),
        vec![("x-rate-limit-reset", reset.to_string())],
    ));
    let mut r = router(
        json!([{"name": "x", "kind": "x", "base_url": x.url, "bearer_token": "app"}]),
        json!({}),
    );
    let mut ledger = Ledger::in_memory().unwrap();
    let started = Instant::now();
    let got = read(&mut r, &mut ledger, &[due(Platform::X, POST, "2244994945")]);
    assert_eq!(views(&got, POST), vec![("x".to_string(), 64_000)]);
    let hits = x.hits();
    assert_eq!(hits.len(), 2);
    // The retry waited for the reset second, not a short backoff.
    assert!(
        hits[1].at_ms >= (hits[0].at_ms / 1_000 + 1) * 1_000 - 5,
        "{hits:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(outcomes(&ledger, "x"), ["fail", "ok"]);
}

#[test]
fn a_reset_beyond_the_round_blocks_the_source_for_every_process_and_falls_through() {
    let (tt, rapid_a, rapid_b) = (
        Fake::start(fake::tiktok()),
        Fake::start(fake::rapidapi(100)),
        Fake::start(fake::rapidapi(101)),
    );
    tt.push(Fault::Reply(
        429,
        r#"{"error":{"code":"rate_limit_exceeded","message":"","log_id":"l"}}"#.into(),
        vec![("retry-after", "900".into())],
    ));
    let sources = json!([
        tiktok(&tt, "act.maya.makes"),
        rapid("rapid-a", &rapid_a),
        rapid("rapid-b", &rapid_b)
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oracle.sqlite");
    let mut ledger = Ledger::open(&path).unwrap();
    let got = read(
        &mut router(sources.clone(), json!({})),
        &mut ledger,
        &[due(Platform::TikTok, TT, "maya.makes")],
    );
    // Two scrapers answered (their quorum) within 1% of each other.
    assert_eq!(views(&got, TT).len(), 2);
    assert!(views(&got, TT).iter().all(|(s, _)| s.starts_with("rapid-")));
    assert_eq!(tt.hits().len(), 1, "no retry into a 15-minute wait");
    // Another process on the same ledger does not call the blocked source at all.
    let mut other = Ledger::open(&path).unwrap();
    read(
        &mut router(sources, json!({})),
        &mut other,
        &[due(Platform::TikTok, TT, "maya.makes")],
    );
    assert_eq!(tt.hits().len(), 1);
    let (until, reason) = other
        .source_block("tiktok", fake_now() / 1_000)
        .unwrap()
        .unwrap();
    assert!(until >= fake_now() / 1_000 + 890, "{until}");
    assert!(reason.contains("rate_limit_exceeded"), "{reason}");
}

#[test]
fn a_5xx_burst_is_retried_with_backoff_then_answered() {
    let yt = Fake::start(fake::youtube(HashMap::new()));
    for _ in 0..2 {
        yt.push(Fault::Reply(
            503,
            fixture_text("youtube/backend_error.json"),
            vec![],
        ));
    }
    let mut r = router(json!([youtube("youtube", &yt)]), json!({}));
    let mut ledger = Ledger::in_memory().unwrap();
    let got = read(
        &mut r,
        &mut ledger,
        &[due(Platform::YouTube, YT, YT_CHANNEL)],
    );
    assert_eq!(views(&got, YT), vec![("youtube".to_string(), 154_200)]);
    assert_eq!(yt.hits().len(), 3);
    assert_eq!(outcomes(&ledger, "youtube"), ["fail", "fail", "ok"]);
}

#[test]
fn timeouts_fall_through_to_the_scrapers_which_need_a_quorum() {
    let (tt, rapid_a) = (
        Fake::start(fake::tiktok()),
        Fake::start(fake::rapidapi(100)),
    );
    for _ in 0..3 {
        tt.push(Fault::Delay(Duration::from_millis(800)));
    }
    let sources = json!([tiktok(&tt, "act.maya.makes"), rapid("rapid-a", &rapid_a)]);
    let mut r = router(sources, json!({}));
    let mut ledger = Ledger::in_memory().unwrap();
    let got = read(
        &mut r,
        &mut ledger,
        &[due(Platform::TikTok, TT, "maya.makes")],
    );
    // Three timed-out attempts, then the one scraper configured: one scraper reading, which
    // the policy will not pay alone.
    assert_eq!(tt.hits().len(), 3);
    assert_eq!(views(&got, TT), vec![("rapid-a".to_string(), 88_500)]);
    let stats = ledger.source_stats(0).unwrap();
    let t = stats.iter().find(|s| s.source == "tiktok").unwrap();
    assert_eq!((t.requests, t.ok), (3, 0));
    assert!(t.p50_ms >= 250, "timed out near the 300 ms timeout: {t:?}");
}

#[test]
fn quota_exceeded_moves_to_the_next_source_until_the_pacific_midnight_reset() {
    let (main, backup) = (
        Fake::start(fake::youtube(HashMap::new())),
        Fake::start(fake::youtube(HashMap::new())),
    );
    main.push(Fault::Reply(
        403,
        fixture_text("youtube/quota_exceeded.json"),
        vec![],
    ));
    let sources = json!([
        youtube("youtube", &main),
        youtube("youtube-backup", &backup)
    ]);
    let mut r = router(sources, json!({}));
    let mut ledger = Ledger::in_memory().unwrap();
    let wanted = [due(Platform::YouTube, YT, YT_CHANNEL)];
    let got = read(&mut r, &mut ledger, &wanted);
    assert_eq!(
        views(&got, YT),
        vec![("youtube-backup".to_string(), 154_200)]
    );
    assert_eq!(main.hits().len(), 1, "quotaExceeded is not retried");
    let now = fake_now() / 1_000;
    let (until, _) = ledger.source_block("youtube", now).unwrap().unwrap();
    assert_eq!(until % 86_400, 8 * 3_600, "midnight UTC-8 is 08:00 UTC");
    assert!(until > now && until <= now + 86_400);
    read(&mut r, &mut ledger, &wanted);
    assert_eq!(main.hits().len(), 1, "not called again before the reset");
    assert_eq!(backup.hits().len(), 2);
}

#[test]
fn malformed_or_drifted_json_is_never_read_as_a_count() {
    let (yt, backup) = (
        Fake::start(fake::youtube(HashMap::new())),
        Fake::start(fake::youtube(HashMap::from([(YT.to_string(), 154_300)]))),
    );
    yt.push(Fault::Reply(
        200,
        fixture_text("youtube/drifted.json"),
        vec![],
    ));
    yt.push(Fault::Reply(200, "<html>maintenance</html>".into(), vec![]));
    let sources = json!([youtube("youtube", &yt), youtube("youtube-backup", &backup)]);
    let mut r = router(sources, json!({}));
    let mut ledger = Ledger::in_memory().unwrap();
    for _ in 0..2 {
        let got = read(
            &mut r,
            &mut ledger,
            &[due(Platform::YouTube, YT, YT_CHANNEL)],
        );
        // Permanent: not retried on the drifted source, read from the next one.
        assert_eq!(
            views(&got, YT),
            vec![("youtube-backup".to_string(), 154_300)]
        );
    }
    assert_eq!(yt.hits().len(), 2);
    let stats = ledger.source_stats(0).unwrap();
    assert_eq!(stats.iter().find(|s| s.source == "youtube").unwrap().ok, 0);
}

#[test]
fn an_expired_creator_token_is_refreshed_once() {
    let tt = Fake::start(fake::tiktok());
    let mut r = router(json!([tiktok(&tt, "act.expired")]), json!({}));
    let mut ledger = Ledger::in_memory().unwrap();
    let wanted = [
        due(Platform::TikTok, TT, "maya.makes"),
        due(Platform::TikTok, "7309999999999999999", "maya.makes"),
    ];
    let got = read(&mut r, &mut ledger, &wanted);
    assert_eq!(views(&got, TT), vec![("tiktok".to_string(), 88_000)]);
    // Another creator's video never comes back on this creator's token.
    assert!(!got.contains_key(&wanted[1].video));
    let paths: Vec<String> = tt.hits().iter().map(|h| h.path.clone()).collect();
    assert_eq!(paths, ["/video/query/", "/oauth/token/", "/video/query/"]);
    assert_eq!(
        tt.hits()[2].headers["authorization"],
        "Bearer act.maya.makes"
    );
    // The refreshed token is kept: the next round asks once.
    read(&mut r, &mut ledger, &wanted[..1]);
    assert_eq!(tt.hits().len(), 4);
}

#[test]
fn a_failing_source_is_opened_like_a_breaker_and_probed_after_its_cooldown() {
    let (yt, backup) = (
        Fake::start(fake::youtube(HashMap::new())),
        Fake::start(fake::youtube(HashMap::new())),
    );
    for _ in 0..4 {
        yt.push(Fault::Reply(
            500,
            fixture_text("youtube/backend_error.json"),
            vec![],
        ));
    }
    let sources = json!([youtube("youtube", &yt), youtube("youtube-backup", &backup)]);
    let mut r = router(
        sources,
        json!({"breaker_failures": 2, "breaker_cooldown_ms": 300}),
    );
    let mut ledger = Ledger::in_memory().unwrap();
    let wanted = [due(Platform::YouTube, YT, YT_CHANNEL)];
    let got = read(&mut r, &mut ledger, &wanted);
    assert_eq!(
        views(&got, YT),
        vec![("youtube-backup".to_string(), 154_200)]
    );
    assert_eq!(
        yt.hits().len(),
        2,
        "opened after two failures, before a third attempt"
    );
    assert!(r.breaker_open("youtube"));
    read(&mut r, &mut ledger, &wanted);
    assert_eq!(yt.hits().len(), 2, "skipped while open");
    std::thread::sleep(Duration::from_millis(350));
    // Half-open: one probe; it fails (fault 3), so it opens again at once.
    read(&mut r, &mut ledger, &wanted);
    assert_eq!(yt.hits().len(), 3);
    assert!(r.breaker_open("youtube"));
    // The doubled cool-down (600 ms) passes; the probe fails once more (fault 4), then after
    // the next cool-down (1.2 s) the probe succeeds and closes the breaker.
    std::thread::sleep(Duration::from_millis(650));
    read(&mut r, &mut ledger, &wanted);
    assert_eq!(yt.hits().len(), 4);
    std::thread::sleep(Duration::from_millis(1_250));
    let got = read(&mut r, &mut ledger, &wanted);
    assert_eq!(views(&got, YT), vec![("youtube".to_string(), 154_200)]);
    assert!(!r.breaker_open("youtube"));
}

fn fake_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The child of [`two_processes_on_one_ledger_stay_within_the_limit_together`]: reads
/// `CLIPSTAKE_TEST_VIDEOS` X posts one per request through the fake at `CLIPSTAKE_TEST_FAKE`.
#[test]
#[ignore = "run by two_processes_on_one_ledger_stay_within_the_limit_together"]
fn child_reads_through_a_shared_ledger() {
    let (Ok(url), Ok(db)) = (
        std::env::var("CLIPSTAKE_TEST_FAKE"),
        std::env::var("CLIPSTAKE_TEST_DB"),
    ) else {
        return;
    };
    let n: usize = std::env::var("CLIPSTAKE_TEST_VIDEOS")
        .unwrap()
        .parse()
        .unwrap();
    let sources = json!([{"name": "x", "kind": "x", "base_url": url, "bearer_token": "app",
                          "limits": {"requests": 3, "window_ms": 1_000}}]);
    let mut r = router(sources, json!({"max_wait_ms": 20_000}));
    let mut ledger = Ledger::open(std::path::Path::new(&db)).unwrap();
    for _ in 0..n {
        let got = read(&mut r, &mut ledger, &[due(Platform::X, POST, "2244994945")]);
        assert_eq!(views(&got, POST).len(), 1);
    }
}

#[test]
fn two_processes_on_one_ledger_stay_within_the_limit_together() {
    let x = Fake::start(fake::x());
    // The fake enforces the limit the sources are configured with: 3 requests a second.
    x.limit(3, 1_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.sqlite");
    Ledger::open(&db).unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "child_reads_through_a_shared_ledger",
                    "--ignored",
                    "--quiet",
                ])
                .env("CLIPSTAKE_TEST_FAKE", &x.url)
                .env("CLIPSTAKE_TEST_DB", &db)
                .env("CLIPSTAKE_TEST_VIDEOS", "6")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let hits = x.hits();
    assert_eq!(
        hits.len(),
        12,
        "every request answered, none refused with 429"
    );
    assert!(
        x.busiest_window() <= 3,
        "at most 3 in any second: {}",
        x.busiest_window()
    );
    // 12 requests at 3 a second need at least 4 windows.
    let span = hits.last().unwrap().at_ms / 1_000 - hits[0].at_ms / 1_000;
    assert!(span >= 3, "{span}");
}

fn brightdata(fake: &Fake) -> Value {
    json!({"name": "brightdata", "kind": "brightdata", "platform": "tiktok", "base_url": fake.url,
           "api_token": "bd-token", "notify_url": "https://oracle.example/callbacks/brightdata"})
}

const TT_SCRAPED: &str = "7309999999999999999";

#[test]
fn an_async_scrape_is_waited_for_and_its_webhook_is_only_a_hint() {
    use clipstake_oracle::sources::brightdata::on_callback;
    let (bd, rapid_a) = (
        Fake::start(fake::brightdata(0)),
        Fake::start(fake::rapidapi(100)),
    );
    let mut r = router(
        json!([brightdata(&bd), rapid("rapid-a", &rapid_a)]),
        json!({}),
    );
    let mut ledger = Ledger::in_memory().unwrap();
    let wanted = [due(Platform::TikTok, TT_SCRAPED, "other.one")];
    // Round 1: the scrape is triggered; the video waits for it instead of going on.
    assert!(read(&mut r, &mut ledger, &wanted).is_empty());
    assert!(rapid_a.hits().is_empty());
    let job = &ledger.running_jobs("brightdata").unwrap()[0];
    assert_eq!(job.job_id, "s_m4x7ab12c9d8e7f6");
    assert!(job.deadline >= fake_now() / 1_000 + 29 * 60, "30 minutes");
    assert_eq!(
        bd.hits()[0].query["notify"],
        "https://oracle.example/callbacks/brightdata"
    );
    // The push: a wrong or missing secret is refused and changes nothing; the right one
    // marks the job ready once; a replay is a no-op.
    let body = br#"{"snapshot_id":"s_m4x7ab12c9d8e7f6","status":"ready"}"#;
    assert_eq!(
        on_callback(&ledger, Some("wrong"), body, Some("s3cret")).0,
        401
    );
    assert_eq!(on_callback(&ledger, None, body, Some("s3cret")).0, 401);
    assert_eq!(on_callback(&ledger, Some("s3cret"), body, None).0, 401);
    assert!(!ledger.running_jobs("brightdata").unwrap()[0].hinted);
    let (status, answer) = on_callback(&ledger, Some("s3cret"), body, Some("s3cret"));
    assert_eq!((status, &answer["hinted"]), (200, &json!(true)));
    let (status, answer) = on_callback(&ledger, Some("s3cret"), body, Some("s3cret"));
    assert_eq!((status, &answer["duplicate"]), (200, &json!(true)));
    let unknown = br#"{"snapshot_id":"s_unknown"}"#;
    assert_eq!(
        on_callback(&ledger, Some("s3cret"), unknown, Some("s3cret")).0,
        404
    );
    // Round 2: hinted, so the snapshot is pulled at once (no progress poll); the second
    // scraper is asked too, for the scrapers' quorum.
    let got = read(&mut r, &mut ledger, &wanted);
    assert_eq!(
        views(&got, TT_SCRAPED),
        vec![
            ("brightdata".to_string(), 12_050),
            ("rapid-a".to_string(), 12_100)
        ]
    );
    let paths: Vec<String> = bd.hits().iter().map(|h| h.path.clone()).collect();
    assert_eq!(paths, ["/trigger", "/snapshot/s_m4x7ab12c9d8e7f6"]);
    assert!(ledger.running_jobs("brightdata").unwrap().is_empty());
}

#[test]
fn a_scrape_that_never_completes_falls_through_after_its_deadline() {
    let (bd, rapid_a) = (
        Fake::start(fake::brightdata(u32::MAX)),
        Fake::start(fake::rapidapi(100)),
    );
    let sources = json!([brightdata(&bd), rapid("rapid-a", &rapid_a)]);
    let mut r = router(sources, json!({"scrape_deadline_ms": 1_000}));
    let mut ledger = Ledger::in_memory().unwrap();
    let wanted = [due(Platform::TikTok, TT_SCRAPED, "other.one")];
    assert!(read(&mut r, &mut ledger, &wanted).is_empty());
    // Not hinted: the job's progress is polled; still running, so still waiting.
    assert!(read(&mut r, &mut ledger, &wanted).is_empty());
    assert!(bd.hits()[1].path.starts_with("/progress/"));
    assert!(rapid_a.hits().is_empty());
    std::thread::sleep(Duration::from_millis(2_100));
    let got = read(&mut r, &mut ledger, &wanted);
    // Past its deadline the job is dropped and the video goes to the next source, whose
    // reading alone is below the scrapers' quorum (not payable).
    assert_eq!(
        views(&got, TT_SCRAPED),
        vec![("rapid-a".to_string(), 12_100)]
    );
    assert_eq!(bd.hits().len(), 2, "the expired job is not polled again");
    assert!(ledger.running_jobs("brightdata").unwrap().is_empty());
}
