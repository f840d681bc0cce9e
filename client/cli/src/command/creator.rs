//! `clipstake creator claim|status` (creators and affiliates).
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::accounts;
use clipstake_sdk::attestation::{Attestation, AttestationJson};
use clipstake_sdk::instructions::{self as ix, CampaignAccount, SubmissionAccount};
use serde::Serialize;
use serde_json::Value;
use solana_signer::Signer;

use super::oracle::{payable_now, payout_landed, payout_report};
use super::{Units, dry_run_report, parse_pubkey, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Amount, Block, Report, short, write_blocks};

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
            earnings.push(Earning::new(role, submission, &campaign));
        }
    }
    Report::of(&Earnings::new(&wallet, earnings))
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

/// One submission a wallet earns from, and what it earned there.
#[derive(Serialize)]
struct Earning {
    /// The campaign that pays it.
    campaign: String,
    /// The submission.
    submission: String,
    /// `creator` or `affiliate`.
    role: &'static str,
    /// The submission's views paid so far.
    paid_views: u64,
    /// What the wallet received from it.
    earned: Amount,
    /// Commission held in the vault for the affiliate (`settle_accrued` delivers it).
    accrued: Amount,
    /// `SOL`, or the campaign's mint.
    asset: String,
    /// Decimals of the campaign's mint (for the totals).
    #[serde(skip)]
    decimals: u8,
}

impl Earning {
    fn new(role: Role, submission: &SubmissionAccount, campaign: &CampaignAccount) -> Self {
        let (earned, accrued) = match role {
            Role::Creator => (submission.state.paid_to_creator, 0),
            Role::Affiliate => (
                submission.state.commissions_paid,
                submission.state.commission_accrued,
            ),
        };
        let units = Units::of(campaign);
        let asset = if units.symbol == "SOL" {
            "SOL".to_string()
        } else {
            campaign.state.mint.to_string()
        };
        Earning {
            campaign: campaign.address.to_string(),
            submission: submission.address.to_string(),
            role: role.name(),
            paid_views: submission.state.paid_views,
            earned: units.amount(earned),
            accrued: units.amount(accrued),
            asset,
            decimals: units.decimals,
        }
    }

    /// `SOL` for native SOL, empty for a token (its mint is in the `asset` column).
    fn symbol(&self) -> &str {
        if self.asset == "SOL" { "SOL" } else { "" }
    }

    fn row(&self) -> Vec<String> {
        let asset = if self.asset == "SOL" {
            "SOL".into()
        } else {
            short(&self.asset)
        };
        vec![
            short(&self.campaign),
            self.submission.clone(),
            self.role.to_string(),
            self.paid_views.to_string(),
            self.earned.ui.clone(),
            asset,
        ]
    }

    /// What to run to receive commission held for the wallet, if any is.
    fn accrued_hint(&self) -> Option<String> {
        (self.accrued.base_units > 0).then(|| {
            format!(
                "{} of commission is held for you in campaign {}: `clipstake campaign settle-accrued {} --submission {}` delivers it",
                self.accrued.text(self.symbol()),
                self.campaign,
                self.campaign,
                self.submission
            )
        })
    }
}

/// What a wallet earned in one asset, over every submission.
#[derive(Serialize)]
struct AssetTotal {
    /// `SOL`, or a mint.
    asset: String,
    /// The sum.
    earned: Amount,
}

/// What `creator status` prints: every submission a wallet earns from, and totals per asset.
#[derive(Serialize)]
struct Earnings {
    /// The wallet.
    wallet: String,
    /// Its submissions, as creator then as affiliate.
    submissions: Vec<Earning>,
    /// What it earned per asset.
    totals: Vec<AssetTotal>,
}

impl Earnings {
    fn new(wallet: &Pubkey, submissions: Vec<Earning>) -> Self {
        // Totals per campaign asset (mint, or SOL), with its decimals.
        let mut totals: HashMap<&str, (u64, u8)> = HashMap::new();
        for earning in &submissions {
            let total = totals
                .entry(&earning.asset)
                .or_insert((0, earning.decimals));
            total.0 += earning.earned.base_units;
        }
        let mut totals: Vec<_> = totals.into_iter().collect();
        totals.sort();
        let totals = totals
            .into_iter()
            .map(|(asset, (sum, decimals))| AssetTotal {
                asset: asset.to_string(),
                earned: Amount::new(sum, decimals),
            })
            .collect();
        Earnings {
            wallet: wallet.to_string(),
            submissions,
            totals,
        }
    }
}

impl fmt::Display for Earnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blocks = vec![Block::Title(format!("Earnings of {}", self.wallet))];
        if self.submissions.is_empty() {
            blocks.push(Block::Line("no submissions as creator or affiliate".into()));
        } else {
            let headers = [
                "campaign",
                "submission",
                "role",
                "views paid",
                "earned",
                "asset",
            ];
            let rows = self.submissions.iter().map(Earning::row).collect();
            blocks.push(Block::table(&headers, rows));
            for total in &self.totals {
                let what = if total.asset == "SOL" {
                    "SOL".to_string()
                } else {
                    format!("in mint {}", total.asset)
                };
                let amount = total.earned.text("");
                blocks.push(Block::Line(format!("total {what}: {amount}")));
            }
        }
        blocks.extend(
            self.submissions
                .iter()
                .filter_map(Earning::accrued_hint)
                .map(Block::Line),
        );
        write_blocks(f, &blocks)
    }
}
