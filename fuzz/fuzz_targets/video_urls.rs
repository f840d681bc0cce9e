//! Canonical video identity (client/oracle/src/urls.rs and video.rs: `urls::parse`,
//! `VideoId::parse`), compiled here from their source files as they are (they need url, serde
//! and the SDK's content hash), like the `reports` target.
//!
//! Input: the text a creator or a report gives as the video, lossy UTF-8.
//!
//! Properties:
//! - neither parser ever panics;
//! - a video read from any spelling has a non-empty id, and its canonical id
//!   (`platform:id`) reads back as exactly the same video through both parsers: one video,
//!   one submission, whatever URL it came under;
//! - a short link is only ever one on a TikTok host (the only links the oracle expands);
//! - `VideoId::parse` accepts exactly what `urls::parse` reads as a video.
#![no_main]

#[allow(dead_code)]
#[path = "../../client/oracle/src/urls.rs"]
mod urls;
#[allow(dead_code)]
#[path = "../../client/oracle/src/video.rs"]
mod video;

use libfuzzer_sys::fuzz_target;
use urls::VideoRef;
use video::VideoId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let read = urls::parse(&text);
    match &read {
        Ok(VideoRef::Video(id)) => {
            assert!(!id.id.is_empty(), "empty id from {text:?}");
            let canonical = id.canonical();
            assert_eq!(
                urls::parse(&canonical),
                Ok(VideoRef::Video(id.clone())),
                "{text:?} -> {canonical:?} does not read back"
            );
            assert_eq!(VideoId::parse(&canonical).as_ref(), Ok(id));
            assert_eq!(
                id.content_hash(),
                VideoId::parse(&canonical).unwrap().content_hash()
            );
        }
        Ok(VideoRef::TikTokShortLink(url)) => {
            let host = url.host_str().expect("a short link has a host");
            assert!(urls::is_tiktok_host(host), "short link on {host}");
        }
        Err(_) => {}
    }
    assert_eq!(
        VideoId::parse(&text).ok(),
        match read {
            Ok(VideoRef::Video(id)) => Some(id),
            _ => None,
        },
        "the two parsers disagree on {text:?}"
    );
});
