//! Attack tests for the trust model of issue 11: what the brand (who funds the escrow) could do
//! to take back what others earned, and what one recipient could do to block the others.
//!
//! 1. Mint re-creation (close authority), and the mint policy applied to the mint as it is now.
//! 2. Adjustable transfer fees.
//! 3. Freeze authorities, and the trusted-issuer path.
//! 4. The brand as its own oracle; revoked oracles; re-pointing a campaign's oracle.
//! 5. Platform pauses: blocked for the brand, and the deadline moves by their length.
//! 6. Admin pauses: the deadline moves by their length.
//! 7. Zero or short settlement windows; a withdrawal ends a campaign for good.
//! 8. A recipient requiring memos (or whose account was handed away) cannot block the creator.
//! 9. SOL recipients that cannot hold SOL.
//! 10. Attestation lifetime.
//! 11. Two-step admin change.
//!
//! Every refusal asserts the exact program error and that no watched account changed; where
//! the design changes what is allowed, a test shows the new rule working.
// litesvm's FailedTransactionMetadata is the error type; boxing it would only obscure tests.
#![allow(clippy::result_large_err)]
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountSerialize, Space};
use clipstake::errors::ClipstakeError;
use clipstake::instructions::{CreateCampaignArgs, InitPlatformArgs, UpdatePlatformArgs};
use clipstake::math::{self, Bps, Split};
use clipstake::state::{CampaignStatus, OracleRegistration, Platform};
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, Asset};
use clipstake_sdk::pda;
use clipstake_tests::MintExtension as Ext;
use clipstake_tests::*;
use solana_account::Account;
use solana_clock::Clock;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// One day in seconds.
const DAY: i64 = 24 * 3600;
/// The fixture campaign's end.
const END: i64 = T0 + CAMPAIGN_SECS;
/// The fixture campaign's payout deadline without any pause.
const DEADLINE: i64 = END + SETTLEMENT_SECS;
/// Views used by the tests: 500 units of entitlement, under the cap and the budget.
const VIEWS: u64 = 100_000;
/// Commission of the fixture's affiliate (`Env::payee`), in basis points.
const AFFILIATE_BPS: u16 = 1_000;
/// The video the fixtures register.
const VIDEO: &str = "https://video.example/trust";

// ------------------------------------------------------------------------------------------
// Local harness helpers

/// Sends `ixs` signed by `signers`, hands the result to `check`, and asserts that none of
/// `watch` changed.
fn refused(
    env: &mut Env,
    watch: &[Pubkey],
    ixs: &[Instruction],
    signers: &[&Keypair],
    check: impl FnOnce(TxResult),
) {
    let before = env.snapshot(watch);
    check(env.send(ixs, signers));
    env.assert_unchanged(&before);
}

/// Everything a payout, a funding or a withdrawal of `payee`'s campaign could touch: the
/// payee's accounts plus the brand in both forms.
fn watched(env: &Env, payee: &Payee) -> Vec<Pubkey> {
    let mut keys = payee.watched(env);
    keys.push(env.brand.pubkey());
    keys.push(receiving_account(payee.asset, &env.brand.pubkey()));
    if let Asset::Token { mint, .. } = payee.asset {
        keys.push(mint);
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The accounts a `create_campaign` of the brand with id `campaign_id` in `asset` would create.
fn create_watch(env: &Env, asset: Asset, campaign_id: u64) -> Vec<Pubkey> {
    let campaign = pda::campaign(&env.brand.pubkey(), campaign_id);
    let vault = match asset {
        Asset::Sol => pda::sol_vault(&campaign),
        Asset::Token {
            mint,
            token_program,
        } => pda::associated_token(&campaign, &mint, &token_program),
    };
    vec![campaign, vault, env.brand.pubkey()]
}

/// `create_campaign` of the brand, expected to fail with `expected`, creating nothing.
#[track_caller]
fn assert_create_refused(env: &mut Env, asset: Asset, campaign_id: u64, expected: ClipstakeError) {
    let args = env.campaign_args(campaign_id, unit_of(asset));
    let (create, _) = ix::create_campaign(&env.brand.pubkey(), &env.payer.pubkey(), asset, args);
    let watch = create_watch(env, asset, campaign_id);
    let brand = env.brand.insecure_clone();
    refused(env, &watch, &[create], &[&brand], |r| {
        assert_program_error(r, expected)
    });
}

/// `disburse` of `payee` signed by `oracle`.
fn disburse_ix(env: &Env, oracle: &Pubkey, payee: &Payee, views: u64) -> Instruction {
    ix::disburse(
        oracle,
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &env.submission(&payee.submission),
        views,
    )
}

/// `disburse` of `payee` by `oracle`.
fn disburse_by(env: &mut Env, oracle: &Keypair, payee: &Payee, views: u64) -> TxResult {
    let disburse = disburse_ix(env, &oracle.pubkey(), payee, views);
    env.send(&[disburse], &[oracle])
}

/// The Ed25519 instruction of `oracle`'s attestation for `payee`, then the claim.
fn claim_ixs(
    env: &Env,
    oracle: &Keypair,
    payee: &Payee,
    views: u64,
    expiry: i64,
) -> Vec<Instruction> {
    let submission = env.submission(&payee.submission);
    let attestation = Attestation::sign(oracle, &submission, views, expiry);
    let claim = ix::claim(
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &submission,
        views,
        expiry,
    );
    vec![attestation.ed25519_instruction(), claim]
}

/// The creator claims with `oracle`'s attestation.
fn claim_by(env: &mut Env, oracle: &Keypair, payee: &Payee, views: u64, expiry: i64) -> TxResult {
    let ixs = claim_ixs(env, oracle, payee, views, expiry);
    let creator = payee.creator.insecure_clone();
    env.send(&ixs, &[&creator])
}

/// `withdraw` of `amount` by the brand.
fn withdraw_ix(env: &Env, campaign: &Pubkey, amount: u64) -> Instruction {
    ix::withdraw(&env.campaign(campaign), amount)
}

/// The brand withdraws `amount`.
fn brand_withdraw(env: &mut Env, campaign: &Pubkey, amount: u64) -> TxResult {
    let withdraw = withdraw_ix(env, campaign, amount);
    let brand = env.brand.insecure_clone();
    env.send(&[withdraw], &[&brand])
}

/// `fund_campaign` of `amount` by the brand, from its token account (or wallet) as it is.
fn fund_ix(env: &Env, campaign: &Pubkey, amount: u64) -> Instruction {
    ix::fund_campaign(&env.brand.pubkey(), &env.campaign(campaign), amount)
}

/// `settle_accrued` for `submission`'s commission, or the campaign's fees without one.
fn settle(env: &mut Env, campaign: &Pubkey, submission: Option<&Pubkey>) -> TxResult {
    let settle = settle_ix(env, campaign, submission);
    env.send(&[settle], &[])
}

fn settle_ix(env: &Env, campaign: &Pubkey, submission: Option<&Pubkey>) -> Instruction {
    let submission = submission.map(|s| env.submission(s));
    ix::settle_accrued(
        &env.payer.pubkey(),
        &env.campaign(campaign),
        submission.as_ref(),
    )
}

/// What the vault holds: tokens, or lamports above its rent exemption.
fn vault_balance(env: &Env, campaign: &Pubkey) -> u64 {
    let state = env.campaign(campaign).state;
    match state.asset().unwrap() {
        clipstake::state::AssetKind::NativeSol => {
            let vault = env.svm.get_account(&state.vault).expect("vault exists");
            let floor = env.svm.minimum_balance_for_rent_exemption(vault.data.len());
            vault.lamports - floor
        }
        _ => env.token_balance(&state.vault),
    }
}

/// How `gross` splits with the fixture's fee and `commission_bps`.
fn split(gross: u64, commission_bps: u16) -> Split {
    math::split(
        gross,
        Bps::new(FEE_BPS).unwrap(),
        Bps::new(commission_bps).unwrap(),
    )
    .unwrap()
}

/// Gross owed for `VIEWS` views at the fixture's rate in `asset`.
fn gross_for_views(asset: Asset) -> u64 {
    math::entitlement(VIEWS, 5 * unit_of(asset), 1_000 * unit_of(asset))
}

fn platform(env: &Env) -> Platform {
    env.account::<Platform>(&pda::platform())
}

/// Warps the clock `epochs` epochs forward.
fn warp_epochs(env: &mut Env, epochs: u64) {
    let mut clock: Clock = env.svm.get_sysvar();
    clock.epoch += epochs;
    env.svm.set_sysvar(&clock);
}

fn current_epoch(env: &Env) -> u64 {
    env.svm.get_sysvar::<Clock>().epoch
}

fn token_asset(mint: Pubkey, token_program: Pubkey) -> Asset {
    Asset::Token {
        mint,
        token_program,
    }
}

/// A platform, a funded Token-2022 campaign on a clean mint and one registered video.
fn token_2022_fixture(with_affiliate: bool) -> (Env, Payee) {
    Env::payout_fixture(Some(TOKEN_2022_PROGRAM_ID), with_affiliate)
}

/// Turns required memos off again on `owner`'s account `ata`.
fn stop_requiring_memos(env: &mut Env, owner: &Keypair, ata: &Pubkey) {
    use spl_token_2022_interface::extension::memo_transfer::instruction as memo;
    let disable =
        memo::disable_required_transfer_memos(&TOKEN_2022_PROGRAM_ID, ata, &owner.pubkey(), &[])
            .unwrap();
    env.send(&[disable], &[owner]).expect("memos disabled");
}

// ------------------------------------------------------------------------------------------
// 1. Mint re-creation: close authority, and the mint as it is now

/// A Token-2022 mint whose close authority is set: the brand could close it at supply 0 and
/// re-create it at the same address with itself as permanent delegate.
#[test]
fn rejects_mint_with_close_authority() {
    let mut env = Env::with_platform();
    let brand = env.brand.pubkey();
    let mint = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::CloseAuthority(Some(brand))],
    );
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    assert_create_refused(&mut env, asset, 1, ClipstakeError::MintCloseAuthority);
}

