//! The demo's ending: who got what, measured on the chain's balances, the checks that
//! everything is accounted for, and the report (a table, or JSON).
use std::collections::HashMap;
use std::fmt;

use anchor_lang::prelude::Pubkey;
use clipstake::math::entitlement;
use clipstake_client::Error;
use clipstake_client::backend::BackendExt;
use clipstake_sdk::instructions::{Asset, CampaignAccount};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::{CLAIMER, Creator, Demo, DemoAsset, balance};
use crate::command::demo_tracking::DemoTracking;
use crate::command::vault_balance;
use crate::config::Ctx;
use crate::output::{Amount, Block, Report, short, write_blocks};
use crate::{CliError, ExitCode};

/// Who got what, measured on the chain once the brand has withdrawn.
pub(super) struct Tally {
    /// The campaign before it is closed, with the program's books.
    campaign: CampaignAccount,
    /// What is left in the vault.
    vault_left: u64,
    /// What the creators' wallets received.
    to_creators: u64,
    /// What the affiliates' wallets received.
    to_affiliates: u64,
    /// What the treasury received in fees.
    to_treasury: u64,
    /// What the brand withdrew.
    withdrawn: u64,
    /// Whether every payout matched its entitlement and was split exactly between creator,
    /// affiliate and treasury.
    splits_exact: bool,
    /// The table's rows: who, wallet, views, received, base units.
    rows: Vec<Vec<String>>,
    /// Every recipient, for JSON.
    recipients: Vec<Recipient>,
}

impl Tally {
    /// Everything accounted for: the vault and every recipient.
    fn total(&self) -> u64 {
        self.vault_left + self.to_creators + self.to_affiliates + self.to_treasury + self.withdrawn
    }
}

/// The demo's checks; it fails unless they all pass.
pub(super) struct Checks {
    /// Every video's count was read and accepted in every round.
    views_tracked: bool,
    /// The balances sum to what was funded, which is the budget.
    balances_sum_to_funded: bool,
    /// The program's books agree with the balances.
    books_match_balances: bool,
    /// Whether the replayed report was refused.
    replay_refused: bool,
    /// Whether the withdrawal inside the settlement window was refused.
    early_refused: bool,
}

impl Checks {
    /// Judges the tally against what was funded, and the tracking against the rounds.
    pub(super) fn new(
        demo: &Demo,
        tally: &Tally,
        funded: u64,
        tracking: &DemoTracking,
        replay_refused: bool,
        early_refused: bool,
    ) -> Checks {
        let c = &tally.campaign.state;
        Checks {
            views_tracked: tracking.refused == 0
                && tracking.accepted == demo.creators.len() as u64 * demo.rounds,
            balances_sum_to_funded: tally.total() == funded && funded == demo.terms.budget,
            books_match_balances: c.paid_to_creators == tally.to_creators
                && c.commissions_paid == tally.to_affiliates
                && c.fees_paid == tally.to_treasury
                && c.withdrawn == tally.withdrawn
                && c.funded == funded
                && tally.vault_left == c.available(),
            replay_refused,
            early_refused,
        }
    }

    /// Whether both refusals happened.
    fn refusals_as_expected(&self) -> bool {
        self.replay_refused && self.early_refused
    }
}

/// Everything the report shows that the demo's state does not hold.
pub(super) struct Outcome {
    /// The asset as asked on the command line.
    pub(super) choice: DemoAsset,
    /// The platform's fee in basis points.
    pub(super) platform_fee_bps: u16,
    /// The campaign's address.
    pub(super) campaign: Pubkey,
    /// The platform's treasury.
    pub(super) treasury: Pubkey,
    /// What the campaign was funded with.
    pub(super) funded: u64,
    /// Who got what.
    pub(super) tally: Tally,
    /// The checks.
    pub(super) checks: Checks,
    /// What the tracking step read.
    pub(super) tracking: DemoTracking,
}

