//! `clipstake campaign create|fund|show|list|pause|resume|end|withdraw|close` (the brand),
//! `campaign settle-accrued` (anyone) and `campaign set-oracle` (the platform admin).
use std::fmt;

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::instructions::CreateCampaignArgs;
use clipstake::state::{AssetKind, CampaignStatus};
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::{Sent, no_state_check};
use clipstake_sdk::accounts;
use clipstake_sdk::instructions::{self as ix, Asset, CampaignAccount, SubmissionAccount};
use serde::Serialize;

use super::platform_registry::check_oracle;
use super::{
    CampaignShown, CampaignView, Transaction, Units, campaign_report, dry_run_report,
    parse_duration, parse_pubkey, parse_time, refusal, simulated, status_name, transactions,
    vault_balance,
};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Amount, Block, Report, duration, short, write_blocks};

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Creates a campaign; the signer is the brand (the fee payer pays the rent).
    Create(CreateArgs),
    /// Moves budget into a campaign's vault (anyone may fund).
    Fund(FundArgs),
    /// Shows a campaign.
    Show(CampaignArg),
    /// Lists campaigns.
    List(ListArgs),
    /// Pauses a campaign: no new videos; payouts only within the settlement window.
    Pause(CampaignArg),
    /// Resumes a paused campaign.
    Resume(CampaignArg),
    /// Ends a campaign now; the settlement window starts.
    End(CampaignArg),
    /// Takes back what the vault holds once the settlement window has closed.
    Withdraw(WithdrawArgs),
    /// Closes the campaign's submissions and the campaign, returning their rent.
    Close(CampaignArg),
    /// Delivers the fees and commissions a payout had to hold in the vault because their
    /// recipient could not receive them then (anyone may send it; the fee payer pays for a
    /// token account it creates).
    SettleAccrued(SettleAccruedArgs),
    /// Re-points a campaign to another registered oracle (the platform admin); the previous
    /// oracle's attestations for it stop paying at once.
    SetOracle(SetOracleArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The budget's mint (SPL Token or Token-2022) [default: native SOL].
    #[arg(long, value_parser = parse_pubkey)]
    pub mint: Option<Pubkey>,
    /// The payout oracle, registered with the platform (`clipstake platform oracle list`)
    /// [default: the signer].
    #[arg(long, value_parser = parse_pubkey)]
    pub oracle: Option<Pubkey>,
    /// Paid per 1,000 verified views, in UI units of the mint (e.g. 2.5).
    #[arg(long, value_name = "AMOUNT")]
    pub rate: String,
    /// The most one video can earn, in UI units (e.g. 400).
    #[arg(long, value_name = "AMOUNT")]
    pub cap: String,
    /// When views start to count: now, +DURATION or a unix time.
    #[arg(long, default_value = "now")]
    pub start: String,
    /// When views stop counting: +DURATION (from now) or a unix time [default: start + 30d].
    #[arg(long, conflicts_with = "duration")]
    pub end: Option<String>,
    /// Campaign length from the start (e.g. 30d, 12h).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<i64>,
    /// Time after the end (or a pause) to settle payouts before the brand may withdraw; at
    /// least the platform's minimum [default: 3d, or the platform's minimum if longer].
    #[arg(long, value_parser = parse_duration)]
    pub settlement_window: Option<i64>,
    /// Campaign number, unique per brand [default: the brand's next free one].
    #[arg(long)]
    pub id: Option<u64>,
}

#[derive(Debug, Args)]
pub struct FundArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// Amount in UI units of the campaign's mint (e.g. 1000 or 12.5).
    pub amount: String,
}

#[derive(Debug, Args)]
pub struct CampaignArg {
    /// The campaign's address.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this brand's campaigns.
    #[arg(long, value_parser = parse_pubkey)]
    pub brand: Option<Pubkey>,
    /// Only campaigns with this oracle.
    #[arg(long, value_parser = parse_pubkey)]
    pub oracle: Option<Pubkey>,
    /// Only the signer's campaigns (as brand).
    #[arg(long, conflicts_with = "brand")]
    pub mine: bool,
}

