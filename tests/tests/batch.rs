//! `disburse_batch` on the real SBF build: a batch books and moves exactly what the same
//! payouts made one `disburse` at a time would, describes every payout in one event, and pays
//! a submission listed twice only once for the same views. Its attack tests are in
//! `security_batch.rs`.
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::events::BatchPaid;
use clipstake::math::{Bps, entitlement, split};
use clipstake::state::Platform;
use clipstake_sdk::instructions::ASSOCIATED_TOKEN_PROGRAM_ID;
use clipstake_sdk::pda;
use clipstake_tests::*;
use solana_instruction_error::InstructionError;
use solana_signer::Signer;

/// SOL, SPL Token and Token-2022.
const ASSETS: [Option<Pubkey>; 3] = [None, Some(TOKEN_PROGRAM_ID), Some(TOKEN_2022_PROGRAM_ID)];

/// Different views per video, under the cap and the budget (5 units per 1,000 views).
fn views_of(i: usize) -> u64 {
    (i as u64 + 1) * 7_123
}

/// The `BatchPaid` events in a transaction's logs.
fn batch_events(logs: &[String]) -> Vec<BatchPaid> {
    clipstake_sdk::events::decode(logs)
}

/// Balances of everything a payout moves, in a fixed order: vault, treasury, then each
/// payee's creator and affiliate.
fn balances(env: &Env, payees: &[Payee]) -> Vec<u64> {
    let asset = payees[0].asset;
    let balance = |wallet: &Pubkey| {
        let at = receiving_account(asset, wallet);
        match asset {
            clipstake_sdk::instructions::Asset::Sol => env.lamports(&at),
            _ => env.token_balance(&at),
        }
    };
    let campaign = env.campaign(&payees[0].campaign).state;
    let vault = match asset {
        clipstake_sdk::instructions::Asset::Sol => env.lamports(&campaign.vault),
        _ => env.token_balance(&campaign.vault),
    };
    let mut all = vec![vault, balance(&env.treasury.pubkey())];
    for p in payees {
        all.push(balance(&p.creator.pubkey()));
        all.push(p.affiliate.as_ref().map_or(0, |a| balance(&a.pubkey())));
    }
    all
}

/// Every running total of the campaign and of each submission.
fn books(env: &Env, payees: &[Payee]) -> Vec<u64> {
    let c = env.campaign(&payees[0].campaign).state;
    let mut all = vec![
        c.paid_to_creators,
        c.fees_paid,
        c.fees_accrued,
        c.commissions_paid,
        c.commissions_accrued,
    ];
    for p in payees {
        let s = env.submission(&p.submission).state;
        all.extend([
            s.paid_views,
            s.paid_gross,
            s.paid_to_creator,
            s.fees_paid,
            s.commissions_paid,
            s.commission_accrued,
        ]);
    }
    all
}

/// Moves relative to a starting point (balances only ever grow, except the vault's).
fn moved(before: &[u64], after: &[u64]) -> Vec<i128> {
    before
        .iter()
        .zip(after)
        .map(|(b, a)| *a as i128 - *b as i128)
        .collect()
}

#[test]
fn batch_moves_and_books_exactly_what_single_disburses_would() {
    const N: usize = 9;
    for token_program in ASSETS {
        let (mut batched, payees_b) = Env::batch_fixture(token_program, N, true);
        let (mut single, payees_s) = Env::batch_fixture(token_program, N, true);
        let (start_b, start_s) = (balances(&batched, &payees_b), balances(&single, &payees_s));

        let payouts: Vec<(&Payee, u64)> = payees_b
            .iter()
            .enumerate()
            .map(|(i, p)| (p, views_of(i)))
            .collect();
        let batch = batched.batch_ix(&payouts);
        let oracle = batched.oracle.insecure_clone();
        let meta = batched.send(&[batch], &[&oracle]).expect("batch");
        for (i, p) in payees_s.iter().enumerate() {
            single
                .disburse(&p.campaign, &p.submission, views_of(i))
                .expect("disburse");
        }

        assert_eq!(books(&batched, &payees_b), books(&single, &payees_s));
        assert_eq!(
            moved(&start_b, &balances(&batched, &payees_b)),
            moved(&start_s, &balances(&single, &payees_s)),
            "{token_program:?}"
        );

        // One event describes every payout, amounts as the math says.
        let events = batch_events(&meta.logs);
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.payouts.len(), N);
        let terms = batched.campaign(&payees_b[0].campaign).state;
        let mut fee = 0;
        for (i, (entry, p)) in event.payouts.iter().zip(&payees_b).enumerate() {
            let gross = entitlement(views_of(i), terms.rate_per_thousand_views, u64::MAX);
            let bps = if p.affiliate.is_some() { 1_000 } else { 0 };
            let parts = split(gross, Bps::new(FEE_BPS).unwrap(), Bps::new(bps).unwrap()).unwrap();
            assert_eq!(entry.submission, p.submission);
            assert_eq!(
                (
                    entry.watermark,
                    entry.gross,
                    entry.fee,
                    entry.commission,
                    entry.still_owed
                ),
                (views_of(i), gross, parts.fee, parts.commission, 0)
            );
            assert!(!entry.commission_accrued);
            fee += parts.fee;
        }
        assert_eq!((event.fee, event.fee_accrued), (fee, false));
    }
}