/// The close-authority extension with no authority cannot close anything: accepted, and the
/// campaign funds and pays.
#[test]
fn accepts_mint_with_unset_close_authority() {
    let mut env = Env::with_platform();
    let mint = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::CloseAuthority(None)],
    );
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    let campaign = env.funded_campaign(asset, 1);
    let payee = env.payee(&campaign, asset, VIDEO, false);
    env.disburse(&campaign, &payee.submission, VIEWS)
        .expect("disburse");
    let creator_ata = receiving_account(asset, &payee.creator.pubkey());
    assert_eq!(
        env.token_balance(&creator_ata),
        split(gross_for_views(asset), 0).creator
    );
}

/// Every other Token-2022 power that could take, freeze or lock the vault is refused at
/// creation (the re-created mints of the attack 1).
#[test]
fn rejects_mints_whose_extensions_take_or_lock_funds() {
    let mut env = Env::with_platform();
    let brand = env.brand.pubkey();
    let hook_program = Pubkey::new_unique();
    let cases: [(Option<Pubkey>, Ext, ClipstakeError); 5] = [
        (
            None,
            Ext::PermanentDelegate(brand),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            None,
            Ext::TransferHook(hook_program),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            None,
            Ext::Pausable(brand),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            None,
            Ext::NonTransferable,
            ClipstakeError::UnsupportedMintExtension,
        ),
        // Token-2022 insists on a freeze authority for default-frozen accounts; that alone is
        // refused.
        (
            Some(brand),
            Ext::DefaultFrozen,
            ClipstakeError::MintFreezeAuthority,
        ),
    ];
    for (id, (freeze, extension, expected)) in cases.into_iter().enumerate() {
        let mint = create_mint_with(&mut env, &TOKEN_2022_PROGRAM_ID, freeze, &[extension]);
        let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
        assert_create_refused(&mut env, asset, id as u64 + 1, expected);
    }
}

/// A default-frozen mint without a freeze authority (bytes patched: Token-2022 itself would
/// not let one be made) is still refused for its `DefaultAccountState` extension.
#[test]
fn rejects_default_frozen_mint_even_without_freeze_authority() {
    let mut env = Env::with_platform();
    let brand = env.brand.pubkey();
    let mint = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        Some(brand),
        &[Ext::DefaultFrozen],
    );
    let mut account = env.svm.get_account(&mint).unwrap();
    account.data[46..82].fill(0);
    env.put_account(mint, account);
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    assert_create_refused(&mut env, asset, 1, ClipstakeError::UnsupportedMintExtension);
}

/// The mint policy applies to the mint as it is now: a campaign created on a clean mint whose
/// account is then replaced by a permanent-delegate mint (what closing and re-creating it would
/// give) can no longer be funded, paid from or withdrawn from through the program.
#[test]
fn rejects_fund_payout_and_withdraw_after_mint_replaced_by_permanent_delegate_mint() {
    let (mut env, payee) = token_2022_fixture(true);
    let brand = env.brand.pubkey();
    let evil = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::PermanentDelegate(brand)],
    );
    // The brand has tokens to fund with, minted before the swap.
    let Asset::Token {
        mint,
        token_program,
    } = payee.asset
    else {
        unreachable!()
    };
    env.fund_tokens(&token_program, &mint, &brand, 1_000 * TOKEN_UNIT);
    replace_mint(&mut env, &payee, &evil);
    let watch = watched(&env, &payee);
    let brand_kp = env.brand.insecure_clone();
    let oracle = env.oracle.insecure_clone();

    let fund = fund_ix(&env, &payee.campaign, 1_000 * TOKEN_UNIT);
    refused(&mut env, &watch, &[fund], &[&brand_kp], |r| {
        assert_program_error(r, ClipstakeError::UnsupportedMintExtension)
    });
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::UnsupportedMintExtension)
    });
    let claim = claim_ixs(&env, &oracle, &payee, VIEWS, T0 + 3_600);
    let creator = payee.creator.insecure_clone();
    refused(&mut env, &watch, &claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::UnsupportedMintExtension)
    });

    env.set_time(DEADLINE);
    let all = vault_balance(&env, &payee.campaign);
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand_kp], |r| {
        assert_program_error(r, ClipstakeError::UnsupportedMintExtension)
    });
}

/// Whatever dangerous mint replaces the campaign's, payouts stop with that mint's refusal.
#[test]
fn rejects_payout_after_mint_replaced_by_any_dangerous_mint() {
    let brand_key = |env: &Env| env.brand.pubkey();
    type Case = (Option<bool>, Ext, ClipstakeError);
    // (freeze authority?, extension, expected).
    let cases: [Case; 7] = [
        (
            Some(true),
            Ext::CloseAuthority(None),
            ClipstakeError::MintFreezeAuthority,
        ),
        (
            None,
            Ext::CloseAuthority(Some(Pubkey::new_unique())),
            ClipstakeError::MintCloseAuthority,
        ),
        (
            None,
            Ext::TransferFee(Some(Pubkey::new_unique()), 10_000),
            ClipstakeError::MintTransferFeeAdjustable,
        ),
        (
            None,
            Ext::TransferHook(Pubkey::new_unique()),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            None,
            Ext::Pausable(Pubkey::new_unique()),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            None,
            Ext::NonTransferable,
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            Some(true),
            Ext::DefaultFrozen,
            ClipstakeError::MintFreezeAuthority,
        ),
    ];
    for (freeze, extension, expected) in cases {
        let (mut env, payee) = token_2022_fixture(true);
        let freeze = freeze.map(|_| brand_key(&env));
        let evil = create_mint_with(&mut env, &TOKEN_2022_PROGRAM_ID, freeze, &[extension]);
        replace_mint(&mut env, &payee, &evil);
        let watch = watched(&env, &payee);
        let oracle = env.oracle.insecure_clone();
        let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
        refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
            assert_program_error(r, expected)
        });
    }
}

// ------------------------------------------------------------------------------------------
// 2. Transfer fees

/// A transfer fee whose config authority is set: the brand could raise it to 100% two epochs
/// later and payouts would deliver nothing.
#[test]
fn rejects_mint_with_adjustable_transfer_fee() {
    let mut env = Env::with_platform();
    let brand = env.brand.pubkey();
    let mint = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::TransferFee(Some(brand), 100)],
    );
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    assert_create_refused(
        &mut env,
        asset,
        1,
        ClipstakeError::MintTransferFeeAdjustable,
    );
}