#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// Amount in UI units [default: everything the vault holds].
    pub amount: Option<String>,
}

#[derive(Debug, Args)]
pub struct SettleAccruedArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// Only this submission's accrued affiliate commission [default: the campaign's accrued
    /// fees and every submission's accrued commission].
    #[arg(long, value_parser = parse_pubkey)]
    pub submission: Option<Pubkey>,
}

#[derive(Debug, Args)]
pub struct SetOracleArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// The new oracle, registered with the platform.
    #[arg(long, value_parser = parse_pubkey)]
    pub oracle: Pubkey,
}

pub fn run(ctx: &mut Ctx, command: CampaignCommand) -> Result<Report, CliError> {
    match command {
        CampaignCommand::Create(args) => create(ctx, args),
        CampaignCommand::Fund(args) => fund(ctx, args),
        CampaignCommand::Show(a) => campaign_report(ctx.backend.as_mut(), &a.campaign, None),
        CampaignCommand::List(args) => list(ctx, args),
        CampaignCommand::Pause(a) => set_status(ctx, a.campaign, CampaignStatus::Paused),
        CampaignCommand::Resume(a) => set_status(ctx, a.campaign, CampaignStatus::Active),
        CampaignCommand::End(a) => set_status(ctx, a.campaign, CampaignStatus::Ended),
        CampaignCommand::Withdraw(args) => withdraw(ctx, args),
        CampaignCommand::Close(a) => close(ctx, a.campaign),
        CampaignCommand::SettleAccrued(args) => settle_accrued(ctx, args),
        CampaignCommand::SetOracle(args) => set_oracle(ctx, args),
    }
}

/// The brand's next free campaign id.
pub fn next_campaign_id(backend: &mut dyn Backend, brand: &Pubkey) -> Result<u64, Error> {
    let existing = backend.campaigns(&[accounts::campaigns_of_brand(brand)])?;
    let mut id = existing
        .iter()
        .map(|c| c.state.campaign_id)
        .max()
        .map_or(1, |m| m + 1);
    // Closed campaigns leave no account; make sure the PDA is free anyway.
    while backend
        .get_account(&clipstake_sdk::pda::campaign(brand, id))?
        .is_some()
    {
        id += 1;
    }
    Ok(id)
}

fn create(ctx: &mut Ctx, args: CreateArgs) -> Result<Report, CliError> {
    let brand = ctx.signer_pubkey()?;
    let payer = ctx.fee_payer_pubkey()?;
    let platform = ctx.backend.platform()?;
    if platform.paused {
        return Err(Error::from(ClipstakeError::PlatformPaused).into());
    }
    let (asset, decimals) = match args.mint {
        Some(mint) => {
            let info = ctx.backend.mint(&mint)?;
            (
                Asset::Token {
                    mint,
                    token_program: info.token_program,
                },
                info.decimals,
            )
        }
        None => (Asset::Sol, clipstake::instructions::SOL_DECIMALS),
    };
    let parse = |text: &str| {
        clipstake_sdk::amount::parse_ui_amount(text, decimals)
            .map_err(|e| CliError::usage(e.to_string()))
    };
    let rate = parse(&args.rate)?;
    let cap = parse(&args.cap)?;
    let now = ctx.backend.clock()?.unix_timestamp;
    let start = parse_time(&args.start, now)?;
    let end = match (&args.end, args.duration) {
        (Some(end), _) => parse_time(end, now)?,
        (None, Some(duration)) => start + duration,
        (None, None) => start + 30 * 86_400,
    };
    let settlement_window = checked_settlement_window(args.settlement_window, &platform)?;
    let oracle = args.oracle.unwrap_or(brand);
    let which = if args.oracle.is_none() {
        " (the default: the signer)"
    } else {
        ""
    };
    check_oracle(ctx.backend.as_mut(), &oracle, which)?;
    let campaign_id = match args.id {
        Some(id) => id,
        None => next_campaign_id(ctx.backend.as_mut(), &brand)?,
    };
    let (instruction, campaign) = ix::create_campaign(
        &brand,
        &payer,
        asset,
        CreateCampaignArgs {
            campaign_id,
            oracle,
            rate_per_thousand_views: rate,
            cap_per_submission: cap,
            start_time: start,
            end_time: end,
            settlement_window_secs: settlement_window,
        },
    );
    if ctx.backend.get_account(&campaign)?.is_some() {
        return Err(CliError::usage(format!(
            "campaign {campaign_id} of brand {brand} already exists ({campaign}); pick another --id"
        )));
    }
    let sent = ctx
        .send(&[instruction], &[], &mut |b: &mut dyn Backend| {
            Ok(b.get_account(&campaign)?.is_some())
        })
        .map_err(|e| with_trust_hint(e, args.mint))?;
    if simulated(&sent) {
        return dry_run_report("campaign create", &sent);
    }
    campaign_report(ctx.backend.as_mut(), &campaign, Some(&sent))
}

