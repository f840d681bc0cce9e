//! `clipstake demo`: the main job end to end, in one command, on any backend (the embedded
//! chain by default): a platform, a brand funding a campaign, creators (some with affiliates)
//! registering videos, rounds of views read by the oracle's YouTube adapter from a local stand-in
//! of the API and paid out, one creator claiming with an oracle
//! attestation, a replayed report and an early withdrawal refused, the brand withdrawing what
//! is left after the settlement window, and the campaign closed. It ends with a table of who
//! got what and a conservation check: vault + every recipient + withdrawn = funded, measured on
//! the chain's balances and cross-checked against the program's books.
use anchor_lang::prelude::Pubkey;
use clap::{Args, ValueEnum};
use clipstake::errors::ClipstakeError;
use clipstake::instructions::{CreateCampaignArgs, InitPlatformArgs, RegisterSubmissionArgs};
use clipstake::math::entitlement;
use clipstake::state::{CampaignStatus, Platform};
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::no_state_check;
use clipstake_sdk::amount::format_ui_amount;
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};
use clipstake_sdk::pda;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

use std::collections::HashMap;

use super::demo_tracking::{DemoTracking, demo_video};
use super::embedded::{create_mint_instructions, mint_to_instructions};
use super::platform_registry::oracle_registration;
use super::{parse_duration, vault_balance};
use crate::config::Ctx;
use crate::output::{Report, amount_json, duration, short};
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

struct Terms {
    decimals: u8,
    symbol: &'static str,
    rate: u64,
    cap: u64,
}

struct Creator {
    label: String,
    wallet: Keypair,
    affiliate: Option<(Keypair, u16)>,
    submission: Pubkey,
    final_views: u64,
}

/// Narration: lines for people (through the progress bar when one is drawn), nothing in JSON.
struct Narrator {
    json: bool,
    bar: ProgressBar,
}