impl Outcome {
    /// Whether the books balance: the balances, the program's books and every split agree.
    fn conserved(&self) -> bool {
        self.checks.balances_sum_to_funded
            && self.checks.books_match_balances
            && self.tally.splits_exact
    }
}

impl DemoAsset {
    /// The asset's name on the command line.
    fn name(self) -> &'static str {
        match self {
            DemoAsset::SplToken => "spl-token",
            DemoAsset::Token2022 => "token-2022",
            DemoAsset::Sol => "sol",
        }
    }
}

impl Demo {
    /// A table row: who, wallet, views, received in units and in base units.
    fn row(&self, who: String, wallet: String, views: String, received: u64) -> Vec<String> {
        vec![
            who,
            wallet,
            views,
            self.units(received),
            received.to_string(),
        ]
    }

    /// What `wallet` received since `before`.
    fn received(
        &self,
        ctx: &mut Ctx,
        before: &HashMap<Pubkey, u64>,
        wallet: &Pubkey,
    ) -> Result<u64, Error> {
        let account = self.receiving(wallet);
        let now = balance(ctx.backend.as_mut(), &self.terms.asset, &account)?;
        Ok(now.saturating_sub(before.get(&account).copied().unwrap_or(0)))
    }

    /// Who got what, measured on the chain against the balances `before` any payout.
    pub(super) fn tally(
        &self,
        ctx: &mut Ctx,
        address: &Pubkey,
        treasury: &Pubkey,
        before: &HashMap<Pubkey, u64>,
    ) -> Result<Tally, CliError> {
        let campaign = ctx.backend.campaign(address)?;
        let vault_left = vault_balance(ctx.backend.as_mut(), &campaign)?;
        let mut tally = Tally {
            campaign,
            vault_left,
            to_creators: 0,
            to_affiliates: 0,
            to_treasury: 0,
            withdrawn: 0,
            splits_exact: true,
            rows: Vec::new(),
            recipients: Vec::new(),
        };
        for (i, creator) in self.creators.iter().enumerate() {
            self.tally_creator(ctx, before, &mut tally, i, creator)?;
        }
        tally.to_treasury = self.received(ctx, before, treasury)?;
        tally.withdrawn = self.received(ctx, before, &self.brand.pubkey())?;
        self.tally_the_rest(&mut tally, treasury);
        Ok(tally)
    }

    /// The `i`th creator's row, and its affiliate's if it has one.
    fn tally_creator(
        &self,
        ctx: &mut Ctx,
        before: &HashMap<Pubkey, u64>,
        tally: &mut Tally,
        i: usize,
        creator: &Creator,
    ) -> Result<(), CliError> {
        let submission = ctx.backend.submission(&creator.submission)?;
        let s = &submission.state;
        let (rate, cap) = (self.terms.rate, self.terms.cap);
        tally.splits_exact &= s.paid_gross == entitlement(s.paid_views, rate, cap)
            && s.paid_gross == s.paid_to_creator + s.fees_paid + s.commissions_paid;
        let received = self.received(ctx, before, &creator.wallet.pubkey())?;
        tally.splits_exact &= received == s.paid_to_creator;
        tally.to_creators += received;
        let claimed = i == CLAIMER;
        let label = if claimed {
            format!("{} (claimed)", creator.label)
        } else {
            creator.label.clone()
        };
        let wallet = creator.wallet.pubkey();
        tally.rows.push(self.row(
            label.clone(),
            short(&wallet),
            s.paid_views.to_string(),
            received,
        ));
        tally.recipients.push(Recipient::Creator {
            label: label.trim().to_string(),
            wallet: wallet.to_string(),
            views: s.paid_views,
            received: Amount::new(received, self.terms.decimals),
            claimed,
        });
        match &creator.affiliate {
            Some(affiliate) => {
                self.tally_affiliate(ctx, before, tally, creator, affiliate, s.commissions_paid)
            }
            None => Ok(()),
        }
    }

