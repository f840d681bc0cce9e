//! Prints the compute units of every instruction of the real SBF program, as a Markdown table
//! for BENCHMARKS.md. Run with `make bench`; `CLIPSTAKE_TEST_PROGRAM_SO` measures another build
//! of the program, and `CU_REPORT_LOGS=1` prints each measured transaction's logs (for builds
//! with `sol_log_compute_units` probes).
use anchor_lang::prelude::Pubkey;
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset};
use clipstake_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Compute units of a transaction whose last instruction is the one measured.
fn cu(result: TxResult, what: &str) -> u64 {
    match result {
        Ok(meta) => {
            // For builds with `sol_log_compute_units` probes: where the units went.
            if std::env::var_os("CU_REPORT_LOGS").is_some() {
                println!("--- {what}\n{}", meta.logs.join("\n"));
            }
            meta.compute_units_consumed
        }
        Err(failed) => panic!(
            "{what} failed: {:?}\n{}",
            failed.err,
            failed.meta.logs.join("\n")
        ),
    }
}

struct Row {
    instruction: &'static str,
    case: String,
    units: u64,
}

/// Runs every instruction once on `asset` and returns its compute units.
fn measure(mut env: Env, token_program: Option<Pubkey>, label: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut row = |instruction: &'static str, case: &str, units: u64| {
        rows.push(Row {
            instruction,
            case: format!("{label}{case}"),
            units,
        })
    };
    let init = env.init_platform();
    row("init_platform", "", cu(init, "init_platform"));
    let oracle_key = env.oracle.pubkey();
    row(
        "add_oracle",
        "",
        cu(env.add_oracle(&oracle_key), "add_oracle"),
    );
    let asset = match token_program {
        None => Asset::Sol,
        Some(token_program) => {
            let mint = env.create_mint(&token_program, 6, None);
            env.fund_tokens(&token_program, &mint, &env.brand.pubkey(), 1_000_000_000);
            row("trust_mint", "", cu(env.trust_mint(&mint), "trust_mint"));
            let admin = env.admin.insecure_clone();
            let distrust = ix::distrust_mint(&admin.pubkey(), &mint, &env.payer.pubkey());
            row(
                "distrust_mint",
                "",
                cu(env.send(&[distrust], &[&admin]), "distrust_mint"),
            );
            Asset::Token {
                mint,
                token_program,
            }
        }
    };
    let (create, campaign) = ix::create_campaign(
        &env.brand.pubkey(),
        &env.payer.pubkey(),
        asset,
        env.campaign_args(1, 1_000),
    );
    let brand = env.brand.insecure_clone();
    row(
        "create_campaign",
        "",
        cu(env.send(&[create], &[&brand]), "create_campaign"),
    );
    let fund = ix::fund_campaign(&brand.pubkey(), &env.campaign(&campaign), 1_000_000_000);
    row(
        "fund_campaign",
        "",
        cu(env.send(&[fund], &[&brand]), "fund_campaign"),
    );

    let creator = Keypair::new();
    let affiliate = Keypair::new();
    for wallet in [&creator, &affiliate] {
        env.svm.airdrop(&wallet.pubkey(), SOL).unwrap();
    }
    let oracle = env.oracle.insecure_clone();
    let (register, submission) = ix::register_submission(
        &oracle.pubkey(),
        &env.payer.pubkey(),
        &campaign,
        clipstake::instructions::RegisterSubmissionArgs {
            content_hash: clipstake_sdk::pda::content_hash("https://video.example/cu"),
            creator: creator.pubkey(),
            affiliate: Some(affiliate.pubkey()),
            affiliate_bps: 1_000,
        },
    );
    row(
        "register_submission",
        "",
        cu(env.send(&[register], &[&oracle]), "register_submission"),
    );

    let first = env.disburse(&campaign, &submission, 10_000);
    let case = if token_program.is_some() {
        ", 3-way, creates 3 ATAs"
    } else {
        ", 3-way"
    };
    row("disburse", case, cu(first, "disburse"));
    let again = env.disburse(&campaign, &submission, 20_000);
    let case = if token_program.is_some() {
        ", 3-way, existing ATAs"
    } else {
        ", 3-way (again)"
    };
    row("disburse", case, cu(again, "disburse"));

    let attestation = Attestation::sign(&oracle, &env.submission(&submission), 30_000, T0 + 60);
    let claim = ix::claim(
        &env.payer.pubkey(),
        &env.campaign(&campaign),
        &env.submission(&submission),
        30_000,
        T0 + 60,
    );
    let result = env.send(&[attestation.ed25519_instruction(), claim], &[&creator]);
    row("claim", " (+ Ed25519 precompile)", cu(result, "claim"));

    let pause = ix::set_campaign_status(
        &brand.pubkey(),
        &campaign,
        clipstake::state::CampaignStatus::Ended,
    );
    row(
        "set_campaign_status",
        " (end)",
        cu(env.send(&[pause], &[&brand]), "set_campaign_status"),
    );
    env.set_time(T0 + SETTLEMENT_SECS + 1);
    let left = env
        .account::<clipstake::state::Campaign>(&campaign)
        .available();
    let withdraw = ix::withdraw(&env.campaign(&campaign), left);
    row(
        "withdraw",
        "",
        cu(env.send(&[withdraw], &[&brand]), "withdraw"),
    );
    let close = ix::close_submission(&oracle.pubkey(), &env.submission(&submission));
    row(
        "close_submission",
        "",
        cu(env.send(&[close], &[&oracle]), "close_submission"),
    );
    let close = ix::close_campaign(&env.campaign(&campaign));
    row(
        "close_campaign",
        "",
        cu(env.send(&[close], &[&brand]), "close_campaign"),
    );
    match token_program {
        None => rows.extend(admin_rows(&mut env)),
        Some(token_program) => rows.extend(mint_policy_rows(&mut env, token_program)),
    }
    rows
}