/// A fixed fee whose withheld amounts the brand may withdraw: every payout would withhold the
/// fee in the recipients' accounts, and the brand, as withdraw-withheld authority, would take
/// it back from them without their signature. Refused at creation.
#[test]
fn rejects_mint_whose_withheld_fees_the_brand_can_withdraw() {
    let mut env = Env::with_platform();
    let brand = env.brand.pubkey();
    let mint = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::WithdrawableTransferFee(brand, 5_000)],
    );
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    assert_create_refused(
        &mut env,
        asset,
        1,
        ClipstakeError::MintTransferFeeWithdrawable,
    );
}

/// A fixed fee (no config authority) is accepted: funding records what arrived and payouts
/// run; recipients bear the fee they could see.
#[test]
fn accepts_mint_with_fixed_transfer_fee() {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_2022_PROGRAM_ID, 6, Some(100));
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    let campaign = env
        .create_campaign(asset, env.campaign_args(1, TOKEN_UNIT))
        .expect("create_campaign");
    let amount = BUDGET_UNITS * TOKEN_UNIT;
    env.fund(&campaign, amount).expect("fund");
    assert_eq!(env.campaign(&campaign).state.funded, amount - amount / 100);
    let payee = env.payee(&campaign, asset, VIDEO, false);
    env.disburse(&campaign, &payee.submission, VIEWS)
        .expect("disburse");
    assert_eq!(
        env.campaign(&campaign).state.paid_to_creators,
        split(gross_for_views(asset), 0).creator
    );
}

/// A fee change already scheduled (newer fee's epoch still ahead) is refused even after the
/// config authority is dropped; once that epoch arrives the fee is fixed and accepted.
#[test]
fn rejects_mint_with_pending_transfer_fee_change() {
    use spl_token_2022_interface::extension::transfer_fee::instruction::set_transfer_fee;
    let mut env = Env::with_platform();
    let issuer = env.payer.pubkey();
    let mint = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::TransferFee(Some(issuer), 0)],
    );
    let raise = set_transfer_fee(
        &TOKEN_2022_PROGRAM_ID,
        &mint,
        &issuer,
        &[],
        10_000,
        u64::MAX,
    )
    .unwrap();
    let drop_authority = spl_token_2022_interface::instruction::set_authority(
        &TOKEN_2022_PROGRAM_ID,
        &mint,
        None,
        spl_token_2022_interface::instruction::AuthorityType::TransferFeeConfig,
        &issuer,
        &[],
    )
    .unwrap();
    env.send(&[raise, drop_authority], &[])
        .expect("fee raised, authority dropped");
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    assert_create_refused(
        &mut env,
        asset,
        1,
        ClipstakeError::MintTransferFeeAdjustable,
    );
    warp_epochs(&mut env, 1);
    assert_create_refused(
        &mut env,
        asset,
        1,
        ClipstakeError::MintTransferFeeAdjustable,
    );
    // Two epochs after the change the new fee is in force and can no longer change.
    warp_epochs(&mut env, 1);
    let epoch = current_epoch(&env);
    env.create_campaign(asset, env.campaign_args(1, TOKEN_UNIT))
        .unwrap_or_else(|e| panic!("fixed fee at epoch {epoch} refused: {:?}", e.meta.logs));
}

// ------------------------------------------------------------------------------------------
// 3. Freeze authority and trusted issuers

/// SPL Token and Token-2022 mints with a freeze authority: the brand could freeze the vault
/// through the settlement window and thaw it to withdraw.
#[test]
fn rejects_mint_with_freeze_authority() {
    let mut env = Env::with_platform();
    let brand = env.brand.pubkey();
    for (id, token_program) in [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID]
        .into_iter()
        .enumerate()
    {
        let mint = create_mint_with(&mut env, &token_program, Some(brand), &[]);
        let asset = token_asset(mint, token_program);
        assert_create_refused(
            &mut env,
            asset,
            id as u64 + 1,
            ClipstakeError::MintFreezeAuthority,
        );
    }
}

/// The trusted-issuer path: a mint with a freeze authority (as USDC has) works end to end once
/// the admin trusts it; distrusting it refuses new campaigns while existing ones keep working.
#[test]
fn trusted_issuer_mint_with_freeze_authority_works_and_distrust_applies_to_new_campaigns() {
    for token_program in [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID] {
        let mut env = Env::with_platform();
        let issuer = Keypair::new().pubkey();
        let mint = create_mint_with(&mut env, &token_program, Some(issuer), &[]);
        let asset = token_asset(mint, token_program);
        assert_create_refused(&mut env, asset, 1, ClipstakeError::MintFreezeAuthority);

        env.trust_mint(&mint).expect("trust_mint");
        let campaign = env.funded_campaign(asset, 1);
        assert!(env.campaign(&campaign).state.is_mint_trusted());
        let payee = env.payee(&campaign, asset, VIDEO, true);
        env.disburse(&campaign, &payee.submission, VIEWS)
            .expect("disburse");
        let paid = split(gross_for_views(asset), AFFILIATE_BPS);
        let creator_ata = receiving_account(asset, &payee.creator.pubkey());
        assert_eq!(env.token_balance(&creator_ata), paid.creator);

        let admin = env.admin.insecure_clone();
        let distrust = ix::distrust_mint(&admin.pubkey(), &mint, &env.payer.pubkey());
        env.send(&[distrust], &[&admin]).expect("distrust_mint");
        assert!(env.svm.get_account(&pda::trusted_mint(&mint)).is_none());
        assert_create_refused(&mut env, asset, 2, ClipstakeError::MintFreezeAuthority);

        // The existing campaign keeps its terms: funded and paid again.
        env.fund(&campaign, 10 * TOKEN_UNIT)
            .expect("fund after distrust");
        env.disburse(&campaign, &payee.submission, 2 * VIEWS)
            .expect("disburse after distrust");
        assert_eq!(env.token_balance(&creator_ata), 2 * paid.creator);
    }
}

/// The trust record of another (trusted) mint passed for an untrusted one counts for nothing.
#[test]
fn rejects_trust_record_of_another_mint() {
    let mut env = Env::with_platform();
    let issuer = Keypair::new().pubkey();
    let trusted = create_mint_with(&mut env, &TOKEN_PROGRAM_ID, Some(issuer), &[]);
    env.trust_mint(&trusted).expect("trust_mint");
    let brand_key = env.brand.pubkey();
    let untrusted = create_mint_with(&mut env, &TOKEN_PROGRAM_ID, Some(brand_key), &[]);
    let asset = token_asset(untrusted, TOKEN_PROGRAM_ID);
    let args = env.campaign_args(1, TOKEN_UNIT);
    let (mut create, _) =
        ix::create_campaign(&env.brand.pubkey(), &env.payer.pubkey(), asset, args);
    swap_account(
        &mut create,
        &pda::trusted_mint(&untrusted),
        pda::trusted_mint(&trusted),
    );
    let watch = create_watch(&env, asset, 1);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &watch, &[create], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::MintFreezeAuthority)
    });
}