    /// The row of `creator`'s affiliate (its wallet and basis points), who should have
    /// received the submission's `commissions`.
    fn tally_affiliate(
        &self,
        ctx: &mut Ctx,
        before: &HashMap<Pubkey, u64>,
        tally: &mut Tally,
        creator: &Creator,
        (affiliate, bps): &(Keypair, u16),
        commissions: u64,
    ) -> Result<(), CliError> {
        let received = self.received(ctx, before, &affiliate.pubkey())?;
        tally.splits_exact &= received == commissions;
        tally.to_affiliates += received;
        let label = format!(
            "  affiliate of {} ({}%)",
            creator.label.trim(),
            f64::from(*bps) / 100.0
        );
        tally.rows.push(self.row(
            label.clone(),
            short(&affiliate.pubkey()),
            String::new(),
            received,
        ));
        tally.recipients.push(Recipient::Affiliate {
            label: label.trim().to_string(),
            wallet: affiliate.pubkey().to_string(),
            affiliate_bps: *bps,
            received: Amount::new(received, self.terms.decimals),
        });
        Ok(())
    }

    /// The treasury's, the brand's, the vault's and the total's rows, once the creators'.
    fn tally_the_rest(&self, tally: &mut Tally, treasury: &Pubkey) {
        let fee_label = format!(
            "treasury (platform fee {}%)",
            f64::from(tally.campaign.state.fee_bps) / 100.0
        );
        let rows = [
            self.row(fee_label, short(treasury), String::new(), tally.to_treasury),
            self.row(
                "brand (withdrawn)".into(),
                short(&self.brand.pubkey()),
                String::new(),
                tally.withdrawn,
            ),
            self.row(
                "vault (left)".into(),
                short(&tally.campaign.state.vault),
                String::new(),
                tally.vault_left,
            ),
        ];
        tally.rows.extend(rows);
        let total_views: u64 = self.creators.iter().map(|c| c.final_views).sum();
        tally.rows.push(self.row(
            "total".into(),
            String::new(),
            total_views.to_string(),
            tally.total(),
        ));
        tally.recipients.push(Recipient::Treasury {
            wallet: treasury.to_string(),
            received: Amount::new(tally.to_treasury, self.terms.decimals),
        });
    }

    /// The report: the table and its lines, or JSON; an error carrying it if a check failed.
    pub(super) fn report(&self, ctx: &mut Ctx, outcome: Outcome) -> Result<Report, CliError> {
        let passed = outcome.conserved()
            && outcome.checks.refusals_as_expected()
            && outcome.checks.views_tracked;
        let terms = &self.terms;
        let of = match terms.asset {
            Asset::Token { mint, .. } => format!("of mint {mint}"),
            Asset::Sol => "native".into(),
        };
        let report = Report::of(&DemoReport {
            summary: self.summary(ctx, &outcome),
            title: format!(
                "Who got what ({} {of}, {} decimals)",
                terms.symbol, terms.decimals
            ),
            conservation: self.conservation_line(&outcome),
            checks: self.checks_line(&outcome),
            rows: outcome.tally.rows,
        })?;
        if passed {
            Ok(report)
        } else {
            let mut error = CliError::new(
                ExitCode::Generic,
                "the demo's checks failed: see the table above",
            );
            error.report = Some(Box::new(report));
            Err(error)
        }
    }

    /// The conservation line: vault + every recipient + withdrawn against what was funded.
    fn conservation_line(&self, outcome: &Outcome) -> String {
        let t = &outcome.tally;
        format!(
            "conservation: vault {} + creators {} + affiliates {} + treasury {} + withdrawn {} = {} {}; funded {} -> {}",
            self.units(t.vault_left),
            self.units(t.to_creators),
            self.units(t.to_affiliates),
            self.units(t.to_treasury),
            self.units(t.withdrawn),
            self.units(t.total()),
            self.terms.symbol,
            self.units(outcome.funded),
            if outcome.conserved() {
                "conserved"
            } else {
                "NOT CONSERVED"
            }
        )
    }

