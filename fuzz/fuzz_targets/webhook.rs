//! The Standard Webhooks check of `oracle serve` (client/oracle/src/webhook.rs:
//! `WebhookKeys::verify`, `sign`), compiled here from its source file as it is (it needs only
//! base64, hmac and sha2), like the `reports` target.
//!
//! Input (see fuzz/README.md): key (24 bytes) | skew (i16 LE, seconds) | mutation (u16 LE) |
//! then `id \0 timestamp \0 signature \0 body`, the three header values as lossy UTF-8.
//!
//! Properties:
//! - `verify` never panics, whatever the headers and body;
//! - arbitrary headers are accepted only with a timestamp within 300 s of now, a sane id and,
//!   among their `v1,` entries, the one genuine HMAC of `id.timestamp.body` under the key;
//! - a delivery signed by the key (`sign`) is accepted exactly when its timestamp is within
//!   the tolerance, and refused once one byte of its body, its id or its timestamp changes,
//!   or when it is checked against another key.
#![no_main]

#[allow(dead_code)]
#[path = "../../client/oracle/src/webhook.rs"]
mod webhook;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use webhook::{Signed, TOLERANCE_SECS, WebhookKeys, sign};

/// The receiver's clock in every case.
const NOW: i64 = 1_795_000_000;

fn secret(key: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(key))
}

fn keys(key: &[u8]) -> WebhookKeys {
    WebhookKeys::parse(&secret(key)).expect("a 24-byte key is a valid secret")
}

/// Arbitrary headers: accepted only if fresh and carrying the genuine signature.
fn arbitrary_headers(key: &[u8], id: &str, timestamp: &str, signature: &str, body: &[u8]) {
    let headers = Signed {
        id,
        timestamp,
        signature,
    };
    if keys(key).verify(&headers, body, NOW).is_err() {
        return;
    }
    assert!(
        !id.is_empty() && id.len() <= 256,
        "accepted a bad id {id:?}"
    );
    let at: i64 = timestamp
        .trim()
        .parse()
        .expect("accepted a timestamp that is not unix seconds");
    assert!(
        NOW.abs_diff(at) <= TOLERANCE_SECS as u64,
        "accepted a stale timestamp {at}"
    );
    let genuine = sign(&secret(key), id, at, body).expect("signs");
    let genuine = STANDARD.decode(&genuine["v1,".len()..]).expect("base64");
    let carried = signature
        .split(' ')
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .any(|tag| tag == genuine);
    assert!(
        carried,
        "accepted without the genuine signature: {signature:?}"
    );
}

/// A delivery the key signed: accepted exactly when fresh; any change refuses it.
fn signed_delivery(key: &[u8], skew: i64, mutation: usize, id: &str, body: &[u8]) {
    let id = if id.is_empty() || id.len() > 256 {
        "msg_fuzz"
    } else {
        id
    };
    let at = NOW + skew;
    let signature = sign(&secret(key), id, at, body).expect("signs");
    let timestamp = at.to_string();
    let headers = Signed {
        id,
        timestamp: &timestamp,
        signature: &signature,
    };
    let fresh = skew.unsigned_abs() <= TOLERANCE_SECS as u64;
    assert_eq!(
        keys(key).verify(&headers, body, NOW).is_ok(),
        fresh,
        "skew {skew}"
    );
    if !fresh {
        return;
    }
    if !body.is_empty() {
        let mut changed = body.to_vec();
        changed[mutation % body.len()] ^= 1 << (mutation % 8);
        assert!(
            keys(key).verify(&headers, &changed, NOW).is_err(),
            "a changed body passed"
        );
    }
    let other_id = format!("{id}x");
    let moved = (at + 1).to_string();
    for other in [
        Signed {
            id: &other_id,
            ..headers
        },
        Signed {
            timestamp: &moved,
            ..headers
        },
    ] {
        assert!(
            keys(key).verify(&other, body, NOW).is_err(),
            "changed headers passed"
        );
    }
    let mut other_key = key.to_vec();
    let flipped = mutation % other_key.len();
    other_key[flipped] ^= 0x80;
    assert!(
        keys(&other_key).verify(&headers, body, NOW).is_err(),
        "another key passed"
    );
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 28 {
        return;
    }
    let key = &data[..24];
    let skew = i64::from(i16::from_le_bytes([data[24], data[25]]));
    let mutation = usize::from(u16::from_le_bytes([data[26], data[27]]));
    let mut parts = data[28..].splitn(4, |b| *b == 0);
    let mut text = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (id, timestamp, signature) = (text(), text(), text());
    let body = parts.next().unwrap_or_default();
    arbitrary_headers(key, &id, &timestamp, &signature, body);
    signed_delivery(key, skew, mutation, &id, body);
});