/// Only the admin can trust an issuer.
#[test]
fn rejects_trust_mint_by_brand() {
    let mut env = Env::with_platform();
    let brand = env.brand.insecure_clone();
    let mint = create_mint_with(&mut env, &TOKEN_PROGRAM_ID, Some(brand.pubkey()), &[]);
    let trust = ix::trust_mint(&brand.pubkey(), &env.payer.pubkey(), &mint);
    let watch = [pda::trusted_mint(&mint), brand.pubkey()];
    refused(&mut env, &watch, &[trust], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
}

// ------------------------------------------------------------------------------------------
// 4. Oracles belong to the platform

/// The brand names itself oracle. Through the canonical registration address there is no
/// registration at all; with the registered oracle's registration passed instead, it is not at
/// the brand key's registration address.
#[test]
fn rejects_brand_as_its_own_oracle() {
    let mut env = Env::with_platform();
    let brand = env.brand.insecure_clone();
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.oracle = brand.pubkey();
    let watch = create_watch(&env, Asset::Sol, 1);

    let (create, _) = ix::create_campaign(
        &brand.pubkey(),
        &env.payer.pubkey(),
        Asset::Sol,
        args.clone(),
    );
    refused(&mut env, &watch, &[create], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::AccountNotInitialized)
    });

    let (mut create, _) =
        ix::create_campaign(&brand.pubkey(), &env.payer.pubkey(), Asset::Sol, args);
    swap_account(
        &mut create,
        &pda::oracle_registration(&brand.pubkey()),
        pda::oracle_registration(&env.oracle.pubkey()),
    );
    // The registration must sit at the named oracle's own address.
    refused(&mut env, &watch, &[create], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

/// A registration forged outside the program (right bytes, at the right address, naming the
/// brand, active) is refused by its owner.
#[test]
fn rejects_forged_oracle_registration() {
    let mut env = Env::with_platform();
    let brand = env.brand.insecure_clone();
    let registration = pda::oracle_registration(&brand.pubkey());
    let mut data = Vec::new();
    OracleRegistration {
        oracle: brand.pubkey(),
        active: true,
        added_at: T0,
        revoked_at: 0,
        bump: 255,
    }
    .try_serialize(&mut data)
    .unwrap();
    data.resize(8 + OracleRegistration::INIT_SPACE, 0);
    env.put_account(
        registration,
        Account {
            lamports: SOL,
            data,
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        },
    );
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.oracle = brand.pubkey();
    let (create, _) = ix::create_campaign(&brand.pubkey(), &env.payer.pubkey(), Asset::Sol, args);
    let watch = create_watch(&env, Asset::Sol, 1);
    refused(&mut env, &watch, &[create], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::AccountOwnedByWrongProgram)
    });
}

/// A revoked oracle registers, pushes and has its attestations redeemed no more; no new
/// campaign may name it.
#[test]
fn rejects_revoked_oracle_register_disburse_and_claim() {
    let (mut env, payee) = Env::payout_fixture(None, true);
    let oracle = env.oracle.insecure_clone();
    // Signed while the oracle was still registered.
    let claim = claim_ixs(&env, &oracle, &payee, VIEWS, T0 + 3_600);
    env.revoke_oracle(&oracle.pubkey()).expect("revoke_oracle");
    let registration =
        env.account::<OracleRegistration>(&pda::oracle_registration(&oracle.pubkey()));
    assert!(!registration.active);
    let watch = watched(&env, &payee);

    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::OracleRevoked)
    });
    let creator = payee.creator.insecure_clone();
    refused(&mut env, &watch, &claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::OracleRevoked)
    });

    let video = "https://video.example/after-revocation";
    let submission = pda::submission(&payee.campaign, &pda::content_hash(video));
    let mut keys = watch.clone();
    keys.push(submission);
    let (register, _) = ix::register_submission(
        &oracle.pubkey(),
        &env.payer.pubkey(),
        &payee.campaign,
        clipstake::instructions::RegisterSubmissionArgs {
            content_hash: pda::content_hash(video),
            creator: payee.creator.pubkey(),
            affiliate: None,
            affiliate_bps: 0,
        },
    );
    refused(&mut env, &keys, &[register], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::OracleRevoked)
    });

    assert_create_refused(&mut env, Asset::Sol, 2, ClipstakeError::OracleRevoked);
}

/// Re-adding a revoked key (which would revive its outstanding attestations) is refused, and
/// so is revoking it twice.
#[test]
fn rejects_re_adding_or_re_revoking_a_revoked_oracle() {
    let mut env = Env::with_platform();
    let oracle = env.oracle.pubkey();
    env.revoke_oracle(&oracle).expect("revoke_oracle");
    let registration = pda::oracle_registration(&oracle);
    let watch = [registration];
    let admin = env.admin.insecure_clone();
    let add = ix::add_oracle(&admin.pubkey(), &env.payer.pubkey(), &oracle);
    // The system program refuses to allocate an account that is already in use.
    refused(&mut env, &watch, &[add], &[&admin], |r| {
        assert_instruction_error(r, 0, InstructionError::Custom(0))
    });
    let revoke = ix::revoke_oracle(&admin.pubkey(), &oracle);
    refused(&mut env, &watch, &[revoke], &[&admin], |r| {
        assert_program_error(r, ClipstakeError::OracleRevoked)
    });
    assert!(!env.account::<OracleRegistration>(&registration).active);
}

/// The brand cannot choose who verifies its campaign's views, nor register oracles.
#[test]
fn rejects_brand_setting_campaign_oracle_or_adding_oracle() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let brand = env.brand.insecure_clone();
    env.svm.airdrop(&brand.pubkey(), SOL).unwrap();
    // Even a registered second oracle is the admin's to assign.
    let second = Keypair::new();
    env.add_oracle(&second.pubkey()).expect("add_oracle");
    let mut watch = watched(&env, &payee);
    watch.push(pda::oracle_registration(&brand.pubkey()));
    let repoint = ix::set_campaign_oracle(&brand.pubkey(), &payee.campaign, &second.pubkey());
    refused(&mut env, &watch, &[repoint], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
    let add = ix::add_oracle(&brand.pubkey(), &env.payer.pubkey(), &brand.pubkey());
    refused(&mut env, &watch, &[add], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
    assert_eq!(
        env.campaign(&payee.campaign).state.oracle,
        env.oracle.pubkey()
    );
}

/// After its oracle is revoked the admin re-points the campaign to another registered oracle:
/// the new one registers and pays; the old one's pushes and attestations pay nothing; a revoked
/// oracle cannot be assigned.
#[test]
fn admin_repoints_campaign_to_registered_oracle_and_old_oracle_pays_nothing() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let old = env.oracle.insecure_clone();
    let old_claim = claim_ixs(&env, &old, &payee, VIEWS, T0 + 3_600);
    env.revoke_oracle(&old.pubkey()).expect("revoke_oracle");
    let admin = env.admin.insecure_clone();
    let watch = watched(&env, &payee);

    // Re-pointing to a revoked oracle is refused.
    let revoked = ix::set_campaign_oracle(&admin.pubkey(), &payee.campaign, &old.pubkey());
    refused(&mut env, &watch, &[revoked], &[&admin], |r| {
        assert_program_error(r, ClipstakeError::OracleRevoked)
    });

    let new = env.keypair_with(SOL);
    env.add_oracle(&new.pubkey()).expect("add_oracle");
    let repoint = ix::set_campaign_oracle(&admin.pubkey(), &payee.campaign, &new.pubkey());
    env.send(&[repoint], &[&admin])
        .expect("set_campaign_oracle");
    assert_eq!(env.campaign(&payee.campaign).state.oracle, new.pubkey());

    // The old oracle's outstanding attestation and pushes are refused: the claim built before
    // the change names the old oracle's registration, which no longer matches the campaign;
    // built against the campaign as it is now, the attestation has the wrong signer.
    let watch = watched(&env, &payee);
    let creator = payee.creator.insecure_clone();
    refused(&mut env, &watch, &old_claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::OracleNotRegistered)
    });
    let fresh_old_claim = claim_ixs(&env, &old, &payee, VIEWS, T0 + 3_600);
    refused(&mut env, &watch, &fresh_old_claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::AttestationWrongSigner)
    });
    let old_push = disburse_ix(&env, &old.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[old_push], &[&old], |r| {
        assert_program_error(r, ClipstakeError::NotCampaignOracle)
    });

    // The new oracle pays, by push and by attestation, and registers videos.
    let before = env.lamports(&payee.creator.pubkey());
    disburse_by(&mut env, &new, &payee, VIEWS).expect("new oracle disburses");
    let paid = split(gross_for_views(Asset::Sol), 0).creator;
    assert_eq!(env.lamports(&payee.creator.pubkey()), before + paid);
    claim_by(&mut env, &new, &payee, 2 * VIEWS, T0 + 3_600).expect("new oracle's claim");
    assert_eq!(env.lamports(&payee.creator.pubkey()), before + 2 * paid);
    let mut args = clipstake::instructions::RegisterSubmissionArgs {
        content_hash: pda::content_hash("https://video.example/new-oracle"),
        creator: payee.creator.pubkey(),
        affiliate: None,
        affiliate_bps: 0,
    };
    let (register, _) = ix::register_submission(
        &new.pubkey(),
        &env.payer.pubkey(),
        &payee.campaign,
        args.clone(),
    );
    env.send(&[register], &[&new])
        .expect("new oracle registers");
    args.content_hash = pda::content_hash("https://video.example/old-oracle");
    let (register, submission) =
        ix::register_submission(&old.pubkey(), &env.payer.pubkey(), &payee.campaign, args);
    let mut keys = watched(&env, &payee);
    keys.push(submission);
    refused(&mut env, &keys, &[register], &[&old], |r| {
        assert_program_error(r, ClipstakeError::NotCampaignOracle)
    });
}

