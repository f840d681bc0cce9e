//! `clipstake creator claim|status` (creators and affiliates).
use std::collections::HashMap;
use std::io::Read;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::accounts;
use clipstake_sdk::attestation::{Attestation, AttestationJson};
use clipstake_sdk::instructions::{self as ix, CampaignAccount};
use serde_json::{Value, json};
use solana_signer::Signer;

use super::oracle::{payable_now, payout_landed, payout_report};
use super::{Units, dry_run_report, parse_pubkey, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Report, short};

#[derive(Debug, Subcommand)]
pub enum CreatorCommand {
    /// Claims a payout on-chain with the oracle's attestation (sign with the creator wallet;
    /// --fee-payer may pay the fee).
    Claim(ClaimArgs),
    /// Shows what a wallet earned as creator and affiliate.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// The attestation: a file, `-` for stdin, or the JSON itself.
    #[arg(long)]
    pub attestation: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The wallet [default: the signer].
    #[arg(value_parser = parse_pubkey)]
    pub wallet: Option<Pubkey>,
}

pub fn run(ctx: &mut Ctx, command: CreatorCommand) -> Result<Report, CliError> {
    match command {
        CreatorCommand::Claim(args) => claim(ctx, args),
        CreatorCommand::Status(args) => status(ctx, args),
    }
}

/// Reads an attestation from a file, stdin or inline JSON (bare, or as `{"attestation": ...}`).
fn read_attestation(source: &str) -> Result<Attestation, CliError> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("cannot read the attestation from stdin: {e}")))?;
        text
    } else if source.trim_start().starts_with('{') {
        source.to_string()
    } else {
        std::fs::read_to_string(source).map_err(|e| {
            CliError::usage(format!("cannot read the attestation file {source}: {e}"))
        })?
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("the attestation is not JSON: {e}")))?;
    let value = value.get("attestation").cloned().unwrap_or(value);
    let portable: AttestationJson = serde_json::from_value(value)
        .map_err(|e| CliError::usage(format!("not an attestation: {e}")))?;
    Attestation::try_from(&portable).map_err(|e| CliError::usage(e.to_string()))
}

fn claim(ctx: &mut Ctx, args: ClaimArgs) -> Result<Report, CliError> {
    let attestation = read_attestation(&args.attestation)?;
    if !attestation.verify() {
        return Err(CliError::usage(
            "the attestation's signature does not verify: it was altered or not signed by its oracle",
        ));
    }
    let submission = ctx.backend.submission(&attestation.submission)?;
    let campaign = ctx.backend.campaign(&attestation.campaign)?;
    if submission.state.campaign != campaign.address {
        return Err(Error::from(ClipstakeError::AttestationMismatch).into());
    }
    if attestation.oracle != campaign.state.oracle {
        return Err(Error::from(ClipstakeError::AttestationWrongSigner).into());
    }
    let creator = ctx.signer()?.pubkey();
    if creator != submission.state.creator {
        return Err(CliError::usage(format!(
            "sign with the creator wallet {} (-k); {creator} is not this submission's creator",
            submission.state.creator
        )));
    }
    payable_now(attestation.cumulative_views, &submission, &campaign)?;
    let now = ctx.backend.clock()?.unix_timestamp;
    if now > attestation.expiry {
        return Err(Error::from(ClipstakeError::AttestationExpired).into());
    }
    let longest = ctx.backend.platform()?.max_attestation_lifetime_secs;
    if attestation.expiry.saturating_sub(now) > longest {
        return Err(Error::from(ClipstakeError::AttestationLifetimeTooLong).into());
    }
    let payer = ctx.fee_payer_pubkey()?;
    let instructions = [
        attestation.ed25519_instruction(),
        ix::claim(
            &payer,
            &campaign,
            &submission,
            attestation.cumulative_views,
            attestation.expiry,
        ),
    ];
    let views = attestation.cumulative_views;
    let sent = ctx.send(&instructions, &[], &mut |b: &mut dyn Backend| {
        payout_landed(b, &submission, views)
    })?;
    if simulated(&sent) {
        return Ok(dry_run_report("creator claim", &sent));
    }
    payout_report(ctx.backend.as_mut(), &submission, &sent, "claimed")
}

