//! The program is generated with `+allows-misaligned-mem-access` (tools/sbf/link.sh). This
//! runs the same lifecycle, refusals included, on that build and on the strict-alignment
//! variant linked from the same IR without the feature (`target/deploy/clipstake-strict-align.so`,
//! written by `make test`), and requires every outcome, balance and on-chain total to be equal:
//! the feature may change what the code costs, never what it does.
use anchor_lang::prelude::Pubkey;
use clipstake::state::{Campaign, CampaignStatus, Submission};
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset};
use clipstake_tests::*;
use litesvm::LiteSVM;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

/// Where `make test` links the variant.
fn strict_align_elf() -> Vec<u8> {
    let path = program_so_path().with_file_name("clipstake-strict-align.so");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}.\nBuild it with `CLIPSTAKE_SBF_STRICT_ALIGN_VARIANT=1 \
             tools/sbf/build.sh` (`make test` does).",
            path.display()
        )
    })
}

/// What one step did, in terms that do not depend on the random keys of a run.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    step: &'static str,
    error: Option<TransactionError>,
    balances: Vec<u64>,
    totals: Vec<u64>,
}

/// A lifecycle on one build: returns each step's outcome and the compute units used.
fn run(
    elf: &[u8],
    token_program: Option<Pubkey>,
    transfer_fee_bps: Option<u16>,
) -> (Vec<Outcome>, u64) {
    let mut env = Env::on_with_elf(LiteSVM::new(), elf);
    env.init_platform().expect("init_platform");
    let oracle = env.oracle.insecure_clone();
    env.add_oracle(&oracle.pubkey()).expect("add_oracle");
    let asset = match token_program {
        None => Asset::Sol,
        Some(token_program) => Asset::Token {
            mint: env.create_mint(&token_program, 6, transfer_fee_bps),
            token_program,
        },
    };
    let campaign = env.funded_campaign(asset, 1);
    let payee = env.payee(&campaign, asset, "https://video.example/codegen", true);
    let watched: Vec<Pubkey> = {
        let mut keys = vec![env.campaign(&campaign).state.vault];
        for wallet in [
            payee.creator.pubkey(),
            payee.affiliate.as_ref().unwrap().pubkey(),
            env.treasury.pubkey(),
            env.brand.pubkey(),
        ] {
            keys.push(receiving_account(asset, &wallet));
        }
        keys
    };
    let mut outcomes = Vec::new();
    let mut units = 0;
    let mut record = |env: &Env, step: &'static str, result: TxResult| {
        let error = match result {
            Ok(meta) => {
                units += meta.compute_units_consumed;
                None
            }
            Err(failed) => Some(failed.err),
        };
        let balances = watched
            .iter()
            .map(|a| {
                if asset == Asset::Sol {
                    env.lamports(a)
                } else {
                    env.token_balance(a)
                }
            })
            .collect();
        let totals = match env.svm.get_account(&campaign) {
            None => Vec::new(),
            Some(_) => {
                let c: Campaign = env.account(&campaign);
                let mut totals = vec![
                    c.funded,
                    c.paid_to_creators,
                    c.fees_paid,
                    c.commissions_paid,
                    c.withdrawn,
                    c.end_time as u64,
                ];
                if env.svm.get_account(&payee.submission).is_some() {
                    let s: Submission = env.account(&payee.submission);
                    totals.extend([s.paid_views, s.paid_gross, s.paid_to_creator]);
                }
                totals
            }
        };
        outcomes.push(Outcome {
            step,
            error,
            balances,
            totals,
        });
    };
    let creator = payee.creator.insecure_clone();
    let brand = env.brand.insecure_clone();

    let r = env.disburse(&campaign, &payee.submission, 40_000);
    record(&env, "disburse", r);
    let r = env.disburse(&campaign, &payee.submission, 40_000);
    record(&env, "disburse replayed", r);
    let r = env.disburse(&campaign, &payee.submission, 123_457);
    record(&env, "disburse again", r);
    let attestation = Attestation::sign(
        &oracle,
        &env.submission(&payee.submission),
        150_001,
        T0 + 60,
    );
    let claim = ix::claim(
        &env.payer.pubkey(),
        &env.campaign(&campaign),
        &env.submission(&payee.submission),
        150_001,
        T0 + 60,
    );
    let r = env.send(&[attestation.ed25519_instruction(), claim], &[&creator]);
    record(&env, "claim", r);
    let r = env.send(&[ix::withdraw(&env.campaign(&campaign), 1)], &[&brand]);
    record(&env, "withdraw too early", r);
    let r = env.set_status(&brand, &campaign, CampaignStatus::Ended);
    record(&env, "end", r);
    env.set_time(T0 + SETTLEMENT_SECS + 1);
    let left = env.account::<Campaign>(&campaign).available();
    let r = env.send(
        &[ix::withdraw(&env.campaign(&campaign), left + 1)],
        &[&brand],
    );
    record(&env, "withdraw too much", r);
    let r = env.send(&[ix::withdraw(&env.campaign(&campaign), left)], &[&brand]);
    record(&env, "withdraw", r);
    let close = ix::close_submission(&brand.pubkey(), &env.submission(&payee.submission));
    let r = env.send(&[close], &[&brand]);
    record(&env, "close submission", r);
    let r = env.send(&[ix::close_campaign(&env.campaign(&campaign))], &[&brand]);
    record(&env, "close campaign", r);
    (outcomes, units)
}

#[test]
fn misaligned_access_changes_cost_not_behaviour() {
    let (fast, strict) = (program_elf(), strict_align_elf());
    let cases = [
        ("native SOL", None, None),
        ("SPL Token", Some(TOKEN_PROGRAM_ID), None),
        ("Token-2022, 1% fee", Some(TOKEN_2022_PROGRAM_ID), Some(100)),
    ];
    for (label, token_program, fee) in cases {
        let (with_feature, units_fast) = run(&fast, token_program, fee);
        let (without, units_strict) = run(&strict, token_program, fee);
        assert_eq!(with_feature, without, "{label}: the two builds disagree");
        let failures = with_feature.iter().filter(|o| o.error.is_some()).count();
        assert_eq!(
            failures, 3,
            "{label}: the three refusals must be refused: {with_feature:#?}"
        );
        println!(
            "{label}: {} steps identical; compute units {units_fast} with the feature, \
             {units_strict} without ({:.0}%)",
            with_feature.len(),
            100.0 * units_fast as f64 / units_strict as f64
        );
        assert!(
            units_fast < units_strict,
            "{label}: the feature should make it cheaper"
        );
    }
}