// ------------------------------------------------------------------------------------------
// 5. Platform pause

/// During a platform pause the brand can neither end, pause nor withdraw (it could otherwise
/// let the settlement window run out while payouts are blocked).
#[test]
fn rejects_brand_status_change_and_withdraw_during_platform_pause() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(T0 + DAY);
    env.pause_platform();
    let watch = watched(&env, &payee);
    let brand = env.brand.insecure_clone();
    for status in [CampaignStatus::Ended, CampaignStatus::Paused] {
        let change = ix::set_campaign_status(&brand.pubkey(), &payee.campaign, status);
        refused(&mut env, &watch, &[change], &[&brand], |r| {
            assert_program_error(r, ClipstakeError::PlatformPaused)
        });
    }
    // Even past the unpaused deadline.
    env.set_time(DEADLINE + DAY);
    let all = vault_balance(&env, &payee.campaign);
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::PlatformPaused)
    });
}

/// A platform pause moves every campaign's deadline by its length: a payout owed before the
/// pause is still paid after `end + window`, and the brand withdraws only once the moved
/// deadline has passed.
#[test]
fn platform_pause_extends_payout_deadline_by_its_length() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let paused_at = T0 + DAY;
    env.set_time(paused_at);
    env.pause_platform();
    let watch = watched(&env, &payee);
    let oracle = env.oracle.insecure_clone();
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::PlatformPaused)
    });

    // The pause outlasts the end and the settlement window.
    let resumed_at = DEADLINE + 1;
    env.set_time(resumed_at);
    env.update_platform(UpdatePlatformArgs {
        paused: Some(false),
        ..Default::default()
    })
    .expect("resume platform");
    let length = resumed_at - paused_at;
    assert_eq!(platform(&env).pause_total_secs, length);
    let extended = DEADLINE + length;

    let brand = env.brand.insecure_clone();
    let all = vault_balance(&env, &payee.campaign);
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::SettlementWindowOpen)
    });

    // Past end + window, the payout owed before the pause is made.
    let before = env.lamports(&payee.creator.pubkey());
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("payout after end + window, within the extension");
    let paid = split(gross_for_views(Asset::Sol), 0).creator;
    assert_eq!(env.lamports(&payee.creator.pubkey()), before + paid);

    env.set_time(extended - 1);
    let watch = watched(&env, &payee);
    let all = vault_balance(&env, &payee.campaign);
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::SettlementWindowOpen)
    });

    env.set_time(extended);
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, 2 * VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::CampaignEnded)
    });
    let brand_before = env.lamports(&brand.pubkey());
    brand_withdraw(&mut env, &payee.campaign, all).expect("withdraw after the extended deadline");
    assert_eq!(env.lamports(&brand.pubkey()), brand_before + all);
}

// ------------------------------------------------------------------------------------------
// 6. Admin pause

/// An admin pause spanning the end plus the settlement window costs creators nothing: while it
/// lasts nothing moves, and after the admin resumes, the payout owed before the pause is paid
/// and the brand waits the pause's length more.
#[test]
fn admin_pause_extends_payout_deadline_by_its_length() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let admin = env.admin.insecure_clone();
    let brand = env.brand.insecure_clone();
    let oracle = env.oracle.insecure_clone();
    let paused_at = T0 + DAY;
    env.set_time(paused_at);
    env.set_status(&admin, &payee.campaign, CampaignStatus::Paused)
        .expect("admin pause");
    assert!(env.campaign(&payee.campaign).state.is_paused_by_admin());
    let watch = watched(&env, &payee);

    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::CampaignPaused)
    });
    for status in [CampaignStatus::Active, CampaignStatus::Ended] {
        let change = ix::set_campaign_status(&brand.pubkey(), &payee.campaign, status);
        refused(&mut env, &watch, &[change], &[&brand], |r| {
            assert_program_error(r, ClipstakeError::AdminPauseLocked)
        });
    }

    let resumed_at = DEADLINE + 10 * DAY;
    env.set_time(resumed_at);
    let all = vault_balance(&env, &payee.campaign);
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::AdminPauseLocked)
    });

    env.set_status(&admin, &payee.campaign, CampaignStatus::Active)
        .expect("admin resume");
    let length = resumed_at - paused_at;
    assert_eq!(
        env.campaign(&payee.campaign).state.admin_paused_secs,
        length
    );
    let extended = DEADLINE + length;
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::SettlementWindowOpen)
    });

    // The pause-extension path: owed before the pause, paid after it.
    let before = env.lamports(&payee.creator.pubkey());
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("payout owed before the admin pause");
    let paid = split(gross_for_views(Asset::Sol), 0).creator;
    assert_eq!(env.lamports(&payee.creator.pubkey()), before + paid);

    env.set_time(extended - 1);
    let watch = watched(&env, &payee);
    let all = vault_balance(&env, &payee.campaign);
    let withdraw = withdraw_ix(&env, &payee.campaign, all);
    refused(&mut env, &watch, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::SettlementWindowOpen)
    });
    env.set_time(extended);
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, 2 * VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::CampaignEnded)
    });
    brand_withdraw(&mut env, &payee.campaign, all).expect("withdraw after the extended deadline");
}

// ------------------------------------------------------------------------------------------
// 7. Settlement window and final withdrawals

/// A zero or too short settlement window is refused at creation.
#[test]
fn rejects_settlement_window_zero_or_below_platform_minimum() {
    let mut env = Env::with_platform();
    for window in [0, 1, MIN_SETTLEMENT_SECS - 1] {
        let args = CreateCampaignArgs {
            settlement_window_secs: window,
            ..env.campaign_args(1, SOL_UNIT)
        };
        let (create, _) =
            ix::create_campaign(&env.brand.pubkey(), &env.payer.pubkey(), Asset::Sol, args);
        let watch = create_watch(&env, Asset::Sol, 1);
        let brand = env.brand.insecure_clone();
        refused(&mut env, &watch, &[create], &[&brand], |r| {
            assert_program_error(r, ClipstakeError::SettlementWindowTooShort)
        });
    }
    // The minimum itself is fine.
    let args = CreateCampaignArgs {
        settlement_window_secs: MIN_SETTLEMENT_SECS,
        ..env.campaign_args(1, SOL_UNIT)
    };
    env.create_campaign(Asset::Sol, args)
        .expect("window at the minimum");
}

/// The platform cannot be set up (or changed) to allow zero windows or zero-lifetime
/// attestations.
#[test]
fn rejects_platform_minimum_window_or_attestation_lifetime_of_zero() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let base = InitPlatformArgs {
        treasury: env.treasury.pubkey(),
        fee_bps: FEE_BPS,
        max_affiliate_bps: MAX_AFFILIATE_BPS,
        min_settlement_window_secs: MIN_SETTLEMENT_SECS,
        max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
    };
    let bad_inits = [
        InitPlatformArgs {
            min_settlement_window_secs: 0,
            ..base.clone()
        },
        InitPlatformArgs {
            min_settlement_window_secs: -1,
            ..base.clone()
        },
        InitPlatformArgs {
            max_attestation_lifetime_secs: 0,
            ..base.clone()
        },
    ];
    for args in bad_inits {
        let init = ix::init_platform(&admin.pubkey(), &env.payer.pubkey(), args);
        refused(&mut env, &[pda::platform()], &[init], &[&admin], |r| {
            assert_program_error(r, ClipstakeError::InvalidPlatformSetting)
        });
    }
    env.init_platform().expect("init_platform");
    let bad_updates = [
        UpdatePlatformArgs {
            min_settlement_window_secs: Some(0),
            ..Default::default()
        },
        UpdatePlatformArgs {
            min_settlement_window_secs: Some(-DAY),
            ..Default::default()
        },
        UpdatePlatformArgs {
            max_attestation_lifetime_secs: Some(0),
            ..Default::default()
        },
    ];
    for args in bad_updates {
        let update = ix::update_platform(&admin.pubkey(), args);
        refused(&mut env, &[pda::platform()], &[update], &[&admin], |r| {
            assert_program_error(r, ClipstakeError::InvalidPlatformSetting)
        });
    }
    assert_eq!(
        platform(&env).min_settlement_window_secs,
        MIN_SETTLEMENT_SECS
    );
}

