//! TikTok short links (`vm.tiktok.com/…`, `vt.tiktok.com/…`, `tiktok.com/t/…`) expanded to
//! their video by following redirects by hand: at most [`ShortLinks::max_hops`] requests, each
//! `Location` checked to stay on a TikTok host before it is requested, nothing else fetched.
//! An automatic redirect policy would follow a link anywhere, including the oracle's own
//! network.
use std::net::SocketAddr;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use url::Url;

use crate::urls::{self, VideoRef};
use crate::video::VideoId;

/// Redirects followed before giving up (TikTok answers with one or two).
pub const DEFAULT_MAX_HOPS: usize = 5;

/// Expands TikTok short links.
pub struct ShortLinks {
    client: Client,
    /// Requests made at most for one link.
    pub max_hops: usize,
    /// Requests go over plain HTTP to the overridden addresses (local stand-ins only).
    plain_http: bool,
}

impl ShortLinks {
    /// Over HTTPS to TikTok itself (an `http://` link is upgraded).
    pub fn new() -> Result<ShortLinks, String> {
        Self::build(&[], false)
    }

    /// Over plain HTTP, with TikTok's host names answered by local stand-in servers (tests,
    /// demos): `overrides` maps a host name such as `vm.tiktok.com` to a loopback address.
    pub fn local(overrides: &[(&str, SocketAddr)]) -> Result<ShortLinks, String> {
        Self::build(overrides, true)
    }

    fn build(overrides: &[(&str, SocketAddr)], plain_http: bool) -> Result<ShortLinks, String> {
        let mut builder = Client::builder()
            .redirect(Policy::none())
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("clipstake-oracle/", env!("CARGO_PKG_VERSION")));
        for (host, address) in overrides {
            builder = builder.resolve(host, *address);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(ShortLinks {
            client,
            max_hops: DEFAULT_MAX_HOPS,
            plain_http,
        })
    }

    /// The video `text` names: parsed directly, or, for a short link, where TikTok's
    /// redirects lead.
    pub fn resolve(&self, text: &str) -> Result<VideoId, String> {
        let mut url = match urls::parse(text)? {
            VideoRef::Video(video) => return Ok(video),
            VideoRef::TikTokShortLink(url) => url,
        };
        for _ in 0..self.max_hops {
            let next = self.location(&url)?;
            match urls::parse(next.as_str()) {
                Ok(VideoRef::Video(video)) => return Ok(video),
                Ok(VideoRef::TikTokShortLink(link)) => url = link,
                Err(e) => {
                    return Err(format!(
                        "the short link {text} led to {next}, which is not a video: {e}"
                    ));
                }
            }
        }
        Err(format!(
            "the short link {text} still redirects after {} requests; refused",
            self.max_hops
        ))
    }

    /// Where one request to `url` redirects, checked to stay on TikTok.
    fn location(&self, url: &Url) -> Result<Url, String> {
        let mut request = url.clone();
        let scheme = if self.plain_http { "http" } else { "https" };
        // Only the scheme changes; the host was matched exactly, so this cannot fail.
        let _ = request.set_scheme(scheme);
        let response = self
            .client
            .get(request.as_str())
            .send()
            .map_err(|e| format!("cannot reach TikTok for the short link {url}: {e}"))?;
        let status = response.status();
        if !status.is_redirection() {
            return Err(format!(
                "the short link {url} answered {status} instead of a redirect (expired or unknown link?)"
            ));
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("the short link {url} answered {status} without a Location"))?;
        let next = url.join(location).map_err(|e| {
            format!("the short link {url} redirected to a bad URL {location:?}: {e}")
        })?;
        let host = next.host_str().unwrap_or_default().to_ascii_lowercase();
        if !urls::is_tiktok_host(host.trim_end_matches('.')) || next.port().is_some() {
            return Err(format!(
                "the short link {url} redirected off TikTok, to {next}; refused"
            ));
        }
        Ok(next)
    }
}