/// The settlement window asked for (default 3 days, or the platform's minimum if longer);
/// one below the platform's minimum is a usage error.
fn checked_settlement_window(
    asked: Option<i64>,
    platform: &clipstake::state::Platform,
) -> Result<i64, CliError> {
    let minimum = platform.min_settlement_window_secs;
    let window = asked.unwrap_or((3 * 86_400).max(minimum));
    if window < minimum {
        return Err(CliError::usage(format!(
            "--settlement-window {} is shorter than the platform's minimum of {}; choose at least {}",
            duration(window),
            duration(minimum),
            duration(minimum)
        )));
    }
    Ok(window)
}

/// Adds, to a refusal by the mint policy, how the admin trusts the mint's issuer.
fn with_trust_hint(mut error: CliError, mint: Option<Pubkey>) -> CliError {
    let policy = [
        ClipstakeError::MintFreezeAuthority,
        ClipstakeError::MintCloseAuthority,
        ClipstakeError::MintTransferFeeAdjustable,
        ClipstakeError::UnsupportedMintExtension,
    ];
    if let Some(mint) = mint
        && policy
            .iter()
            .any(|e| error.message.contains(&format!("{e:?}")))
    {
        error.message = format!(
            "{} (the admin trusts an issuer with `clipstake platform trust-mint {mint}`)",
            error.message
        );
    }
    error
}

fn fund(ctx: &mut Ctx, args: FundArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let units = Units::of(&campaign);
    let amount = units.parse(&args.amount)?;
    if amount == 0 {
        return Err(Error::from(ClipstakeError::ZeroAmount).into());
    }
    let funder = ctx.signer_pubkey()?;
    let balance = match campaign.token_account_of(&funder) {
        Some(token_account) => ctx.backend.token_balance(&token_account)?,
        None => ctx.backend.lamports(&funder)?,
    };
    if balance < amount {
        return Err(CliError::new(
            crate::ExitCode::Refused,
            format!(
                "insufficient funds: {funder} holds {}, less than the {} to fund",
                units.text(balance),
                units.text(amount)
            ),
        ));
    }
    let before = campaign.state.funded;
    let instruction = ix::fund_campaign(&funder, &campaign, amount);
    // Funding is not idempotent: only the signature's own status can say it landed.
    let sent = ctx.send(&[instruction], &[], &mut no_state_check)?;
    if simulated(&sent) {
        return dry_run_report("campaign fund", &sent);
    }
    let shown = CampaignShown::read(ctx.backend.as_mut(), &args.campaign, Some(&sent))?;
    let after = ctx.backend.campaign(&args.campaign)?.state.funded;
    Report::of(&CampaignFunded {
        shown,
        received: units.amount(after.saturating_sub(before)),
        requested: units.amount(amount),
    })
}