/// The attack 7 in one transaction (pause, withdraw everything, resume): the
/// withdrawal waits for the settlement window after the pause.
#[test]
fn rejects_pause_withdraw_resume_in_one_transaction() {
    let mut env = Env::with_platform();
    let args = CreateCampaignArgs {
        settlement_window_secs: MIN_SETTLEMENT_SECS,
        ..env.campaign_args(1, SOL_UNIT)
    };
    let campaign = env.create_campaign(Asset::Sol, args).unwrap();
    env.fund(&campaign, BUDGET_UNITS * SOL_UNIT).unwrap();
    let payee = env.payee(&campaign, Asset::Sol, VIDEO, false);
    env.set_time(T0 + DAY);
    let brand = env.brand.insecure_clone();
    let all = vault_balance(&env, &campaign);
    let ixs = [
        ix::set_campaign_status(&brand.pubkey(), &campaign, CampaignStatus::Paused),
        withdraw_ix(&env, &campaign, all),
        ix::set_campaign_status(&brand.pubkey(), &campaign, CampaignStatus::Active),
    ];
    let watch = watched(&env, &payee);
    refused(&mut env, &watch, &ixs, &[&brand], |r| {
        assert_program_error_at(r, 1, ClipstakeError::SettlementWindowOpen)
    });
}

/// A withdrawal ends the campaign for good: it cannot be resumed, paid from, registered to or
/// funded again (it would look live with an emptied vault).
#[test]
fn rejects_resume_payout_register_and_fund_after_withdrawal() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let brand = env.brand.insecure_clone();
    let oracle = env.oracle.insecure_clone();
    env.set_time(T0 + DAY);
    env.set_status(&brand, &payee.campaign, CampaignStatus::Paused)
        .expect("brand pause");
    env.set_time(T0 + DAY + SETTLEMENT_SECS);
    let all = vault_balance(&env, &payee.campaign);
    brand_withdraw(&mut env, &payee.campaign, all).expect("withdraw after the window");
    let state = env.campaign(&payee.campaign).state;
    assert!(state.is_settled());
    assert_eq!(state.status().unwrap(), CampaignStatus::Ended);
    let watch = watched(&env, &payee);

    let resume = ix::set_campaign_status(&brand.pubkey(), &payee.campaign, CampaignStatus::Active);
    refused(&mut env, &watch, &[resume], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::CampaignSettled)
    });
    let admin = env.admin.insecure_clone();
    let resume = ix::set_campaign_status(&admin.pubkey(), &payee.campaign, CampaignStatus::Active);
    refused(&mut env, &watch, &[resume], &[&admin], |r| {
        assert_program_error(r, ClipstakeError::CampaignSettled)
    });
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::CampaignSettled)
    });
    // Claims are refused for the same reason (the attestation would still be valid).
    let claim = claim_ixs(
        &env,
        &oracle,
        &payee,
        VIEWS,
        T0 + DAY + SETTLEMENT_SECS + 60,
    );
    let creator = payee.creator.insecure_clone();
    refused(&mut env, &watch, &claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::CampaignSettled)
    });
    let fund = fund_ix(&env, &payee.campaign, SOL);
    refused(&mut env, &watch, &[fund], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::CampaignSettled)
    });
    let video = "https://video.example/after-withdrawal";
    let (register, submission) = ix::register_submission(
        &oracle.pubkey(),
        &env.payer.pubkey(),
        &payee.campaign,
        clipstake::instructions::RegisterSubmissionArgs {
            content_hash: pda::content_hash(video),
            creator: payee.creator.pubkey(),
            affiliate: None,
            affiliate_bps: 0,
        },
    );
    let mut keys = watch.clone();
    keys.push(submission);
    refused(&mut env, &keys, &[register], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::CampaignSettled)
    });
}

// ------------------------------------------------------------------------------------------
// 8. No recipient blocks another: required memos, handed-away accounts

/// An affiliate that requires memos on its Token-2022 account does not block the creator: the
/// creator is paid in full, the commission accrues in the vault, `settle_accrued` delivers it
/// once the affiliate accepts transfers without memos again, and the books then match.
#[test]
fn affiliate_requiring_memos_gets_commission_accrued_not_blocking_creator() {
    let (mut env, payee) = token_2022_fixture(true);
    let Asset::Token { mint, .. } = payee.asset else {
        unreachable!()
    };
    let affiliate = payee.affiliate.as_ref().unwrap().insecure_clone();
    let affiliate_ata = require_memos(&mut env, &affiliate, &mint);
    let funded = env.campaign(&payee.campaign).state.funded;

    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse despite the affiliate's memo requirement");
    let paid = split(gross_for_views(payee.asset), AFFILIATE_BPS);
    let creator_ata = receiving_account(payee.asset, &payee.creator.pubkey());
    let treasury_ata = receiving_account(payee.asset, &env.treasury.pubkey());
    assert_eq!(env.token_balance(&creator_ata), paid.creator);
    assert_eq!(env.token_balance(&treasury_ata), paid.fee);
    assert_eq!(env.token_balance(&affiliate_ata), 0);
    let campaign = env.campaign(&payee.campaign).state;
    let submission = env.submission(&payee.submission).state;
    assert_eq!(campaign.commissions_accrued, paid.commission);
    assert_eq!(campaign.commissions_paid, 0);
    assert_eq!(submission.commission_accrued, paid.commission);
    assert_eq!(submission.commissions_paid, 0);
    assert_eq!(
        vault_balance(&env, &payee.campaign),
        funded - paid.creator - paid.fee
    );
    // What is accrued is not the brand's to take.
    assert_eq!(campaign.available(), funded - paid.gross);

    let watch = watched(&env, &payee);
    let settle_now = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    refused(&mut env, &watch, &[settle_now], &[], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });

    stop_requiring_memos(&mut env, &affiliate, &affiliate_ata);
    settle(&mut env, &payee.campaign, Some(&payee.submission)).expect("settle_accrued");
    assert_eq!(env.token_balance(&affiliate_ata), paid.commission);
    let campaign = env.campaign(&payee.campaign).state;
    let submission = env.submission(&payee.submission).state;
    assert_eq!(campaign.commissions_accrued, 0);
    assert_eq!(campaign.commissions_paid, paid.commission);
    assert_eq!(submission.commission_accrued, 0);
    assert_eq!(submission.commissions_paid, paid.commission);
    assert_eq!(vault_balance(&env, &payee.campaign), funded - paid.gross);
    assert_eq!(campaign.available(), vault_balance(&env, &payee.campaign));

    // Delivered once only.
    let watch = watched(&env, &payee);
    let again = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    refused(&mut env, &watch, &[again], &[], |r| {
        assert_program_error(r, ClipstakeError::NothingAccrued)
    });
}

