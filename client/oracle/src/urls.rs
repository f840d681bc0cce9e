//! Every URL form of a video on each platform, read into its [`VideoId`].
//!
//! Hosts are matched exactly against each platform's own list (never by suffix or substring),
//! so `youtube.com.evil.example` or `evil.example/youtube.com/...` are refused. Query strings
//! and fragments are ignored except YouTube's `v=`; trailing slashes, `www.`, mobile hosts and
//! uppercase hosts all read as the same video. Ids are validated and normalised (numeric ids
//! lose leading zeros), so one video has exactly one canonical id.
use url::{Host, Url};

use crate::video::{Platform, VideoId};

/// What a URL or id names: a video, or a TikTok short link that only TikTok can expand
/// (see [`crate::shortlink`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoRef {
    /// A video, known without asking anyone.
    Video(VideoId),
    /// A `vm.tiktok.com/…`, `vt.tiktok.com/…` or `tiktok.com/t/…` link.
    TikTokShortLink(Url),
}

const YOUTUBE_HOSTS: &[&str] = &[
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
];
const YOUTU_BE: &str = "youtu.be";
const TIKTOK_HOSTS: &[&str] = &["tiktok.com", "www.tiktok.com", "m.tiktok.com"];
/// Hosts whose every path is a short link.
pub(crate) const TIKTOK_SHORT_HOSTS: &[&str] = &["vm.tiktok.com", "vt.tiktok.com"];
const INSTAGRAM_HOSTS: &[&str] = &["instagram.com", "www.instagram.com", "m.instagram.com"];
const X_HOSTS: &[&str] = &[
    "x.com",
    "www.x.com",
    "mobile.x.com",
    "twitter.com",
    "www.twitter.com",
    "mobile.twitter.com",
];

/// True for a host TikTok serves (where a short link may redirect).
pub fn is_tiktok_host(host: &str) -> bool {
    TIKTOK_HOSTS.contains(&host) || TIKTOK_SHORT_HOSTS.contains(&host)
}

/// Reads a canonical id (`youtube:dQw4w9WgXcQ`) or any URL form of a video.
pub fn parse(text: &str) -> Result<VideoRef, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty video: give a video URL or a canonical id such as youtube:ID".into());
    }
    if let Some(video) = parse_canonical(text)? {
        return Ok(VideoRef::Video(video));
    }
    let url = parse_web_url(text)?;
    let host = host_of(&url)?;
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let video = |platform, id: Result<String, String>| {
        id.map(|id| VideoRef::Video(VideoId { platform, id }))
            .map_err(|e| format!("{text:?}: {e}"))
    };
    if host == YOUTU_BE {
        return video(Platform::YouTube, youtu_be(&segments));
    }
    if YOUTUBE_HOSTS.contains(&host.as_str()) {
        return video(Platform::YouTube, youtube(&url, &segments));
    }
    if TIKTOK_SHORT_HOSTS.contains(&host.as_str()) {
        return short_link(&url, &segments, 0);
    }
    if TIKTOK_HOSTS.contains(&host.as_str()) {
        if segments.first() == Some(&"t") {
            return short_link(&url, &segments, 1);
        }
        return video(Platform::TikTok, tiktok(&segments));
    }
    if INSTAGRAM_HOSTS.contains(&host.as_str()) {
        return video(Platform::Instagram, instagram(&segments));
    }
    if X_HOSTS.contains(&host.as_str()) {
        return video(Platform::X, x(&segments));
    }
    Err(format!(
        "{text:?} is not a video URL of YouTube, TikTok, Instagram or X (host {host})"
    ))
}

/// `platform:id`, validated. `None` when `text` does not start with a platform name and a
/// colon (then it may be a URL).
fn parse_canonical(text: &str) -> Result<Option<VideoId>, String> {
    let Some((prefix, id)) = text.split_once(':') else {
        return Ok(None);
    };
    if id.starts_with("//") {
        return Ok(None);
    }
    let Ok(platform) = prefix.parse::<Platform>() else {
        return Ok(None);
    };
    let id = match platform {
        Platform::YouTube => youtube_id(id),
        Platform::TikTok | Platform::X => numeric_id(id),
        Platform::Instagram => shortcode(id),
    }
    .map_err(|e| format!("{text:?}: {e}"))?;
    Ok(Some(VideoId { platform, id }))
}

