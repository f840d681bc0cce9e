//! `clipstake demo`: the main job end to end, in one command, on any backend (the embedded
//! chain by default): a platform, a brand funding a campaign, creators (some with affiliates)
//! registering videos, rounds of views read by the oracle's YouTube adapter from a local stand-in
//! of the API and paid out, one creator claiming with an oracle
//! attestation, a replayed report and an early withdrawal refused, the brand withdrawing what
//! is left after the settlement window, and the campaign closed. It ends with a table of who
//! got what and a conservation check: vault + every recipient + withdrawn = funded, measured on
//! the chain's balances and cross-checked against the program's books.
//!
//! [`run`] tells the story as a list of steps; each step is a method of [`Demo`] in
//! `setup` (the platform, the money, the campaign, the videos), `rounds` (tracking and paying),
//! `settle` (refusals, the settlement window, withdrawing and closing) or `report` (who got
//! what and the checks).
mod report;
mod rounds;
mod settle;
mod setup;

use anchor_lang::prelude::Pubkey;
use clap::{Args, ValueEnum};
use clipstake::errors::ClipstakeError;
use clipstake::math::entitlement;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::amount::format_ui_amount;
use clipstake_sdk::instructions::{Asset, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};
use clipstake_sdk::pda;
use indicatif::{ProgressBar, ProgressStyle};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::parse_duration;
use crate::config::Ctx;
use crate::output::Report;
use crate::{CliError, ExitCode};

/// What the demo campaign pays in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoAsset {
    /// A fresh SPL Token mint with 6 decimals.
    SplToken,
    /// A fresh Token-2022 mint with 6 decimals.
    #[value(name = "token-2022")]
    Token2022,
    /// Native SOL.
    Sol,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// What the campaign pays in.
    #[arg(long, value_enum, default_value_t = DemoAsset::SplToken)]
    pub asset: DemoAsset,
    /// How many creators register a video (every third one has an affiliate).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(2..=60))]
    pub creators: u16,
    /// How many rounds of view reports are paid out.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=12))]
    pub rounds: u16,
    /// The settlement window [default: 1d on the embedded chain (crossed by time travel), 20s
    /// on a cluster (waited for); the platform's minimum if that is longer].
    #[arg(long, value_parser = parse_duration)]
    pub settlement_window: Option<i64>,
}

/// Final cumulative views of the first dozen videos; later ones follow a formula.
const FINAL_VIEWS: [u64; 12] = [
    18_000, 25_000, 40_500, 52_000, 61_000, 77_777, 90_000, 104_000, 120_500, 150_000, 175_000,
    240_000,
];
/// Registrations, payouts and closes per transaction.
const BATCH: usize = 3;
/// A day in seconds.
const DAY: i64 = 86_400;
/// The longest settlement window the demo waits for on a cluster without being asked.
const LONGEST_UNASKED_WAIT: i64 = 600;
/// The creator (by index) who claims the last round with an attestation instead of being paid.
const CLAIMER: usize = 0;

/// The campaign's money: its asset, how it is shown, its terms and the brand's budget.
struct Terms {
    /// What the campaign pays in.
    asset: Asset,
    /// The fresh mint's keypair for a token demo; none for SOL.
    mint: Option<Keypair>,
    /// The asset's decimals.
    decimals: u8,
    /// The asset's name in narration and the table.
    symbol: &'static str,
    /// Base units paid per 1,000 views.
    rate: u64,
    /// Base units at most per video.
    cap: u64,
    /// What the brand is given and funds the campaign with.
    budget: u64,
}

/// A creator of the cast and the video it registers.
struct Creator {
    /// How the creator is named in narration and the table.
    label: String,
    /// The creator's wallet, which is paid (and signs the claim).
    wallet: Keypair,
    /// The affiliate's wallet and commission in basis points, for every third creator.
    affiliate: Option<(Keypair, u16)>,
    /// The registered submission; the default address until the video is registered.
    submission: Pubkey,
    /// The video's cumulative views after the last round.
    final_views: u64,
}