/// The same for the treasury: fees accrue while its Token-2022 account requires memos, and are
/// settled once it does not.
#[test]
fn treasury_requiring_memos_gets_fees_accrued_not_blocking_creator() {
    let (mut env, payee) = token_2022_fixture(false);
    let Asset::Token { mint, .. } = payee.asset else {
        unreachable!()
    };
    let treasury = env.treasury.insecure_clone();
    let treasury_ata = require_memos(&mut env, &treasury, &mint);
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse despite the treasury's memo requirement");
    let paid = split(gross_for_views(payee.asset), 0);
    let creator_ata = receiving_account(payee.asset, &payee.creator.pubkey());
    assert_eq!(env.token_balance(&creator_ata), paid.creator);
    assert_eq!(env.token_balance(&treasury_ata), 0);
    assert_eq!(env.campaign(&payee.campaign).state.fees_accrued, paid.fee);

    let watch = watched(&env, &payee);
    let settle_now = settle_ix(&env, &payee.campaign, None);
    refused(&mut env, &watch, &[settle_now], &[], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });
    stop_requiring_memos(&mut env, &treasury, &treasury_ata);
    settle(&mut env, &payee.campaign, None).expect("settle_accrued");
    assert_eq!(env.token_balance(&treasury_ata), paid.fee);
    let campaign = env.campaign(&payee.campaign).state;
    assert_eq!((campaign.fees_accrued, campaign.fees_paid), (0, paid.fee));
}

/// SPL Token lets an owner hand its associated token account to someone else. With the
/// treasury's handed away, fees accrue; the brand cannot withdraw them (asking for the whole
/// vault is refused), the campaign cannot close while they are owed, and once the account is
/// the treasury's again they are settled and the campaign closes.
#[test]
fn treasury_account_handed_away_fees_accrue_and_stay_owed() {
    use spl_token_interface::instruction::{AuthorityType, set_authority};
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let Asset::Token {
        mint,
        token_program,
    } = payee.asset
    else {
        unreachable!()
    };
    let treasury = env.treasury.insecure_clone();
    let holder = Keypair::new();
    let treasury_ata = env.fund_tokens(&token_program, &mint, &treasury.pubkey(), 0);
    let hand_away = set_authority(
        &token_program,
        &treasury_ata,
        Some(&holder.pubkey()),
        AuthorityType::AccountOwner,
        &treasury.pubkey(),
        &[],
    )
    .unwrap();
    env.send(&[hand_away], &[&treasury]).expect("owner moved");

    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse despite the treasury's account");
    let paid = split(gross_for_views(payee.asset), 0);
    let creator_ata = receiving_account(payee.asset, &payee.creator.pubkey());
    assert_eq!(env.token_balance(&creator_ata), paid.creator);
    assert_eq!(env.token_balance(&treasury_ata), 0);
    assert_eq!(env.campaign(&payee.campaign).state.fees_accrued, paid.fee);

    let watch = watched(&env, &payee);
    let settle_now = settle_ix(&env, &payee.campaign, None);
    refused(&mut env, &watch, &[settle_now], &[], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });

    // After the deadline the brand takes everything but the owed fees.
    env.set_time(DEADLINE);
    let vault = vault_balance(&env, &payee.campaign);
    let brand = env.brand.insecure_clone();
    let greedy = withdraw_ix(&env, &payee.campaign, vault);
    refused(&mut env, &watch, &[greedy], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WithdrawExceedsAvailable)
    });
    brand_withdraw(&mut env, &payee.campaign, vault - paid.fee)
        .expect("withdraw what is the brand's");
    assert_eq!(vault_balance(&env, &payee.campaign), paid.fee);
    let watch = watched(&env, &payee);
    let more = withdraw_ix(&env, &payee.campaign, 1);
    refused(&mut env, &watch, &[more], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WithdrawExceedsAvailable)
    });

    let close_submission =
        ix::close_submission(&brand.pubkey(), &env.submission(&payee.submission));
    env.send(&[close_submission], &[&brand])
        .expect("close_submission");
    let watch = watched(&env, &payee);
    let close = ix::close_campaign(&env.campaign(&payee.campaign));
    refused(&mut env, &watch, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::AccruedStillOwed)
    });

    // The holder hands the account back; the fees are delivered and the campaign closes.
    let hand_back = set_authority(
        &token_program,
        &treasury_ata,
        Some(&treasury.pubkey()),
        AuthorityType::AccountOwner,
        &holder.pubkey(),
        &[],
    )
    .unwrap();
    env.send(&[hand_back], &[&holder]).expect("owner restored");
    settle(&mut env, &payee.campaign, None).expect("settle_accrued");
    assert_eq!(env.token_balance(&treasury_ata), paid.fee);
    assert_eq!(vault_balance(&env, &payee.campaign), 0);
    let close = ix::close_campaign(&env.campaign(&payee.campaign));
    env.send(&[close], &[&brand]).expect("close_campaign");
}

/// The creator's own share is never accrued: a creator account that requires memos fails the
/// payout with a clear error (the creator fixes it and the oracle retries).
#[test]
fn rejects_payout_to_creator_requiring_memos() {
    let (mut env, payee) = token_2022_fixture(true);
    let Asset::Token { mint, .. } = payee.asset else {
        unreachable!()
    };
    let creator = payee.creator.insecure_clone();
    let creator_ata = require_memos(&mut env, &creator, &mint);
    let watch = watched(&env, &payee);
    let oracle = env.oracle.insecure_clone();
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });
    stop_requiring_memos(&mut env, &creator, &creator_ata);
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse once the creator accepts transfers");
    let paid = split(gross_for_views(payee.asset), AFFILIATE_BPS);
    assert_eq!(env.token_balance(&creator_ata), paid.creator);
}

/// A frozen affiliate account (trusted issuer with a freeze authority) does not block the
/// creator either: the commission accrues until the account is thawed.
#[test]
fn frozen_affiliate_account_gets_commission_accrued() {
    let mut env = Env::with_platform();
    let issuer = env.payer.pubkey();
    let mint = create_mint_with(&mut env, &TOKEN_2022_PROGRAM_ID, Some(issuer), &[]);
    env.trust_mint(&mint).expect("trust_mint");
    let asset = token_asset(mint, TOKEN_2022_PROGRAM_ID);
    let campaign = env.funded_campaign(asset, 1);
    let payee = env.payee(&campaign, asset, VIDEO, true);
    let affiliate = payee.affiliate.as_ref().unwrap().pubkey();
    let affiliate_ata = env.fund_tokens(&TOKEN_2022_PROGRAM_ID, &mint, &affiliate, 0);
    let freeze = spl_token_2022_interface::instruction::freeze_account(
        &TOKEN_2022_PROGRAM_ID,
        &affiliate_ata,
        &mint,
        &issuer,
        &[],
    )
    .unwrap();
    env.send(&[freeze], &[]).expect("frozen");

    env.disburse(&campaign, &payee.submission, VIEWS)
        .expect("disburse despite the frozen affiliate");
    let paid = split(gross_for_views(asset), AFFILIATE_BPS);
    assert_eq!(
        env.token_balance(&receiving_account(asset, &payee.creator.pubkey())),
        paid.creator
    );
    assert_eq!(
        env.submission(&payee.submission).state.commission_accrued,
        paid.commission
    );
    let watch = watched(&env, &payee);
    let settle_now = settle_ix(&env, &campaign, Some(&payee.submission));
    refused(&mut env, &watch, &[settle_now], &[], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });
    let thaw = spl_token_2022_interface::instruction::thaw_account(
        &TOKEN_2022_PROGRAM_ID,
        &affiliate_ata,
        &mint,
        &issuer,
        &[],
    )
    .unwrap();
    env.send(&[thaw], &[]).expect("thawed");
    settle(&mut env, &campaign, Some(&payee.submission)).expect("settle_accrued");
    assert_eq!(env.token_balance(&affiliate_ata), paid.commission);
}

// ------------------------------------------------------------------------------------------
// 9. SOL recipients that cannot hold SOL

/// A program-owned affiliate gets its commission accrued (not lost), the creator is paid, and
/// the commission is never sent to the program's account.
#[test]
fn sol_program_owned_affiliate_gets_commission_accrued() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let creator = env.keypair_with(SOL);
    let affiliate = Pubkey::new_unique();
    env.put_account(affiliate, program_owned_account());
    let submission = env
        .register(
            &campaign,
            VIDEO,
            &creator.pubkey(),
            Some((affiliate, AFFILIATE_BPS)),
        )
        .unwrap();
    env.disburse(&campaign, &submission, VIEWS)
        .expect("disburse despite the affiliate");
    let paid = split(gross_for_views(Asset::Sol), AFFILIATE_BPS);
    assert_eq!(env.lamports(&creator.pubkey()), SOL + paid.creator);
    assert_eq!(env.lamports(&affiliate), SOL);
    assert_eq!(
        env.campaign(&campaign).state.commissions_accrued,
        paid.commission
    );
    assert_eq!(
        env.submission(&submission).state.commission_accrued,
        paid.commission
    );

    let state = env.campaign(&campaign).state;
    let watch = [campaign, submission, state.vault, affiliate];
    let settle_now = settle_ix(&env, &campaign, Some(&submission));
    refused(&mut env, &watch, &[settle_now], &[], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });
}

