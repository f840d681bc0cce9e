//! The parts of the Solana Actions specification (`@solana/actions-spec` 2.4) and of Solana Pay
//! transaction requests this server speaks: headers, chain ids, `actions.json` and the shapes of
//! the GET and POST answers.
use serde_json::{Value, json};
use solana_hash::Hash;

/// The spec version answered in `X-Action-Version`.
pub const ACTION_VERSION: &str = "2.4";

/// Mainnet-beta's chain id (CAIP-2: `solana:` and the first 32 characters of the genesis hash).
pub const MAINNET: &str = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp";
/// Devnet's chain id.
pub const DEVNET: &str = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1";
/// Testnet's chain id.
pub const TESTNET: &str = "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z";

/// The CAIP-2 chain id of the cluster whose genesis hash is `genesis`: the public clusters come
/// out as [`MAINNET`], [`DEVNET`] and [`TESTNET`], a local validator as its own.
pub fn chain_id(genesis: &Hash) -> String {
    let hash = genesis.to_string();
    format!("solana:{}", &hash[..hash.len().min(32)])
}

/// The Wallet Standard chain the page asks a wallet for (`solana:mainnet`, `solana:devnet`,
/// `solana:testnet`, else `solana:localnet`).
pub fn wallet_standard_chain(chain_id: &str) -> &'static str {
    match chain_id {
        MAINNET => "solana:mainnet",
        DEVNET => "solana:devnet",
        TESTNET => "solana:testnet",
        _ => "solana:localnet",
    }
}

/// The headers every answer carries (CORS for blinks on any site, and the spec's version and
/// chain headers).
pub fn headers(chain_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Access-Control-Allow-Origin", "*".into()),
        (
            "Access-Control-Allow-Methods",
            "GET,POST,PUT,OPTIONS".into(),
        ),
        (
            "Access-Control-Allow-Headers",
            "Content-Type, Authorization, Content-Encoding, Accept-Encoding, \
             X-Accept-Action-Version, X-Accept-Blockchain-Ids"
                .into(),
        ),
        (
            "Access-Control-Expose-Headers",
            "X-Action-Version, X-Blockchain-Ids".into(),
        ),
        ("X-Action-Version", ACTION_VERSION.into()),
        ("X-Blockchain-Ids", chain_id.into()),
    ]
}

/// `/actions.json`: the campaign page's URL maps to its fund action, and the API paths to
/// themselves.
pub fn actions_json() -> Value {
    json!({
        "rules": [
            { "pathPattern": "/campaign/*", "apiPath": "/api/actions/fund/*" },
            { "pathPattern": "/api/actions/**", "apiPath": "/api/actions/**" },
        ]
    })
}

/// A GET answer (`ActionGetResponse`, type `action`); its `label` and `icon` are also what a
/// Solana Pay transaction request's GET returns. `refusal` disables it with a reason.
pub fn action(
    icon: &str,
    title: &str,
    description: &str,
    label: &str,
    links: Value,
    refusal: Option<&str>,
) -> Value {
    let mut action = json!({
        "type": "action",
        "icon": icon,
        "title": title,
        "description": description,
        "label": label,
        "links": { "actions": links },
    });
    if let Some(message) = refusal {
        action["disabled"] = json!(true);
        action["error"] = json!({ "message": message });
    }
    action
}

/// A POST answer (`ActionPostResponse`, and Solana Pay's `{transaction, message}`).
pub fn transaction(base64: &str, message: &str) -> Value {
    json!({ "type": "transaction", "transaction": base64, "message": message })
}

/// The `solana:` URL of a Solana Pay transaction request to `href` (an absolute https URL;
/// wallets scan it as a QR code).
pub fn solana_pay_url(href: &str) -> String {
    format!("solana:{}", percent_encode(href))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (a query parameter as a form or a blink client sends it).
pub fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'%' => {
                let hex = [input.next()?, input.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
            }
            b'+' => bytes.push(b' '),
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_clusters_have_their_well_known_ids() {
        let mainnet: Hash = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
            .parse()
            .unwrap();
        let devnet: Hash = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG"
            .parse()
            .unwrap();
        assert_eq!(chain_id(&mainnet), MAINNET);
        assert_eq!(chain_id(&devnet), DEVNET);
        assert_eq!(wallet_standard_chain(MAINNET), "solana:mainnet");
        assert_eq!(wallet_standard_chain("solana:abc"), "solana:localnet");
    }

    #[test]
    fn urls_round_trip_through_percent_encoding() {
        let href = "https://x.example/api/actions/fund/Abc?amount=1.5";
        assert_eq!(
            solana_pay_url(href),
            "solana:https%3A%2F%2Fx.example%2Fapi%2Factions%2Ffund%2FAbc%3Famount%3D1.5"
        );
        assert_eq!(percent_decode(&percent_encode(href)).as_deref(), Some(href));
        assert_eq!(percent_decode("1%2").as_deref(), None);
    }

    #[test]
    fn a_disabled_action_says_why() {
        let a = action("i", "t", "d", "l", json!([]), Some("closed"));
        assert_eq!(a["disabled"], true);
        assert_eq!(a["error"]["message"], "closed");
        assert!(
            action("i", "t", "d", "l", json!([]), None)
                .get("disabled")
                .is_none()
        );
    }
}
