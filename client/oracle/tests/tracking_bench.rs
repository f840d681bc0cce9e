//! The tracking benchmark (`make bench-tracking`): 10,000 videos, 2,500 on each platform from
//! 250 creators each, read through the router from local fakes that enforce each source's
//! real limits with time scaled down 360 times (an hour lasts 10 s), so a run takes seconds.
//! It reports the wall time against the least the limits allow, and requests per video.
mod fake;

use std::time::{Duration, Instant};

use clipstake_oracle::ledger::Ledger;
use clipstake_oracle::sources::SourcesConfig;
use clipstake_oracle::sources::budget::GUARD_MS;
use clipstake_oracle::sources::router::Due;
use clipstake_oracle::video::{Platform, VideoId};
use fake::Fake;
use serde_json::{Value, json};

const PER_PLATFORM: usize = 2_500;
const CREATORS: usize = 250;
/// Real windows are divided by this.
const SCALE: u64 = 360;

fn owner(platform: Platform, i: usize) -> String {
    format!("{platform}-creator-{:03}", i % CREATORS)
}

fn video(platform: Platform, i: usize) -> VideoId {
    let id = match platform {
        Platform::YouTube => format!("v{i:010}"),
        Platform::X => format!("18580000000000{i:05}"),
        Platform::TikTok => format!("73000000000000{i:05}"),
        Platform::Instagram => format!("C{i:010}"),
    };
    VideoId { platform, id }
}

fn youtube_data() -> Value {
    let items: Vec<Value> = (0..PER_PLATFORM)
        .map(|i| {
            json!({"kind": "youtube#video", "id": video(Platform::YouTube, i).id,
                   "snippet": {"channelId": owner(Platform::YouTube, i)},
                   "statistics": {"viewCount": (1_000 + i).to_string()}})
        })
        .collect();
    json!({"kind": "youtube#videoListResponse", "items": items})
}

fn x_data() -> Value {
    let posts: Vec<Value> = (0..PER_PLATFORM)
        .map(|i| {
            json!({"id": video(Platform::X, i).id, "author_id": owner(Platform::X, i),
                   "attachments": {"media_keys": [format!("7_{i}")]},
                   "public_metrics": {"impression_count": 5_000 + i}})
        })
        .collect();
    let media: Vec<Value> = (0..PER_PLATFORM)
        .map(|i| json!({"media_key": format!("7_{i}"), "type": "video", "public_metrics": {"view_count": 2_000 + i}}))
        .collect();
    json!({"data": posts, "includes": {"media": media}})
}

fn tiktok_data() -> (Value, Value) {
    let videos: Vec<Value> = (0..PER_PLATFORM)
        .map(|i| json!({"id": video(Platform::TikTok, i).id, "view_count": 3_000 + i}))
        .collect();
    let owners: serde_json::Map<String, Value> = (0..PER_PLATFORM)
        .map(|i| {
            let token_owner = owner(Platform::TikTok, i);
            (video(Platform::TikTok, i).id, json!(token_owner))
        })
        .collect();
    (
        json!({"data": {"videos": videos, "cursor": 0, "has_more": false}, "error": {"code": "ok", "message": "", "log_id": "b"}}),
        Value::Object(owners),
    )
}

fn instagram_data() -> Value {
    let mut by_user = serde_json::Map::new();
    for i in 0..PER_PLATFORM {
        let entry = by_user
            .entry(owner(Platform::Instagram, i))
            .or_insert_with(|| json!({"business_discovery": {"media": {"data": []}}}));
        let media = entry["business_discovery"]["media"]["data"]
            .as_array_mut()
            .unwrap();
        let code = video(Platform::Instagram, i).id;
        media.push(json!({"id": format!("1789{i:011}"), "permalink": format!("https://www.instagram.com/reel/{code}/"),
                          "view_count": 4_000 + i}));
    }
    Value::Object(by_user)
}

/// (name, requests per window, real window ms) of each source, as configured and enforced.
const LIMITS: [(&str, u64, u64); 4] = [
    // No published per-second limit; the quota is per day (1 unit a request).
    ("youtube", 50, 1_000),
    ("x", 3_500, 15 * 60 * 1_000),
    ("tiktok", 600, 60 * 1_000),
    // Business Discovery: about 200 calls an hour for the oracle's account.
    ("instagram", 200, 60 * 60 * 1_000),
];

fn scaled(window_ms: u64) -> u64 {
    (window_ms / SCALE).max(1)
}

