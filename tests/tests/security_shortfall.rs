//! The brand underfunds its campaign and tries to keep the difference: a payout the vault
//! cannot cover records the verified views and the shortfall they leave; withdrawals keep
//! every recorded shortfall back (including funds that arrive late or outside
//! `fund_campaign`), and the shortfall stays payable after the deadline and after settlement.
//! Every refusal asserts its error and that nothing moved.
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::state::CampaignStatus;
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset};
use clipstake_tests::*;
use solana_signer::Signer;

const VIEWS: u64 = UNDERFUNDED_VIEWS;
/// The payouts' timeline: the brand ends the campaign at `END`, the window closes at
/// `DEADLINE`.
const END: i64 = T0 + 100;
const DEADLINE: i64 = END + SETTLEMENT_SECS;

/// An underfunded campaign (10 units for a video owed 500) whose only payout took all the
/// vault held: 490 units are recorded as owed.
fn shortfall_fixture(token_program: Option<Pubkey>) -> (Env, Payee, u64) {
    let (mut env, payee, unit) = Env::underfunded_fixture(token_program, false);
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("partial payout");
    assert_eq!(
        env.campaign(&payee.campaign).state.shortfall_owed,
        490 * unit
    );
    (env, payee, unit)
}

fn end_campaign(env: &mut Env, payee: &Payee) {
    env.set_time(END);
    let brand = env.brand.insecure_clone();
    env.set_status(&brand, &payee.campaign, CampaignStatus::Ended)
        .unwrap();
}

// litesvm's own result type, as every harness call returns it.
#[allow(clippy::result_large_err)]
fn withdraw(env: &mut Env, payee: &Payee, amount: u64) -> TxResult {
    let brand = env.brand.insecure_clone();
    let withdraw = ix::withdraw(&env.campaign(&payee.campaign), amount);
    env.send(&[withdraw], &[&brand])
}

/// `withdraw` of `amount` refused with `expected`, nothing moved.
fn withdraw_refused(env: &mut Env, payee: &Payee, amount: u64, expected: ClipstakeError) {
    let mut watched = payee.watched(env);
    watched.push(receiving_account(payee.asset, &env.brand.pubkey()));
    let before = env.snapshot(&watched);
    assert_program_error(withdraw(env, payee, amount), expected);
    env.assert_unchanged(&before);
}

/// The creator's balance where the campaign pays it.
fn creator_balance(env: &Env, payee: &Payee) -> u64 {
    let at = receiving_account(payee.asset, &payee.creator.pubkey());
    match payee.asset {
        Asset::Sol => env.lamports(&at),
        Asset::Token { .. } => env.token_balance(&at),
    }
}

/// Topping up a recorded shortfall from a vault that holds nothing is refused.
#[test]
fn rejects_top_up_from_empty_vault() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee, _) = shortfall_fixture(token_program);
        let before = env.snapshot(&payee.watched(&env));
        let r = env.disburse(&payee.campaign, &payee.submission, VIEWS);
        assert_program_error(r, ClipstakeError::InsufficientVaultBalance);
        env.assert_unchanged(&before);
    }
}

/// Views verified while the vault is empty are still recorded: the watermark rises, nothing
/// moves, and what they earn is added to the recorded shortfall.
#[test]
fn empty_vault_payout_records_the_verified_views() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee, unit) = shortfall_fixture(token_program);
        let vault = env.campaign(&payee.campaign).state.vault;
        let paid = creator_balance(&env, &payee);
        env.disburse(&payee.campaign, &payee.submission, 2 * VIEWS)
            .expect("records the views");
        let s = env.submission(&payee.submission).state;
        assert_eq!((s.paid_views, s.paid_gross), (2 * VIEWS, 10 * unit));
        assert_eq!(
            env.campaign(&payee.campaign).state.shortfall_owed,
            990 * unit
        );
        assert_eq!(creator_balance(&env, &payee), paid);
        let _ = vault;
    }
}

