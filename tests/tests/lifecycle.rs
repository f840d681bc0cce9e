//! Full campaign lifecycles on the real SBF program: SPL Token, Token-2022 with a transfer fee,
//! and native SOL. Every balance is checked against the campaign's books at the end.
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::math::{Bps, entitlement, split};
use clipstake::state::{Campaign, CampaignStatus, Submission};
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset};
use clipstake_sdk::pda;
use clipstake_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

struct Recipient {
    wallet: Keypair,
    affiliate: Option<(Keypair, u16)>,
    submission: Pubkey,
}

/// Where `wallet` receives value in this campaign: its ATA for tokens, itself for SOL.
fn receiving_account(asset: Asset, wallet: &Pubkey) -> Pubkey {
    match asset {
        Asset::Sol => *wallet,
        Asset::Token {
            mint,
            token_program,
        } => pda::associated_token(wallet, &mint, &token_program),
    }
}

fn balance(env: &Env, asset: Asset, account: &Pubkey) -> u64 {
    match asset {
        Asset::Sol => env.lamports(account),
        Asset::Token { .. } => env.token_balance(account),
    }
}

/// Runs a whole campaign in `token_program`'s tokens (a fresh mint with `transfer_fee_bps`, a
/// Token-2022 transfer fee when non-zero) or, with `None`, in native SOL.
fn run_lifecycle(token_program: Option<Pubkey>, transfer_fee_bps: u16) {
    let mut env = Env::with_platform();
    let asset = match token_program {
        None => Asset::Sol,
        Some(token_program) => {
            let fee = (transfer_fee_bps > 0).then_some(transfer_fee_bps);
            let mint = env.create_mint(&token_program, 6, fee);
            Asset::Token {
                mint,
                token_program,
            }
        }
    };
    let unit = 1_000; // base units per "unit" of the fixture's rates
    let campaign_id = 7;
    let args = env.campaign_args(campaign_id, unit);
    let (rate, cap) = (args.rate_per_thousand_views, args.cap_per_submission);
    let campaign = env.create_campaign(asset, args).expect("create_campaign");

    // Fund: tokens come from the brand's ATA; SOL from the brand's wallet.
    let budget = 3_000 * unit;
    if let Asset::Token {
        mint,
        token_program,
    } = asset
    {
        env.fund_tokens(&token_program, &mint, &env.brand.pubkey(), budget);
    }
    let fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), budget);
    let brand = env.brand.insecure_clone();
    env.send(&[fund], &[&brand]).expect("fund_campaign");
    let received = budget - budget * u64::from(transfer_fee_bps) / 10_000;
    assert_eq!(
        env.account::<Campaign>(&campaign).funded,
        received,
        "funded records what arrived"
    );

    // Three creators; the second has an affiliate at 10%.
    let mut creators = Vec::new();
    for i in 0..3 {
        let wallet = Keypair::new();
        if asset == Asset::Sol {
            env.svm.airdrop(&wallet.pubkey(), SOL).unwrap(); // SOL payouts need a rent-exempt wallet
        }
        let affiliate = (i == 1).then(|| (Keypair::new(), 1_000u16));
        if let (Some((a, _)), Asset::Sol) = (&affiliate, asset) {
            env.svm.airdrop(&a.pubkey(), SOL).unwrap();
        }
        let submission = env
            .register(
                &campaign,
                &format!("https://video.example/{i}"),
                &wallet.pubkey(),
                affiliate.as_ref().map(|(a, bps)| (a.pubkey(), *bps)),
            )
            .expect("register_submission");
        creators.push(Recipient {
            wallet,
            affiliate,
            submission,
        });
    }
    let treasury = env.treasury.pubkey();
    let start = |env: &Env, who: &Pubkey| balance(env, asset, &receiving_account(asset, who));
    let treasury_before = start(&env, &treasury);
    let creator_before: Vec<u64> = creators
        .iter()
        .map(|c| start(&env, &c.wallet.pubkey()))
        .collect();

    // Several rounds of oracle pushes for creators 0 and 1.
    for views in [1_500u64, 20_000, 150_000, 400_000] {
        for c in &creators[..2] {
            env.disburse(&campaign, &c.submission, views)
                .expect("disburse");
        }
    }
    // A replayed push moves nothing.
    assert_program_error(
        env.disburse(&campaign, &creators[0].submission, 400_000),
        ClipstakeError::ViewsNotIncreasing,
    );

    // Creator 2 claims on-chain with an attestation the oracle signed.
    let expiry = T0 + 3_600;
    let attestation = Attestation::sign(
        &env.oracle,
        &env.submission(&creators[2].submission),
        90_001,
        expiry,
    );
    assert!(attestation.verify());
    let claim = ix::claim(
        &env.payer.pubkey(),
        &env.campaign(&campaign),
        &env.submission(&creators[2].submission),
        90_001,
        expiry,
    );
    let creator2 = creators[2].wallet.insecure_clone();
    env.send(
        &[attestation.ed25519_instruction(), claim.clone()],
        &[&creator2],
    )
    .expect("claim");
    // Replaying the same attestation pays nothing.
    assert_program_error(
        env.send(&[attestation.ed25519_instruction(), claim], &[&creator2]),
        ClipstakeError::ViewsNotIncreasing,
    );

    // Books: each submission paid exactly entitlement(watermark), split exactly.
    let state = env.account::<Campaign>(&campaign);
    let mut expected_creator = Vec::new();
    let (mut fees, mut commissions) = (0, 0);
    for (c, views) in creators.iter().zip([400_000u64, 400_000, 90_001]) {
        let sub = env.account::<Submission>(&c.submission);
        assert_eq!(sub.paid_views, views);
        assert_eq!(sub.paid_gross, entitlement(views, rate, cap));
        assert!(sub.paid_gross <= cap);
        assert_eq!(
            sub.paid_gross,
            sub.paid_to_creator + sub.fees_paid + sub.commissions_paid
        );
        fees += sub.fees_paid;
        commissions += sub.commissions_paid;
        expected_creator.push(sub.paid_to_creator);
    }
    assert_eq!(state.fees_paid, fees);
    assert_eq!(state.commissions_paid, commissions);
    // Creator 0's first payout: split of entitlement(1500) at 2.5% fee.
    let first = split(
        entitlement(1_500, rate, cap),
        Bps::new(FEE_BPS).unwrap(),
        Bps::ZERO,
    )
    .unwrap();
    assert_eq!(first.fee + first.creator, first.gross);

    // What arrived (a Token-2022 transfer fee is withheld from each receipt).
    // Token-2022 withholds ceil(amount × bps / 10⁴) of every transfer at the destination.
    let after_fee = |amount: u64| amount - (amount * u64::from(transfer_fee_bps)).div_ceil(10_000);
    for (i, c) in creators.iter().enumerate() {
        let got = start(&env, &c.wallet.pubkey()) - creator_before[i];
        if transfer_fee_bps == 0 {
            assert_eq!(got, expected_creator[i], "creator {i} received its share");
        } else {
            assert!(
                got <= expected_creator[i]
                    && got + expected_creator[i] / 50 + 1 >= expected_creator[i]
            );
        }
        if let Some((affiliate, _)) = &c.affiliate {
            let sub = env.account::<Submission>(&c.submission);
            assert!(sub.commissions_paid > 0);
            let got = balance(&env, asset, &receiving_account(asset, &affiliate.pubkey()));
            let before = if asset == Asset::Sol { SOL } else { 0 };
            assert_eq!(
                got - before,
                if transfer_fee_bps == 0 {
                    sub.commissions_paid
                } else {
                    got - before
                }
            );
        }
    }
    let treasury_got = start(&env, &treasury) - treasury_before;
    if transfer_fee_bps == 0 {
        assert_eq!(treasury_got, fees);
    } else {
        // The fee is rounded up per transfer: at most one unit more for each of the 9 payouts.
        let transfers = 9;
        assert!(treasury_got <= fees && treasury_got + transfers >= after_fee(fees));
    }

    // The vault holds exactly what the books say.
    let vault_balance = match asset {
        Asset::Sol => {
            env.lamports(&state.vault) - env.svm.minimum_balance_for_rent_exemption(8 + 33)
        }
        Asset::Token { .. } => env.token_balance(&state.vault),
    };
    assert_eq!(vault_balance, state.available());
    assert_eq!(
        state.funded,
        state.paid_gross() + state.withdrawn + vault_balance
    );

    // The brand cannot withdraw while payouts may still be owed.
    let withdraw = ix::withdraw(&env.campaign(&campaign), 1);
    assert_program_error(
        env.send(&[withdraw], &[&brand]),
        ClipstakeError::SettlementWindowOpen,
    );

    // After the end and the settlement window, the brand takes back the rest and closes.
    env.set_time(T0 + CAMPAIGN_SECS + SETTLEMENT_SECS);
    assert_program_error(
        env.disburse(&campaign, &creators[2].submission, 100_000),
        ClipstakeError::CampaignEnded,
    );
    let brand_before = balance(&env, asset, &receiving_account(asset, &brand.pubkey()));
    let rest = state.available();
    let withdraw = ix::withdraw(&env.campaign(&campaign), rest);
    env.send(&[withdraw], &[&brand]).expect("withdraw");
    let brand_got = balance(&env, asset, &receiving_account(asset, &brand.pubkey())) - brand_before;
    assert_eq!(brand_got, after_fee(rest));
    let state = env.account::<Campaign>(&campaign);
    assert_eq!(state.available(), 0);
    assert_eq!(
        state.funded,
        state.paid_gross() + state.withdrawn,
        "every unit is accounted for"
    );

    // Closing needs the submissions closed first; rent goes back to whoever paid it.
    assert_program_error(
        env.send(&[ix::close_campaign(&env.campaign(&campaign))], &[&brand]),
        ClipstakeError::SubmissionsStillOpen,
    );
    let payer_before = env.lamports(&env.payer.pubkey());
    for c in &creators {
        let close = ix::close_submission(&env.oracle.pubkey(), &env.submission(&c.submission));
        let oracle = env.oracle.insecure_clone();
        env.send(&[close], &[&oracle]).expect("close_submission");
        assert!(
            env.svm
                .get_account(&c.submission)
                .is_none_or(|a| a.lamports == 0)
        );
    }
    env.send(&[ix::close_campaign(&env.campaign(&campaign))], &[&brand])
        .expect("close_campaign");
    assert!(
        env.svm
            .get_account(&campaign)
            .is_none_or(|a| a.lamports == 0)
    );
    assert!(
        env.svm
            .get_account(&state.vault)
            .is_none_or(|a| a.lamports == 0)
    );
    assert!(
        env.lamports(&env.payer.pubkey()) > payer_before,
        "rent came back to the payer"
    );
}

