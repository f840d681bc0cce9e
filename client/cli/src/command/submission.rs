//! `clipstake submission register|show|list` (videos; registration is signed by the oracle).
use std::fmt;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::instructions::RegisterSubmissionArgs;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::Sent;
use clipstake_sdk::accounts;
use clipstake_sdk::instructions as ix;
use serde::Serialize;

use super::oracle::open_ledger;
use super::oracle_identity::resolve_video;
use super::{
    SubmissionShown, SubmissionView, Units, dry_run_report, hex, parse_pubkey, refusal, simulated,
};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Block, Report, short, write_blocks};
use clipstake_oracle::identity::check_account;

#[derive(Debug, Subcommand)]
pub enum SubmissionCommand {
    /// Registers a video the oracle verified (sign with the campaign's oracle; the creator
    /// needs no SOL).
    Register(RegisterArgs),
    /// Shows a submission, by address or by campaign and video.
    Show(ShowArgs),
    /// Lists a campaign's submissions.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// The video: any URL of it on YouTube, TikTok (short links are expanded), Instagram or X,
    /// or its canonical id (`youtube:ID`). The SHA-256 of the canonical id is the submission's
    /// seed, so a video has one submission whatever URL it is given under.
    #[arg(long)]
    pub video: String,
    /// The creator's account on the video's platform, which every view source must name as
    /// the video's owner: the YouTube channel id (UC...), or the TikTok, Instagram or X
    /// username (X: or the numeric author id). Recorded in the oracle's ledger.
    #[arg(long)]
    pub account: String,
    /// Wallet receiving the creator's share.
    #[arg(long, value_parser = parse_pubkey)]
    pub creator: Pubkey,
    /// Affiliate wallet receiving a commission.
    #[arg(long, value_parser = parse_pubkey, requires = "affiliate_bps")]
    pub affiliate: Option<Pubkey>,
    /// Affiliate commission in basis points.
    #[arg(long, requires = "affiliate")]
    pub affiliate_bps: Option<u16>,
    #[command(flatten)]
    pub db: super::oracle::LedgerDb,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The submission's address.
    #[arg(value_parser = parse_pubkey, required_unless_present_all = ["campaign", "video"])]
    pub submission: Option<Pubkey>,
    /// The campaign (with --video instead of the address).
    #[arg(long, value_parser = parse_pubkey, requires = "video", conflicts_with = "submission")]
    pub campaign: Option<Pubkey>,
    /// Any URL of the video or its canonical id (with --campaign).
    #[arg(long, requires = "campaign")]
    pub video: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// Only this creator's videos.
    #[arg(long, value_parser = parse_pubkey)]
    pub creator: Option<Pubkey>,
}

pub fn run(ctx: &mut Ctx, command: SubmissionCommand) -> Result<Report, CliError> {
    match command {
        SubmissionCommand::Register(args) => register(ctx, args),
        SubmissionCommand::Show(args) => {
            let address = match (args.submission, args.campaign, &args.video) {
                (Some(address), _, _) => address,
                (None, Some(campaign), Some(video)) => resolve_video(video)?.submission(&campaign),
                _ => {
                    return Err(CliError::usage(
                        "give the submission's address, or --campaign and --video",
                    ));
                }
            };
            submission_report(ctx.backend.as_mut(), &address, None)
        }
        SubmissionCommand::List(args) => list(ctx, args),
    }
}

/// A submission's report.
pub fn submission_report(
    backend: &mut dyn Backend,
    address: &Pubkey,
    sent: Option<&Sent>,
) -> Result<Report, CliError> {
    let submission = backend.submission(address)?;
    let campaign = backend.campaign(&submission.state.campaign)?;
    Report::of(&SubmissionShown {
        submission: SubmissionView::new(&submission, &Units::of(&campaign)),
        transaction: sent.map(Into::into),
    })
}

fn register(ctx: &mut Ctx, args: RegisterArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let oracle = ctx.signer_pubkey()?;
    if oracle != campaign.state.oracle {
        // The program would first miss the signer's oracle registration; say what matters.
        return Err(refusal(
            ClipstakeError::NotCampaignOracle,
            format!(
                "sign with the campaign's oracle {} (-k)",
                campaign.state.oracle
            ),
        ));
    }
    let video = resolve_video(&args.video)?;
    let account = check_account(video.platform, &args.account).map_err(CliError::usage)?;
    let payer = ctx.fee_payer_pubkey()?;
    let content_hash = video.content_hash();
    let (instruction, submission) = ix::register_submission(
        &oracle,
        &payer,
        &args.campaign,
        RegisterSubmissionArgs {
            content_hash,
            creator: args.creator,
            affiliate: args.affiliate,
            affiliate_bps: args.affiliate_bps.unwrap_or(0),
        },
    );
    if ctx.backend.get_account(&submission)?.is_some() {
        return Err(CliError::usage(format!(
            "the video {video} ({:?}) is already registered to this campaign as {submission} \
             (content hash {}): every URL of a video is the same submission",
            args.video,
            hex(&content_hash)
        )));
    }
    // Recorded before the registration is sent, so a registered video always has its owner;
    // a registration that does not land leaves an inert row, replaced by the next attempt.
    if !ctx.send_options.dry_run {
        open_ledger(&args.db)?.record_account(&args.campaign, &video, &account)?;
    }
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(b.get_account(&submission)?.is_some())
    })?;
    if simulated(&sent) {
        return dry_run_report("submission register", &sent);
    }
    submission_report(ctx.backend.as_mut(), &submission, Some(&sent))
}

fn list(ctx: &mut Ctx, args: ListArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let units = Units::of(&campaign);
    let mut filters = vec![accounts::submissions_of_campaign(&args.campaign)];
    if let Some(creator) = args.creator {
        filters.push(accounts::submissions_of_creator(&creator));
    }
    let submissions = ctx.backend.submissions(&filters)?;
    Report::of(&SubmissionList {
        campaign: args.campaign.to_string(),
        count: submissions.len(),
        submissions: submissions
            .iter()
            .map(|s| SubmissionView::new(s, &units))
            .collect(),
    })
}

/// What `submission list` prints: a campaign's submissions, a table row each for people.
#[derive(Serialize)]
struct SubmissionList {
    /// The campaign.
    campaign: String,
    /// Its submissions (the creator's only, with `--creator`).
    submissions: Vec<SubmissionView>,
    /// How many there are.
    count: usize,
}

impl fmt::Display for SubmissionList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blocks = vec![Block::Title(format!(
            "{} submission(s) of campaign {}",
            self.count, self.campaign
        ))];
        let rows: Vec<Vec<String>> = self
            .submissions
            .iter()
            .map(|s| {
                let affiliate = match &s.affiliate {
                    Some(a) => format!("{} ({} bps)", short(a), s.affiliate_bps),
                    None => "-".into(),
                };
                vec![
                    s.address.clone(),
                    short(&s.creator),
                    affiliate,
                    s.paid_views.to_string(),
                    s.paid_gross.ui.clone(),
                    s.paid_to_creator.ui.clone(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            let headers = [
                "submission",
                "creator",
                "affiliate",
                "views paid",
                "gross",
                "to creator",
            ];
            blocks.push(Block::table(&headers, rows));
        }
        write_blocks(f, &blocks)
    }
}
