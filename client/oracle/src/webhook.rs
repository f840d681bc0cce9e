//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): a delivery carries
//! `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`, a space-separated
//! list of `v1,<base64 HMAC-SHA256(key, id "." timestamp "." raw body)>`. It is accepted when
//! its timestamp is within [`TOLERANCE_SECS`] of now and one of its signatures matches one of
//! the configured keys (several keys: the old and the new one while a key rotates). Signatures
//! are checked on the raw body, in constant time, before anything parses it.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a delivery's timestamp may be from the receiver's clock, either way.
pub const TOLERANCE_SECS: i64 = 300;

/// The prefix of a Standard Webhooks secret (`whsec_` then the key in base64).
pub const SECRET_PREFIX: &str = "whsec_";

/// The keys deliveries may be signed with.
#[derive(Clone)]
pub struct WebhookKeys {
    keys: Vec<Vec<u8>>,
}

impl std::fmt::Debug for WebhookKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a key.
        write!(f, "WebhookKeys({} key(s))", self.keys.len())
    }
}

/// The three signature headers of one delivery, as received.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// `webhook-id`: the delivery's id, the same on every retry (the dedupe key).
    pub id: &'a str,
    /// `webhook-timestamp`.
    pub timestamp: &'a str,
    /// `webhook-signature`.
    pub signature: &'a str,
}

impl WebhookKeys {
    /// Reads secrets separated by whitespace or commas, each `whsec_<base64>` (at least 24
    /// bytes of key: Standard Webhooks issues 24 to 64).
    pub fn parse(text: &str) -> Result<WebhookKeys, String> {
        let mut keys = Vec::new();
        for (n, secret) in text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            let encoded = secret
                .strip_prefix(SECRET_PREFIX)
                .ok_or_else(|| format!("webhook secret #{}: expected whsec_<base64 key>", n + 1))?;
            let key = STANDARD
                .decode(encoded)
                .map_err(|_| format!("webhook secret #{}: the key is not base64", n + 1))?;
            if key.len() < 24 {
                return Err(format!(
                    "webhook secret #{}: {} bytes of key, at least 24 needed",
                    n + 1,
                    key.len()
                ));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err("no webhook secret given".into());
        }
        Ok(WebhookKeys { keys })
    }

    /// How many keys are accepted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false: [`WebhookKeys::parse`] refuses an empty list.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Accepts `body` when `headers` carry a fresh timestamp and a valid signature by one of
    /// the keys; otherwise says why (never which key nor what was expected).
    pub fn verify(&self, headers: &Signed<'_>, body: &[u8], now: i64) -> Result<(), String> {
        if headers.id.is_empty() || headers.id.len() > 256 {
            return Err("missing or oversized webhook-id".into());
        }
        let timestamp: i64 = headers
            .timestamp
            .trim()
            .parse()
            .map_err(|_| "webhook-timestamp is not unix seconds".to_string())?;
        if now.abs_diff(timestamp) > TOLERANCE_SECS as u64 {
            return Err(format!(
                "stale delivery: webhook-timestamp {timestamp} is more than {TOLERANCE_SECS} s from now ({now})"
            ));
        }
        let signatures: Vec<Vec<u8>> = headers
            .signature
            .split(' ')
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|encoded| STANDARD.decode(encoded).ok())
            .collect();
        if signatures.is_empty() {
            return Err("no v1 signature in webhook-signature".into());
        }
        let matches = self.keys.iter().any(|key| {
            signatures.iter().any(|signature| {
                mac(key, headers.id, timestamp, body)
                    .verify_slice(signature)
                    .is_ok()
            })
        });
        if matches {
            Ok(())
        } else {
            Err("bad signature: no v1 signature matches a configured key".into())
        }
    }
}

/// `v1,<base64 signature>` of a delivery by `secret` (`whsec_...`): what a sender puts in
/// `webhook-signature` (tests and clients of `oracle serve`).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let keys = WebhookKeys::parse(secret)?;
    let tag = mac(&keys.keys[0], id, timestamp, body)
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(tag)))
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const NEW: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    fn headers<'a>(id: &'a str, timestamp: &'a str, signature: &'a str) -> Signed<'a> {
        Signed {
            id,
            timestamp,
            signature,
        }
    }

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn matches_the_reference_signature() {
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(OLD, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn fresh_signed_deliveries_pass_and_everything_else_is_refused() {
        let keys = WebhookKeys::parse(&format!("{OLD} {NEW}")).unwrap();
        let body = b"{\"video\":\"youtube:dQw4w9WgXcQ\"}";
        let now = 1_800_000_000;
        let by_new = sign(NEW, "msg_1", now, body).unwrap();
        let ts = now.to_string();
        assert_eq!(
            keys.verify(&headers("msg_1", &ts, &by_new), body, now + 299),
            Ok(())
        );
        // Several signatures, one of them valid (a sender rotating its key).
        let both = format!("v1,AAAA {by_new} v2,whatever");
        assert_eq!(
            keys.verify(&headers("msg_1", &ts, &both), body, now),
            Ok(())
        );
        let refused = |h: Signed<'_>, body: &[u8], at: i64| keys.verify(&h, body, at).unwrap_err();
        assert!(refused(headers("msg_1", &ts, &by_new), body, now + 301).starts_with("stale"));
        assert!(refused(headers("msg_1", &ts, &by_new), body, now - 301).starts_with("stale"));
        assert!(refused(headers("msg_2", &ts, &by_new), body, now).starts_with("bad signature"));
        assert!(refused(headers("msg_1", &ts, &by_new), b"{}", now).starts_with("bad signature"));
        assert!(refused(headers("msg_1", &ts, ""), body, now).starts_with("no v1"));
        assert!(refused(headers("", &ts, &by_new), body, now).starts_with("missing"));
        assert!(refused(headers("msg_1", "soon", &by_new), body, now).contains("unix seconds"));
        let other = "whsec_dGhpcyBpcyBhbm90aGVyIGtleSBlbnRpcmVseQ==";
        let forged = sign(other, "msg_1", now, body).unwrap();
        assert!(refused(headers("msg_1", &ts, &forged), body, now).starts_with("bad signature"));
        // After rotation the old key no longer signs.
        let rotated = WebhookKeys::parse(NEW).unwrap();
        let by_old = sign(OLD, "msg_1", now, body).unwrap();
        assert!(
            rotated
                .verify(&headers("msg_1", &ts, &by_old), body, now)
                .is_err()
        );
    }

    #[test]
    fn secrets_are_checked_and_never_printed() {
        assert!(
            WebhookKeys::parse("")
                .unwrap_err()
                .contains("no webhook secret")
        );
        assert!(
            WebhookKeys::parse("MfKQ9r8G")
                .unwrap_err()
                .contains("whsec_")
        );
        assert!(
            WebhookKeys::parse("whsec_!!")
                .unwrap_err()
                .contains("base64")
        );
        assert!(
            WebhookKeys::parse("whsec_c2hvcnQ=")
                .unwrap_err()
                .contains("at least 24")
        );
        let keys = WebhookKeys::parse(&format!("{OLD},{NEW}")).unwrap();
        assert_eq!(format!("{keys:?}"), "WebhookKeys(2 key(s))");
    }
}