/// Narration: lines for people (through the progress bar when one is drawn), nothing in JSON.
struct Narrator {
    /// Whether the output is JSON, which gets no narration.
    json: bool,
    /// The payouts' progress bar, hidden when progress is not drawn.
    bar: ProgressBar,
}

impl Narrator {
    /// Prints `line` for people, above the progress bar when one is drawn.
    fn say(&self, line: impl AsRef<str>) {
        if self.json {
            return;
        }
        if self.bar.is_hidden() {
            println!("{}", line.as_ref());
        } else {
            self.bar.println(line.as_ref());
        }
    }
}

/// The demo's cast and running state, shared by every step.
struct Demo {
    /// Pays fees and rent for everyone.
    payer: Keypair,
    /// The signer: the payout oracle, and the platform's admin when the demo initialises it.
    oracle: Keypair,
    /// Funds the campaign, ends it, withdraws what is left and closes it.
    brand: Keypair,
    /// Every creator, in registration order.
    creators: Vec<Creator>,
    /// The asset, the rate, the cap and the budget.
    terms: Terms,
    /// Rounds of view reports to pay.
    rounds: u64,
    /// Whether the backend is the embedded chain (time travels rather than waits).
    embedded: bool,
    /// Lines for people.
    narrator: Narrator,
    /// Transactions sent so far.
    transactions: usize,
}