fn list(ctx: &mut Ctx, args: ListArgs) -> Result<Report, CliError> {
    let mut filters = Vec::new();
    let brand = if args.mine {
        Some(ctx.signer_pubkey()?)
    } else {
        args.brand
    };
    if let Some(brand) = brand {
        filters.push(accounts::campaigns_of_brand(&brand));
    }
    if let Some(oracle) = args.oracle {
        filters.push(accounts::campaigns_of_oracle(&oracle));
    }
    let campaigns = ctx.backend.campaigns(&filters)?;
    let now = ctx.backend.clock()?.unix_timestamp;
    let platform = ctx.backend.platform()?;
    let mut items = Vec::new();
    for campaign in &campaigns {
        let vault = vault_balance(ctx.backend.as_mut(), campaign)?;
        items.push(CampaignView::new(campaign, vault, now, &platform));
    }
    Report::of(&CampaignList {
        count: items.len(),
        campaigns: items,
        cluster: ctx.backend.describe(),
    })
}

fn set_status(ctx: &mut Ctx, address: Pubkey, status: CampaignStatus) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&address)?;
    if campaign.state.status == status as u8 {
        return Err(CliError::usage(format!(
            "campaign {address} is already {}",
            status_name(status as u8)
        )));
    }
    let authority = ctx.signer_pubkey()?;
    let instruction = ix::set_campaign_status(&authority, &address, status);
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(b.campaign(&address)?.state.status == status as u8)
    })?;
    if simulated(&sent) {
        return dry_run_report(&format!("campaign {}", status_name(status as u8)), &sent);
    }
    campaign_report(ctx.backend.as_mut(), &address, Some(&sent))
}

fn withdraw(ctx: &mut Ctx, args: WithdrawArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let units = Units::of(&campaign);
    // What the vault holds for the treasury and affiliates is not the brand's.
    let held = vault_balance(ctx.backend.as_mut(), &campaign)?
        .saturating_sub(campaign.state.owed_in_vault());
    let amount = match &args.amount {
        Some(text) => units.parse(text)?,
        None => held,
    };
    if amount == 0 {
        return Err(nothing_to_withdraw(&campaign));
    }
    if amount > held {
        return Err(Error::from(ClipstakeError::WithdrawExceedsAvailable).into());
    }
    let payer = ctx.fee_payer_pubkey()?;
    let mut instructions = Vec::new();
    if campaign.state.asset != AssetKind::NativeSol as u8 {
        // The brand's token account must exist to receive the tokens.
        instructions.push(
            spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                &payer,
                &campaign.state.brand,
                &campaign.state.mint,
                &campaign.state.token_program,
            ),
        );
    }
    instructions.push(ix::withdraw(&campaign, amount));
    let target = campaign.state.withdrawn.saturating_add(amount);
    let address = args.campaign;
    let sent = ctx.send(&instructions, &[], &mut |b: &mut dyn Backend| {
        Ok(b.campaign(&address)?.state.withdrawn >= target)
    })?;
    if simulated(&sent) {
        return dry_run_report("campaign withdraw", &sent);
    }
    Report::of(&CampaignWithdrawn {
        shown: CampaignShown::read(ctx.backend.as_mut(), &address, Some(&sent))?,
        withdrew: units.amount(amount),
    })
}

fn nothing_to_withdraw(campaign: &CampaignAccount) -> CliError {
    match super::accrued_hint(campaign) {
        Some(hint) => CliError::usage(format!("nothing to withdraw: {hint}")),
        None => CliError::usage(format!(
            "nothing to withdraw: the vault of {} is empty",
            campaign.address
        )),
    }
}

