//! The output structs several command groups share: a transaction's outcome, a dry run, and a
//! campaign or a submission as every command that reads or changes one shows it.
use std::fmt;

use clipstake::state::{AssetKind, Platform};
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::{SendStatus, Sent};
use clipstake_sdk::instructions::{CampaignAccount, SubmissionAccount};
use serde::Serialize;

use super::{Units, asset_name, hex, phase, status_name, vault_balance};
use crate::CliError;
use crate::output::{Amount, Block, Report, duration, utc, write_blocks};

/// A transaction's outcome: its JSON object, and its one line for people.
#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
    /// The confirmed signature (the last one signed when already applied; none when simulated).
    pub signature: Option<String>,
    /// `confirmed`, `already-applied` or `simulated`.
    pub status: &'static str,
    /// Compute units the simulation consumed.
    pub compute_units: u64,
    /// The compute-unit limit the transaction carried.
    pub compute_unit_limit: u32,
    /// How many times it was signed.
    pub signings: usize,
}

impl From<&Sent> for Transaction {
    fn from(sent: &Sent) -> Self {
        Transaction {
            signature: sent.signature.map(|s| s.to_string()),
            status: match sent.status {
                SendStatus::Confirmed => "confirmed",
                SendStatus::AlreadyApplied => "already-applied",
                SendStatus::Simulated => "simulated",
            },
            compute_units: sent.units_consumed,
            compute_unit_limit: sent.compute_unit_limit,
            signings: sent.signings,
        }
    }
}

impl fmt::Display for Transaction {
    /// The outcome in one line (no newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, &self.signature) {
            ("simulated", _) => write!(
                f,
                "dry run: the simulation succeeded ({} compute units); nothing was sent",
                self.compute_units
            ),
            ("already-applied", _) => f.write_str(
                "the transaction expired, but the chain already shows its effect; nothing was re-signed",
            ),
            (_, Some(signature)) => write!(
                f,
                "signature {signature} ({} compute units, limit {})",
                self.compute_units, self.compute_unit_limit
            ),
            (_, None) => f.write_str("sent"),
        }
    }
}

/// The transactions of `sent`, in order.
pub fn transactions<'a>(sent: impl IntoIterator<Item = &'a Sent>) -> Vec<Transaction> {
    sent.into_iter().map(Transaction::from).collect()
}

/// What a `--dry-run` prints: the action and its simulated transaction.
#[derive(Debug, Serialize)]
pub struct DryRun {
    /// Always true.
    pub dry_run: bool,
    /// The command that was simulated, e.g. `campaign fund`.
    pub action: String,
    /// The simulation's outcome.
    pub transaction: Transaction,
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.action, self.transaction)
    }
}

/// The report of a dry run of `what`.
pub fn dry_run_report(what: &str, sent: &Sent) -> Result<Report, CliError> {
    Report::of(&DryRun {
        dry_run: true,
        action: what.to_string(),
        transaction: sent.into(),
    })
}