impl Demo {
    /// The cast with fresh keys, the terms and the progress bar; nothing is sent yet.
    fn new(ctx: &mut Ctx, args: &DemoArgs) -> Result<Demo, CliError> {
        let payer = ctx.fee_payer()?.insecure_clone();
        let oracle = ctx.signer()?.insecure_clone();
        let creators_count = usize::from(args.creators);
        let rounds = u64::from(args.rounds);
        let bar = if ctx.progress_allowed() {
            let bar = ProgressBar::new((creators_count as u64) * rounds);
            bar.set_style(
                ProgressStyle::with_template("{spinner} payouts {bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        let creators: Vec<Creator> = (0..creators_count).map(Creator::new).collect();
        let terms = Terms::new(args.asset, &creators);
        Ok(Demo {
            payer,
            oracle,
            brand: Keypair::new(),
            creators,
            terms,
            rounds,
            embedded: ctx.backend.is_embedded(),
            narrator: Narrator {
                json: ctx.json(),
                bar,
            },
            transactions: 0,
        })
    }

    /// An amount in base units shown in the asset's units.
    fn units(&self, amount: u64) -> String {
        format_ui_amount(amount, self.terms.decimals)
    }

    /// Where `wallet` receives value: its associated token account, or itself for SOL.
    fn receiving(&self, wallet: &Pubkey) -> Pubkey {
        match &self.terms.asset {
            Asset::Sol => *wallet,
            Asset::Token {
                mint,
                token_program,
            } => pda::associated_token(wallet, mint, token_program),
        }
    }
}

impl Creator {
    /// The `index`th creator (from 0), with fresh keys; every third one has an affiliate.
    fn new(index: usize) -> Creator {
        Creator {
            label: format!("creator {}", index + 1),
            wallet: Keypair::new(),
            affiliate: (index % 3 == 1)
                .then(|| (Keypair::new(), [500u16, 1_000, 1_500][(index / 3) % 3])),
            submission: Pubkey::default(),
            final_views: final_views(index),
        }
    }
}

impl Terms {
    /// The terms for `choice`. Rates are the same in base units for both: 2.5 tokens
    /// (6 decimals) or 0.0025 SOL per 1,000 views, capped at 400 tokens or 0.4 SOL a video.
    fn new(choice: DemoAsset, creators: &[Creator]) -> Terms {
        let token_program = match choice {
            DemoAsset::SplToken => Some(TOKEN_PROGRAM_ID),
            DemoAsset::Token2022 => Some(TOKEN_2022_PROGRAM_ID),
            DemoAsset::Sol => None,
        };
        let mint = token_program.map(|_| Keypair::new());
        let (rate, cap) = (2_500_000, 400_000_000);
        let entitled: u64 = creators
            .iter()
            .map(|c| entitlement(c.final_views, rate, cap))
            .sum();
        // The budget covers every entitlement with 15% to spare, rounded up to 100 tokens / 0.1 SOL.
        let step = 100_000_000;
        let budget = (entitled + entitled * 15 / 100).div_ceil(step) * step;
        let (asset, decimals, symbol) = match (token_program, &mint) {
            (Some(token_program), Some(mint)) => (
                Asset::Token {
                    mint: mint.pubkey(),
                    token_program,
                },
                6,
                "tokens",
            ),
            _ => (Asset::Sol, 9, "SOL"),
        };
        Terms {
            asset,
            mint,
            decimals,
            symbol,
            rate,
            cap,
            budget,
        }
    }
}

/// The final views of the `i`th video (from 0).
fn final_views(i: usize) -> u64 {
    FINAL_VIEWS
        .get(i)
        .copied()
        .unwrap_or(15_000 * (i as u64 + 1) + 2_500 * (i as u64 % 3))
}

/// The balance of `account` in `asset`: lamports for SOL, tokens otherwise.
fn balance(backend: &mut dyn Backend, asset: &Asset, account: &Pubkey) -> Result<u64, Error> {
    match asset {
        Asset::Sol => backend.lamports(account),
        Asset::Token { .. } => backend.token_balance(account),
    }
}

/// Whether `result` is the program refusing with `expected`; other failures are errors.
fn expect_refusal(
    result: Result<clipstake_client::sender::Sent, CliError>,
    expected: ClipstakeError,
) -> Result<bool, CliError> {
    let expected_name = format!("{expected:?}");
    match result {
        Ok(_) => Ok(false),
        Err(e) if e.code == ExitCode::Refused && e.message.contains(&expected_name) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Runs the demo, step by step, and reports who got what; the report comes back inside the
/// error when a check fails.
pub fn run(ctx: &mut Ctx, args: DemoArgs) -> Result<Report, CliError> {
    if ctx.send_options.dry_run {
        return Err(CliError::usage(
            "the demo sends real transactions; run it without --dry-run",
        ));
    }
    let mut demo = Demo::new(ctx, &args)?;
    demo.narrator
        .say(format!("ClipStake demo on {}", ctx.backend.describe()));
    let treasury = demo.find_or_init_platform(ctx, args.settlement_window)?;
    let platform = ctx.backend.platform()?;
    let settlement_window = setup::demo_window(
        args.settlement_window,
        demo.default_window(),
        demo.embedded,
        &platform,
    )?;
    demo.register_oracle(ctx, &platform)?;
    demo.give_brand_its_budget(ctx, &treasury)?;
    let (campaign, funded) = demo.open_campaign(ctx, settlement_window)?;
    demo.register_videos(ctx, &campaign)?;
    let before = demo.balances_before(ctx, &treasury)?;
    let tracking = demo.pay_rounds(ctx, &campaign)?;
    let replay_refused = demo.replay_report(ctx, &campaign)?;
    let (ended, early_refused) = demo.end_campaign(ctx, &campaign)?;
    demo.pass_settlement_window(ctx, &ended)?;
    demo.withdraw_the_rest(ctx, &campaign)?;
    let tally = demo.tally(ctx, &campaign, &treasury, &before)?;
    let checks = report::Checks::new(
        &demo,
        &tally,
        funded,
        &tracking,
        replay_refused,
        early_refused,
    );
    demo.close(ctx, &campaign)?;
    let outcome = report::Outcome {
        choice: args.asset,
        platform_fee_bps: platform.fee_bps,
        campaign,
        treasury,
        funded,
        tally,
        checks,
        tracking,
    };
    demo.report(ctx, outcome)
}
