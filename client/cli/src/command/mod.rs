//! One file per role. Every command is written once against [`Backend`], so it runs the same
//! on the embedded chain and on any RPC cluster.
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::state::{AssetKind, CampaignStatus, Platform};
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::{SendStatus, Sent};
use clipstake_sdk::instructions::{CampaignAccount, SubmissionAccount};
use serde_json::{Value, json};

use super::CliError;
use super::output::{Report, amount_json, amount_text, duration, utc};

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

    /// `{"ui": "12.5", "base_units": 12500000}`.
    pub fn json(&self, base_units: u64) -> Value {
        amount_json(base_units, self.decimals)
    }

    /// `12.5`.
    pub fn ui(&self, base_units: u64) -> String {
        clipstake_sdk::amount::format_ui_amount(base_units, self.decimals)
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

/// The campaign as JSON.
pub fn campaign_json(
    campaign: &CampaignAccount,
    vault: u64,
    now: i64,
    platform: &Platform,
) -> Value {
    let c = &campaign.state;
    let u = Units::of(campaign);
    json!({
        "address": campaign.address.to_string(),
        "brand": c.brand.to_string(),
        "campaign_id": c.campaign_id,
        "asset": asset_name(c.asset),
        "mint": (c.asset != AssetKind::NativeSol as u8).then(|| c.mint.to_string()),
        "token_program": c.token_program.to_string(),
        "decimals": c.decimals,
        "mint_trusted": c.is_mint_trusted(),
        "vault": c.vault.to_string(),
        "oracle": c.oracle.to_string(),
        "treasury": c.treasury.to_string(),
        "fee_bps": c.fee_bps,
        "max_affiliate_bps": c.max_affiliate_bps,
        "rate_per_thousand_views": u.json(c.rate_per_thousand_views),
        "cap_per_submission": u.json(c.cap_per_submission),
        "start_time": c.start_time,
        "end_time": c.end_time,
        "settlement_window_secs": c.settlement_window_secs,
        "settlement_deadline": c.settlement_deadline(platform),
        "final_deadline": c.final_deadline(platform),
        "status": status_name(c.status),
        "paused_by_admin": c.is_paused_by_admin(),
        "admin_paused_secs": c.admin_paused_secs,
        "settled": c.is_settled(),
        "phase": phase(campaign, now, platform),
        "funded": u.json(c.funded),
        "paid_to_creators": u.json(c.paid_to_creators),
        "fees_paid": u.json(c.fees_paid),
        "commissions_paid": u.json(c.commissions_paid),
        "fees_accrued": u.json(c.fees_accrued),
        "commissions_accrued": u.json(c.commissions_accrued),
        "withdrawn": u.json(c.withdrawn),
        "available": u.json(c.available()),
        "vault_balance": u.json(vault),
        "open_submissions": c.open_submissions,
    })
}

/// The campaign for people.
pub fn campaign_fields(
    campaign: &CampaignAccount,
    vault: u64,
    now: i64,
    platform: &Platform,
) -> Vec<(&'static str, String)> {
    let c = &campaign.state;
    let u = Units::of(campaign);
    let asset = match c.asset().ok() {
        Some(AssetKind::NativeSol) => "native SOL".to_string(),
        _ => format!(
            "{} mint {} ({} decimals)",
            asset_name(c.asset),
            c.mint,
            c.decimals
        ),
    };
    let mut fields = vec![
        ("address", campaign.address.to_string()),
        (
            "brand",
            format!("{} (campaign id {})", c.brand, c.campaign_id),
        ),
        ("asset", asset),
    ];
    if c.asset != AssetKind::NativeSol as u8 {
        fields.push(("mint trusted", mint_trust_text(c.is_mint_trusted()).into()));
    }
    fields.extend([
        ("vault", c.vault.to_string()),
        ("oracle", c.oracle.to_string()),
        ("treasury", c.treasury.to_string()),
        (
            "platform fee",
            format!(
                "{} bps (max affiliate {} bps)",
                c.fee_bps, c.max_affiliate_bps
            ),
        ),
        (
            "rate",
            format!("{} per 1,000 views", u.text(c.rate_per_thousand_views)),
        ),
        ("cap per video", u.text(c.cap_per_submission)),
        ("starts", utc(c.start_time)),
        ("ends", utc(c.end_time)),
        ("settlement window", duration(c.settlement_window_secs)),
        ("withdrawable from", utc(c.settlement_deadline(platform))),
        (
            "status",
            format!(
                "{} ({})",
                status_name(c.status),
                phase(campaign, now, platform)
            ),
        ),
        ("settled", settled_text(c.is_settled()).into()),
        ("funded", u.text(c.funded)),
        ("paid to creators", u.text(c.paid_to_creators)),
        ("platform fees", u.text(c.fees_paid)),
        ("affiliate commissions", u.text(c.commissions_paid)),
    ]);
    fields.extend(accrued_fields(campaign));
    fields.extend([
        ("withdrawn", u.text(c.withdrawn)),
        ("available (books)", u.text(c.available())),
        ("vault balance", u.text(vault)),
        ("open submissions", c.open_submissions.to_string()),
    ]);
    fields
}

fn mint_trust_text(trusted: bool) -> &'static str {
    if trusted {
        "yes: the platform trusted its issuer at creation, so the mint policy does not apply"
    } else {
        "no: the mint policy applies on every use"
    }
}

fn settled_text(settled: bool) -> &'static str {
    if settled {
        "yes: the brand withdrew, the campaign is over for good"
    } else {
        "no"
    }
}

