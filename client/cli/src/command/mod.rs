//! One file per role. Every command is written once against [`Backend`], so it runs the same
//! on the embedded chain and on any RPC cluster.
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::state::{AssetKind, CampaignStatus, Platform};
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::{SendStatus, Sent};
use clipstake_sdk::instructions::CampaignAccount;

use super::CliError;
use super::output::{Amount, amount_text};

pub mod actions;
pub mod campaign;
pub mod creator;
pub mod demo;
mod demo_tracking;
pub mod embedded;
pub mod oracle;
pub mod oracle_identity;
mod oracle_service;
mod oracle_sources;
mod oracle_tables;
pub mod platform;
pub mod platform_registry;
pub mod submission;
mod views;

pub use views::{
    CampaignShown, CampaignView, SubmissionShown, SubmissionView, Transaction, campaign_report,
    deliver_accrued_hint, dry_run_report, transactions,
};

/// clap value parser for addresses.
pub fn parse_pubkey(text: &str) -> Result<Pubkey, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a base58 address"))
}

/// Parses `3d`, `12h`, `90m`, `45s` or plain seconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 3d, 12h, 90m, 3600)"))?;
    let scale = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return Err(format!("{text:?}: the unit must be d, h, m or s")),
    };
    n.checked_mul(scale)
        .filter(|s| *s >= 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

/// Parses a duration like [`parse_duration`] that must be above zero (platform settings).
pub fn parse_positive_duration(text: &str) -> Result<i64, String> {
    match parse_duration(text)? {
        0 => Err(format!("{text:?}: the duration must be above zero")),
        secs => Ok(secs),
    }
}

/// The program's refusal `error` (exit 3), found before anything is sent, with what to do.
pub fn refusal(error: ClipstakeError, detail: impl std::fmt::Display) -> CliError {
    let mut refused = CliError::from(Error::from(error));
    refused.message = format!("{}; {detail}", refused.message);
    refused
}

/// Parses `now`, `+DURATION` (from the chain's clock) or a unix timestamp.
pub fn parse_time(text: &str, now: i64) -> Result<i64, CliError> {
    let text = text.trim();
    if text == "now" {
        return Ok(now);
    }
    if let Some(rest) = text.strip_prefix('+') {
        return parse_duration(rest)
            .map(|d| now + d)
            .map_err(CliError::usage);
    }
    text.parse().map_err(|_| {
        CliError::usage(format!(
            "{text:?} is not a time: use now, +DURATION (e.g. +7d) or a unix timestamp"
        ))
    })
}

/// How a campaign's amounts are shown.
pub struct Units {
    /// Decimals of the mint (9 for SOL).
    pub decimals: u8,
    /// `SOL`, or empty for a token (its mint is shown separately).
    pub symbol: String,
}

impl Units {
    /// The units of `campaign`.
    pub fn of(campaign: &CampaignAccount) -> Self {
        let symbol = if campaign.state.asset == AssetKind::NativeSol as u8 {
            "SOL"
        } else {
            ""
        };
        Units {
            decimals: campaign.state.decimals,
            symbol: symbol.to_string(),
        }
    }

    /// `12.5 (12500000 base units)`.
    pub fn text(&self, base_units: u64) -> String {
        amount_text(base_units, self.decimals, &self.symbol)
    }

    /// `{"ui": "12.5", "base_units": 12500000}` in JSON.
    pub fn amount(&self, base_units: u64) -> Amount {
        Amount::new(base_units, self.decimals)
    }

    /// Parses a UI amount in these units.
    pub fn parse(&self, text: &str) -> Result<u64, CliError> {
        clipstake_sdk::amount::parse_ui_amount(text, self.decimals)
            .map_err(|e| CliError::usage(e.to_string()))
    }
}

/// `spl-token`, `token-2022` or `sol`.
/// (A campaign stores its asset as a byte; one no program version writes reads `unknown`.)
pub fn asset_name(asset: u8) -> &'static str {
    match AssetKind::from_byte(asset) {
        Ok(AssetKind::SplToken) => "spl-token",
        Ok(AssetKind::Token2022) => "token-2022",
        Ok(AssetKind::NativeSol) => "sol",
        Err(_) => "unknown",
    }
}

/// `active`, `paused` or `ended`.
/// (Stored as a byte; one no program version writes reads `unknown`.)
pub fn status_name(status: u8) -> &'static str {
    match CampaignStatus::from_byte(status) {
        Ok(CampaignStatus::Active) => "active",
        Ok(CampaignStatus::Paused) => "paused",
        Ok(CampaignStatus::Ended) => "ended",
        Err(_) => "unknown",
    }
}

/// Where the campaign is in its life at `now` (platform pauses move its deadline).
pub fn phase(campaign: &CampaignAccount, now: i64, platform: &Platform) -> &'static str {
    let c = &campaign.state;
    let deadline = c.settlement_deadline(platform);
    match c.status().ok() {
        _ if c.is_settled() => "over: the brand has withdrawn",
        Some(CampaignStatus::Paused) if c.is_paused_by_admin() => "paused by the admin",
        _ if now < c.start_time => "not started",
        Some(CampaignStatus::Active) if now < c.end_time => "live",
        Some(CampaignStatus::Paused) if now < deadline => "paused, settling",
        _ if now < deadline => "settling",
        _ => "settled: the brand may withdraw",
    }
}

/// What the vault actually holds beyond rent (token amount, or lamports above rent).
pub fn vault_balance(backend: &mut dyn Backend, campaign: &CampaignAccount) -> Result<u64, Error> {
    if campaign.state.asset == AssetKind::NativeSol as u8 {
        let account = backend.get_account(&campaign.state.vault)?;
        let Some(account) = account else { return Ok(0) };
        let rent = backend.minimum_balance_for_rent_exemption(account.data.len())?;
        Ok(account.lamports.saturating_sub(rent))
    } else {
        backend.token_balance(&campaign.state.vault)
    }
}

/// How to deliver what the vault holds for others, when it holds any.
pub fn accrued_hint(campaign: &CampaignAccount) -> Option<String> {
    let owed = campaign.state.owed_in_vault();
    (owed > 0).then(|| {
        deliver_accrued_hint(
            &Units::of(campaign).text(owed),
            &campaign.address.to_string(),
        )
    })
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True for `--dry-run` results, after which commands skip reading back the new state.
pub fn simulated(sent: &Sent) -> bool {
    sent.status == SendStatus::Simulated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_times() {
        assert_eq!(parse_duration("3d"), Ok(259_200));
        assert_eq!(parse_duration("90m"), Ok(5_400));
        assert_eq!(parse_duration("3600"), Ok(3_600));
        assert!(parse_duration("3w").is_err());
        assert!(parse_duration("-5").is_err());
        assert_eq!(parse_time("now", 100).unwrap(), 100);
        assert_eq!(parse_time("+1h", 100).unwrap(), 3_700);
        assert_eq!(parse_time("1800000000", 100).unwrap(), 1_800_000_000);
        assert!(parse_time("tomorrow", 100).is_err());
    }
}