#[test]
fn batch_pays_a_submission_listed_twice_once_for_the_same_views() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = Env::batch_fixture(token_program, 2, true);
        let p = &payees[0];
        let oracle = env.oracle.insecure_clone();

        // The same views twice: the second finds nothing owed, so nothing at all moves.
        let twice = env.batch_ix(&[(p, 10_000), (&payees[1], 10_000), (p, 10_000)]);
        let mut watched = p.watched(&env);
        watched.extend(payees[1].watched(&env));
        let before = env.snapshot(&watched);
        assert_program_error_at(
            env.send(&[twice], &[&oracle]),
            0,
            ClipstakeError::ViewsNotIncreasing,
        );
        env.assert_unchanged(&before);

        // Rising views: the second listing pays only the difference.
        let rising = env.batch_ix(&[(p, 10_000), (p, 30_000)]);
        env.send(&[rising], &[&oracle]).expect("rising views");
        let terms = env.campaign(&p.campaign).state;
        let s = env.submission(&p.submission).state;
        assert_eq!(
            (s.paid_views, s.paid_gross),
            (
                30_000,
                entitlement(30_000, terms.rate_per_thousand_views, u64::MAX)
            )
        );
    }
}

/// The lean entrypoint parses up to 64 account slots into a stack array; an instruction listing
/// more (here one submission 30 times with rising views: 68 slots) takes the heap path and
/// pays exactly the same.
#[test]
fn batch_listing_more_than_64_accounts_pays_the_same() {
    let (mut env, payees) = Env::batch_fixture(None, 1, false);
    let p = &payees[0];
    let oracle = env.oracle.insecure_clone();
    let listings: Vec<(&Payee, u64)> = (1..=30u64).map(|i| (p, i * 1_000)).collect();
    let batch = env.batch_ix(&listings);
    assert!(batch.accounts.len() > 64, "{} slots", batch.accounts.len());
    let before = env.lamports(&p.creator.pubkey());
    let meta = env.send(&[batch], &[&oracle]).expect("a 68-slot batch");
    let terms = env.campaign(&p.campaign).state;
    let owed = entitlement(30_000, terms.rate_per_thousand_views, u64::MAX);
    let s = env.submission(&p.submission).state;
    assert_eq!((s.paid_views, s.paid_gross), (30_000, owed));
    assert_eq!(
        env.lamports(&p.creator.pubkey()) - before,
        s.paid_to_creator,
        "the creator received every listing's share"
    );
    assert_eq!(batch_events(&meta.logs)[0].payouts.len(), 30);
}

/// A batch whose payouts outgrow the vault cuts the payout that reaches its end, and the
/// campaign's books still sum to what was funded.
#[test]
fn batch_cuts_the_payout_that_empties_the_vault() {
    let (mut env, payees, unit) = Env::underfunded_fixture(Some(TOKEN_PROGRAM_ID), true);
    env.create_receiving_accounts(payees.asset, std::slice::from_ref(&payees));
    let oracle = env.oracle.insecure_clone();
    let batch = env.batch_ix(&[(&payees, UNDERFUNDED_VIEWS)]);
    let meta = env.send(&[batch], &[&oracle]).expect("partial batch");
    let event = &batch_events(&meta.logs)[0];
    assert_eq!(
        (event.payouts[0].gross, event.payouts[0].still_owed),
        (10 * unit, 490 * unit)
    );
    let c = env.campaign(&payees.campaign).state;
    assert_eq!((c.paid_gross(), c.available()), (10 * unit, 0));
}