fn close(ctx: &mut Ctx, address: Pubkey) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&address)?;
    if campaign.state.owed_in_vault() > 0 {
        return Err(refusal(
            ClipstakeError::AccruedStillOwed,
            format!("run `clipstake campaign settle-accrued {address}` first"),
        ));
    }
    if vault_balance(ctx.backend.as_mut(), &campaign)? > 0 {
        return Err(Error::from(ClipstakeError::CampaignNotEmpty).into());
    }
    let brand = ctx.signer_pubkey()?;
    let submissions = ctx
        .backend
        .submissions(&[accounts::submissions_of_campaign(&address)])?;
    let mut signatures = Vec::new();
    // Each batch is checked by simulation before anything is sent; a batch that landed is
    // recognised by its accounts being gone.
    for batch in submissions.chunks(6) {
        let instructions: Vec<_> = batch
            .iter()
            .map(|s| ix::close_submission(&brand, s))
            .collect();
        let addresses: Vec<Pubkey> = batch.iter().map(|s| s.address).collect();
        let sent = ctx.send(&instructions, &[], &mut |b: &mut dyn Backend| {
            Ok(b.get_multiple_accounts(&addresses)?
                .iter()
                .all(Option::is_none))
        })?;
        signatures.push(sent);
    }
    if let (true, Some(first)) = (ctx.send_options.dry_run, signatures.first()) {
        // The campaign itself can only be simulated once its submissions are really closed.
        return dry_run_report("campaign close (its submissions)", first);
    }
    let campaign = ctx.backend.campaign(&address)?;
    let sent = ctx.send(
        &[ix::close_campaign(&campaign)],
        &[],
        &mut |b: &mut dyn Backend| Ok(b.get_account(&address)?.is_none()),
    )?;
    if simulated(&sent) {
        return dry_run_report("campaign close", &sent);
    }
    Report::of(&CampaignClosed {
        campaign: address.to_string(),
        closed: true,
        submissions_closed: submissions.len(),
        rent_returned_to: campaign.state.rent_payer.to_string(),
        transactions: transactions(signatures.iter().chain([&sent])),
    })
}

/// What `settle-accrued` delivers: a submission's commission, or (`None`) the campaign's fees.
type Accrued = Option<SubmissionAccount>;

/// Everything accrued in `campaign` (or only `submission`'s commission).
fn accrued_targets(
    backend: &mut dyn Backend,
    campaign: &CampaignAccount,
    submission: Option<Pubkey>,
) -> Result<Vec<Accrued>, CliError> {
    if let Some(address) = submission {
        let s = backend.submission(&address)?;
        if s.state.campaign != campaign.address {
            return Err(CliError::usage(format!(
                "submission {address} belongs to campaign {}, not {}",
                s.state.campaign, campaign.address
            )));
        }
        return Ok((s.state.commission_accrued > 0)
            .then_some(Some(s))
            .into_iter()
            .collect());
    }
    let mut targets: Vec<Accrued> = Vec::new();
    if campaign.state.fees_accrued > 0 {
        targets.push(None);
    }
    if campaign.state.commissions_accrued > 0 {
        let all = backend.submissions(&[accounts::submissions_of_campaign(&campaign.address)])?;
        targets.extend(
            all.into_iter()
                .filter(|s| s.state.commission_accrued > 0)
                .map(Some),
        );
    }
    Ok(targets)
}

/// Who receives an accrued amount, and how much it is.
fn delivery(campaign: &CampaignAccount, target: &Accrued) -> (Pubkey, u64) {
    match target {
        Some(s) => (s.state.affiliate, s.state.commission_accrued),
        None => (campaign.state.treasury, campaign.state.fees_accrued),
    }
}