/// A campaign's state and books: its JSON object (`campaign show`, each of `campaign list`)
/// and, from the same fields, its lines for people.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignView {
    /// The campaign's address.
    pub address: String,
    /// The brand that created it.
    pub brand: String,
    /// Its number among the brand's campaigns.
    pub campaign_id: u64,
    /// `spl-token`, `token-2022` or `sol`.
    pub asset: &'static str,
    /// The budget's mint (none for native SOL).
    pub mint: Option<String>,
    /// The mint's token program.
    pub token_program: String,
    /// Decimals of the mint (9 for SOL).
    pub decimals: u8,
    /// Whether the platform trusted the mint's issuer when the campaign was created.
    pub mint_trusted: bool,
    /// The escrow vault.
    pub vault: String,
    /// The payout oracle.
    pub oracle: String,
    /// Where platform fees go.
    pub treasury: String,
    /// Platform fee, in basis points.
    pub fee_bps: u16,
    /// Largest affiliate commission, in basis points.
    pub max_affiliate_bps: u16,
    /// Paid per 1,000 verified views.
    pub rate_per_thousand_views: Amount,
    /// The most one video can earn.
    pub cap_per_submission: Amount,
    /// When views start to count (unix time).
    pub start_time: i64,
    /// When views stop counting (unix time).
    pub end_time: i64,
    /// Time after the end to settle payouts.
    pub settlement_window_secs: i64,
    /// When the brand may withdraw (unix time; pauses move it).
    pub settlement_deadline: i64,
    /// When payouts stop for good (unix time).
    pub final_deadline: i64,
    /// `active`, `paused` or `ended`.
    pub status: &'static str,
    /// Whether the platform admin paused it.
    pub paused_by_admin: bool,
    /// Seconds the admin kept it paused.
    pub admin_paused_secs: i64,
    /// Whether the brand withdrew (over for good).
    pub settled: bool,
    /// Where it is in its life now.
    pub phase: &'static str,
    /// Funded so far.
    pub funded: Amount,
    /// Paid to creators.
    pub paid_to_creators: Amount,
    /// Platform fees delivered.
    pub fees_paid: Amount,
    /// Affiliate commissions delivered.
    pub commissions_paid: Amount,
    /// Platform fees held in the vault for the treasury.
    pub fees_accrued: Amount,
    /// Affiliate commissions held in the vault for affiliates.
    pub commissions_accrued: Amount,
    /// Withdrawn by the brand.
    pub withdrawn: Amount,
    /// What the books say is left to pay.
    pub available: Amount,
    /// What the vault actually holds beyond rent.
    pub vault_balance: Amount,
    /// Submissions not closed yet.
    pub open_submissions: u32,
}

impl CampaignView {
    /// `campaign` with `vault` in its vault, at `now`, under `platform`.
    pub fn new(campaign: &CampaignAccount, vault: u64, now: i64, platform: &Platform) -> Self {
        let c = &campaign.state;
        let u = Units::of(campaign);
        CampaignView {
            address: campaign.address.to_string(),
            brand: c.brand.to_string(),
            campaign_id: c.campaign_id,
            asset: asset_name(c.asset),
            mint: (c.asset != AssetKind::NativeSol as u8).then(|| c.mint.to_string()),
            token_program: c.token_program.to_string(),
            decimals: c.decimals,
            mint_trusted: c.is_mint_trusted(),
            vault: c.vault.to_string(),
            oracle: c.oracle.to_string(),
            treasury: c.treasury.to_string(),
            fee_bps: c.fee_bps,
            max_affiliate_bps: c.max_affiliate_bps,
            rate_per_thousand_views: u.amount(c.rate_per_thousand_views),
            cap_per_submission: u.amount(c.cap_per_submission),
            start_time: c.start_time,
            end_time: c.end_time,
            settlement_window_secs: c.settlement_window_secs,
            settlement_deadline: c.settlement_deadline(platform),
            final_deadline: c.final_deadline(platform),
            status: status_name(c.status),
            paused_by_admin: c.is_paused_by_admin(),
            admin_paused_secs: c.admin_paused_secs,
            settled: c.is_settled(),
            phase: phase(campaign, now, platform),
            funded: u.amount(c.funded),
            paid_to_creators: u.amount(c.paid_to_creators),
            fees_paid: u.amount(c.fees_paid),
            commissions_paid: u.amount(c.commissions_paid),
            fees_accrued: u.amount(c.fees_accrued),
            commissions_accrued: u.amount(c.commissions_accrued),
            withdrawn: u.amount(c.withdrawn),
            available: u.amount(c.available()),
            vault_balance: u.amount(vault),
            open_submissions: c.open_submissions,
        }
    }

