//! `clipstake oracle attest|disburse` (the payout oracle).
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::math::entitlement;
use clipstake_client::Error;
use clipstake_client::attestation::{Attestation, AttestationJson};
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::instructions as ix;
use serde_json::json;

use super::{Units, dry_run_report, parse_duration, parse_pubkey, sent_json, sent_line, simulated};
use crate::cli::CliError;
use crate::cli::config::Ctx;
use crate::cli::output::{Report, utc};

#[derive(Debug, Subcommand)]
pub enum OracleCommand {
    /// Signs an attestation that lets the creator claim up to VIEWS on-chain (nothing is sent).
    Attest(AttestArgs),
    /// Pays a submission up to VIEWS cumulative verified views (oracle push).
    Disburse(DisburseArgs),
}

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The submission.
    #[arg(value_parser = parse_pubkey)]
    pub submission: Pubkey,
    /// Cumulative verified views.
    #[arg(long)]
    pub views: u64,
    /// How long the attestation stays valid.
    #[arg(long, value_parser = parse_duration, default_value = "1h")]
    pub expires_in: i64,
    /// Also write the attestation to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DisburseArgs {
    /// The submission.
    #[arg(value_parser = parse_pubkey)]
    pub submission: Pubkey,
    /// Cumulative verified views (must be above the views already paid).
    #[arg(long)]
    pub views: u64,
}

pub fn run(ctx: &mut Ctx, command: OracleCommand) -> Result<Report, CliError> {
    match command {
        OracleCommand::Attest(args) => attest(ctx, args),
        OracleCommand::Disburse(args) => disburse(ctx, args),
    }
}

fn attest(ctx: &mut Ctx, args: AttestArgs) -> Result<Report, CliError> {
    let submission = ctx.backend.submission(&args.submission)?;
    let campaign = ctx.backend.campaign(&submission.state.campaign)?;
    let oracle = ctx.signer()?.insecure_clone();
    if solana_signer::Signer::pubkey(&oracle) != campaign.state.oracle {
        return Err(CliError::usage(format!(
            "sign with the campaign's oracle {} (-k); the attestation would be refused otherwise",
            campaign.state.oracle
        )));
    }
    if args.views <= submission.state.paid_views {
        return Err(stale(args.views, submission.state.paid_views));
    }
    let expiry = ctx.backend.clock()?.unix_timestamp + args.expires_in;
    let attestation = Attestation::sign(&oracle, &submission, args.views, expiry);
    let portable = AttestationJson::from(&attestation);
    let text = serde_json::to_string_pretty(&portable)
        .map_err(|e| CliError::new(crate::cli::ExitCode::Generic, e.to_string()))?;
    if let Some(path) = &args.out {
        std::fs::write(path, &text).map_err(|e| {
            CliError::new(
                crate::cli::ExitCode::Generic,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
    }
    let units = Units::of(&campaign);
    let owed = entitlement(
        args.views,
        campaign.state.rate_per_thousand_views,
        campaign.state.cap_per_submission,
    )
    .saturating_sub(submission.state.paid_gross);
    let mut report = Report::new(json!({ "attestation": portable, "owed_gross": units.json(owed), "file": args.out.as_ref().map(|p| p.display().to_string()) }))
        .title(format!("Attestation for submission {}", submission.address))
        .fields(vec![
            ("views", args.views.to_string()),
            ("owed now (gross)", units.text(owed)),
            ("expires", utc(expiry)),
            ("creator", submission.state.creator.to_string()),
        ]);
    report = match &args.out {
        Some(path) => report.line(format!(
            "written to {}; the creator runs `clipstake creator claim --attestation {}`",
            path.display(),
            path.display()
        )),
        None => report.line(text),
    };
    Ok(report)
}

/// The program's `ViewsNotIncreasing`, with the numbers.
pub fn stale(views: u64, paid_views: u64) -> CliError {
    let mut error = CliError::from(Error::from(ClipstakeError::ViewsNotIncreasing));
    error.message = format!(
        "{} (reported {views}, already paid for {paid_views})",
        error.message
    );
    error
}

fn disburse(ctx: &mut Ctx, args: DisburseArgs) -> Result<Report, CliError> {
    let submission = ctx.backend.submission(&args.submission)?;
    let campaign = ctx.backend.campaign(&submission.state.campaign)?;
    if args.views <= submission.state.paid_views {
        return Err(stale(args.views, submission.state.paid_views));
    }
    let oracle = ctx.signer_pubkey()?;
    let payer = ctx.fee_payer_pubkey()?;
    let instruction = ix::disburse(&oracle, &payer, &campaign, &submission, args.views);
    let address = args.submission;
    let views = args.views;
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(b.submission(&address)?.state.paid_views >= views)
    })?;
    if simulated(&sent) {
        return Ok(dry_run_report("oracle disburse", &sent));
    }
    payout_report(ctx.backend.as_mut(), &submission, &sent, "disbursed")
}

/// What a payout moved: the submission's totals before and after.
pub fn payout_report(
    backend: &mut dyn Backend,
    before: &clipstake_client::instructions::SubmissionAccount,
    sent: &clipstake_client::sender::Sent,
    verb: &str,
) -> Result<Report, CliError> {
    let after = backend.submission(&before.address)?;
    let campaign = backend.campaign(&after.state.campaign)?;
    let u = Units::of(&campaign);
    let (b, a) = (&before.state, &after.state);
    let gross = a.paid_gross - b.paid_gross;
    let fee = a.fees_paid - b.fees_paid;
    let commission = a.commissions_paid - b.commissions_paid;
    let creator = a.paid_to_creator - b.paid_to_creator;
    let json = json!({
        "submission": after.address.to_string(),
        "campaign": campaign.address.to_string(),
        "previous_watermark": b.paid_views,
        "watermark": a.paid_views,
        "gross": u.json(gross),
        "fee": u.json(fee),
        "commission": u.json(commission),
        "creator_amount": u.json(creator),
        "transaction": sent_json(sent),
    });
    Ok(Report::new(json)
        .title(format!("Payout {verb} for submission {}", after.address))
        .fields(vec![
            ("views", format!("{} -> {}", b.paid_views, a.paid_views)),
            ("gross", u.text(gross)),
            ("platform fee", u.text(fee)),
            ("affiliate commission", u.text(commission)),
            ("to the creator", u.text(creator)),
        ])
        .line(sent_line(sent)))
}