/// True once nothing is accrued any more for any of `targets` (their transaction landed).
fn delivered(
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    targets: &[Option<Pubkey>],
) -> Result<bool, Error> {
    for target in targets {
        let owed = match target {
            Some(s) => backend.submission(s)?.state.commission_accrued,
            None => backend.campaign(campaign)?.state.fees_accrued,
        };
        if owed > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

fn settle_accrued(ctx: &mut Ctx, args: SettleAccruedArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let targets = accrued_targets(ctx.backend.as_mut(), &campaign, args.submission)?;
    if targets.is_empty() {
        return Err(refusal(
            ClipstakeError::NothingAccrued,
            format!(
                "{} holds nothing accrued for anyone",
                args.submission.unwrap_or(campaign.address)
            ),
        ));
    }
    let payer = ctx.fee_payer_pubkey()?;
    let mut sent = Vec::new();
    // Each may create the recipient's token account: a few per transaction.
    for chunk in targets.chunks(4) {
        let instructions: Vec<_> = chunk
            .iter()
            .map(|t| ix::settle_accrued(&payer, &campaign, t.as_ref()))
            .collect();
        let keys: Vec<Option<Pubkey>> = chunk
            .iter()
            .map(|t| t.as_ref().map(|s| s.address))
            .collect();
        let address = campaign.address;
        sent.push(ctx.send(&instructions, &[], &mut |b: &mut dyn Backend| {
            delivered(b, &address, &keys)
        })?);
    }
    if let Some(first) = sent.first().filter(|s| simulated(s)) {
        return dry_run_report("campaign settle-accrued", first);
    }
    settled_report(ctx.backend.as_mut(), &campaign, &targets, &sent)
}

fn settled_report(
    backend: &mut dyn Backend,
    campaign: &CampaignAccount,
    targets: &[Accrued],
    sent: &[Sent],
) -> Result<Report, CliError> {
    let units = Units::of(campaign);
    let delivered = targets
        .iter()
        .map(|target| {
            let (recipient, amount) = delivery(campaign, target);
            let (role, submission) = match target {
                Some(s) => ("affiliate", Some(s.address.to_string())),
                None => ("treasury", None),
            };
            Delivery {
                role,
                recipient: recipient.to_string(),
                submission,
                amount: units.amount(amount),
            }
        })
        .collect();
    Report::of(&AccruedSettled {
        shown: CampaignShown::read(backend, &campaign.address, sent.last())?,
        delivered,
        transactions: transactions(sent),
    })
}

fn set_oracle(ctx: &mut Ctx, args: SetOracleArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let previous = campaign.state.oracle;
    if previous == args.oracle {
        return Err(CliError::usage(format!(
            "{} is already the oracle of campaign {}",
            args.oracle, args.campaign
        )));
    }
    check_oracle(ctx.backend.as_mut(), &args.oracle, "")?;
    let admin = ctx.signer_pubkey()?;
    let (address, oracle) = (args.campaign, args.oracle);
    let instruction = ix::set_campaign_oracle(&admin, &address, &oracle);
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(b.campaign(&address)?.state.oracle == oracle)
    })?;
    if simulated(&sent) {
        return dry_run_report("campaign set-oracle", &sent);
    }
    Report::of(&OracleSet {
        shown: CampaignShown::read(ctx.backend.as_mut(), &address, Some(&sent))?,
        previous_oracle: previous.to_string(),
    })
}

/// What `campaign fund` prints: the campaign after, and what the vault received.
#[derive(Serialize)]
struct CampaignFunded {
    /// The campaign after the funding.
    #[serde(flatten)]
    shown: CampaignShown,
    /// What the vault received (less than asked with a transfer-fee mint).
    received: Amount,
    /// What the funder sent.
    requested: Amount,
}

impl fmt::Display for CampaignFunded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.shown.campaign;
        write!(f, "{}", self.shown)?;
        writeln!(
            f,
            "funded {} (the vault received {})",
            c.text(&self.requested),
            c.text(&self.received)
        )
    }
}

/// What `campaign list` prints: every campaign found, a table row each for people.
#[derive(Serialize)]
struct CampaignList {
    /// The campaigns.
    campaigns: Vec<CampaignView>,
    /// How many there are.
    count: usize,
    /// The cluster they were read from (in the heading only).
    #[serde(skip)]
    cluster: String,
}

