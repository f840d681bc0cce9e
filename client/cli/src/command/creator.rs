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
use clipstake_sdk::instructions::{self as ix, CampaignAccount, SubmissionAccount};
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
        return dry_run_report("creator claim", &sent);
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
    let mut earnings = Vec::new();
    for (role, list) in [
        (Role::Creator, &as_creator),
        (Role::Affiliate, &as_affiliate),
    ] {
        for submission in list.iter() {
            let campaign = match campaigns.get(&submission.state.campaign) {
                Some(c) => c.clone(),
                None => {
                    let c = ctx.backend.campaign(&submission.state.campaign)?;
                    campaigns.insert(c.address, c.clone());
                    c
                }
            };
            earnings.push(Earning::new(role, submission, campaign));
        }
    }
    Ok(earnings_report(&wallet, &earnings))
}

/// What a wallet is paid as on a submission.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Creator,
    Affiliate,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Creator => "creator",
            Role::Affiliate => "affiliate",
        }
    }
}

/// One submission a wallet earns from, with the campaign that pays it.
struct Earning<'a> {
    role: Role,
    submission: &'a SubmissionAccount,
    campaign: CampaignAccount,
    /// What the wallet received from it.
    earned: u64,
    /// Commission held in the vault for the affiliate (`settle_accrued` delivers it).
    accrued: u64,
    /// `SOL`, or the campaign's mint.
    asset: String,
}

impl<'a> Earning<'a> {
    fn new(role: Role, submission: &'a SubmissionAccount, campaign: CampaignAccount) -> Self {
        let (earned, accrued) = match role {
            Role::Creator => (submission.state.paid_to_creator, 0),
            Role::Affiliate => (
                submission.state.commissions_paid,
                submission.state.commission_accrued,
            ),
        };
        let asset = if campaign.state.asset == clipstake::state::AssetKind::NativeSol as u8 {
            "SOL".to_string()
        } else {
            campaign.state.mint.to_string()
        };
        Earning {
            role,
            submission,
            campaign,
            earned,
            accrued,
            asset,
        }
    }

    fn row(&self) -> Vec<String> {
        let units = Units::of(&self.campaign);
        let asset = if self.asset == "SOL" {
            "SOL".into()
        } else {
            short(&self.asset)
        };
        vec![
            short(&self.campaign.address),
            self.submission.address.to_string(),
            self.role.name().to_string(),
            self.submission.state.paid_views.to_string(),
            units.ui(self.earned),
            asset,
        ]
    }

    fn json(&self) -> Value {
        let units = Units::of(&self.campaign);
        json!({
            "campaign": self.campaign.address.to_string(),
            "submission": self.submission.address.to_string(),
            "role": self.role.name(),
            "paid_views": self.submission.state.paid_views,
            "earned": units.json(self.earned),
            "accrued": units.json(self.accrued),
            "asset": self.asset,
        })
    }

    /// What to run to receive commission held for the wallet, if any is.
    fn accrued_hint(&self) -> Option<String> {
        (self.accrued > 0).then(|| {
            format!(
                "{} of commission is held for you in campaign {}: `clipstake campaign settle-accrued {} --submission {}` delivers it",
                Units::of(&self.campaign).text(self.accrued),
                self.campaign.address,
                self.campaign.address,
                self.submission.address
            )
        })
    }
}

fn earnings_report(wallet: &Pubkey, earnings: &[Earning]) -> Report {
    // Totals per campaign asset (mint, or SOL), with its decimals.
    let mut totals: HashMap<&str, (u64, u8)> = HashMap::new();
    for earning in earnings {
        let total = totals
            .entry(&earning.asset)
            .or_insert((0, earning.campaign.state.decimals));
        total.0 += earning.earned;
    }
    let mut totals: Vec<_> = totals.into_iter().collect();
    totals.sort();
    let totals_json: Vec<_> = totals
        .iter()
        .map(|(asset, (sum, decimals))| json!({ "asset": asset, "earned": crate::output::amount_json(*sum, *decimals) }))
        .collect();
    let items: Vec<_> = earnings.iter().map(Earning::json).collect();
    let mut report = Report::new(
        json!({ "wallet": wallet.to_string(), "submissions": items, "totals": totals_json }),
    )
    .title(format!("Earnings of {wallet}"));
    if earnings.is_empty() {
        report = report.line("no submissions as creator or affiliate");
    } else {
        let headers = [
            "campaign",
            "submission",
            "role",
            "views paid",
            "earned",
            "asset",
        ];
        report = report.table(&headers, earnings.iter().map(Earning::row).collect());
        for (asset, (sum, decimals)) in &totals {
            let what = if *asset == "SOL" {
                "SOL".to_string()
            } else {
                format!("in mint {asset}")
            };
            let amount = crate::output::amount_text(*sum, *decimals, "");
            report = report.line(format!("total {what}: {amount}"));
        }
    }
    for hint in earnings.iter().filter_map(Earning::accrued_hint) {
        report = report.line(hint);
    }
    report
}