    /// The checks line, with the transactions sent and the stand-in's requests.
    fn checks_line(&self, outcome: &Outcome) -> String {
        let mark = |ok: bool| if ok { "ok" } else { "FAILED" };
        let c = &outcome.checks;
        format!(
            "checks: views tracked {}, balances sum to funded {}, books match balances {}, every payout split exactly {}, refusals as expected {}; {} transactions ({} requests to the local stand-in source)",
            mark(c.views_tracked),
            mark(c.balances_sum_to_funded),
            mark(c.books_match_balances),
            mark(outcome.tally.splits_exact),
            mark(c.refusals_as_expected()),
            self.transactions,
            outcome.tracking.requests()
        )
    }

    /// The report's JSON.
    fn summary(&self, ctx: &mut Ctx, outcome: &Outcome) -> DemoSummary {
        let (t, c, decimals) = (&outcome.tally, &outcome.checks, self.terms.decimals);
        let amount = |base_units: u64| Amount::new(base_units, decimals);
        DemoSummary {
            cluster: ctx.backend.describe(),
            asset: outcome.choice.name(),
            mint: match self.terms.asset {
                Asset::Token { mint, .. } => Some(mint.to_string()),
                Asset::Sol => None,
            },
            decimals,
            platform_fee_bps: outcome.platform_fee_bps,
            campaign: outcome.campaign.to_string(),
            brand: self.brand.pubkey().to_string(),
            oracle: self.oracle.pubkey().to_string(),
            treasury: outcome.treasury.to_string(),
            creators: self.creators.len(),
            rounds: self.rounds,
            funded: amount(outcome.funded),
            paid: Paid {
                creators: amount(t.to_creators),
                affiliates: amount(t.to_affiliates),
                treasury: amount(t.to_treasury),
            },
            withdrawn: amount(t.withdrawn),
            vault_remaining: amount(t.vault_left),
            accounted: amount(t.total()),
            recipients: t.recipients.clone(),
            refused: [
                Refusal {
                    action: "replayed view report",
                    expected: "ViewsNotIncreasing",
                    refused: c.replay_refused,
                },
                Refusal {
                    action: "withdrawal inside the settlement window",
                    expected: "SettlementWindowOpen",
                    refused: c.early_refused,
                },
            ],
            transactions: self.transactions,
            tracking: TrackingDone {
                source: "local stand-in of the YouTube Data API (videos.list)",
                requests: outcome.tracking.requests(),
                accepted: outcome.tracking.accepted,
                refused: outcome.tracking.refused,
            },
            checks: ChecksPassed {
                views_tracked: c.views_tracked,
                balances_sum_to_funded: c.balances_sum_to_funded,
                books_match_balances: c.books_match_balances,
                every_payout_split_exactly: t.splits_exact,
                refusals_as_expected: c.refusals_as_expected(),
            },
            closed: true,
            conserved: outcome.conserved(),
        }
    }
}

/// One recipient of the demo's payouts, as JSON.
#[derive(Clone, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
enum Recipient {
    /// A creator.
    Creator {
        /// Its name in the demo (`(claimed)` for the one who claimed).
        label: String,
        /// Its wallet.
        wallet: String,
        /// Views paid.
        views: u64,
        /// What its wallet received.
        received: Amount,
        /// Whether it claimed with an attestation (the others were pushed).
        claimed: bool,
    },
    /// A creator's affiliate.
    Affiliate {
        /// `affiliate of <creator> (<percent>)`.
        label: String,
        /// Its wallet.
        wallet: String,
        /// Its commission, in basis points.
        affiliate_bps: u16,
        /// What its wallet received.
        received: Amount,
    },
    /// The platform's treasury.
    Treasury {
        /// The treasury's wallet.
        wallet: String,
        /// What it received in fees.
        received: Amount,
    },
}