/// An `http(s)` URL without credentials or a port (a scheme is assumed when missing).
fn parse_web_url(text: &str) -> Result<Url, String> {
    let has_scheme = text
        .find("://")
        .is_some_and(|at| at > 0 && text[..at].bytes().all(|b| b.is_ascii_alphabetic()));
    let with_scheme = if has_scheme {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?}: only http and https video URLs are read"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{text:?}: a video URL carries no user name or password"
        ));
    }
    if url.port().is_some() {
        return Err(format!("{text:?}: a video URL names no port"));
    }
    Ok(url)
}

/// The lowercase domain, without one trailing dot (`YouTube.com.` is `youtube.com`).
fn host_of(url: &Url) -> Result<String, String> {
    match url.host() {
        Some(Host::Domain(domain)) => Ok(domain.trim_end_matches('.').to_ascii_lowercase()),
        Some(_) => Err(format!("{url}: an IP address is not a video platform")),
        None => Err(format!("{url}: no host")),
    }
}

fn short_link(url: &Url, segments: &[&str], code_at: usize) -> Result<VideoRef, String> {
    match segments.get(code_at) {
        Some(code) if code.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Ok(VideoRef::TikTokShortLink(url.clone()))
        }
        _ => Err(format!("{url}: not a TikTok short link (no code)")),
    }
}

fn youtu_be(segments: &[&str]) -> Result<String, String> {
    match segments {
        [id] => youtube_id(id),
        _ => Err("a youtu.be link is youtu.be/ID".into()),
    }
}

fn youtube(url: &Url, segments: &[&str]) -> Result<String, String> {
    match segments {
        ["watch"] => {
            let v = url.query_pairs().find(|(k, _)| k == "v").map(|(_, v)| v);
            youtube_id(&v.ok_or("a watch URL needs its v= parameter")?)
        }
        ["shorts" | "embed" | "live" | "v", id] => youtube_id(id),
        _ => {
            Err("not a YouTube video URL (watch?v=, /shorts/, /embed/, /live/ or youtu.be/)".into())
        }
    }
}

/// 11 characters of `[A-Za-z0-9_-]` whose last one carries only 4 of its 6 bits (an id is a
/// 64-bit number): anything else is no YouTube video.
fn youtube_id(id: &str) -> Result<String, String> {
    let valid = id.len() == 11
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && id.ends_with([
            'A', 'E', 'I', 'M', 'Q', 'U', 'Y', 'c', 'g', 'k', 'o', 's', 'w', '0', '4', '8',
        ]);
    if valid {
        Ok(id.to_string())
    } else {
        Err(format!(
            "{id:?} is not a YouTube video id (11 characters of A-Z a-z 0-9 _ -)"
        ))
    }
}

fn tiktok(segments: &[&str]) -> Result<String, String> {
    match segments {
        [user, "video" | "photo", id, ..] if user.starts_with('@') => numeric_id(id),
        ["embed", id] | ["embed", "v2", id] => numeric_id(id),
        ["v", file] => numeric_id(file.strip_suffix(".html").unwrap_or(file)),
        _ => Err("not a TikTok video URL (tiktok.com/@user/video/ID or a short link)".into()),
    }
}

fn instagram(segments: &[&str]) -> Result<String, String> {
    let post = match segments {
        [user, kind, rest @ ..] if is_post_kind(kind) && is_username(user, 30) => rest,
        [kind, rest @ ..] if is_post_kind(kind) => rest,
        _ => &[][..],
    };
    match post {
        [code] | [code, "embed"] | [code, "embed", "captioned"] => shortcode(code),
        _ => Err("not an Instagram post URL (/reel/, /reels/, /p/ or /tv/ and its code)".into()),
    }
}

fn is_post_kind(segment: &str) -> bool {
    matches!(segment, "reel" | "reels" | "p" | "tv")
}

fn x(segments: &[&str]) -> Result<String, String> {
    match segments {
        ["i", "web", "status", id, ..] | ["i", "status", id, ..] => numeric_id(id),
        [user, "status" | "statuses", id, ..] if is_username(user, 15) => numeric_id(id),
        _ => Err("not a post URL of X (x.com/USER/status/ID or /i/web/status/ID)".into()),
    }
}

fn is_username(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// A positive decimal that fits a u64, written without leading zeros.
fn numeric_id(id: &str) -> Result<String, String> {
    match id.parse::<u64>() {
        Ok(n) if n > 0 && id.bytes().all(|b| b.is_ascii_digit()) => Ok(n.to_string()),
        _ => Err(format!("{id:?} is not a numeric post id")),
    }
}

/// An Instagram shortcode: `[A-Za-z0-9_-]`, case kept (it is case-sensitive).
fn shortcode(code: &str) -> Result<String, String> {
    let valid = (5..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(code.to_string())
    } else {
        Err(format!("{code:?} is not an Instagram shortcode"))
    }
}