impl fmt::Display for CampaignList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blocks = vec![Block::Title(format!(
            "{} campaign(s) on {}",
            self.count, self.cluster
        ))];
        let rows: Vec<Vec<String>> = self
            .campaigns
            .iter()
            .map(|c| {
                vec![
                    c.address.clone(),
                    short(&c.brand),
                    c.campaign_id.to_string(),
                    c.asset.to_string(),
                    c.funded.ui.clone(),
                    c.paid_gross_ui(),
                    c.vault_balance.ui.clone(),
                    c.open_submissions.to_string(),
                    c.phase.to_string(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            let headers = [
                "campaign", "brand", "id", "asset", "funded", "paid", "vault", "videos", "phase",
            ];
            blocks.push(Block::table(&headers, rows));
        }
        write_blocks(f, &blocks)
    }
}

/// What `campaign withdraw` prints: the campaign after (settled), and what the brand took.
#[derive(Serialize)]
struct CampaignWithdrawn {
    /// The campaign after the withdrawal.
    #[serde(flatten)]
    shown: CampaignShown,
    /// What the brand withdrew.
    withdrew: Amount,
}

impl fmt::Display for CampaignWithdrawn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.shown.campaign;
        write!(f, "{}", self.shown)?;
        writeln!(
            f,
            "withdrew {} to the brand {}; the campaign is settled: over for good (no resume, no new videos, no payouts)",
            c.text(&self.withdrew),
            c.brand
        )
    }
}

/// What `campaign close` prints: what was closed and where the rent went.
#[derive(Serialize)]
struct CampaignClosed {
    /// The closed campaign's address.
    campaign: String,
    /// Always true.
    closed: bool,
    /// How many submissions were closed with it.
    submissions_closed: usize,
    /// Who received the rent.
    rent_returned_to: String,
    /// The submissions' batches, then the campaign's own transaction.
    transactions: Vec<Transaction>,
}

impl fmt::Display for CampaignClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blocks = vec![Block::Line(format!(
            "closed {} submission(s) and campaign {}; rent returned to {}",
            self.submissions_closed, self.campaign, self.rent_returned_to
        ))];
        blocks.extend(self.transactions.last().map(|t| Block::Line(t.to_string())));
        write_blocks(f, &blocks)
    }
}

/// One amount `campaign settle-accrued` delivered.
#[derive(Serialize)]
struct Delivery {
    /// `treasury` (the campaign's fees) or `affiliate` (a submission's commission).
    role: &'static str,
    /// Who received it.
    recipient: String,
    /// The submission whose commission it was (none for the fees).
    submission: Option<String>,
    /// How much.
    amount: Amount,
}

/// What `campaign settle-accrued` prints: the campaign after, and every delivery.
#[derive(Serialize)]
struct AccruedSettled {
    /// The campaign after the last transaction.
    #[serde(flatten)]
    shown: CampaignShown,
    /// What went to whom.
    delivered: Vec<Delivery>,
    /// Every transaction sent, in order.
    transactions: Vec<Transaction>,
}

impl fmt::Display for AccruedSettled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.shown.campaign;
        write!(f, "{}", self.shown)?;
        let lines: Vec<Block> = self
            .delivered
            .iter()
            .map(|d| {
                Block::Line(format!(
                    "delivered {} to the {} {}",
                    c.text(&d.amount),
                    d.role,
                    d.recipient
                ))
            })
            .collect();
        write_blocks(f, &lines)
    }
}

/// What `campaign set-oracle` prints: the campaign after, and the oracle it no longer uses.
#[derive(Serialize)]
struct OracleSet {
    /// The campaign after the change.
    #[serde(flatten)]
    shown: CampaignShown,
    /// The oracle it named before.
    previous_oracle: String,
}

impl fmt::Display for OracleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.shown.campaign;
        write!(f, "{}", self.shown)?;
        writeln!(
            f,
            "campaign {} now pays through oracle {}; attestations of {} for it no longer pay",
            c.address, c.oracle, self.previous_oracle
        )
    }
}