/// What the demo paid, per kind of recipient.
#[derive(Serialize)]
struct Paid {
    /// To the creators' wallets.
    creators: Amount,
    /// To the affiliates' wallets.
    affiliates: Amount,
    /// To the treasury.
    treasury: Amount,
}

/// A refusal the demo provoked, and whether the program refused.
#[derive(Serialize)]
struct Refusal {
    /// What was tried.
    action: &'static str,
    /// The program error expected.
    expected: &'static str,
    /// Whether it was refused with it.
    refused: bool,
}

/// What the demo's tracking step read.
#[derive(Serialize)]
struct TrackingDone {
    /// Where the views were read from.
    source: &'static str,
    /// Requests to it.
    requests: u64,
    /// Counts the policy accepted.
    accepted: u64,
    /// Counts read but not payable.
    refused: u64,
}

/// The demo's checks, each passed or not.
#[derive(Serialize)]
struct ChecksPassed {
    /// Every video's count was read and accepted in every round.
    views_tracked: bool,
    /// The balances sum to what was funded, which is the budget.
    balances_sum_to_funded: bool,
    /// The program's books agree with the balances.
    books_match_balances: bool,
    /// Every payout matched its entitlement and was split exactly.
    every_payout_split_exactly: bool,
    /// Both refusals happened.
    refusals_as_expected: bool,
}

/// The demo's outcome as JSON: the cast, who got what, the refusals and the checks.
#[derive(Serialize)]
struct DemoSummary {
    /// The chain it ran on.
    cluster: String,
    /// `spl-token`, `token-2022` or `sol`.
    asset: &'static str,
    /// The budget's mint (none for native SOL).
    mint: Option<String>,
    /// Decimals of the mint.
    decimals: u8,
    /// The platform's fee, in basis points.
    platform_fee_bps: u16,
    /// The campaign.
    campaign: String,
    /// The brand.
    brand: String,
    /// The oracle.
    oracle: String,
    /// The platform's treasury.
    treasury: String,
    /// How many creators.
    creators: usize,
    /// How many rounds of view reports were paid.
    rounds: u64,
    /// What the campaign was funded with.
    funded: Amount,
    /// What was paid, per kind of recipient.
    paid: Paid,
    /// What the brand withdrew.
    withdrawn: Amount,
    /// What is left in the vault.
    vault_remaining: Amount,
    /// The vault and every recipient, summed.
    accounted: Amount,
    /// Every recipient.
    recipients: Vec<Recipient>,
    /// The refusals provoked.
    refused: [Refusal; 2],
    /// Transactions sent.
    transactions: usize,
    /// What the tracking step read.
    tracking: TrackingDone,
    /// The checks.
    checks: ChecksPassed,
    /// Always true: the campaign was closed.
    closed: bool,
    /// Whether the books balance.
    conserved: bool,
}

/// What `demo` prints: the summary as JSON; for people, who got what as a table, and the
/// conservation and checks lines.
#[derive(Serialize)]
struct DemoReport {
    /// The outcome.
    #[serde(flatten)]
    summary: DemoSummary,
    /// The table's heading: the asset (for people only).
    #[serde(skip)]
    title: String,
    /// The table's rows: who, wallet, views, received, base units (for people only).
    #[serde(skip)]
    rows: Vec<Vec<String>>,
    /// The conservation line (for people only).
    #[serde(skip)]
    conservation: String,
    /// The checks line (for people only).
    #[serde(skip)]
    checks: String,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers = ["who", "wallet", "views", "received", "base units"];
        let blocks = [
            Block::Title(self.title.clone()),
            Block::table(&headers, self.rows.clone()),
            Block::Line(String::new()),
            Block::Line(self.conservation.clone()),
            Block::Line(self.checks.clone()),
        ];
        write_blocks(f, &blocks)
    }
}