#[test]
fn spl_token_campaign_lifecycle() {
    run_lifecycle(Some(TOKEN_PROGRAM_ID), 0);
}

#[test]
fn token_2022_campaign_with_transfer_fee_lifecycle() {
    run_lifecycle(Some(TOKEN_2022_PROGRAM_ID), 100);
}

#[test]
fn native_sol_campaign_lifecycle() {
    run_lifecycle(None, 0);
}

#[test]
fn rejects_payouts_and_withdrawals_while_admin_paused() {
    let mut env = Env::with_platform();
    let campaign = env
        .create_campaign(Asset::Sol, env.campaign_args(1, 1_000))
        .unwrap();
    let fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), 10 * SOL);
    let brand = env.brand.insecure_clone();
    env.send(&[fund], &[&brand]).unwrap();
    let creator = Keypair::new();
    env.svm.airdrop(&creator.pubkey(), SOL).unwrap();
    let submission = env
        .register(&campaign, "v", &creator.pubkey(), None)
        .unwrap();
    let admin = env.admin.insecure_clone();
    env.send(
        &[ix::set_campaign_status(
            &admin.pubkey(),
            &campaign,
            CampaignStatus::Paused,
        )],
        &[&admin],
    )
    .unwrap();
    assert_program_error(
        env.disburse(&campaign, &submission, 10_000),
        ClipstakeError::CampaignPaused,
    );
    assert_program_error(
        env.send(
            &[ix::set_campaign_status(
                &brand.pubkey(),
                &campaign,
                CampaignStatus::Active,
            )],
            &[&brand],
        ),
        ClipstakeError::AdminPauseLocked,
    );
    // The budget stays frozen while the admin investigates, even past the settlement window,
    // so the window cannot run out on creators whose payouts are blocked.
    env.set_time(T0 + SETTLEMENT_SECS + 1);
    assert_program_error(
        env.send(&[ix::withdraw(&env.campaign(&campaign), SOL)], &[&brand]),
        ClipstakeError::AdminPauseLocked,
    );
    env.send(
        &[ix::set_campaign_status(
            &admin.pubkey(),
            &campaign,
            CampaignStatus::Active,
        )],
        &[&admin],
    )
    .unwrap();
    env.disburse(&campaign, &submission, 10_000)
        .expect("paid after resume");
}