/// The mint policy's cost on the payout path: the same 3-way disburse (existing ATAs) in a
/// campaign whose mint was trusted (the policy is skipped) and, for Token-2022, in a mint with
/// a fixed transfer fee (one extension to walk).
fn mint_policy_rows(env: &mut Env, token_program: Pubkey) -> Vec<Row> {
    let mut rows = Vec::new();
    let trusted = env.create_mint(&token_program, 6, None);
    env.trust_mint(&trusted).expect("trust_mint");
    let mut cases = vec![(
        trusted,
        ", 3-way, existing ATAs, trusted mint (no policy check)",
    )];
    if token_program == TOKEN_2022_PROGRAM_ID {
        let with_fee = env.create_mint(&token_program, 6, Some(100));
        cases.push((with_fee, ", 3-way, existing ATAs, fixed transfer fee"));
    }
    for (id, (mint, case)) in (10u64..).zip(cases) {
        let asset = Asset::Token {
            mint,
            token_program,
        };
        let campaign = env
            .create_campaign(asset, env.campaign_args(id, 1_000))
            .expect("create_campaign");
        env.fund(&campaign, 1_000_000_000).expect("fund");
        let creator = Keypair::new().pubkey();
        let affiliate = Some((Keypair::new().pubkey(), 1_000));
        let video = format!("https://video.example/policy-{id}");
        let submission = env
            .register(&campaign, &video, &creator, affiliate)
            .expect("register");
        env.disburse(&campaign, &submission, 10_000)
            .expect("disburse");
        let again = env.disburse(&campaign, &submission, 20_000);
        rows.push(Row {
            instruction: "disburse",
            case: case.into(),
            units: cu(again, "disburse"),
        });
    }
    rows
}

/// The admin-only instructions, measured once (they touch no vault).
fn admin_rows(env: &mut Env) -> Vec<Row> {
    let admin = env.admin.insecure_clone();
    let campaign = &env
        .create_campaign(Asset::Sol, env.campaign_args(2, 1_000))
        .expect("create_campaign");
    let second_oracle = Keypair::new();
    env.add_oracle(&second_oracle.pubkey()).expect("add_oracle");
    let repoint = ix::set_campaign_oracle(&admin.pubkey(), campaign, &second_oracle.pubkey());
    let mut rows = vec![Row {
        instruction: "set_campaign_oracle",
        case: String::new(),
        units: cu(env.send(&[repoint], &[&admin]), "set_campaign_oracle"),
    }];
    let revoke = env.revoke_oracle(&second_oracle.pubkey());
    rows.push(Row {
        instruction: "revoke_oracle",
        case: String::new(),
        units: cu(revoke, "revoke_oracle"),
    });
    let successor = Keypair::new();
    let propose = env.update_platform(clipstake::instructions::UpdatePlatformArgs {
        new_admin: Some(successor.pubkey()),
        ..Default::default()
    });
    rows.push(Row {
        instruction: "update_platform",
        case: " (propose admin)".into(),
        units: cu(propose, "update_platform"),
    });
    let accept = env.send(&[ix::accept_admin(&successor.pubkey())], &[&successor]);
    rows.push(Row {
        instruction: "accept_admin",
        case: String::new(),
        units: cu(accept, "accept_admin"),
    });
    rows
}