impl Narrator {
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

fn final_views(i: usize) -> u64 {
    FINAL_VIEWS
        .get(i)
        .copied()
        .unwrap_or(15_000 * (i as u64 + 1) + 2_500 * (i as u64 % 3))
}

/// Where `wallet` receives value: its associated token account, or itself for SOL.
fn receiving(asset: &Asset, wallet: &Pubkey) -> Pubkey {
    match asset {
        Asset::Sol => *wallet,
        Asset::Token {
            mint,
            token_program,
        } => pda::associated_token(wallet, mint, token_program),
    }
}

fn balance(backend: &mut dyn Backend, asset: &Asset, account: &Pubkey) -> Result<u64, Error> {
    match asset {
        Asset::Sol => backend.lamports(account),
        Asset::Token { .. } => backend.token_balance(account),
    }
}

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

/// A day in seconds.
const DAY: i64 = 86_400;
/// The longest settlement window the demo waits for on a cluster without being asked.
const LONGEST_UNASKED_WAIT: i64 = 600;

/// The demo's settlement window: as asked, else its default or the platform's minimum if
/// longer. On a cluster, where the demo waits for it, a long platform minimum is refused with
/// what to do rather than waited for.
fn demo_window(
    asked: Option<i64>,
    default: i64,
    embedded: bool,
    platform: &Platform,
) -> Result<i64, CliError> {
    let minimum = platform.min_settlement_window_secs;
    let window = asked.unwrap_or(default.max(minimum));
    if window < minimum {
        return Err(CliError::usage(format!(
            "--settlement-window {} is shorter than the platform's minimum of {}",
            duration(window),
            duration(minimum)
        )));
    }
    if !embedded && asked.is_none() && window > LONGEST_UNASKED_WAIT {
        return Err(CliError::usage(format!(
            "the platform's minimum settlement window is {}, which the demo would wait for on a cluster: \
             pass --settlement-window {} to wait, or have the admin lower it \
             (`clipstake platform update --min-settlement-window 20s`)",
            duration(minimum),
            duration(minimum)
        )));
    }
    Ok(window)
}

/// Makes sure the signer (the demo's oracle) is a registered oracle; the admin registers
/// itself. Returns whether a transaction was sent.
fn register_demo_oracle(ctx: &mut Ctx, platform: &Platform) -> Result<bool, CliError> {
    let signer = ctx.signer_pubkey()?;
    match oracle_registration(ctx.backend.as_mut(), &signer)? {
        Some(r) if r.active => Ok(false),
        Some(_) => Err(CliError::usage(format!(
            "the demo's oracle is its signer {signer}, whose registration the platform admin \
             revoked; run the demo with another keypair (-k)"
        ))),
        None if platform.admin == signer => {
            let payer = ctx.fee_payer_pubkey()?;
            ctx.send(
                &[ix::add_oracle(&signer, &payer, &signer)],
                &[],
                &mut |b: &mut dyn Backend| Ok(oracle_registration(b, &signer)?.is_some()),
            )?;
            Ok(true)
        }
        None => Err(CliError::usage(format!(
            "the demo's oracle is its signer {signer}, which is not a registered oracle: the \
             platform admin {} registers it with `clipstake platform oracle add {signer}`",
            platform.admin
        ))),
    }
}

pub fn run(ctx: &mut Ctx, args: DemoArgs) -> Result<Report, CliError> {
    if ctx.send_options.dry_run {
        return Err(CliError::usage(
            "the demo sends real transactions; run it without --dry-run",
        ));
    }
    let payer = ctx.fee_payer()?.insecure_clone();
    let admin = ctx.signer()?.insecure_clone();
    let creators_count = usize::from(args.creators);
    let rounds = u64::from(args.rounds);
    let embedded = ctx.backend.is_embedded();
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
    let narrator = Narrator {
        json: ctx.json(),
        bar,
    };
    let mut transactions = 0usize;

    narrator.say(format!("ClipStake demo on {}", ctx.backend.describe()));

    // 1. The platform: reuse the deployment's, or initialise it (the signer is the upgrade
    //    authority on the embedded chain) with the signer as its first payout oracle.
    let default_window = if embedded { DAY } else { 20 };
    let treasury = match ctx.backend.platform() {
        Ok(platform) => {
            if platform.paused {
                return Err(Error::from(ClipstakeError::PlatformPaused).into());
            }
            narrator.say(format!(
                "- platform already initialised: fee {} bps, treasury {}",
                platform.fee_bps, platform.treasury
            ));
            platform.treasury
        }
        Err(Error::NotFound(_)) => {
            let treasury = Keypair::new().pubkey();
            let instruction = ix::init_platform(
                &admin.pubkey(),
                &payer.pubkey(),
                InitPlatformArgs {
                    treasury,
                    fee_bps: 250,
                    max_affiliate_bps: 2_000,
                    min_settlement_window_secs: args
                        .settlement_window
                        .unwrap_or(default_window)
                        .clamp(1, DAY),
                    max_attestation_lifetime_secs: 7 * DAY,
                },
            );
            let register = ix::add_oracle(&admin.pubkey(), &payer.pubkey(), &admin.pubkey());
            ctx.send(
                &[instruction, register],
                &[&admin],
                &mut |b: &mut dyn Backend| Ok(b.get_account(&pda::platform())?.is_some()),
            )?;
            transactions += 1;
            narrator.say(format!(
                "- platform initialised by {} (fee 250 bps, treasury {treasury}), with itself as the payout oracle",
                admin.pubkey()
            ));
            treasury
        }
        Err(e) => return Err(e.into()),
    };
    let platform = ctx.backend.platform()?;
    let settlement_window =
        demo_window(args.settlement_window, default_window, embedded, &platform)?;

    // 2. The cast. The oracle is the signer, registered with the platform (by the signer
    //    itself when it is the admin): the platform's registry is not filled with demo keys.
    if register_demo_oracle(ctx, &platform)? {
        transactions += 1;
        narrator.say(format!(
            "- the admin registered itself ({}) as a payout oracle",
            admin.pubkey()
        ));
    }
    let brand = Keypair::new();
    let oracle = admin.insecure_clone();
    let mut creators: Vec<Creator> = (0..creators_count)
        .map(|i| Creator {
            label: format!("creator {}", i + 1),
            wallet: Keypair::new(),
            affiliate: (i % 3 == 1).then(|| (Keypair::new(), [500u16, 1_000, 1_500][(i / 3) % 3])),
            submission: Pubkey::default(),
            final_views: final_views(i),
        })
        .collect();

    // 3. The asset and the budget. Rates are the same in base units for both: 2.5 tokens
    //    (6 decimals) or 0.0025 SOL per 1,000 views, capped at 400 tokens or 0.4 SOL a video.
    let token_program = match args.asset {
        DemoAsset::SplToken => Some(TOKEN_PROGRAM_ID),
        DemoAsset::Token2022 => Some(TOKEN_2022_PROGRAM_ID),
        DemoAsset::Sol => None,
    };
    let mint_keypair = token_program.map(|_| Keypair::new());
    let (asset, terms) = match (token_program, &mint_keypair) {
        (Some(token_program), Some(mint)) => (
            Asset::Token {
                mint: mint.pubkey(),
                token_program,
            },
            Terms {
                decimals: 6,
                symbol: "tokens",
                rate: 2_500_000,
                cap: 400_000_000,
            },
        ),
        _ => (
            Asset::Sol,
            Terms {
                decimals: 9,
                symbol: "SOL",
                rate: 2_500_000,
                cap: 400_000_000,
            },
        ),
    };
    let (rate, cap) = (terms.rate, terms.cap);
    let entitled: u64 = creators
        .iter()
        .map(|c| entitlement(c.final_views, rate, cap))
        .sum();
    // The budget covers every entitlement with 15% to spare, rounded up to 100 tokens / 0.1 SOL.
    let step = 100_000_000;
    let budget = (entitled + entitled * 15 / 100).div_ceil(step) * step;
    let units = |v: u64| format_ui_amount(v, terms.decimals);

    match asset {
        Asset::Token {
            mint,
            token_program,
        } => {
            let mint_keypair = mint_keypair
                .as_ref()
                .expect("a token demo has a mint keypair");
            let mut instructions = create_mint_instructions(
                ctx.backend.as_mut(),
                &payer.pubkey(),
                &mint,
                &payer.pubkey(),
                None,
                &token_program,
                terms.decimals,
            )?;
            instructions.extend(mint_to_instructions(
                &payer.pubkey(),
                &mint,
                &payer.pubkey(),
                &token_program,
                terms.decimals,
                &brand.pubkey(),
                budget,
            )?);
            ctx.send(&instructions, &[mint_keypair], &mut no_state_check)?;
            transactions += 1;
            narrator.say(format!(
                "- {} mint {mint} created; {} {} minted to the brand {}",
                if token_program == TOKEN_2022_PROGRAM_ID {
                    "Token-2022"
                } else {
                    "SPL Token"
                },
                units(budget),
                terms.symbol,
                brand.pubkey()
            ));
        }
        Asset::Sol => {
            // SOL recipients must stay rent exempt: every wallet that will receive a payout
            // starts with the rent-exempt minimum, and the brand gets its budget.
            let rent = ctx.backend.minimum_balance_for_rent_exemption(0)?;
            let mut transfers = vec![solana_system_interface::instruction::transfer(
                &payer.pubkey(),
                &brand.pubkey(),
                budget,
            )];
            let mut wallets: Vec<Pubkey> = creators.iter().map(|c| c.wallet.pubkey()).collect();
            wallets.extend(
                creators
                    .iter()
                    .filter_map(|c| c.affiliate.as_ref().map(|(a, _)| a.pubkey())),
            );
            if ctx.backend.lamports(&treasury)? < rent {
                wallets.push(treasury);
            }
            transfers.extend(
                wallets.iter().map(|w| {
                    solana_system_interface::instruction::transfer(&payer.pubkey(), w, rent)
                }),
            );
            for chunk in transfers.chunks(10) {
                ctx.send(chunk, &[], &mut no_state_check)?;
                transactions += 1;
            }
            narrator.say(format!(
                "- the brand {} received {} SOL; {} recipient wallets were made rent exempt",
                brand.pubkey(),
                units(budget),
                wallets.len()
            ));
        }
    }

    // 4. The campaign, funded by the brand (the payer sponsors fees and rent).
    let now = ctx.backend.clock()?.unix_timestamp;
    let campaign_id = super::campaign::next_campaign_id(ctx.backend.as_mut(), &brand.pubkey())?;
    let (instruction, campaign_address) = ix::create_campaign(
        &brand.pubkey(),
        &payer.pubkey(),
        asset,
        CreateCampaignArgs {
            campaign_id,
            oracle: oracle.pubkey(),
            rate_per_thousand_views: rate,
            cap_per_submission: cap,
            start_time: now,
            end_time: now + 7 * 86_400,
            settlement_window_secs: settlement_window,
        },
    );
    ctx.send(&[instruction], &[&brand], &mut |b: &mut dyn Backend| {
        Ok(b.get_account(&campaign_address)?.is_some())
    })?;
    transactions += 1;
    let campaign = ctx.backend.campaign(&campaign_address)?;
    ctx.send(
        &[ix::fund_campaign(&brand.pubkey(), &campaign, budget)],
        &[&brand],
        &mut no_state_check,
    )?;
    transactions += 1;
    let campaign = ctx.backend.campaign(&campaign_address)?;
    let funded = campaign.state.funded;
    narrator.say(format!(
        "- campaign {campaign_address}: {} {} per 1,000 views, cap {} per video, settlement window {}; funded {} {}",
        units(rate),
        terms.symbol,
        units(cap),
        duration(settlement_window),
        units(funded),
        terms.symbol
    ));

    // 5. The oracle registers every video, keyed by its canonical id (`youtube:ID`).
    for (n, chunk) in creators.chunks_mut(BATCH).enumerate() {
        let mut instructions = Vec::new();
        let mut addresses = Vec::new();
        for (offset, creator) in chunk.iter_mut().enumerate() {
            let (video, _) = demo_video(&campaign_address, n * BATCH + offset);
            let (instruction, submission) = ix::register_submission(
                &oracle.pubkey(),
                &payer.pubkey(),
                &campaign_address,
                RegisterSubmissionArgs {
                    content_hash: video.content_hash(),
                    creator: creator.wallet.pubkey(),
                    affiliate: creator.affiliate.as_ref().map(|(a, _)| a.pubkey()),
                    affiliate_bps: creator.affiliate.as_ref().map_or(0, |(_, bps)| *bps),
                },
            );
            creator.submission = submission;
            instructions.push(instruction);
            addresses.push(submission);
        }
        ctx.send(&instructions, &[&oracle], &mut |b: &mut dyn Backend| {
            Ok(b.get_multiple_accounts(&addresses)?
                .iter()
                .all(Option::is_some))
        })?;
        transactions += 1;
    }
    let with_affiliates = creators.iter().filter(|c| c.affiliate.is_some()).count();
    narrator.say(format!(
        "- {creators_count} videos registered by the oracle, {with_affiliates} with an affiliate"
    ));

    // Balances before any payout.
    let mut tracked: Vec<Pubkey> = vec![
        receiving(&asset, &treasury),
        receiving(&asset, &brand.pubkey()),
    ];
    for c in &creators {
        tracked.push(receiving(&asset, &c.wallet.pubkey()));
        if let Some((a, _)) = &c.affiliate {
            tracked.push(receiving(&asset, &a.pubkey()));
        }
    }
    let mut before = std::collections::HashMap::new();
    for account in &tracked {
        before.insert(*account, balance(ctx.backend.as_mut(), &asset, account)?);
    }

    // 6. Rounds of views, read each round through the oracle's YouTube adapter from a local
    //    stand-in of the API and judged (owner checked); the first creator claims the last
    //    round itself.
    let mut tracking = DemoTracking::start()?;
    narrator.say(
        "- views are read each round by the oracle's YouTube adapter from a LOCAL STAND-IN of the YouTube Data API (no keys; `oracle track` reads the real one)",
    );
    let claimer = 0usize;
    for round in 1..=rounds {
        narrator.bar.set_message(format!("round {round}/{rounds}"));
        let videos: Vec<_> = creators
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (video, channel) = demo_video(&campaign_address, i);
                (video, channel, c.final_views * round / rounds)
            })
            .collect();
        let now = ctx.backend.clock()?.unix_timestamp;
        let payable = tracking.round(&videos, now)?;
        let tracked: HashMap<Pubkey, u64> = creators
            .iter()
            .zip(&videos)
            .filter_map(|(c, (video, _, _))| payable.get(video).map(|v| (c.submission, *v)))
            .collect();
        // Only what the tracking step read and the policy accepted is paid.
        let views_of = |c: &Creator| tracked.get(&c.submission).copied().unwrap_or(0);
        let pushed: Vec<&Creator> = creators
            .iter()
            .enumerate()
            .filter(|(i, _)| !(round == rounds && *i == claimer))
            .map(|(_, c)| c)
            .filter(|c| tracked.contains_key(&c.submission))
            .collect();
        for chunk in pushed.chunks(BATCH) {
            let campaign = ctx.backend.campaign(&campaign_address)?;
            let mut instructions: Vec<Instruction> = Vec::new();
            let mut targets = Vec::new();
            for creator in chunk {
                let submission = ctx.backend.submission(&creator.submission)?;
                // A video at its cap is owed nothing more, and the program refuses such a push.
                let earned = entitlement(views_of(creator), rate, cap);
                if earned <= submission.state.paid_gross {
                    continue;
                }
                instructions.push(ix::disburse(
                    &oracle.pubkey(),
                    &payer.pubkey(),
                    &campaign,
                    &submission,
                    views_of(creator),
                ));
                targets.push((creator.submission, views_of(creator)));
            }
            if instructions.is_empty() {
                narrator.bar.inc(chunk.len() as u64);
                continue;
            }
            ctx.send(&instructions, &[&oracle], &mut |b: &mut dyn Backend| {
                for (submission, views) in &targets {
                    if b.submission(submission)?.state.paid_views < *views {
                        return Ok(false);
                    }
                }
                Ok(true)
            })?;
            transactions += 1;
            narrator.bar.inc(chunk.len() as u64);
        }
        if round == rounds {
            let creator = &creators[claimer];
            let views = views_of(creator);
            let expiry = ctx.backend.clock()?.unix_timestamp + 3_600;
            let campaign = ctx.backend.campaign(&campaign_address)?;
            let submission = ctx.backend.submission(&creator.submission)?;
            let attestation = Attestation::sign(&oracle, &submission, views, expiry);
            let instructions = [
                attestation.ed25519_instruction(),
                ix::claim(&payer.pubkey(), &campaign, &submission, views, expiry),
            ];
            let address = creator.submission;
            ctx.send(
                &instructions,
                &[&creator.wallet],
                &mut |b: &mut dyn Backend| Ok(b.submission(&address)?.state.paid_views >= views),
            )?;
            transactions += 1;
            narrator.bar.inc(1);
            narrator.say(format!(
                "- round {round}/{rounds} paid; {} claimed its last round on-chain with the oracle's attestation ({views} views)",
                creator.label.trim()
            ));
        } else {
            narrator.say(format!(
                "- round {round}/{rounds} paid: {creators_count} view reports disbursed"
            ));
        }
    }
    narrator.bar.finish_and_clear();

    // 7. The same report again moves nothing: the program refuses it.
    let replayed = &creators[1];
    let campaign = ctx.backend.campaign(&campaign_address)?;
    let submission = ctx.backend.submission(&replayed.submission)?;
    let replay = ix::disburse(
        &oracle.pubkey(),
        &payer.pubkey(),
        &campaign,
        &submission,
        replayed.final_views,
    );
    let replay_refused = expect_refusal(
        ctx.send(&[replay], &[&oracle], &mut no_state_check),
        ClipstakeError::ViewsNotIncreasing,
    )?;
    narrator.say(format!(
        "- a replayed report for {} ({} views) was {}",
        replayed.label.trim(),
        replayed.final_views,
        if replay_refused {
            "refused: ViewsNotIncreasing"
        } else {
            "NOT refused"
        }
    ));

    // 8. The brand ends the campaign; a withdrawal inside the settlement window is refused.
    let end = ix::set_campaign_status(&brand.pubkey(), &campaign_address, CampaignStatus::Ended);
    ctx.send(&[end], &[&brand], &mut |b: &mut dyn Backend| {
        Ok(b.campaign(&campaign_address)?.state.status == CampaignStatus::Ended as u8)
    })?;
    transactions += 1;
    let campaign = ctx.backend.campaign(&campaign_address)?;
    let mut withdraw_instructions = Vec::new();
    if let Asset::Token {
        mint,
        token_program,
    } = asset
    {
        withdraw_instructions.push(
            spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                &payer.pubkey(),
                &brand.pubkey(),
                &mint,
                &token_program,
            ),
        );
    }
    let early = [
        withdraw_instructions.clone(),
        vec![ix::withdraw(&campaign, 1)],
    ]
    .concat();
    let early_refused = expect_refusal(
        ctx.send(&early, &[&brand], &mut no_state_check),
        ClipstakeError::SettlementWindowOpen,
    )?;
    narrator.say(format!(
        "- the brand ended the campaign; a withdrawal inside the settlement window was {}",
        if early_refused {
            "refused: SettlementWindowOpen"
        } else {
            "NOT refused"
        }
    ));

    // 9. The settlement window passes: time travel on the embedded chain, waiting elsewhere.
    let deadline = campaign.state.settlement_deadline(&ctx.backend.platform()?);
    let now = ctx.backend.clock()?.unix_timestamp;
    if now < deadline {
        if embedded {
            ctx.backend.warp(deadline - now + 1)?;
            narrator.say(format!(
                "- the embedded clock travelled {} to the end of the settlement window",
                duration(deadline - now + 1)
            ));
        } else {
            narrator.say(format!(
                "- waiting {} for the settlement window to close",
                duration(deadline - now)
            ));
            while ctx.backend.clock()?.unix_timestamp < deadline {
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
        }
    }

    // 10. The brand withdraws what is left.
    let campaign = ctx.backend.campaign(&campaign_address)?;
    let left = vault_balance(ctx.backend.as_mut(), &campaign)?;
    if left > 0 {
        withdraw_instructions.push(ix::withdraw(&campaign, left));
        let target = campaign.state.withdrawn + left;
        ctx.send(
            &withdraw_instructions,
            &[&brand],
            &mut |b: &mut dyn Backend| Ok(b.campaign(&campaign_address)?.state.withdrawn >= target),
        )?;
        transactions += 1;
    }
    narrator.say(format!(
        "- the brand withdrew the remaining {} {}",
        units(left),
        terms.symbol
    ));

    // 11. Who got what, measured on the chain.
    let campaign = ctx.backend.campaign(&campaign_address)?;
    let vault_left = vault_balance(ctx.backend.as_mut(), &campaign)?;
    let delta = |backend: &mut dyn Backend, wallet: &Pubkey| -> Result<u64, Error> {
        let account = receiving(&asset, wallet);
        let now = balance(backend, &asset, &account)?;
        Ok(now.saturating_sub(before.get(&account).copied().unwrap_or(0)))
    };
    let mut rows = Vec::new();
    let mut recipients = Vec::new();
    let (mut to_creators, mut to_affiliates) = (0u64, 0u64);
    let mut splits_exact = true;
    for (i, creator) in creators.iter().enumerate() {
        let submission = ctx.backend.submission(&creator.submission)?;
        let s = &submission.state;
        splits_exact &= s.paid_gross == entitlement(s.paid_views, rate, cap)
            && s.paid_gross == s.paid_to_creator + s.fees_paid + s.commissions_paid;
        let received = delta(ctx.backend.as_mut(), &creator.wallet.pubkey())?;
        splits_exact &= received == s.paid_to_creator;
        to_creators += received;
        let label = if i == claimer {
            format!("{} (claimed)", creator.label)
        } else {
            creator.label.clone()
        };
        rows.push(vec![
            label.clone(),
            short(&creator.wallet.pubkey()),
            s.paid_views.to_string(),
            units(received),
            received.to_string(),
        ]);
        recipients.push(json!({
            "role": "creator", "label": label.trim(), "wallet": creator.wallet.pubkey().to_string(),
            "views": s.paid_views, "received": amount_json(received, terms.decimals), "claimed": i == claimer,
        }));
        if let Some((affiliate, bps)) = &creator.affiliate {
            let received = delta(ctx.backend.as_mut(), &affiliate.pubkey())?;
            splits_exact &= received == s.commissions_paid;
            to_affiliates += received;
            let label = format!(
                "  affiliate of {} ({}%)",
                creator.label.trim(),
                f64::from(*bps) / 100.0
            );
            rows.push(vec![
                label.clone(),
                short(&affiliate.pubkey()),
                String::new(),
                units(received),
                received.to_string(),
            ]);
            recipients.push(json!({
                "role": "affiliate", "label": label.trim(), "wallet": affiliate.pubkey().to_string(),
                "affiliate_bps": bps, "received": amount_json(received, terms.decimals),
            }));
        }
    }
    let to_treasury = delta(ctx.backend.as_mut(), &treasury)?;
    let withdrawn = delta(ctx.backend.as_mut(), &brand.pubkey())?;
    let fee_label = format!(
        "treasury (platform fee {}%)",
        f64::from(campaign.state.fee_bps) / 100.0
    );
    rows.push(vec![
        fee_label.clone(),
        short(&treasury),
        String::new(),
        units(to_treasury),
        to_treasury.to_string(),
    ]);
    rows.push(vec![
        "brand (withdrawn)".into(),
        short(&brand.pubkey()),
        String::new(),
        units(withdrawn),
        withdrawn.to_string(),
    ]);
    rows.push(vec![
        "vault (left)".into(),
        short(&campaign.state.vault),
        String::new(),
        units(vault_left),
        vault_left.to_string(),
    ]);
    let total = vault_left + to_creators + to_affiliates + to_treasury + withdrawn;
    let total_views: u64 = creators.iter().map(|c| c.final_views).sum();
    rows.push(vec![
        "total".into(),
        String::new(),
        total_views.to_string(),
        units(total),
        total.to_string(),
    ]);
    recipients.push(json!({ "role": "treasury", "wallet": treasury.to_string(), "received": amount_json(to_treasury, terms.decimals) }));

    let balances_sum_to_funded = total == funded && funded == budget;
    let c = &campaign.state;
    let books_match_balances = c.paid_to_creators == to_creators
        && c.commissions_paid == to_affiliates
        && c.fees_paid == to_treasury
        && c.withdrawn == withdrawn
        && c.funded == funded
        && vault_left == c.available();
    let conserved = balances_sum_to_funded && books_match_balances && splits_exact;
    let refusals_as_expected = replay_refused && early_refused;
    // Every video's count was read and accepted in every round.
    let views_tracked =
        tracking.refused == 0 && tracking.accepted == creators_count as u64 * rounds;

    // 12. Close the submissions and the campaign; the rent goes back to the payer.
    let submissions: Vec<_> = creators
        .iter()
        .map(|c| ctx.backend.submission(&c.submission))
        .collect::<Result<_, _>>()?;
    for chunk in submissions.chunks(6) {
        let instructions: Vec<_> = chunk
            .iter()
            .map(|s| ix::close_submission(&brand.pubkey(), s))
            .collect();
        let addresses: Vec<Pubkey> = chunk.iter().map(|s| s.address).collect();
        ctx.send(&instructions, &[&brand], &mut |b: &mut dyn Backend| {
            Ok(b.get_multiple_accounts(&addresses)?
                .iter()
                .all(Option::is_none))
        })?;
        transactions += 1;
    }
    let campaign_now = ctx.backend.campaign(&campaign_address)?;
    ctx.send(
        &[ix::close_campaign(&campaign_now)],
        &[&brand],
        &mut |b: &mut dyn Backend| Ok(b.get_account(&campaign_address)?.is_none()),
    )?;
    transactions += 1;
    narrator.say(format!("- {creators_count} submissions and the campaign closed; their rent went back to the payer {}", payer.pubkey()));

    let mark = |ok: bool| if ok { "ok" } else { "FAILED" };
    let conservation_line = format!(
        "conservation: vault {} + creators {} + affiliates {} + treasury {} + withdrawn {} = {} {}; funded {} -> {}",
        units(vault_left),
        units(to_creators),
        units(to_affiliates),
        units(to_treasury),
        units(withdrawn),
        units(total),
        terms.symbol,
        units(funded),
        if conserved {
            "conserved"
        } else {
            "NOT CONSERVED"
        }
    );
    let json = json!({
        "cluster": ctx.backend.describe(),
        "asset": match args.asset { DemoAsset::SplToken => "spl-token", DemoAsset::Token2022 => "token-2022", DemoAsset::Sol => "sol" },
        "mint": match asset { Asset::Token { mint, .. } => Value::String(mint.to_string()), Asset::Sol => Value::Null },
        "decimals": terms.decimals,
        "platform_fee_bps": platform.fee_bps,
        "campaign": campaign_address.to_string(),
        "brand": brand.pubkey().to_string(),
        "oracle": oracle.pubkey().to_string(),
        "treasury": treasury.to_string(),
        "creators": creators_count,
        "rounds": rounds,
        "funded": amount_json(funded, terms.decimals),
        "paid": {
            "creators": amount_json(to_creators, terms.decimals),
            "affiliates": amount_json(to_affiliates, terms.decimals),
            "treasury": amount_json(to_treasury, terms.decimals),
        },
        "withdrawn": amount_json(withdrawn, terms.decimals),
        "vault_remaining": amount_json(vault_left, terms.decimals),
        "accounted": amount_json(total, terms.decimals),
        "recipients": recipients,
        "refused": [
            { "action": "replayed view report", "expected": "ViewsNotIncreasing", "refused": replay_refused },
            { "action": "withdrawal inside the settlement window", "expected": "SettlementWindowOpen", "refused": early_refused },
        ],
        "transactions": transactions,
        "tracking": {
            "source": "local stand-in of the YouTube Data API (videos.list)",
            "requests": tracking.requests(),
            "accepted": tracking.accepted,
            "refused": tracking.refused,
        },
        "checks": {
            "views_tracked": views_tracked,
            "balances_sum_to_funded": balances_sum_to_funded,
            "books_match_balances": books_match_balances,
            "every_payout_split_exactly": splits_exact,
            "refusals_as_expected": refusals_as_expected,
        },
        "closed": true,
        "conserved": conserved,
    });
    let report = Report::new(json)
        .title(format!("Who got what ({} {}, {} decimals)", terms.symbol, match asset {
            Asset::Token { mint, .. } => format!("of mint {mint}"),
            Asset::Sol => "native".into(),
        }, terms.decimals))
        .table(&["who", "wallet", "views", "received", "base units"], rows)
        .line(String::new())
        .line(conservation_line)
        .line(format!(
            "checks: views tracked {}, balances sum to funded {}, books match balances {}, every payout split exactly {}, refusals as expected {}; {transactions} transactions ({} requests to the local stand-in source)",
            mark(views_tracked),
            mark(balances_sum_to_funded),
            mark(books_match_balances),
            mark(splits_exact),
            mark(refusals_as_expected),
            tracking.requests()
        ));
    if conserved && refusals_as_expected && views_tracked {
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