/// The fees and commissions the vault holds for recipients who could not receive them, when
/// there are any.
fn accrued_fields(campaign: &CampaignAccount) -> Vec<(&'static str, String)> {
    let (c, u) = (&campaign.state, Units::of(campaign));
    let mut fields = Vec::new();
    if c.fees_accrued > 0 {
        fields.push(("fees accrued (owed)", u.text(c.fees_accrued)));
    }
    if c.commissions_accrued > 0 {
        fields.push(("commissions accrued (owed)", u.text(c.commissions_accrued)));
    }
    fields
}

/// How to deliver what the vault holds for others, when it holds any.
pub fn accrued_hint(campaign: &CampaignAccount) -> Option<String> {
    let owed = campaign.state.owed_in_vault();
    (owed > 0).then(|| {
        format!(
            "the vault holds {} owed to the treasury or affiliates, who could not receive it; \
             `clipstake campaign settle-accrued {}` delivers it (anyone may send it)",
            Units::of(campaign).text(owed),
            campaign.address
        )
    })
}

/// A campaign report (show, and after create/fund/...).
pub fn campaign_report(
    backend: &mut dyn Backend,
    address: &Pubkey,
    sent: Option<&Sent>,
) -> Result<Report, CliError> {
    let campaign = backend.campaign(address)?;
    let vault = vault_balance(backend, &campaign)?;
    let now = backend.clock()?.unix_timestamp;
    let platform = backend.platform()?;
    let mut json = campaign_json(&campaign, vault, now, &platform);
    if let Some(sent) = sent {
        json["transaction"] = sent_json(sent);
    }
    let mut report = Report::new(json).title(format!("Campaign {}", campaign.address));
    report = report.fields(campaign_fields(&campaign, vault, now, &platform));
    if let Some(hint) = accrued_hint(&campaign) {
        report = report.line(hint);
    }
    if let Some(sent) = sent {
        report = report.line(sent_line(sent));
    }
    Ok(report)
}

/// The submission as JSON.
pub fn submission_json(submission: &SubmissionAccount, units: &Units) -> Value {
    let s = &submission.state;
    json!({
        "address": submission.address.to_string(),
        "campaign": s.campaign.to_string(),
        "content_hash": hex(&s.content_hash),
        "creator": s.creator.to_string(),
        "affiliate": s.affiliate().map(|a| a.to_string()),
        "affiliate_bps": s.affiliate_bps,
        "paid_views": s.paid_views,
        "paid_gross": units.json(s.paid_gross),
        "paid_to_creator": units.json(s.paid_to_creator),
        "fees_paid": units.json(s.fees_paid),
        "commissions_paid": units.json(s.commissions_paid),
        "commission_accrued": units.json(s.commission_accrued),
        "registered_at": s.registered_at,
        "rent_payer": s.rent_payer.to_string(),
    })
}

/// The submission for people.
pub fn submission_fields(
    submission: &SubmissionAccount,
    units: &Units,
) -> Vec<(&'static str, String)> {
    let s = &submission.state;
    let mut fields = vec![
        ("address", submission.address.to_string()),
        ("campaign", s.campaign.to_string()),
        ("content hash", hex(&s.content_hash)),
        ("creator", s.creator.to_string()),
        (
            "affiliate",
            s.affiliate()
                .map(|a| format!("{a} ({} bps)", s.affiliate_bps))
                .unwrap_or_else(|| "none".into()),
        ),
        ("views paid (watermark)", s.paid_views.to_string()),
        ("paid gross", units.text(s.paid_gross)),
        ("to the creator", units.text(s.paid_to_creator)),
        ("platform fees", units.text(s.fees_paid)),
        ("affiliate commission", units.text(s.commissions_paid)),
    ];
    if s.commission_accrued > 0 {
        fields.push((
            "commission accrued (owed)",
            format!(
                "{}: `clipstake campaign settle-accrued {} --submission {}` delivers it",
                units.text(s.commission_accrued),
                s.campaign,
                submission.address
            ),
        ));
    }
    fields.push(("registered", utc(s.registered_at)));
    fields
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A transaction's outcome as JSON.
pub fn sent_json(sent: &Sent) -> Value {
    json!({
        "signature": sent.signature.map(|s| s.to_string()),
        "status": match sent.status {
            SendStatus::Confirmed => "confirmed",
            SendStatus::AlreadyApplied => "already-applied",
            SendStatus::Simulated => "simulated",
        },
        "compute_units": sent.units_consumed,
        "compute_unit_limit": sent.compute_unit_limit,
        "signings": sent.signings,
    })
}

/// A transaction's outcome for people.
pub fn sent_line(sent: &Sent) -> String {
    match (sent.status, sent.signature) {
        (SendStatus::Simulated, _) => format!(
            "dry run: the simulation succeeded ({} compute units); nothing was sent",
            sent.units_consumed
        ),
        (SendStatus::AlreadyApplied, _) => {
            "the transaction expired, but the chain already shows its effect; nothing was re-signed"
                .into()
        }
        (_, Some(signature)) => format!(
            "signature {signature} ({} compute units, limit {})",
            sent.units_consumed, sent.compute_unit_limit
        ),
        (_, None) => "sent".into(),
    }
}

/// True for `--dry-run` results, after which commands skip reading back the new state.
pub fn simulated(sent: &Sent) -> bool {
    sent.status == SendStatus::Simulated
}

/// A report for a dry run.
pub fn dry_run_report(what: &str, sent: &Sent) -> Report {
    Report::new(json!({ "dry_run": true, "action": what, "transaction": sent_json(sent) }))
        .line(format!("{what}: {}", sent_line(sent)))
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