#[test]
#[ignore = "benchmark: make bench-tracking"]
fn bench_tracking_10k_videos() {
    let latency = Duration::from_millis(
        std::env::var("BENCH_LATENCY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    );
    let (tiktok_videos, tiktok_owners) = tiktok_data();
    let fakes = [
        Fake::start(fake::youtube_from(youtube_data(), Default::default())),
        Fake::start(fake::x_from(x_data())),
        Fake::start(fake::tiktok_from(tiktok_videos, tiktok_owners)),
        Fake::start(fake::instagram_from(
            json!({"data": []}),
            json!({}),
            instagram_data(),
        )),
    ];
    for (fake, (_, requests, window)) in fakes.iter().zip(LIMITS) {
        fake.limit(requests, scaled(window) as i64);
        fake.latency(latency);
    }
    let limits = |i: usize| json!({"requests": LIMITS[i].1, "window_ms": scaled(LIMITS[i].2)});
    let creators: serde_json::Map<String, Value> = (0..CREATORS)
        .map(|c| {
            let o = owner(Platform::TikTok, c);
            (
                o.clone(),
                json!({"access_token": format!("act.{o}"), "refresh_token": format!("rft.{o}")}),
            )
        })
        .collect();
    let config = json!({"sources": [
        {"name": "youtube", "kind": "youtube", "base_url": fakes[0].url, "api_key": "k", "limits": limits(0)},
        {"name": "x", "kind": "x", "base_url": fakes[1].url, "bearer_token": "t", "limits": limits(1)},
        {"name": "tiktok", "kind": "tiktok", "base_url": fakes[2].url, "client_key": "c", "client_secret": "s",
         "creators": creators, "limits": limits(2)},
        {"name": "instagram", "kind": "instagram-discovery", "base_url": fakes[3].url,
         "ig_user_id": "17841400000000001", "access_token": "t", "limits": limits(3)}
    ], "router": {"max_wait_ms": 60_000}});
    let mut router = SourcesConfig::parse(&config.to_string())
        .unwrap()
        .router()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("oracle.sqlite")).unwrap();
    // One platform after another, as the router reads them, each timed.
    let mut wall = Duration::ZERO;
    let mut walls = Vec::new();
    for platform in [
        Platform::YouTube,
        Platform::X,
        Platform::TikTok,
        Platform::Instagram,
    ] {
        let due: Vec<Due> = (0..PER_PLATFORM)
            .map(|i| Due {
                video: video(platform, i),
                owner: owner(platform, i),
            })
            .collect();
        let started = Instant::now();
        let read = router.read(&mut ledger, &due, 1_795_500_000).unwrap();
        walls.push(started.elapsed());
        wall += started.elapsed();
        assert_eq!(read.len(), due.len(), "every {platform} video read");
    }
    let mut requests_total = 0;
    let mut least = Duration::ZERO;
    let mut least_sequential = Duration::ZERO;
    println!(
        "| source | requests | videos/request | limit (real) | busiest window | least time the limit allows | wall |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|");
    for ((fake, (name, limit, window)), platform_wall) in fakes.iter().zip(LIMITS).zip(&walls) {
        let requests = fake.hits().len() as u64;
        requests_total += requests;
        assert!(fake.busiest_window() <= limit, "{name} exceeded its limit");
        // A sliding window lets `limit` go at once, then `limit` more each window (+ guard).
        let windows = requests.saturating_sub(1) / limit;
        let floor = Duration::from_millis(windows * (scaled(window) + GUARD_MS as u64));
        least = least.max(floor);
        least_sequential += floor;
        println!(
            "| {name} | {requests} | {:.1} | {limit} per {} s | {} | {:.2} s | {:.2} s |",
            PER_PLATFORM as f64 / requests as f64,
            window / 1_000,
            fake.busiest_window(),
            floor.as_secs_f64(),
            platform_wall.as_secs_f64()
        );
    }
    println!(
        "\n10,000 videos in {:.2} s (latency {} ms a request); the limits allow {:.2} s at the least with the platforms read in parallel, {:.2} s one after the other as the router reads them; {:.4} requests per video; 0 answered 429",
        wall.as_secs_f64(),
        latency.as_millis(),
        least.as_secs_f64(),
        least_sequential.as_secs_f64(),
        requests_total as f64 / (4 * PER_PLATFORM) as f64
    );
    let stats = ledger.source_stats(0).unwrap();
    assert!(stats.iter().all(|s| s.success_rate == 1.0), "{stats:?}");
}