    /// `SOL` for native SOL, empty for a token (its mint is shown separately).
    pub fn symbol(&self) -> &'static str {
        if self.mint.is_none() { "SOL" } else { "" }
    }

    /// An amount of this campaign for people: `12.5 SOL (12500000000 base units)`.
    pub fn text(&self, amount: &Amount) -> String {
        amount.text(self.symbol())
    }

    /// What was paid out, gross (delivered or accrued), in UI units.
    pub fn paid_gross_ui(&self) -> String {
        let gross = [
            &self.paid_to_creators,
            &self.fees_paid,
            &self.commissions_paid,
            &self.fees_accrued,
            &self.commissions_accrued,
        ]
        .iter()
        .map(|a| a.base_units)
        .sum();
        Amount::new(gross, self.decimals).ui
    }

    /// How to deliver what the vault holds for others, when it holds any.
    pub fn accrued_hint(&self) -> Option<String> {
        let owed = self.fees_accrued.base_units + self.commissions_accrued.base_units;
        (owed > 0).then(|| {
            deliver_accrued_hint(&self.text(&Amount::new(owed, self.decimals)), &self.address)
        })
    }

    /// The campaign for people, as aligned fields.
    pub fn fields(&self) -> Block {
        let asset = match &self.mint {
            None => "native SOL".to_string(),
            Some(mint) => format!("{} mint {mint} ({} decimals)", self.asset, self.decimals),
        };
        let mut fields = vec![
            ("address", self.address.clone()),
            (
                "brand",
                format!("{} (campaign id {})", self.brand, self.campaign_id),
            ),
            ("asset", asset),
        ];
        if self.mint.is_some() {
            fields.push(("mint trusted", mint_trust_text(self.mint_trusted).into()));
        }
        fields.extend([
            ("vault", self.vault.clone()),
            ("oracle", self.oracle.clone()),
            ("treasury", self.treasury.clone()),
            (
                "platform fee",
                format!(
                    "{} bps (max affiliate {} bps)",
                    self.fee_bps, self.max_affiliate_bps
                ),
            ),
            (
                "rate",
                format!(
                    "{} per 1,000 views",
                    self.text(&self.rate_per_thousand_views)
                ),
            ),
            ("cap per video", self.text(&self.cap_per_submission)),
            ("starts", utc(self.start_time)),
            ("ends", utc(self.end_time)),
            ("settlement window", duration(self.settlement_window_secs)),
            ("withdrawable from", utc(self.settlement_deadline)),
            ("status", format!("{} ({})", self.status, self.phase)),
            ("settled", settled_text(self.settled).into()),
        ]);
        fields.extend(self.book_fields());
        Block::fields(fields)
    }

    /// The books: what came in and where it went.
    fn book_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("funded", self.text(&self.funded)),
            ("paid to creators", self.text(&self.paid_to_creators)),
            ("platform fees", self.text(&self.fees_paid)),
            ("affiliate commissions", self.text(&self.commissions_paid)),
        ];
        // Fees and commissions the vault holds for recipients who could not receive them.
        if self.fees_accrued.base_units > 0 {
            fields.push(("fees accrued (owed)", self.text(&self.fees_accrued)));
        }
        if self.commissions_accrued.base_units > 0 {
            fields.push((
                "commissions accrued (owed)",
                self.text(&self.commissions_accrued),
            ));
        }
        fields.extend([
            ("withdrawn", self.text(&self.withdrawn)),
            ("available (books)", self.text(&self.available)),
            ("vault balance", self.text(&self.vault_balance)),
            ("open submissions", self.open_submissions.to_string()),
        ]);
        fields
    }
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

/// How to deliver `owed` that the vault of `campaign` holds for others.
pub fn deliver_accrued_hint(owed: &str, campaign: &str) -> String {
    format!(
        "the vault holds {owed} owed to the treasury or affiliates, who could not receive it; \
         `clipstake campaign settle-accrued {campaign}` delivers it (anyone may send it)"
    )
}

/// A campaign as `campaign show` prints it, and as every command that changed one prints it
/// after: the campaign, and the transaction that changed it.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignShown {
    /// The campaign, read back from the chain.
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// The transaction that changed it, if a command did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<Transaction>,
}

impl CampaignShown {
    /// The campaign at `address`, read from `backend`, after `sent` if a command sent one.
    pub fn read(
        backend: &mut dyn Backend,
        address: &anchor_lang::prelude::Pubkey,
        sent: Option<&Sent>,
    ) -> Result<CampaignShown, CliError> {
        let campaign = backend.campaign(address)?;
        let vault = vault_balance(backend, &campaign)?;
        let now = backend.clock()?.unix_timestamp;
        let platform = backend.platform()?;
        Ok(CampaignShown {
            campaign: CampaignView::new(&campaign, vault, now, &platform),
            transaction: sent.map(Transaction::from),
        })
    }
}

impl fmt::Display for CampaignShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.campaign;
        let mut blocks = vec![Block::Title(format!("Campaign {}", c.address)), c.fields()];
        blocks.extend(c.accrued_hint().map(Block::Line));
        blocks.extend(self.transaction.iter().map(|t| Block::Line(t.to_string())));
        write_blocks(f, &blocks)
    }
}

