//! `clipstake campaign create|fund|show|list|pause|resume|end|withdraw|close` (the brand).
use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::instructions::CreateCampaignArgs;
use clipstake::state::{AssetKind, CampaignStatus};
use clipstake_client::Error;
use clipstake_client::accounts;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::instructions::{self as ix, Asset};
use clipstake_client::sender::no_state_check;
use serde_json::json;

use super::{
    Units, asset_name, campaign_json, campaign_report, dry_run_report, parse_duration,
    parse_pubkey, parse_time, phase, sent_json, sent_line, simulated, status_name, vault_balance,
};
use crate::cli::CliError;
use crate::cli::config::Ctx;
use crate::cli::output::{Report, short};

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
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The budget's mint (SPL Token or Token-2022) [default: native SOL].
    #[arg(long, value_parser = parse_pubkey)]
    pub mint: Option<Pubkey>,
    /// The payout oracle [default: the signer].
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
    /// Time after the end (or a pause) to settle payouts before the brand may withdraw.
    #[arg(long, value_parser = parse_duration, default_value = "3d")]
    pub settlement_window: i64,
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
        .get_account(&clipstake_client::pda::campaign(brand, id))?
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
        clipstake_client::amount::parse_ui_amount(text, decimals)
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
            oracle: args.oracle.unwrap_or(brand),
            rate_per_thousand_views: rate,
            cap_per_submission: cap,
            start_time: start,
            end_time: end,
            settlement_window_secs: args.settlement_window,
        },
    );
    if ctx.backend.get_account(&campaign)?.is_some() {
        return Err(CliError::usage(format!(
            "campaign {campaign_id} of brand {brand} already exists ({campaign}); pick another --id"
        )));
    }
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(b.get_account(&campaign)?.is_some())
    })?;
    if simulated(&sent) {
        return Ok(dry_run_report("campaign create", &sent));
    }
    campaign_report(ctx.backend.as_mut(), &campaign, Some(&sent))
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
            crate::cli::ExitCode::Refused,
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
        return Ok(dry_run_report("campaign fund", &sent));
    }
    let mut report = campaign_report(ctx.backend.as_mut(), &args.campaign, Some(&sent))?;
    let after = ctx.backend.campaign(&args.campaign)?.state.funded;
    let received = after.saturating_sub(before);
    report.json["received"] = units.json(received);
    report.json["requested"] = units.json(amount);
    report = report.line(format!(
        "funded {} (the vault received {})",
        units.text(amount),
        units.text(received)
    ));
    Ok(report)
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
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for campaign in &campaigns {
        let vault = vault_balance(ctx.backend.as_mut(), campaign)?;
        let c = &campaign.state;
        let u = Units::of(campaign);
        rows.push(vec![
            campaign.address.to_string(),
            short(&c.brand),
            c.campaign_id.to_string(),
            asset_name(c.asset).to_string(),
            u.ui(c.funded),
            u.ui(c.paid_gross()),
            u.ui(vault),
            c.open_submissions.to_string(),
            phase(campaign, now).to_string(),
        ]);
        items.push(campaign_json(campaign, vault, now));
    }
    let mut report =
        Report::new(json!({ "campaigns": items, "count": campaigns.len() })).title(format!(
            "{} campaign(s) on {}",
            campaigns.len(),
            ctx.backend.describe()
        ));
    if !rows.is_empty() {
        report = report.table(
            &[
                "campaign", "brand", "id", "asset", "funded", "paid", "vault", "videos", "phase",
            ],
            rows,
        );
    }
    Ok(report)
}

fn set_status(ctx: &mut Ctx, address: Pubkey, status: CampaignStatus) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&address)?;
    if campaign.state.status == status {
        return Err(CliError::usage(format!(
            "campaign {address} is already {}",
            status_name(status)
        )));
    }
    let authority = ctx.signer_pubkey()?;
    let instruction = ix::set_campaign_status(&authority, &address, status);
    let sent = ctx.send(&[instruction], &[], &mut |b: &mut dyn Backend| {
        Ok(b.campaign(&address)?.state.status == status)
    })?;
    if simulated(&sent) {
        return Ok(dry_run_report(
            &format!("campaign {}", status_name(status)),
            &sent,
        ));
    }
    campaign_report(ctx.backend.as_mut(), &address, Some(&sent))
}

fn withdraw(ctx: &mut Ctx, args: WithdrawArgs) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&args.campaign)?;
    let units = Units::of(&campaign);
    let held = vault_balance(ctx.backend.as_mut(), &campaign)?;
    let amount = match &args.amount {
        Some(text) => units.parse(text)?,
        None => held,
    };
    if amount == 0 {
        return Err(CliError::usage(format!(
            "nothing to withdraw: the vault of {} is empty",
            args.campaign
        )));
    }
    if amount > held {
        return Err(Error::from(ClipstakeError::WithdrawExceedsAvailable).into());
    }
    let payer = ctx.fee_payer_pubkey()?;
    let mut instructions = Vec::new();
    if campaign.state.asset != AssetKind::NativeSol {
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
        return Ok(dry_run_report("campaign withdraw", &sent));
    }
    let mut report = campaign_report(ctx.backend.as_mut(), &address, Some(&sent))?;
    report.json["withdrew"] = units.json(amount);
    Ok(report.line(format!(
        "withdrew {} to the brand {}",
        units.text(amount),
        campaign.state.brand
    )))
}

fn close(ctx: &mut Ctx, address: Pubkey) -> Result<Report, CliError> {
    let campaign = ctx.backend.campaign(&address)?;
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
        return Ok(dry_run_report("campaign close (its submissions)", first));
    }
    let campaign = ctx.backend.campaign(&address)?;
    let sent = ctx.send(
        &[ix::close_campaign(&campaign)],
        &[],
        &mut |b: &mut dyn Backend| Ok(b.get_account(&address)?.is_none()),
    )?;
    if simulated(&sent) {
        return Ok(dry_run_report("campaign close", &sent));
    }
    let json = json!({
        "campaign": address.to_string(),
        "closed": true,
        "submissions_closed": submissions.len(),
        "rent_returned_to": campaign.state.rent_payer.to_string(),
        "transactions": signatures.iter().chain(std::iter::once(&sent)).map(sent_json).collect::<Vec<_>>(),
    });
    Ok(Report::new(json)
        .line(format!(
            "closed {} submission(s) and campaign {address}; rent returned to {}",
            submissions.len(),
            campaign.state.rent_payer
        ))
        .line(sent_line(&sent)))
}