/// A batch needs no associated token account program: it creates nothing.
#[test]
fn batch_carries_no_account_creation_programs() {
    let (env, payees) = Env::batch_fixture(Some(TOKEN_PROGRAM_ID), 1, false);
    let batch = env.batch_ix(&[(&payees[0], 1_000)]);
    assert!(
        batch
            .accounts
            .iter()
            .all(|m| m.pubkey != ASSOCIATED_TOKEN_PROGRAM_ID)
    );
}

/// Pays the first half of `payees` in one batch and the rest one `disburse` each.
fn pay_half_batched(env: &mut Env, payees: &[Payee]) {
    let half = payees.len() / 2;
    let payouts: Vec<(&Payee, u64)> = payees[..half]
        .iter()
        .enumerate()
        .map(|(i, p)| (p, views_of(i)))
        .collect();
    let batch = env.batch_ix(&payouts);
    let oracle = env.oracle.insecure_clone();
    env.send(&[batch], &[&oracle]).expect("batch");
    for (i, p) in payees.iter().enumerate().skip(half) {
        env.disburse(&p.campaign, &p.submission, views_of(i))
            .expect("disburse");
    }
}

/// A cluster still running the classic SPL Token program has no `Batch` instruction: with the
/// platform's `spl_token_batch` off (as `with_classic_platform` sets it), payouts there move
/// one transfer per share and book and move exactly what p-token's batched transfers do.
#[test]
fn classic_spl_token_cluster_pays_the_same_with_one_transfer_per_share() {
    const N: usize = 6;
    let spl = Some(TOKEN_PROGRAM_ID);
    let (mut classic, payees_c) = Env::batch_fixture_on(Env::with_classic_platform(), spl, N, true);
    let (mut p_token, payees_p) = Env::batch_fixture(spl, N, true);
    let batching = |env: &Env| env.account::<Platform>(&pda::platform()).spl_token_batch;
    assert!(!batching(&classic) && batching(&p_token));
    let (start_c, start_p) = (balances(&classic, &payees_c), balances(&p_token, &payees_p));

    pay_half_batched(&mut classic, &payees_c);
    pay_half_batched(&mut p_token, &payees_p);

    assert_eq!(books(&classic, &payees_c), books(&p_token, &payees_p));
    assert_eq!(
        moved(&start_c, &balances(&classic, &payees_c)),
        moved(&start_p, &balances(&p_token, &payees_p))
    );
}

/// With `spl_token_batch` on where SPL Token is the classic program, the token program refuses
/// the `Batch` (its `InvalidInstruction`, 12) and the payout moves nothing: the setting exists
/// so the admin of such a cluster can turn it off.
#[test]
fn rejects_batched_transfers_on_a_classic_spl_token_cluster_moving_nothing() {
    const TOKEN_INVALID_INSTRUCTION: u32 = 12;
    let spl = Some(TOKEN_PROGRAM_ID);
    let (mut env, payees) = Env::batch_fixture_on(Env::with_classic_platform(), spl, 2, true);
    env.update_platform(clipstake::instructions::UpdatePlatformArgs {
        spl_token_batch: Some(true),
        ..Default::default()
    })
    .expect("turn batching on");
    let (start, books_before) = (balances(&env, &payees), books(&env, &payees));
    let oracle = env.oracle.insecure_clone();

    let batch = env.batch_ix(&[(&payees[0], 10_000), (&payees[1], 10_000)]);
    let refused = InstructionError::Custom(TOKEN_INVALID_INSTRUCTION);
    assert_instruction_error(env.send(&[batch], &[&oracle]), 0, refused.clone());
    let p = &payees[0];
    assert_instruction_error(env.disburse(&p.campaign, &p.submission, 10_000), 0, refused);

    assert_eq!(balances(&env, &payees), start);
    assert_eq!(books(&env, &payees), books_before);
}