fn status(ctx: &mut Ctx, args: StatusArgs) -> Result<Report, CliError> {
    let wallet = match args.wallet {
        Some(w) => w,
        None => ctx.signer_pubkey()?,
    };
    let as_creator = ctx
        .backend
        .submissions(&[accounts::submissions_of_creator(&wallet)])?;
    let as_affiliate = ctx
        .backend
        .submissions(&[accounts::submissions_of_affiliate(&wallet)])?;
    let mut campaigns: HashMap<Pubkey, CampaignAccount> = HashMap::new();
    let mut rows = Vec::new();
    let mut items = Vec::new();
    let mut owed = Vec::new();
    // Totals per campaign asset (mint, or SOL).
    let mut totals: HashMap<String, (u64, u8)> = HashMap::new();
    for (role, list) in [("creator", &as_creator), ("affiliate", &as_affiliate)] {
        for s in list.iter() {
            let campaign = match campaigns.get(&s.state.campaign) {
                Some(c) => c.clone(),
                None => {
                    let c = ctx.backend.campaign(&s.state.campaign)?;
                    campaigns.insert(c.address, c.clone());
                    c
                }
            };
            let units = Units::of(&campaign);
            let earned = if role == "creator" {
                s.state.paid_to_creator
            } else {
                s.state.commissions_paid
            };
            let asset = if campaign.state.asset == clipstake::state::AssetKind::NativeSol as u8 {
                "SOL".to_string()
            } else {
                campaign.state.mint.to_string()
            };
            let total = totals
                .entry(asset.clone())
                .or_insert((0, campaign.state.decimals));
            total.0 += earned;
            rows.push(vec![
                short(&campaign.address),
                s.address.to_string(),
                role.to_string(),
                s.state.paid_views.to_string(),
                units.ui(earned),
                if asset == "SOL" {
                    "SOL".into()
                } else {
                    short(&asset)
                },
            ]);
            let accrued = if role == "affiliate" {
                s.state.commission_accrued
            } else {
                0
            };
            if accrued > 0 {
                owed.push(format!(
                    "{} of commission is held for you in campaign {}: `clipstake campaign settle-accrued {} --submission {}` delivers it",
                    units.text(accrued),
                    campaign.address,
                    campaign.address,
                    s.address
                ));
            }
            items.push(json!({
                "campaign": campaign.address.to_string(),
                "submission": s.address.to_string(),
                "role": role,
                "paid_views": s.state.paid_views,
                "earned": units.json(earned),
                "accrued": units.json(accrued),
                "asset": asset,
            }));
        }
    }
    let mut totals: Vec<_> = totals.into_iter().collect();
    totals.sort();
    let totals_json: Vec<_> = totals
        .iter()
        .map(|(asset, (sum, decimals))| json!({ "asset": asset, "earned": crate::output::amount_json(*sum, *decimals) }))
        .collect();
    let mut report = Report::new(
        json!({ "wallet": wallet.to_string(), "submissions": items, "totals": totals_json }),
    )
    .title(format!("Earnings of {wallet}"));
    if rows.is_empty() {
        report = report.line("no submissions as creator or affiliate");
    } else {
        report = report.table(
            &[
                "campaign",
                "submission",
                "role",
                "views paid",
                "earned",
                "asset",
            ],
            rows,
        );
        for (asset, (sum, decimals)) in &totals {
            report = report.line(format!(
                "total {}: {}",
                if asset == "SOL" {
                    "SOL".to_string()
                } else {
                    format!("in mint {asset}")
                },
                crate::output::amount_text(*sum, *decimals, "")
            ));
        }
    }
    for line in owed {
        report = report.line(line);
    }
    Ok(report)
}