/// A batch of `n` payouts of fresh videos (every one with an affiliate when `three_way`), paid
/// once to make them known, then measured on its second round.
fn batch_units(env: &mut Env, asset: Asset, id: u64, n: usize, three_way: bool) -> u64 {
    let campaign = env
        .create_campaign(asset, env.campaign_args(id, 1_000))
        .expect("create_campaign");
    let budget = if asset == Asset::Sol {
        5 * SOL
    } else {
        1_000_000_000_000
    };
    env.fund(&campaign, budget).expect("fund");
    let payees: Vec<Payee> = (0..n)
        .map(|i| {
            env.payee(
                &campaign,
                asset,
                &format!("https://video.example/b{id}-{i}"),
                three_way,
            )
        })
        .collect();
    env.create_receiving_accounts(asset, &payees);
    let oracle = env.oracle.insecure_clone();
    let mut units = 0;
    for views in [10_000, 20_000] {
        let payouts: Vec<(&Payee, u64)> = payees.iter().map(|p| (p, views)).collect();
        let batch = env.batch_ix(&payouts);
        units = cu(env.send(&[batch], &[&oracle]), "disburse_batch");
    }
    units
}

/// Payouts per batch that fit the 64 account locks: 10 accounts are fixed (fee payer,
/// oracle, program, platform, registration, campaign, vault, treasury, mint, token program;
/// 8 for SOL), then 2 per payout, 3 with an affiliate.
fn max_batch(asset: Asset, three_way: bool) -> usize {
    let fixed = if asset == Asset::Sol { 8 } else { 10 };
    (64 - fixed) / if three_way { 3 } else { 2 }
}

/// `disburse_batch` per payout: batches of 1, 10 and the most that fit, 3-way and 2-way.
fn batch_table() {
    println!();
    println!("| asset | payouts | split | batch CU | per payout | marginal per payout (from 1) |");
    println!("|---|---:|---|---:|---:|---:|");
    // Each run: a fresh environment, the affiliate (if any) and the split's name.
    type Run = (fn() -> Env, Option<Pubkey>, &'static str);
    let runs: [Run; 4] = [
        (
            Env::with_platform,
            Some(TOKEN_PROGRAM_ID),
            "SPL Token (p-token)",
        ),
        (
            Env::with_platform,
            Some(TOKEN_2022_PROGRAM_ID),
            "Token-2022",
        ),
        (Env::with_platform, None, "native SOL"),
        (
            || {
                let mut env = Env::with_classic_spl_token();
                env.init_platform().expect("init_platform");
                let oracle = env.oracle.pubkey();
                env.add_oracle(&oracle).expect("add_oracle");
                env
            },
            Some(TOKEN_PROGRAM_ID),
            "SPL Token (classic 3.5.0)",
        ),
    ];
    for (make, token_program, label) in runs {
        let mut env = make();
        let asset = env.new_asset(token_program);
        if let Asset::Token {
            mint,
            token_program,
        } = asset
        {
            env.fund_tokens(
                &token_program,
                &mint,
                &env.brand.pubkey(),
                1_000_000_000_000,
            );
        }
        let mut id = 100;
        for three_way in [true, false] {
            let one = batch_units(&mut env, asset, id, 1, three_way);
            id += 1;
            // Classic spl_token's transfers (about 6,200 CU each) put a maximal batch over the
            // default 200,000 CU transaction limit; its rows stop at 10.
            let largest = if label.contains("classic") {
                10
            } else {
                max_batch(asset, three_way)
            };
            let mut sizes = vec![1, 10, largest];
            sizes.dedup();
            for n in sizes {
                let units = if n == 1 {
                    one
                } else {
                    batch_units(&mut env, asset, id, n, three_way)
                };
                id += 1;
                let marginal = if n == 1 {
                    "".to_string()
                } else {
                    ((units - one) / (n as u64 - 1)).to_string()
                };
                println!(
                    "| {label} | {n} | {} | {units} | {} | {marginal} |",
                    if three_way { "3-way" } else { "2-way" },
                    units / n as u64
                );
            }
        }
    }
}

fn main() {
    let runs = [
        (Env::new(), Some(TOKEN_PROGRAM_ID), "SPL Token (p-token)"),
        (
            Env::with_classic_spl_token(),
            Some(TOKEN_PROGRAM_ID),
            "SPL Token (classic 3.5.0)",
        ),
        (Env::new(), Some(TOKEN_2022_PROGRAM_ID), "Token-2022"),
        (Env::new(), None, "native SOL"),
    ];
    println!("| asset | instruction | case | compute units |");
    println!("|---|---|---|---:|");
    for (env, token_program, label) in runs {
        for row in measure(env, token_program, "") {
            println!(
                "| {label} | `{}` | {} | {} |",
                row.instruction,
                row.case.trim_start_matches(", "),
                row.units
            );
        }
    }
    batch_table();
}