/// A campaign's report (show, and after create, pause, ...).
pub fn campaign_report(
    backend: &mut dyn Backend,
    address: &anchor_lang::prelude::Pubkey,
    sent: Option<&Sent>,
) -> Result<Report, CliError> {
    Report::of(&CampaignShown::read(backend, address, sent)?)
}

/// A submission's state and what it was paid: its JSON object (`submission show`, each of
/// `submission list`) and its lines for people.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    /// The submission's address.
    pub address: String,
    /// Its campaign.
    pub campaign: String,
    /// The video's content hash, in hex.
    pub content_hash: String,
    /// The creator paid for it.
    pub creator: String,
    /// Its affiliate, if it has one.
    pub affiliate: Option<String>,
    /// The affiliate's commission, in basis points.
    pub affiliate_bps: u16,
    /// Views paid so far (the watermark).
    pub paid_views: u64,
    /// Paid gross.
    pub paid_gross: Amount,
    /// Paid to the creator.
    pub paid_to_creator: Amount,
    /// Platform fees paid.
    pub fees_paid: Amount,
    /// Affiliate commission delivered.
    pub commissions_paid: Amount,
    /// Affiliate commission held in the vault, owed.
    pub commission_accrued: Amount,
    /// When it was registered (unix time).
    pub registered_at: i64,
    /// Who paid its rent.
    pub rent_payer: String,
    /// `SOL`, or empty for a token (for people only).
    #[serde(skip)]
    pub symbol: String,
}

impl SubmissionView {
    /// `submission`, its amounts in `units`.
    pub fn new(submission: &SubmissionAccount, units: &Units) -> Self {
        let s = &submission.state;
        SubmissionView {
            address: submission.address.to_string(),
            campaign: s.campaign.to_string(),
            content_hash: hex(&s.content_hash),
            creator: s.creator.to_string(),
            affiliate: s.affiliate().map(|a| a.to_string()),
            affiliate_bps: s.affiliate_bps,
            paid_views: s.paid_views,
            paid_gross: units.amount(s.paid_gross),
            paid_to_creator: units.amount(s.paid_to_creator),
            fees_paid: units.amount(s.fees_paid),
            commissions_paid: units.amount(s.commissions_paid),
            commission_accrued: units.amount(s.commission_accrued),
            registered_at: s.registered_at,
            rent_payer: s.rent_payer.to_string(),
            symbol: units.symbol.clone(),
        }
    }

    /// The submission for people, as aligned fields.
    pub fn fields(&self) -> Block {
        let text = |amount: &Amount| amount.text(&self.symbol);
        let affiliate = match &self.affiliate {
            Some(a) => format!("{a} ({} bps)", self.affiliate_bps),
            None => "none".into(),
        };
        let mut fields = vec![
            ("address", self.address.clone()),
            ("campaign", self.campaign.clone()),
            ("content hash", self.content_hash.clone()),
            ("creator", self.creator.clone()),
            ("affiliate", affiliate),
            ("views paid (watermark)", self.paid_views.to_string()),
            ("paid gross", text(&self.paid_gross)),
            ("to the creator", text(&self.paid_to_creator)),
            ("platform fees", text(&self.fees_paid)),
            ("affiliate commission", text(&self.commissions_paid)),
        ];
        if self.commission_accrued.base_units > 0 {
            fields.push((
                "commission accrued (owed)",
                format!(
                    "{}: `clipstake campaign settle-accrued {} --submission {}` delivers it",
                    text(&self.commission_accrued),
                    self.campaign,
                    self.address
                ),
            ));
        }
        fields.push(("registered", utc(self.registered_at)));
        Block::fields(fields)
    }
}

/// A submission as `submission show` prints it, and as `submission register` prints it after:
/// the submission, and the transaction that registered it.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionShown {
    /// The submission, read back from the chain.
    #[serde(flatten)]
    pub submission: SubmissionView,
    /// The transaction that registered it, if a command did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<Transaction>,
}

impl fmt::Display for SubmissionShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.submission;
        let mut blocks = vec![
            Block::Title(format!("Submission {}", s.address)),
            s.fields(),
        ];
        blocks.extend(self.transaction.iter().map(|t| Block::Line(t.to_string())));
        write_blocks(f, &blocks)
    }
}
