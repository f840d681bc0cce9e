//! Canonical video identity: the URL corpus (every form of each platform, look-alikes refused)
//! and TikTok short links expanded by hand against a local redirect server standing in for
//! TikTok's hosts.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use clipstake_oracle::shortlink::ShortLinks;
use clipstake_oracle::urls::{self, VideoRef};
use clipstake_oracle::video::VideoId;

const CORPUS: &str = include_str!("fixtures/video-urls.txt");

#[test]
fn every_url_of_the_corpus_reads_as_expected() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (number, line) in CORPUS.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (input, expected) = line.split_once("=>").expect("`input => expected`");
        let expected = expected.trim();
        let got = urls::parse(input);
        let ok = match (
            expected.strip_prefix('!'),
            expected.strip_prefix("short "),
            &got,
        ) {
            (Some(words), _, Err(e)) => e.contains(words.trim()),
            (_, Some(host), Ok(VideoRef::TikTokShortLink(url))) => url.host_str() == Some(host),
            (None, None, Ok(VideoRef::Video(video))) => video.canonical() == expected,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "line {}: {input:?}: expected {expected}, got {got:?}",
                number + 1
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "the corpus has {checked} entries");
}

#[test]
fn two_spellings_of_one_video_share_one_content_hash() {
    let a = VideoId::parse("https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=3").unwrap();
    let b = VideoId::parse("youtu.be/dQw4w9WgXcQ").unwrap();
    assert_eq!(a.content_hash(), b.content_hash());
    assert_eq!(
        a.content_hash(),
        clipstake_sdk::pda::content_hash("youtube:dQw4w9WgXcQ")
    );
    let short = VideoId::parse("https://vm.tiktok.com/ZMeAbCdEf/").unwrap_err();
    assert!(short.contains("short link"), "{short}");
}

/// A stand-in for TikTok's short-link hosts on loopback: `/CODE` answers a redirect to what
/// `routes` maps it to; the paths it was asked for are kept.
struct Redirects {
    address: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

fn redirect_server(routes: &'static [(&'static str, &'static str)]) -> Redirects {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let address = server.server_addr().to_ip().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let host = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let path = request.url().to_string();
            seen.lock().unwrap().push(format!("{host}{path}"));
            let response = match routes.iter().find(|(from, _)| *from == path) {
                Some((_, to)) => tiny_http::Response::empty(301).with_header(
                    tiny_http::Header::from_bytes(&b"Location"[..], to.as_bytes()).unwrap(),
                ),
                None => tiny_http::Response::empty(404),
            };
            let _ = request.respond(response);
        }
    });
    Redirects { address, asked }
}

fn links(server: &Redirects) -> ShortLinks {
    ShortLinks::local(&[
        ("vm.tiktok.com", server.address),
        ("vt.tiktok.com", server.address),
        ("www.tiktok.com", server.address),
    ])
    .unwrap()
}

#[test]
fn short_links_follow_tiktok_redirects_to_the_video() {
    let server = redirect_server(&[
        ("/ZMeAbCdEf/", "https://vt.tiktok.com/ZSabc123/"),
        (
            "/ZSabc123/",
            "https://www.tiktok.com/@scout2015/video/6718335390845095173?_r=1&_t=8abc",
        ),
        ("/t/ZTRabc123/", "/@scout2015/video/6718335390845095173"),
    ]);
    let links = links(&server);
    let video = links.resolve("https://vm.tiktok.com/ZMeAbCdEf/").unwrap();
    assert_eq!(video.canonical(), "tiktok:6718335390845095173");
    // A relative Location resolves against the link's own host.
    let video = links
        .resolve("https://www.tiktok.com/t/ZTRabc123/")
        .unwrap();
    assert_eq!(video.canonical(), "tiktok:6718335390845095173");
    // The final video URL is never fetched: only the two short links and the /t/ link were.
    assert_eq!(
        *server.asked.lock().unwrap(),
        [
            "vm.tiktok.com/ZMeAbCdEf/",
            "vt.tiktok.com/ZSabc123/",
            "www.tiktok.com/t/ZTRabc123/"
        ]
    );
    // A full URL needs no request at all.
    links
        .resolve("https://www.tiktok.com/@scout2015/video/6718335390845095173")
        .unwrap();
    assert_eq!(server.asked.lock().unwrap().len(), 3);
}

#[test]
fn short_links_that_leave_tiktok_loop_or_dead_end_are_refused() {
    let server = redirect_server(&[
        (
            "/Evil1/",
            "https://tiktok.com.evil.example/@x/video/6718335390845095173",
        ),
        ("/Evil2/", "http://127.0.0.1/@x/video/6718335390845095173"),
        ("/Port1/", "https://vt.tiktok.com:8443/Loop1/"),
        ("/Loop1/", "https://vt.tiktok.com/Loop2/"),
        ("/Loop2/", "https://vm.tiktok.com/Loop1/"),
        ("/Nowhere/", "https://www.tiktok.com/@scout2015"),
    ]);
    let links = links(&server);
    for (link, words) in [
        ("https://vm.tiktok.com/Evil1/", "redirected off TikTok"),
        ("https://vm.tiktok.com/Evil2/", "redirected off TikTok"),
        ("https://vm.tiktok.com/Port1/", "redirected off TikTok"),
        (
            "https://vm.tiktok.com/Loop1/",
            "still redirects after 5 requests",
        ),
        ("https://vm.tiktok.com/Nowhere/", "not a video"),
        ("https://vm.tiktok.com/Gone/", "404"),
    ] {
        let refused = links.resolve(link).unwrap_err();
        assert!(refused.contains(words), "{link}: {refused}");
    }
    let asked = server.asked.lock().unwrap();
    assert!(
        asked
            .iter()
            .all(|a| a.starts_with("vm.tiktok.com/") || a.starts_with("vt.tiktok.com/")),
        "only TikTok hosts were asked: {asked:?}"
    );
    // The loop took exactly the hop limit.
    assert_eq!(asked.iter().filter(|a| a.contains("/Loop")).count(), 5);
}