/// The brand funds a little just before the deadline (too late for anyone to pay it out)
/// and tries to withdraw it afterwards: refused while the shortfall is owed; the oracle then
/// pays the shortfall after the deadline and after the brand's settlement.
#[test]
fn rejects_withdraw_of_late_funding_owed_to_a_shortfall() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee, unit) = shortfall_fixture(token_program);
        end_campaign(&mut env, &payee);
        env.set_time(DEADLINE - 1);
        env.fund(&payee.campaign, 500 * unit).unwrap();
        env.set_time(DEADLINE + 1);
        // 500 funded, 490 owed: only 10 may go back to the brand.
        withdraw_refused(
            &mut env,
            &payee,
            11 * unit,
            ClipstakeError::WithdrawExceedsAvailable,
        );
        withdraw(&mut env, &payee, 10 * unit).expect("what no view is owed");
        assert!(env.campaign(&payee.campaign).state.is_settled());
        withdraw_refused(
            &mut env,
            &payee,
            1,
            ClipstakeError::WithdrawExceedsAvailable,
        );

        let before = creator_balance(&env, &payee);
        env.disburse(&payee.campaign, &payee.submission, VIEWS)
            .expect("the shortfall, after the deadline and the settlement");
        let s = env.submission(&payee.submission).state;
        assert_eq!(s.paid_gross, 500 * unit);
        assert_eq!(env.campaign(&payee.campaign).state.shortfall_owed, 0);
        assert_eq!(
            creator_balance(&env, &payee) - before,
            490 * unit * 975 / 1_000
        );
        // New views are not payable after the deadline, only recorded shortfalls.
        let r = env.disburse(&payee.campaign, &payee.submission, 2 * VIEWS);
        assert_program_error(r, ClipstakeError::CampaignSettled);
    }
}

/// Tokens minted straight into the vault (outside `fund_campaign`) cannot be swept by the
/// brand while a shortfall is owed; the next payout books them as funding and pays the
/// shortfall with them.
#[test]
fn rejects_withdraw_of_stray_tokens_owed_to_a_shortfall() {
    let (mut env, payee, unit) = shortfall_fixture(Some(TOKEN_PROGRAM_ID));
    let Asset::Token {
        mint,
        token_program,
    } = payee.asset
    else {
        unreachable!()
    };
    let vault = env.campaign(&payee.campaign).state.vault;
    let mint_to = spl_token_interface::instruction::mint_to(
        &token_program,
        &mint,
        &vault,
        &env.payer.pubkey(),
        &[],
        100 * unit,
    )
    .unwrap();
    env.send(&[mint_to], &[]).expect("stray tokens");
    end_campaign(&mut env, &payee);
    env.set_time(DEADLINE + 1);
    withdraw_refused(
        &mut env,
        &payee,
        1,
        ClipstakeError::WithdrawExceedsAvailable,
    );
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("paid from the stray tokens");
    let c = env.campaign(&payee.campaign).state;
    assert_eq!((c.funded, c.shortfall_owed), (110 * unit, 390 * unit));
    assert_eq!(
        env.submission(&payee.submission).state.paid_gross,
        110 * unit
    );
}

/// The creator collects a recorded shortfall after the deadline with an attestation of the
/// same views.
#[test]
fn claim_collects_a_recorded_shortfall_after_the_deadline() {
    let (mut env, payee, unit) = shortfall_fixture(None);
    end_campaign(&mut env, &payee);
    env.fund(&payee.campaign, 490 * unit).unwrap();
    env.set_time(DEADLINE + 10);
    let expiry = DEADLINE + 3_600;
    let submission = env.submission(&payee.submission);
    let attestation = Attestation::sign(&env.oracle, &submission, VIEWS, expiry);
    let claim = ix::claim(
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &submission,
        VIEWS,
        expiry,
    );
    let creator = payee.creator.insecure_clone();
    env.send(&[attestation.ed25519_instruction(), claim], &[&creator])
        .expect("claim of the shortfall");
    assert_eq!(
        env.submission(&payee.submission).state.paid_gross,
        500 * unit
    );
}

/// A submission whose verified views are still owed cannot be closed: its record of the
/// shortfall must outlive the deadline.
#[test]
fn rejects_close_submission_with_shortfall_owed() {
    let (mut env, payee, _) = shortfall_fixture(None);
    end_campaign(&mut env, &payee);
    let platform = env.account::<clipstake::state::Platform>(&clipstake_sdk::pda::platform());
    let campaign = env.campaign(&payee.campaign).state;
    env.set_time(campaign.final_deadline(&platform) + 1);
    let brand = env.brand.insecure_clone();
    let close = ix::close_submission(&brand.pubkey(), &env.submission(&payee.submission));
    let before = env.snapshot(&payee.watched(&env));
    assert_program_error(
        env.send(&[close], &[&brand]),
        ClipstakeError::ShortfallStillOwed,
    );
    env.assert_unchanged(&before);
}