/// A program-owned treasury gets its fees accrued.
#[test]
fn sol_program_owned_treasury_gets_fees_accrued() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let treasury = env.treasury.pubkey();
    env.put_account(treasury, program_owned_account());
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse despite the treasury");
    let paid = split(gross_for_views(Asset::Sol), 0);
    assert_eq!(env.lamports(&payee.creator.pubkey()), SOL + paid.creator);
    assert_eq!(env.lamports(&treasury), SOL);
    assert_eq!(env.campaign(&payee.campaign).state.fees_accrued, paid.fee);
}

/// A program-owned creator cannot receive its share: refused, nothing moves.
#[test]
fn rejects_sol_payout_to_program_owned_creator() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let creator = Keypair::new();
    env.put_account(creator.pubkey(), program_owned_account());
    let submission = env
        .register(&campaign, VIDEO, &creator.pubkey(), None)
        .unwrap();
    let payee = Payee {
        campaign,
        submission,
        creator,
        affiliate: None,
        asset: Asset::Sol,
    };
    let watch = watched(&env, &payee);
    let oracle = env.oracle.insecure_clone();
    let disburse = disburse_ix(&env, &oracle.pubkey(), &payee, VIEWS);
    refused(&mut env, &watch, &[disburse], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::RecipientCannotReceive)
    });
}

// ------------------------------------------------------------------------------------------
// 10. Attestation lifetime

/// An attestation valid for longer than the platform allows is refused; one at exactly the
/// limit pays.
#[test]
fn rejects_attestation_lifetime_too_long() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let oracle = env.oracle.insecure_clone();
    let watch = watched(&env, &payee);
    let creator = payee.creator.insecure_clone();
    let claim = claim_ixs(&env, &oracle, &payee, VIEWS, T0 + MAX_ATTESTATION_SECS + 1);
    refused(&mut env, &watch, &claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::AttestationLifetimeTooLong)
    });
    claim_by(&mut env, &oracle, &payee, VIEWS, T0 + MAX_ATTESTATION_SECS)
        .expect("attestation at the limit");
}

/// Shortening the maximum lifetime applies to attestations already handed out.
#[test]
fn rejects_attestation_longer_than_a_shortened_lifetime() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let oracle = env.oracle.insecure_clone();
    let claim = claim_ixs(&env, &oracle, &payee, VIEWS, T0 + 2 * 3_600);
    env.update_platform(UpdatePlatformArgs {
        max_attestation_lifetime_secs: Some(3_600),
        ..Default::default()
    })
    .expect("shorten lifetime");
    let watch = watched(&env, &payee);
    let creator = payee.creator.insecure_clone();
    refused(&mut env, &watch, &claim, &[&creator], |r| {
        assert_program_error_at(r, 1, ClipstakeError::AttestationLifetimeTooLong)
    });
}

// ------------------------------------------------------------------------------------------
// 11. Two-step admin change

/// Proposing a new admin changes nothing until the proposed key accepts; nobody else can
/// accept; a withdrawn proposal cannot be accepted.
#[test]
fn rejects_admin_change_until_proposed_key_accepts() {
    let mut env = Env::with_platform();
    let old_admin = env.admin.insecure_clone();
    let new_admin = env.keypair_with(SOL);
    env.update_platform(UpdatePlatformArgs {
        new_admin: Some(new_admin.pubkey()),
        ..Default::default()
    })
    .expect("propose admin");
    let state = platform(&env);
    assert_eq!(state.admin, old_admin.pubkey());
    assert_eq!(state.pending_admin, new_admin.pubkey());
    let watch = [pda::platform()];

    // The proposed key has no power yet.
    let early = ix::update_platform(
        &new_admin.pubkey(),
        UpdatePlatformArgs {
            fee_bps: Some(0),
            ..Default::default()
        },
    );
    refused(&mut env, &watch, &[early], &[&new_admin], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
    for wrong in [env.brand.insecure_clone(), old_admin.insecure_clone()] {
        let accept = ix::accept_admin(&wrong.pubkey());
        refused(&mut env, &watch, &[accept], &[&wrong], |r| {
            assert_program_error(r, ClipstakeError::NotPendingAdmin)
        });
    }

    env.send(&[ix::accept_admin(&new_admin.pubkey())], &[&new_admin])
        .expect("accept_admin");
    let state = platform(&env);
    assert_eq!(state.admin, new_admin.pubkey());
    assert_eq!(state.pending_admin, Pubkey::default());
    let again = ix::accept_admin(&new_admin.pubkey());
    refused(&mut env, &watch, &[again], &[&new_admin], |r| {
        assert_program_error(r, ClipstakeError::NotPendingAdmin)
    });

    // A withdrawn proposal cannot be accepted.
    let third = env.keypair_with(SOL);
    let propose = |key: Pubkey| {
        ix::update_platform(
            &new_admin.pubkey(),
            UpdatePlatformArgs {
                new_admin: Some(key),
                ..Default::default()
            },
        )
    };
    env.send(
        &[propose(third.pubkey()), propose(Pubkey::default())],
        &[&new_admin],
    )
    .expect("propose and withdraw");
    let late = ix::accept_admin(&third.pubkey());
    refused(&mut env, &watch, &[late], &[&third], |r| {
        assert_program_error(r, ClipstakeError::NotPendingAdmin)
    });
    assert_eq!(platform(&env).admin, new_admin.pubkey());
}

// ------------------------------------------------------------------------------------------
// 5b/6b. Pauses also protect the submissions themselves

/// During a platform pause that outlasts `end + window`, the brand must not close a
/// submission (its record and watermark are what the payout owed before the pause needs once
/// the platform resumes and the deadline has moved).
///
/// Without that check (the program as first committed for issue 11 checked neither
/// `Platform.paused` nor an ongoing pause, which `pause_total_secs` only counts once it ends),
/// the brand closes every submission during the pause, no payout can be made after the resume
/// (the submission is gone: `AccountNotInitialized`), and the brand withdraws the whole budget
/// at the moved deadline: attack 5 of issue 11 through another door.
#[test]
fn rejects_close_submission_during_platform_pause_past_unpaused_deadline() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(T0 + DAY);
    env.pause_platform();
    env.set_time(DEADLINE + DAY);
    let brand = env.brand.insecure_clone();
    let watch = watched(&env, &payee);
    let close = ix::close_submission(&brand.pubkey(), &env.submission(&payee.submission));
    refused(&mut env, &watch, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::PlatformPaused)
    });
    env.update_platform(UpdatePlatformArgs {
        paused: Some(false),
        ..Default::default()
    })
    .expect("resume platform");
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("the payout owed before the pause is still made");
}

/// The same during an admin pause of the campaign that outlasts `end + window`
/// (`admin_paused_secs` only counts a pause once the admin resumes, so without a
/// `paused_by_admin` check this is attack 6 of issue 11 through another door).
#[test]
fn rejects_close_submission_during_admin_pause_past_unpaused_deadline() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let admin = env.admin.insecure_clone();
    env.set_time(T0 + DAY);
    env.set_status(&admin, &payee.campaign, CampaignStatus::Paused)
        .expect("admin pause");
    env.set_time(DEADLINE + DAY);
    let brand = env.brand.insecure_clone();
    let watch = watched(&env, &payee);
    let close = ix::close_submission(&brand.pubkey(), &env.submission(&payee.submission));
    refused(&mut env, &watch, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::AdminPauseLocked)
    });
    env.set_status(&admin, &payee.campaign, CampaignStatus::Active)
        .expect("admin resume");
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("the payout owed before the pause is still made");
}
