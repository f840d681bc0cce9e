//! Attack tests for `disburse_batch` (the oracle paying many submissions of one campaign in one
//! instruction): every `rejects_*` case of `disburse` (in `security_payout.rs` and
//! `security_trust.rs`) has a `rejects_batch_*` twin here, mounted on a batch of several
//! payouts with the attacked payout not the first one, so a check made only for the first
//! entry would be caught. Then the batch's own cases: malformed account lists, empty and
//! oversized batches, replays, oracle registrations, hostile mint powers.
//!
//! Every refusal asserts the exact error of the batch instruction and that no account any
//! payee's payout could touch changed. Where the batch necessarily reports differently from
//! `disburse` (it has no recipient wallet slot in token campaigns, no associated token program,
//! no system program), the test's doc comment says why.
// litesvm's FailedTransactionMetadata is the error type; boxing it would only obscure tests.
#![allow(clippy::result_large_err)]
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountSerialize, InstructionData};
use clipstake::errors::ClipstakeError;
use clipstake::events::BatchPaid;
use clipstake::math::{self, Bps, Split};
use clipstake::state::{CampaignStatus, OracleRegistration, Submission};
use clipstake_sdk::instructions::{self as ix, ASSOCIATED_TOKEN_PROGRAM_ID, Asset};
use clipstake_sdk::pda;
use clipstake_tests::MintExtension as Ext;
use clipstake_tests::*;
use solana_account::Account;
use solana_instruction::{AccountMeta, Instruction};
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

/// Index of each fixed `DisburseBatch` account; the per-payout accounts follow.
mod at {
    pub const PLATFORM: usize = 1;
    pub const ORACLE_REGISTRATION: usize = 2;
    pub const CAMPAIGN: usize = 3;
    pub const VAULT: usize = 4;
    pub const TREASURY: usize = 5;
    pub const MINT: usize = 6;
    pub const TOKEN_PROGRAM: usize = 7;
}

/// Views each payout is paid for: 500 units, well under the cap; three of them stay well under
/// the fixture budget.
const VIEWS: u64 = 100_000;
/// One day in seconds.
const DAY: i64 = 24 * 3600;
/// Commission of the fixtures' affiliates, in basis points.
const AFFILIATE_BPS: u16 = 1_000;

// ------------------------------------------------------------------------------------------
// Local harness helpers

/// A funded campaign (id 1) with three videos, every receiving account in place: `[0]` and
/// `[2]` have an affiliate (10%), `[1]` has none.
fn fixture(token_program: Option<Pubkey>) -> (Env, Vec<Payee>) {
    Env::batch_fixture(token_program, 3, true)
}

/// Every payee paid `VIEWS`, in the order given.
fn views_for<'a>(payees: &[&'a Payee]) -> Vec<(&'a Payee, u64)> {
    payees.iter().map(|p| (*p, VIEWS)).collect()
}

/// The batch paying each of `payees` `VIEWS`, in their order, signed by the fixture oracle.
fn batch_of(env: &Env, payees: &[&Payee]) -> Instruction {
    env.batch_ix(&views_for(payees))
}

/// The batch paying all of `payees` `VIEWS`, in their order.
fn batch_all(env: &Env, payees: &[Payee]) -> Instruction {
    let refs: Vec<&Payee> = payees.iter().collect();
    batch_of(env, &refs)
}

/// `disburse_batch` of `payouts` naming `oracle` as the signer (the campaign is the first
/// payee's).
fn batch_by(env: &Env, oracle: &Pubkey, payouts: &[(&Payee, u64)]) -> Instruction {
    let campaign = env.campaign(&payouts[0].0.campaign);
    let submissions: Vec<(clipstake_sdk::instructions::SubmissionAccount, u64)> = payouts
        .iter()
        .map(|(p, views)| (env.submission(&p.submission), *views))
        .collect();
    let refs: Vec<(&clipstake_sdk::instructions::SubmissionAccount, u64)> =
        submissions.iter().map(|(s, v)| (s, *v)).collect();
    ix::disburse_batch(oracle, &campaign, &refs)
}

/// Everything any of `payees`' payouts could touch (plus the platform, the oracle's
/// registration, the mint, and `extra`).
fn watch(env: &Env, payees: &[Payee], extra: &[Pubkey]) -> Vec<Pubkey> {
    let mut keys: Vec<Pubkey> = payees.iter().flat_map(|p| p.watched(env)).collect();
    keys.push(pda::platform());
    keys.push(pda::oracle_registration(&env.oracle.pubkey()));
    if let Some(Asset::Token { mint, .. }) = payees.first().map(|p| p.asset) {
        keys.push(mint);
    }
    keys.extend_from_slice(extra);
    keys.sort();
    keys.dedup();
    keys
}

/// Sends `ixs` signed by `signers`, hands the result to `check`, and asserts that nothing any
/// of `payees`' payouts could touch (nor `extra`) changed.
fn refused(
    env: &mut Env,
    payees: &[Payee],
    extra: &[Pubkey],
    ixs: &[Instruction],
    signers: &[&Keypair],
    check: impl FnOnce(TxResult),
) {
    let keys = watch(env, payees, extra);
    let before = env.snapshot(&keys);
    check(env.send(ixs, signers));
    env.assert_unchanged(&before);
}

/// `batch` signed by the oracle; expects program error `expected` from it (instruction 0).
#[track_caller]
fn oracle_refused(
    env: &mut Env,
    payees: &[Payee],
    extra: &[Pubkey],
    batch: Instruction,
    expected: ClipstakeError,
) {
    let oracle = env.oracle.insecure_clone();
    refused(env, payees, extra, &[batch], &[&oracle], |r| {
        assert_program_error_at(r, 0, expected)
    });
}

/// `batch` signed by the oracle; expects Anchor error `expected` from it (instruction 0).
#[track_caller]
fn oracle_refused_by_anchor(
    env: &mut Env,
    payees: &[Payee],
    extra: &[Pubkey],
    batch: Instruction,
    expected: AnchorError,
) {
    let oracle = env.oracle.insecure_clone();
    refused(env, payees, extra, &[batch], &[&oracle], |r| {
        assert_anchor_error_at(r, 0, expected)
    });
}

/// Asserts that instruction `index` failed with Anchor framework error `expected`.
#[track_caller]
fn assert_anchor_error_at(result: TxResult, index: u8, expected: AnchorError) {
    assert_instruction_error(result, index, InstructionError::Custom(expected as u32));
}

/// Sends `batch` signed by the oracle; it must succeed.
fn send_batch(env: &mut Env, batch: Instruction) -> litesvm::types::TransactionMetadata {
    let oracle = env.oracle.insecure_clone();
    env.send(&[batch], &[&oracle])
        .unwrap_or_else(|e| panic!("batch refused: {:?}\n{}", e.err, e.meta.logs.join("\n")))
}

/// Index of the one account meta of `key` in `ix`.
#[track_caller]
fn position(ix: &Instruction, key: &Pubkey) -> usize {
    let found: Vec<usize> = ix
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, m)| m.pubkey == *key)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one meta for {key}, found {found:?}"
    );
    found[0]
}

/// Where the creator of `payee` receives in its campaign.
fn creator_account(payee: &Payee) -> Pubkey {
    receiving_account(payee.asset, &payee.creator.pubkey())
}

/// Where the affiliate of `payee` receives in its campaign.
fn affiliate_account(payee: &Payee) -> Pubkey {
    let affiliate = payee.affiliate.as_ref().expect("payee has an affiliate");
    receiving_account(payee.asset, &affiliate.pubkey())
}

fn mint_of(payee: &Payee) -> (Pubkey, Pubkey) {
    match payee.asset {
        Asset::Token {
            mint,
            token_program,
        } => (mint, token_program),
        Asset::Sol => panic!("not a token campaign"),
    }
}

/// What the vault holds: tokens, or lamports above its rent exemption.
fn vault_balance(env: &Env, campaign: &Pubkey) -> u64 {
    let state = env.campaign(campaign).state;
    match state.asset().unwrap() {
        clipstake::state::AssetKind::NativeSol => {
            let vault = env.svm.get_account(&state.vault).expect("vault exists");
            vault.lamports - env.svm.minimum_balance_for_rent_exemption(vault.data.len())
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

/// A registered video whose creator (and affiliate) are arbitrary keys, as a compromised
/// oracle could register; the `Payee`'s keypairs are placeholders (the builders read the
/// submission's state).
fn raw_payee(
    env: &mut Env,
    campaign: &Pubkey,
    video: &str,
    creator: &Pubkey,
    affiliate: Option<(Pubkey, u16)>,
) -> Payee {
    let submission = env
        .register(campaign, video, creator, affiliate)
        .expect("register_submission");
    Payee {
        campaign: *campaign,
        submission,
        creator: Keypair::new(),
        affiliate: None,
        asset: Asset::Sol,
    }
}

/// A campaign (id 1) funded with only 10 units and two videos (`[0]` with an affiliate, `[1]`
/// without): each payout for `VIEWS` owes 500 units. Returns the unit too.
fn underfunded_batch_fixture(token_program: Option<Pubkey>) -> (Env, Vec<Payee>, u64) {
    let mut env = Env::with_platform();
    let asset = env.new_asset(token_program);
    let unit = unit_of(asset);
    let campaign = env
        .create_campaign(asset, env.campaign_args(1, unit))
        .unwrap();
    env.fund(&campaign, 10 * unit).unwrap();
    let payees = vec![
        env.payee(&campaign, asset, "https://video.example/under-0", true),
        env.payee(&campaign, asset, "https://video.example/under-1", false),
    ];
    env.create_receiving_accounts(asset, &payees);
    (env, payees, unit)
}

/// Freezes or thaws `account` with the mint's freeze authority (the tests' payer).
fn set_frozen(env: &mut Env, account: &Pubkey, mint: &Pubkey, frozen: bool) {
    let program = TOKEN_2022_PROGRAM_ID;
    let issuer = env.payer.pubkey();
    let ix = if frozen {
        spl_token_2022_interface::instruction::freeze_account(&program, account, mint, &issuer, &[])
    } else {
        spl_token_2022_interface::instruction::thaw_account(&program, account, mint, &issuer, &[])
    }
    .unwrap();
    env.send(&[ix], &[]).expect("freeze or thaw");
}

/// The `BatchPaid` event of a transaction.
fn batch_event(meta: &litesvm::types::TransactionMetadata) -> BatchPaid {
    let mut events = clipstake_sdk::events::decode::<BatchPaid>(&meta.logs);
    assert_eq!(events.len(), 1, "one BatchPaid event");
    events.remove(0)
}

// ------------------------------------------------------------------------------------------
// Token-2022 mints with powers (as in `security_trust.rs`)

/// A platform, a Token-2022 mint with a freeze authority (the tests' payer) that the admin
/// trusts, a funded campaign on it and three videos (`[0]`, `[2]` with affiliates), every
/// receiving account in place.
fn trusted_freezable_fixture() -> (Env, Vec<Payee>) {
    let mut env = Env::with_platform();
    let issuer = env.payer.pubkey();
    let mint = create_mint_with(&mut env, &TOKEN_2022_PROGRAM_ID, Some(issuer), &[]);
    env.trust_mint(&mint).expect("trust_mint");
    let asset = Asset::Token {
        mint,
        token_program: TOKEN_2022_PROGRAM_ID,
    };
    let campaign = env.funded_campaign(asset, 1);
    let payees: Vec<Payee> = (0..3)
        .map(|i| {
            let video = format!("https://video.example/trusted-{i}");
            env.payee(&campaign, asset, &video, i % 2 == 0)
        })
        .collect();
    env.create_receiving_accounts(asset, &payees);
    (env, payees)
}

// ==========================================================================================
// Twins of `security_payout.rs`
// ==========================================================================================

// ------------------------------------------------------------------------------------------
// Authority

/// Twin of `rejects_disburse_by_non_oracle`: a stranger signs a batch with inflated views.
#[test]
fn rejects_batch_by_non_oracle() {
    let (mut env, payees) = fixture(None);
    let attacker = env.keypair_with(SOL);
    let drain = 1_000_000_000;
    let batch = batch_by(
        &env,
        &attacker.pubkey(),
        &[
            (&payees[0], drain),
            (&payees[1], drain),
            (&payees[2], drain),
        ],
    );
    refused(&mut env, &payees, &[], &[batch], &[&attacker], |r| {
        assert_program_error_at(r, 0, ClipstakeError::NotCampaignOracle)
    });
}

/// Twin of `rejects_disburse_without_oracle_signature`: the oracle is named but does not sign.
#[test]
fn rejects_batch_without_oracle_signature() {
    let (mut env, payees) = fixture(None);
    let mut batch = batch_all(&env, &payees);
    unsign(&mut batch, &env.oracle.pubkey());
    refused(&mut env, &payees, &[], &[batch], &[], |r| {
        assert_anchor_error_at(r, 0, AnchorError::AccountNotSigner)
    });
}

/// Twin of `rejects_disburse_by_other_campaigns_oracle`: a registered oracle of another
/// campaign pays this campaign's videos.
#[test]
fn rejects_batch_by_other_campaigns_oracle() {
    let (mut env, payees) = fixture(None);
    let other_oracle = env.keypair_with(SOL);
    env.add_oracle(&other_oracle.pubkey()).unwrap();
    let mut args = env.campaign_args(2, SOL_UNIT);
    args.oracle = other_oracle.pubkey();
    env.create_campaign(Asset::Sol, args).unwrap();
    let batch = batch_by(
        &env,
        &other_oracle.pubkey(),
        &views_for(&[&payees[0], &payees[1], &payees[2]]),
    );
    refused(&mut env, &payees, &[], &[batch], &[&other_oracle], |r| {
        assert_program_error_at(r, 0, ClipstakeError::NotCampaignOracle)
    });
}

// ------------------------------------------------------------------------------------------
// Replay

/// Twin of `rejects_disburse_replay_same_views`: the same batch sent again (a new transaction,
/// with a new blockhash) pays nothing; nor does a batch whose second entry alone is a replay.
#[test]
fn rejects_batch_replay_same_views() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let batch = batch_all(&env, &payees);
        send_batch(&mut env, batch.clone());
        // `Env::send` expires the blockhash after every transaction: the replay is a new one.
        oracle_refused(
            &mut env,
            &payees,
            &[],
            batch,
            ClipstakeError::ViewsNotIncreasing,
        );
        let partly = env.batch_ix(&[
            (&payees[0], 2 * VIEWS),
            (&payees[1], VIEWS),
            (&payees[2], 2 * VIEWS),
        ]);
        oracle_refused(
            &mut env,
            &payees,
            &[],
            partly,
            ClipstakeError::ViewsNotIncreasing,
        );
    }
}

/// Twin of `rejects_disburse_lower_or_zero_views`: a zero report on an unpaid video, and a
/// stale (lower) report, each as the second entry behind a valid one.
#[test]
fn rejects_batch_lower_or_zero_views() {
    let (mut env, payees) = fixture(None);
    let fresh = env.batch_ix(&[(&payees[0], VIEWS), (&payees[1], 0)]);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        fresh,
        ClipstakeError::ViewsNotIncreasing,
    );
    let batch = batch_all(&env, &payees);
    send_batch(&mut env, batch);
    let stale = env.batch_ix(&[
        (&payees[0], 2 * VIEWS),
        (&payees[1], VIEWS - 1),
        (&payees[2], 2 * VIEWS),
    ]);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        stale,
        ClipstakeError::ViewsNotIncreasing,
    );
    for p in &payees {
        assert_eq!(env.account::<Submission>(&p.submission).paid_views, VIEWS);
    }
}

// ------------------------------------------------------------------------------------------
// Substituted accounts

/// Twin of `rejects_disburse_from_other_campaigns_vault`.
#[test]
fn rejects_batch_from_other_campaigns_vault() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let other = env.funded_campaign(payees[0].asset, 2);
        let other_vault = env.campaign(&other).state.vault;
        let mut batch = batch_all(&env, &payees);
        set_account_at(&mut batch, at::VAULT, other_vault, true);
        oracle_refused(
            &mut env,
            &payees,
            &[other, other_vault],
            batch,
            ClipstakeError::WrongVault,
        );
    }
}

/// Twin of `rejects_disburse_to_wrong_creator_wallet`: the second payout's creator account
/// swapped for the attacker's. SOL: `WrongRecipient` as `disburse`. Tokens: the batch takes no
/// creator wallet, only its token account, so the attacker's own (existing) token account is
/// refused for its owner with `RecipientTokenAccountMismatch`.
#[test]
fn rejects_batch_to_wrong_creator_wallet() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let attacker = env.keypair_with(SOL);
        let attacker_account = receiving_account(payees[1].asset, &attacker.pubkey());
        let expected = match payees[1].asset {
            Asset::Sol => ClipstakeError::WrongRecipient,
            Asset::Token { .. } => {
                let (mint, token_program) = mint_of(&payees[1]);
                env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
                ClipstakeError::RecipientTokenAccountMismatch
            }
        };
        let mut batch = batch_all(&env, &payees);
        swap_account(&mut batch, &creator_account(&payees[1]), attacker_account);
        oracle_refused(
            &mut env,
            &payees,
            &[attacker.pubkey(), attacker_account],
            batch,
            expected,
        );
    }
}

/// Twin of `rejects_disburse_to_wrong_treasury`: the fee's account swapped for the attacker's.
/// SOL: `WrongRecipient`. Tokens: the batch takes the treasury's token account only, so the
/// attacker's (existing) token account is refused with `RecipientTokenAccountMismatch`.
#[test]
fn rejects_batch_to_wrong_treasury() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let attacker = env.keypair_with(SOL);
        let asset = payees[0].asset;
        let attacker_account = receiving_account(asset, &attacker.pubkey());
        let expected = match asset {
            Asset::Sol => ClipstakeError::WrongRecipient,
            Asset::Token { .. } => {
                let (mint, token_program) = mint_of(&payees[0]);
                env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
                ClipstakeError::RecipientTokenAccountMismatch
            }
        };
        let mut batch = batch_all(&env, &payees);
        swap_account(
            &mut batch,
            &receiving_account(asset, &env.treasury.pubkey()),
            attacker_account,
        );
        oracle_refused(
            &mut env,
            &payees,
            &[attacker.pubkey(), attacker_account],
            batch,
            expected,
        );
    }
}

/// Twin of `rejects_disburse_to_wrong_affiliate`: the last payout's commission redirected to
/// the attacker. SOL: `WrongRecipient`. Tokens (the batch checks the token account's owner):
/// `RecipientTokenAccountMismatch`, a refusal and not an accrual.
#[test]
fn rejects_batch_to_wrong_affiliate() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let attacker = env.keypair_with(SOL);
        let asset = payees[2].asset;
        let attacker_account = receiving_account(asset, &attacker.pubkey());
        let expected = match asset {
            Asset::Sol => ClipstakeError::WrongRecipient,
            Asset::Token { .. } => {
                let (mint, token_program) = mint_of(&payees[2]);
                env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
                ClipstakeError::RecipientTokenAccountMismatch
            }
        };
        let mut batch = batch_all(&env, &payees);
        swap_account(&mut batch, &affiliate_account(&payees[2]), attacker_account);
        oracle_refused(
            &mut env,
            &payees,
            &[attacker.pubkey(), attacker_account],
            batch,
            expected,
        );
    }
}

/// Twin of `rejects_disburse_omitting_affiliate`: the affiliate account of a payout in the
/// middle of the batch left out, so every later account shifts by one. The next payout's
/// submission is then read as the affiliate's account: SOL `WrongRecipient` as `disburse`;
/// tokens `RecipientTokenAccountMismatch` (the batch checks a token account, not a wallet).
/// Left out of the last payout it is `BatchAccountsMismatch`
/// (`rejects_batch_with_missing_affiliate_account`).
#[test]
fn rejects_batch_omitting_affiliate() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let mut batch = batch_of(&env, &[&payees[1], &payees[0], &payees[2]]);
        let at = position(&batch, &affiliate_account(&payees[0]));
        batch.accounts.remove(at);
        let expected = match payees[0].asset {
            Asset::Sol => ClipstakeError::WrongRecipient,
            Asset::Token { .. } => ClipstakeError::RecipientTokenAccountMismatch,
        };
        oracle_refused(&mut env, &payees, &[], batch, expected);
    }
}

/// Twin of `rejects_disburse_adding_affiliate`: an attacker's account added after the creator
/// of a video without an affiliate. Before another payout, it is read as that payout's
/// submission (a wallet is not a Submission: `AccountOwnedByWrongProgram`); after the last
/// payout, it is a trailing account (`BatchAccountsMismatch`). Either way it is never paid.
#[test]
fn rejects_batch_adding_affiliate() {
    let (mut env, payees) = fixture(None);
    let attacker = env.keypair_with(SOL);
    let mut batch = batch_all(&env, &payees);
    let at = position(&batch, &creator_account(&payees[1]));
    batch
        .accounts
        .insert(at + 1, AccountMeta::new(attacker.pubkey(), false));
    oracle_refused_by_anchor(
        &mut env,
        &payees,
        &[attacker.pubkey()],
        batch,
        AnchorError::AccountOwnedByWrongProgram,
    );

    let mut batch = batch_of(&env, &[&payees[0], &payees[2], &payees[1]]);
    batch
        .accounts
        .push(AccountMeta::new(attacker.pubkey(), false));
    oracle_refused(
        &mut env,
        &payees,
        &[attacker.pubkey()],
        batch,
        ClipstakeError::BatchAccountsMismatch,
    );
}

/// Twin of `rejects_disburse_to_creator_token_account_of_another_owner`.
#[test]
fn rejects_batch_to_creator_token_account_of_another_owner() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let (mint, token_program) = mint_of(&payees[1]);
    let attacker = Keypair::new();
    let attacker_ata = env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
    let mut batch = batch_all(&env, &payees);
    swap_account(&mut batch, &creator_account(&payees[1]), attacker_ata);
    oracle_refused(
        &mut env,
        &payees,
        &[attacker_ata],
        batch,
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// Twin of `rejects_disburse_to_treasury_token_account_of_another_owner`: here the token
/// account of one of the batch's own creators.
#[test]
fn rejects_batch_to_treasury_token_account_of_another_owner() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::TREASURY, creator_account(&payees[1]), true);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// Twin of `rejects_disburse_to_affiliate_token_account_of_another_owner`: the last payout's
/// commission sent to its creator's token account.
#[test]
fn rejects_batch_to_affiliate_token_account_of_another_owner() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    swap_account(
        &mut batch,
        &affiliate_account(&payees[2]),
        creator_account(&payees[2]),
    );
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// Twin of `rejects_disburse_to_creator_ata_for_wrong_mint`.
#[test]
fn rejects_batch_to_creator_ata_for_wrong_mint() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let (_, token_program) = mint_of(&payees[1]);
    let other_mint = env.create_mint(&token_program, 6, None);
    let wrong_ata = env.fund_tokens(&token_program, &other_mint, &payees[1].creator.pubkey(), 1);
    let mut batch = batch_all(&env, &payees);
    swap_account(&mut batch, &creator_account(&payees[1]), wrong_ata);
    oracle_refused(
        &mut env,
        &payees,
        &[wrong_ata],
        batch,
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// Twin of `rejects_disburse_to_non_canonical_new_token_account`. `disburse` would create the
/// account (and the runtime refuses the non-canonical address); a batch creates none, so a
/// fresh address is refused up front as not a token account of the creator.
#[test]
fn rejects_batch_to_non_canonical_new_token_account() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let elsewhere = Pubkey::new_unique();
    let mut batch = batch_all(&env, &payees);
    swap_account(&mut batch, &creator_account(&payees[1]), elsewhere);
    oracle_refused(
        &mut env,
        &payees,
        &[elsewhere],
        batch,
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// Twin of `rejects_disburse_with_wrong_mint`.
#[test]
fn rejects_batch_with_wrong_mint() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let (_, token_program) = mint_of(&payees[0]);
    let other_mint = env.create_mint(&token_program, 6, None);
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::MINT, other_mint, false);
    oracle_refused(
        &mut env,
        &payees,
        &[other_mint],
        batch,
        ClipstakeError::WrongMint,
    );
}

/// Twin of `rejects_disburse_with_other_token_program`: Token-2022 for an SPL Token campaign.
#[test]
fn rejects_batch_with_other_token_program() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::TOKEN_PROGRAM, TOKEN_2022_PROGRAM_ID, false);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::WrongTokenProgram,
    );
}

/// Twin of `rejects_disburse_with_fake_token_program`: another executable program (not a
/// token program) that would fake the transfers.
#[test]
fn rejects_batch_with_fake_token_program() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    set_account_at(
        &mut batch,
        at::TOKEN_PROGRAM,
        ASSOCIATED_TOKEN_PROGRAM_ID,
        false,
    );
    oracle_refused_by_anchor(&mut env, &payees, &[], batch, AnchorError::InvalidProgramId);
}

/// Twin of `rejects_disburse_with_fake_associated_token_program`. The batch takes no associated
/// token program (it creates no accounts), so a fake one has nowhere to go but the end of the
/// account list (`BatchAccountsMismatch`), and the creator, affiliate or treasury token account
/// it would have "created" must already exist: a missing one is refused
/// (`RecipientTokenAccountMismatch`), not accrued, wherever it is in the batch.
#[test]
fn rejects_batch_with_fake_associated_token_program() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    batch
        .accounts
        .push(AccountMeta::new_readonly(TOKEN_2022_PROGRAM_ID, false));
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::BatchAccountsMismatch,
    );

    let targets = [
        creator_account(&payees[1]),
        affiliate_account(&payees[2]),
        receiving_account(payees[0].asset, &env.treasury.pubkey()),
    ];
    for target in targets {
        let saved = env.svm.get_account(&target).expect("token account exists");
        env.put_account(target, Account::default());
        let batch = batch_all(&env, &payees);
        oracle_refused(
            &mut env,
            &payees,
            &[target],
            batch,
            ClipstakeError::RecipientTokenAccountMismatch,
        );
        env.put_account(target, saved);
    }
}

/// Twin of `rejects_disburse_with_fake_system_program`. The batch takes no system program; its
/// only program slot is the token program, where the system program (or this program's id on
/// a token campaign, read as "absent") is refused, on SOL and token campaigns.
#[test]
fn rejects_batch_with_fake_system_program() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let mut batch = batch_all(&env, &payees);
        set_account_at(&mut batch, at::TOKEN_PROGRAM, ix::SYSTEM_PROGRAM_ID, false);
        oracle_refused_by_anchor(&mut env, &payees, &[], batch, AnchorError::InvalidProgramId);
    }
}

/// Twin of `rejects_disburse_with_program_id_as_token_program`: this program's id in the mint
/// or token program slot reads as "absent", so the batch is refused as incomplete.
#[test]
fn rejects_batch_with_program_id_as_token_program() {
    for index in [at::TOKEN_PROGRAM, at::MINT] {
        let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
        let mut batch = batch_all(&env, &payees);
        set_account_at(&mut batch, index, clipstake::ID, false);
        oracle_refused(
            &mut env,
            &payees,
            &[],
            batch,
            ClipstakeError::MissingTokenAccounts,
        );
    }
}

/// Twin of `rejects_disburse_token_campaign_without_token_accounts`: a token campaign paid as
/// if it were a SOL campaign (no mint, no token program, wallets as recipients).
#[test]
fn rejects_batch_token_campaign_without_token_accounts() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::MINT, clipstake::ID, false);
    set_account_at(&mut batch, at::TOKEN_PROGRAM, clipstake::ID, false);
    let treasury = env.treasury.pubkey();
    set_account_at(&mut batch, at::TREASURY, treasury, true);
    for p in &payees {
        swap_account(&mut batch, &creator_account(p), p.creator.pubkey());
        if let Some(a) = &p.affiliate {
            swap_account(&mut batch, &affiliate_account(p), a.pubkey());
        }
    }
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::MissingTokenAccounts,
    );
}

/// Twin of `rejects_disburse_sol_campaign_with_token_accounts`: a SOL campaign paid with a
/// mint (and token program) of the attacker's choosing.
#[test]
fn rejects_batch_sol_campaign_with_token_accounts() {
    let (mut env, payees) = fixture(None);
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 9, None);
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::MINT, mint, false);
    oracle_refused(
        &mut env,
        &payees,
        &[mint],
        batch.clone(),
        ClipstakeError::MissingTokenAccounts,
    );
    set_account_at(&mut batch, at::TOKEN_PROGRAM, TOKEN_PROGRAM_ID, false);
    oracle_refused(
        &mut env,
        &payees,
        &[mint],
        batch,
        ClipstakeError::MissingTokenAccounts,
    );
}

/// Twin of `rejects_disburse_with_submission_of_other_campaign` (and the batch's
/// `rejects_batch_with_submission_of_another_campaign`): campaign B's video as the second
/// entry of campaign A's batch, to be paid from A's budget.
#[test]
fn rejects_batch_with_submission_of_other_campaign() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let asset = payees[0].asset;
        let other = env.funded_campaign(asset, 2);
        let stranger = env.payee(&other, asset, "https://video.example/other", false);
        env.create_receiving_accounts(asset, std::slice::from_ref(&stranger));
        let batch = env.batch_ix(&[(&payees[0], VIEWS), (&stranger, VIEWS), (&payees[2], VIEWS)]);
        let extra = stranger.watched(&env);
        oracle_refused(
            &mut env,
            &payees,
            &extra,
            batch,
            ClipstakeError::WrongRecipient,
        );
    }
}

// ------------------------------------------------------------------------------------------
// Type cosplay

/// Twin of `rejects_disburse_with_submission_as_campaign`.
#[test]
fn rejects_batch_with_submission_as_campaign() {
    let (mut env, payees) = fixture(None);
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::CAMPAIGN, payees[1].submission, true);
    oracle_refused_by_anchor(
        &mut env,
        &payees,
        &[],
        batch,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// Twin of `rejects_disburse_with_campaign_as_platform`.
#[test]
fn rejects_batch_with_campaign_as_platform() {
    let (mut env, payees) = fixture(None);
    let other = env.funded_campaign(Asset::Sol, 2);
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::PLATFORM, other, false);
    oracle_refused_by_anchor(
        &mut env,
        &payees,
        &[other],
        batch,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// Twin of `rejects_disburse_with_campaign_as_submission`: another campaign, and this campaign
/// itself, as the second payout's submission.
#[test]
fn rejects_batch_with_campaign_as_submission() {
    let (mut env, payees) = fixture(None);
    let other = env.funded_campaign(Asset::Sol, 2);
    for cosplay in [other, payees[0].campaign] {
        let mut batch = batch_all(&env, &payees);
        swap_account(&mut batch, &payees[1].submission, cosplay);
        oracle_refused_by_anchor(
            &mut env,
            &payees,
            &[other],
            batch,
            AnchorError::AccountDiscriminatorMismatch,
        );
    }
}

/// Twin of `rejects_disburse_with_sol_vault_as_campaign`.
#[test]
fn rejects_batch_with_sol_vault_as_campaign() {
    let (mut env, payees) = fixture(None);
    let vault = env.campaign(&payees[0].campaign).state.vault;
    let mut batch = batch_all(&env, &payees);
    set_account_at(&mut batch, at::CAMPAIGN, vault, true);
    oracle_refused_by_anchor(
        &mut env,
        &payees,
        &[],
        batch,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

// ------------------------------------------------------------------------------------------
// Duplicate accounts

/// Twin of `rejects_disburse_with_vault_as_creator_token_account`: the vault would pay itself
/// while the books record a payout.
#[test]
fn rejects_batch_with_vault_as_creator_token_account() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let vault = env.campaign(&payees[1].campaign).state.vault;
    let mut batch = batch_all(&env, &payees);
    swap_account(&mut batch, &creator_account(&payees[1]), vault);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::DuplicateAccount,
    );
}

/// Twin of `rejects_disburse_with_vault_as_treasury_or_affiliate_token_account`.
#[test]
fn rejects_batch_with_vault_as_treasury_or_affiliate_token_account() {
    for which in ["treasury", "affiliate"] {
        let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
        let vault = env.campaign(&payees[0].campaign).state.vault;
        let mut batch = batch_all(&env, &payees);
        match which {
            "treasury" => set_account_at(&mut batch, at::TREASURY, vault, true),
            _ => swap_account(&mut batch, &affiliate_account(&payees[2]), vault),
        }
        oracle_refused(
            &mut env,
            &payees,
            &[],
            batch,
            ClipstakeError::DuplicateAccount,
        );
    }
}

/// The batch's own: the SOL vault as a recipient. As creator or affiliate of the second or
/// last payout: `DuplicateAccount`. As the treasury, the treasury's key is checked first
/// (`validate`, before any payout is read), so it is `WrongRecipient`.
#[test]
fn rejects_batch_with_vault_as_recipient() {
    for which in ["creator", "affiliate", "treasury"] {
        let (mut env, payees) = fixture(None);
        let vault = env.campaign(&payees[0].campaign).state.vault;
        let mut batch = batch_all(&env, &payees);
        let expected = match which {
            "creator" => {
                swap_account(&mut batch, &creator_account(&payees[1]), vault);
                ClipstakeError::DuplicateAccount
            }
            "affiliate" => {
                swap_account(&mut batch, &affiliate_account(&payees[2]), vault);
                ClipstakeError::DuplicateAccount
            }
            _ => {
                set_account_at(&mut batch, at::TREASURY, vault, true);
                ClipstakeError::WrongRecipient
            }
        };
        oracle_refused(&mut env, &payees, &[], batch, expected);
    }
}

/// Twin of `rejects_disburse_with_campaign_as_creator_token_account`: `DuplicateAccount`.
#[test]
fn rejects_batch_with_campaign_as_creator_token_account() {
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let mut batch = batch_all(&env, &payees);
    swap_account(&mut batch, &creator_account(&payees[1]), payees[1].campaign);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::DuplicateAccount,
    );
}

/// Twin of `rejects_disburse_to_creator_that_is_a_payout_account`: a (compromised) oracle
/// registers a video whose creator wallet is the SOL vault, the campaign or the submission
/// itself, paid second in a batch: refused as `DuplicateAccount` like `disburse`. The affiliate
/// case of the original is `rejects_batch_to_affiliate_that_is_a_payout_account`.
#[test]
fn rejects_batch_to_creator_that_is_a_payout_account() {
    for which in ["vault", "campaign", "submission"] {
        let mut env = Env::with_platform();
        let campaign = env.funded_campaign(Asset::Sol, 1);
        let vault = env.campaign(&campaign).state.vault;
        let honest = env.payee(&campaign, Asset::Sol, "https://video.example/honest", true);
        let video = "https://video.example/alias";
        let creator = match which {
            "vault" => vault,
            "campaign" => campaign,
            _ => pda::submission(&campaign, &pda::content_hash(video)),
        };
        let alias = raw_payee(&mut env, &campaign, video, &creator, None);
        let expected = ClipstakeError::DuplicateAccount;
        let batch = env.batch_ix(&[(&honest, VIEWS), (&alias, VIEWS)]);
        let payees = [honest, alias];
        oracle_refused(&mut env, &payees, &[creator], batch, expected);
    }
}

/// The affiliate half of `rejects_disburse_to_creator_that_is_a_payout_account`: a
/// (compromised) oracle registers a video whose affiliate is the campaign (the original's
/// case) or the submission itself, paid second in a SOL batch. `disburse` refuses every payout
/// of it (`DuplicateAccount`), and so does the batch: accepted, the commission would be
/// accrued to an account that can never receive it, stranded in the vault for good.
#[test]
fn rejects_batch_to_affiliate_that_is_a_payout_account() {
    for which in ["campaign", "submission"] {
        let mut env = Env::with_platform();
        let campaign = env.funded_campaign(Asset::Sol, 1);
        let honest = env.payee(&campaign, Asset::Sol, "https://video.example/honest", false);
        let video = "https://video.example/alias";
        let affiliate = match which {
            "campaign" => campaign,
            _ => pda::submission(&campaign, &pda::content_hash(video)),
        };
        let creator = env.keypair_with(SOL).pubkey();
        let alias = raw_payee(
            &mut env,
            &campaign,
            video,
            &creator,
            Some((affiliate, AFFILIATE_BPS)),
        );
        let batch = env.batch_ix(&[(&honest, VIEWS), (&alias, VIEWS)]);
        let payees = [honest, alias];
        oracle_refused(
            &mut env,
            &payees,
            &[creator, affiliate],
            batch,
            ClipstakeError::DuplicateAccount,
        );
    }
}

/// The token form of `rejects_disburse_to_creator_that_is_a_payout_account`: a (compromised)
/// oracle registers a video whose creator or affiliate is the campaign or the submission
/// itself, and passes, as that recipient's account, a token account of the mint owned by that
/// PDA (anyone can create one: `InitializeAccount3` takes any owner); it is not the vault.
/// `disburse` refuses every payout of it (`DuplicateAccount`: the wallet is a payout account),
/// and so does the batch: accepted, the share would move into an account nothing can ever
/// move it out of.
#[test]
fn rejects_token_batch_to_recipient_that_is_a_payout_account() {
    for (role, which) in [
        ("creator", "campaign"),
        ("creator", "submission"),
        ("affiliate", "campaign"),
        ("affiliate", "submission"),
    ] {
        let (mut env, mut payees) = fixture(Some(TOKEN_PROGRAM_ID));
        payees.truncate(2);
        let (mint, token_program) = mint_of(&payees[0]);
        let campaign = payees[0].campaign;
        let video = "https://video.example/alias";
        let alias_key = match which {
            "campaign" => campaign,
            _ => pda::submission(&campaign, &pda::content_hash(video)),
        };
        let bystander = Keypair::new();
        let (creator, affiliate) = match role {
            "creator" => (alias_key, None),
            _ => (bystander.pubkey(), Some((alias_key, AFFILIATE_BPS))),
        };
        let mut alias = raw_payee(&mut env, &campaign, video, &creator, affiliate);
        alias.asset = payees[0].asset;
        env.fund_tokens(&token_program, &mint, &bystander.pubkey(), 0);
        // A token account of the mint owned by the PDA, at an address of the attacker's.
        let stray = Keypair::new();
        let create = solana_system_interface::instruction::create_account(
            &env.payer.pubkey(),
            &stray.pubkey(),
            env.svm
                .minimum_balance_for_rent_exemption(spl_token_interface::state::Account::LEN),
            spl_token_interface::state::Account::LEN as u64,
            &token_program,
        );
        let init = spl_token_interface::instruction::initialize_account3(
            &token_program,
            &stray.pubkey(),
            &mint,
            &alias_key,
        )
        .unwrap();
        env.send(&[create, init], &[&stray])
            .expect("stray token account");
        let mut batch = env.batch_ix(&[(&payees[0], VIEWS), (&payees[1], VIEWS), (&alias, VIEWS)]);
        // The PDA's canonical token account (for the campaign: the vault) is what the client
        // names; the attacker names the stray one instead.
        let canonical = pda::associated_token(&alias_key, &mint, &token_program);
        let last = batch
            .accounts
            .iter()
            .rposition(|m| m.pubkey == canonical)
            .expect("the recipient's account");
        batch.accounts[last].pubkey = stray.pubkey();
        let mut all = payees;
        all.push(alias);
        oracle_refused(
            &mut env,
            &all,
            &[
                stray.pubkey(),
                receiving_account(all[0].asset, &bystander.pubkey()),
            ],
            batch,
            ClipstakeError::DuplicateAccount,
        );
    }
}

// ------------------------------------------------------------------------------------------
// Campaign and platform state

/// Twin of `rejects_disburse_while_platform_paused`.
#[test]
fn rejects_batch_while_platform_paused() {
    let (mut env, payees) = fixture(None);
    env.pause_platform();
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::PlatformPaused,
    );
}

/// Twin of `rejects_disburse_before_start`.
#[test]
fn rejects_batch_before_start() {
    let mut env = Env::with_platform();
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.start_time = T0 + 1_000;
    let campaign = env.create_campaign(Asset::Sol, args).unwrap();
    env.fund(&campaign, 10 * SOL).unwrap();
    let payees = vec![
        env.payee(&campaign, Asset::Sol, "a", true),
        env.payee(&campaign, Asset::Sol, "b", false),
    ];
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::CampaignNotStarted,
    );
}

/// Twin of `rejects_disburse_after_settlement_window`.
#[test]
fn rejects_batch_after_settlement_window() {
    let (mut env, payees) = fixture(None);
    env.set_time(T0 + CAMPAIGN_SECS + SETTLEMENT_SECS);
    let batch = batch_all(&env, &payees);
    oracle_refused(&mut env, &payees, &[], batch, ClipstakeError::CampaignEnded);
}

/// Twin of `rejects_disburse_after_early_end_and_window`.
#[test]
fn rejects_batch_after_early_end_and_window() {
    let (mut env, payees) = fixture(None);
    let brand = env.brand.insecure_clone();
    env.set_time(T0 + 100);
    env.set_status(&brand, &payees[0].campaign, CampaignStatus::Ended)
        .unwrap();
    env.set_time(T0 + 100 + SETTLEMENT_SECS);
    let batch = batch_all(&env, &payees);
    oracle_refused(&mut env, &payees, &[], batch, ClipstakeError::CampaignEnded);
}

/// Twin of `rejects_top_up_from_empty_vault` (`security_shortfall.rs`; it replaced
/// `rejects_disburse_from_empty_vault`): once the vault has paid out all it held, topping up
/// the first video's recorded shortfall (a report at its watermark), second in a batch behind
/// new views of another video, is refused, and nothing moves, not even the other video's
/// recording.
#[test]
fn rejects_batch_top_up_from_empty_vault() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees, unit) = underfunded_batch_fixture(token_program);
        let first = env.batch_ix(&[(&payees[0], VIEWS)]);
        send_batch(&mut env, first);
        assert_eq!(vault_balance(&env, &payees[0].campaign), 0);
        let batch = env.batch_ix(&[(&payees[1], VIEWS), (&payees[0], VIEWS)]);
        oracle_refused(
            &mut env,
            &payees,
            &[],
            batch,
            ClipstakeError::InsufficientVaultBalance,
        );
        let s = env.submission(&payees[0].submission).state;
        assert_eq!((s.paid_views, s.paid_gross), (VIEWS, 10 * unit));
        assert_eq!(env.submission(&payees[1].submission).state.paid_views, 0);
    }
}

/// Twin of `rejects_disburse_below_watermark_with_shortfall_owed`: the second entry reports
/// below its watermark while a shortfall is owed to it.
#[test]
fn rejects_batch_below_watermark_with_shortfall_owed() {
    let (mut env, payees, unit) = underfunded_batch_fixture(None);
    let first = env.batch_ix(&[(&payees[0], VIEWS)]);
    send_batch(&mut env, first);
    env.fund(&payees[0].campaign, 1_000 * unit).unwrap();
    let batch = env.batch_ix(&[(&payees[1], VIEWS), (&payees[0], VIEWS - 1)]);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::ViewsNotIncreasing,
    );
}

/// The deadline checks are per payout too: past the deadline (and after the brand's
/// settlement) a top-up of a recorded shortfall is still payable, but new views are not, even
/// listed behind a valid top-up (`CampaignEnded`, then `CampaignSettled`). The top-up alone is
/// then paid.
#[test]
fn rejects_batch_with_new_views_behind_a_top_up_after_deadline() {
    let (mut env, payees, unit) = underfunded_batch_fixture(None);
    let first = env.batch_ix(&[(&payees[0], VIEWS)]);
    send_batch(&mut env, first);
    env.fund(&payees[0].campaign, 1_000 * unit).unwrap();
    env.set_time(T0 + CAMPAIGN_SECS + SETTLEMENT_SECS);
    let batch = env.batch_ix(&[(&payees[0], VIEWS), (&payees[1], VIEWS)]);
    oracle_refused(&mut env, &payees, &[], batch, ClipstakeError::CampaignEnded);

    let campaign = payees[0].campaign;
    let state = env.campaign(&campaign).state;
    let not_owed = state.available() - state.shortfall_owed;
    let brand = env.brand.insecure_clone();
    let withdraw = ix::withdraw(&env.campaign(&campaign), not_owed);
    env.send(&[withdraw], &[&brand])
        .expect("withdraw what is not owed");
    assert!(env.campaign(&campaign).state.is_settled());
    let batch = env.batch_ix(&[(&payees[0], VIEWS), (&payees[1], VIEWS)]);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::CampaignSettled,
    );

    let top_up = env.batch_ix(&[(&payees[0], VIEWS)]);
    send_batch(&mut env, top_up);
    let s = env.submission(&payees[0].submission).state;
    assert_eq!((s.paid_views, s.paid_gross), (VIEWS, 500 * unit));
}

/// Twin of `rejects_disburse_on_admin_paused_campaign`.
#[test]
fn rejects_batch_on_admin_paused_campaign() {
    let (mut env, payees) = fixture(None);
    let admin = env.admin.insecure_clone();
    env.set_status(&admin, &payees[0].campaign, CampaignStatus::Paused)
        .unwrap();
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::CampaignPaused,
    );
}

/// Twin of `rejects_disburse_after_brand_pause_window`.
#[test]
fn rejects_batch_after_brand_pause_window() {
    let (mut env, payees) = fixture(None);
    let brand = env.brand.insecure_clone();
    env.set_time(T0 + 10);
    env.set_status(&brand, &payees[0].campaign, CampaignStatus::Paused)
        .unwrap();
    env.set_time(T0 + 10 + SETTLEMENT_SECS);
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::CampaignPaused,
    );
}

/// Twin of `sol_payout_to_a_wallet_below_rent_records_the_views_and_keeps_them_owed`: the
/// second payout's creator wallet cannot hold its share yet, so the batch pays the first and
/// records the second's views with all of it owed.
#[test]
fn sol_batch_to_a_wallet_below_rent_records_the_views_and_keeps_them_owed() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let honest = env.payee(&campaign, Asset::Sol, "https://video.example/honest", true);
    let creator = Keypair::new();
    let submission = env
        .register(&campaign, "v", &creator.pubkey(), None)
        .unwrap();
    let poor = Payee {
        campaign,
        submission,
        creator,
        affiliate: None,
        asset: Asset::Sol,
    };
    let terms = env.campaign(&campaign).state;
    let owed = math::entitlement(100, terms.rate_per_thousand_views, u64::MAX);
    let batch = env.batch_ix(&[(&honest, VIEWS), (&poor, 100)]); // 500,000 lamports gross
    let oracle = env.oracle.insecure_clone();
    let meta = env.send(&[batch], &[&oracle]).expect("batch");

    let event: BatchPaid = clipstake_sdk::events::decode(&meta.logs).remove(0);
    let entry = &event.payouts[1];
    assert_eq!((entry.gross, entry.still_owed), (0, owed));
    assert!(event.payouts[0].gross > 0 && event.payouts[0].still_owed == 0);
    let recorded = env.submission(&submission).state;
    assert_eq!((recorded.paid_views, recorded.paid_gross), (100, 0));
    assert_eq!(env.campaign(&campaign).state.shortfall_owed, owed);
    assert_eq!(env.lamports(&poor.creator.pubkey()), 0);
}

// ==========================================================================================
// Twins of `security_trust.rs`
// ==========================================================================================

/// Twin of `rejects_fund_payout_and_withdraw_after_mint_replaced_by_permanent_delegate_mint`
/// (its payout part): the mint policy applies to the mint as it is now.
#[test]
fn rejects_batch_after_mint_replaced_by_permanent_delegate_mint() {
    let (mut env, payees) = fixture(Some(TOKEN_2022_PROGRAM_ID));
    let brand = env.brand.pubkey();
    let evil = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::PermanentDelegate(brand)],
    );
    replace_mint(&mut env, &payees[0], &evil);
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::UnsupportedMintExtension,
    );
}

/// Twin of `rejects_payout_after_mint_replaced_by_any_dangerous_mint` (freeze authority, close
/// authority, adjustable transfer fee, transfer hook, pausable, non-transferable,
/// default-frozen).
#[test]
fn rejects_batch_after_mint_replaced_by_any_dangerous_mint() {
    type Case = (bool, Ext, ClipstakeError);
    // (freeze authority?, extension, expected).
    let cases: [Case; 7] = [
        (
            true,
            Ext::CloseAuthority(None),
            ClipstakeError::MintFreezeAuthority,
        ),
        (
            false,
            Ext::CloseAuthority(Some(Pubkey::new_unique())),
            ClipstakeError::MintCloseAuthority,
        ),
        (
            false,
            Ext::TransferFee(Some(Pubkey::new_unique()), 10_000),
            ClipstakeError::MintTransferFeeAdjustable,
        ),
        (
            false,
            Ext::TransferHook(Pubkey::new_unique()),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            false,
            Ext::Pausable(Pubkey::new_unique()),
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            false,
            Ext::NonTransferable,
            ClipstakeError::UnsupportedMintExtension,
        ),
        (
            true,
            Ext::DefaultFrozen,
            ClipstakeError::MintFreezeAuthority,
        ),
    ];
    for (freeze, extension, expected) in cases {
        let (mut env, payees) = fixture(Some(TOKEN_2022_PROGRAM_ID));
        let freeze = freeze.then(|| env.brand.pubkey());
        let evil = create_mint_with(&mut env, &TOKEN_2022_PROGRAM_ID, freeze, &[extension]);
        replace_mint(&mut env, &payees[0], &evil);
        let batch = batch_all(&env, &payees);
        oracle_refused(&mut env, &payees, &[], batch, expected);
    }
}

/// Twin of `rejects_mint_with_pending_transfer_fee_change` on the payout path: the campaign's
/// mint replaced by one whose fee change is scheduled (authority already dropped).
#[test]
fn rejects_batch_after_mint_replaced_by_mint_with_pending_transfer_fee_change() {
    use spl_token_2022_interface::extension::transfer_fee::instruction::set_transfer_fee;
    let (mut env, payees) = fixture(Some(TOKEN_2022_PROGRAM_ID));
    let issuer = env.payer.pubkey();
    let evil = create_mint_with(
        &mut env,
        &TOKEN_2022_PROGRAM_ID,
        None,
        &[Ext::TransferFee(Some(issuer), 0)],
    );
    let raise = set_transfer_fee(
        &TOKEN_2022_PROGRAM_ID,
        &evil,
        &issuer,
        &[],
        10_000,
        u64::MAX,
    )
    .unwrap();
    let drop_authority = spl_token_2022_interface::instruction::set_authority(
        &TOKEN_2022_PROGRAM_ID,
        &evil,
        None,
        spl_token_2022_interface::instruction::AuthorityType::TransferFeeConfig,
        &issuer,
        &[],
    )
    .unwrap();
    env.send(&[raise, drop_authority], &[])
        .expect("fee raised, authority dropped");
    replace_mint(&mut env, &payees[0], &evil);
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::MintTransferFeeAdjustable,
    );
}

/// Twin of `rejects_revoked_oracle_register_disburse_and_claim` (its push part), and of the
/// old oracle's push in `admin_repoints_campaign_to_registered_oracle_and_old_oracle_pays_nothing`:
/// once the admin re-points the campaign, the revoked oracle is not the campaign's oracle any
/// more, and the new one pays the same batch.
#[test]
fn rejects_batch_by_revoked_oracle() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let old = env.oracle.insecure_clone();
        env.revoke_oracle(&old.pubkey()).expect("revoke_oracle");
        let batch = batch_all(&env, &payees);
        oracle_refused(&mut env, &payees, &[], batch, ClipstakeError::OracleRevoked);

        let new = env.keypair_with(SOL);
        env.add_oracle(&new.pubkey()).expect("add_oracle");
        let admin = env.admin.insecure_clone();
        let repoint = ix::set_campaign_oracle(&admin.pubkey(), &payees[0].campaign, &new.pubkey());
        env.send(&[repoint], &[&admin])
            .expect("set_campaign_oracle");
        let payouts = views_for(&payees.iter().collect::<Vec<_>>());
        let old_push = batch_by(&env, &old.pubkey(), &payouts);
        refused(&mut env, &payees, &[], &[old_push], &[&old], |r| {
            assert_program_error_at(r, 0, ClipstakeError::NotCampaignOracle)
        });
        let new_push = batch_by(&env, &new.pubkey(), &payouts);
        env.send(&[new_push], &[&new]).expect("the new oracle pays");
        for p in &payees {
            assert_eq!(env.submission(&p.submission).state.paid_views, VIEWS);
        }
    }
}

/// Twin of `rejects_payout_to_creator_requiring_memos`: the second creator's Token-2022
/// account requires memos; its share is never accrued, so the batch is refused.
#[test]
fn rejects_batch_to_creator_requiring_memos() {
    let (mut env, payees) = fixture(Some(TOKEN_2022_PROGRAM_ID));
    let (mint, _) = mint_of(&payees[1]);
    let creator = payees[1].creator.insecure_clone();
    require_memos(&mut env, &creator, &mint);
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::RecipientCannotReceive,
    );
}

/// Twin of `rejects_sol_payout_to_program_owned_creator`: the second creator cannot hold SOL.
#[test]
fn rejects_sol_batch_to_program_owned_creator() {
    let (mut env, payees) = fixture(None);
    env.put_account(payees[1].creator.pubkey(), program_owned_account());
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::RecipientCannotReceive,
    );
}

/// Twin of `rejects_resume_payout_register_and_fund_after_withdrawal` (its payout part): a
/// withdrawal ends the campaign for good.
#[test]
fn rejects_batch_after_withdrawal() {
    let (mut env, payees) = fixture(None);
    let campaign = payees[0].campaign;
    let brand = env.brand.insecure_clone();
    env.set_time(T0 + DAY);
    env.set_status(&brand, &campaign, CampaignStatus::Paused)
        .expect("brand pause");
    env.set_time(T0 + DAY + SETTLEMENT_SECS);
    let all = vault_balance(&env, &campaign);
    let withdraw = ix::withdraw(&env.campaign(&campaign), all);
    env.send(&[withdraw], &[&brand])
        .expect("withdraw after the window");
    assert!(env.campaign(&campaign).state.is_settled());
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::CampaignSettled,
    );
}

/// The creator half of `frozen_affiliate_account_gets_commission_accrued`: on a trusted mint
/// with a freeze authority, the second creator's account is frozen. The creator's share is
/// never accrued: the batch is refused and nothing moves; thawed, it pays.
#[test]
fn rejects_batch_to_frozen_creator_account() {
    let (mut env, payees) = trusted_freezable_fixture();
    let (mint, _) = mint_of(&payees[1]);
    let frozen = creator_account(&payees[1]);
    set_frozen(&mut env, &frozen, &mint, true);
    let batch = batch_all(&env, &payees);
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::RecipientCannotReceive,
    );
    set_frozen(&mut env, &frozen, &mint, false);
    let batch = batch_all(&env, &payees);
    send_batch(&mut env, batch);
    assert_eq!(
        env.token_balance(&frozen),
        split(gross_for_views(payees[1].asset), 0).creator
    );
}

/// Twin of `frozen_affiliate_account_gets_commission_accrued` (accepted): a frozen affiliate
/// account of the last payout does not block the batch; its commission accrues (flagged in the
/// event), everyone else is paid, and `settle_accrued` delivers it once thawed.
#[test]
fn batch_to_frozen_affiliate_account_accrues_commission() {
    let (mut env, payees) = trusted_freezable_fixture();
    let (mint, _) = mint_of(&payees[2]);
    let frozen = affiliate_account(&payees[2]);
    set_frozen(&mut env, &frozen, &mint, true);
    let batch = batch_all(&env, &payees);
    let meta = send_batch(&mut env, batch);

    let asset = payees[0].asset;
    let with = split(gross_for_views(asset), AFFILIATE_BPS);
    let without = split(gross_for_views(asset), 0);
    let event = batch_event(&meta);
    let flags: Vec<bool> = event.payouts.iter().map(|p| p.commission_accrued).collect();
    assert_eq!(flags, [false, false, true]);
    assert!(!event.fee_accrued);
    assert_eq!(event.payouts[2].commission, with.commission);
    for (p, parts) in payees.iter().zip([with, without, with]) {
        assert_eq!(env.token_balance(&creator_account(p)), parts.creator);
    }
    assert_eq!(
        env.token_balance(&affiliate_account(&payees[0])),
        with.commission
    );
    assert_eq!(env.token_balance(&frozen), 0);
    let treasury = receiving_account(asset, &env.treasury.pubkey());
    assert_eq!(env.token_balance(&treasury), 2 * with.fee + without.fee);
    let campaign = env.campaign(&payees[0].campaign).state;
    assert_eq!(campaign.commissions_accrued, with.commission);
    assert_eq!(campaign.commissions_paid, with.commission);
    let submission = env.submission(&payees[2].submission).state;
    assert_eq!(
        (submission.commission_accrued, submission.commissions_paid),
        (with.commission, 0)
    );

    set_frozen(&mut env, &frozen, &mint, false);
    let settle = ix::settle_accrued(
        &env.payer.pubkey(),
        &env.campaign(&payees[2].campaign),
        Some(&env.submission(&payees[2].submission)),
    );
    env.send(&[settle], &[]).expect("settle_accrued");
    assert_eq!(env.token_balance(&frozen), with.commission);
}

/// The same for the treasury (accepted): its frozen account leaves the batch's whole fee
/// accrued, flagged in the event, and every share of every payout delivered.
#[test]
fn batch_to_frozen_treasury_account_accrues_fee() {
    let (mut env, payees) = trusted_freezable_fixture();
    let (mint, _) = mint_of(&payees[0]);
    let asset = payees[0].asset;
    let treasury = receiving_account(asset, &env.treasury.pubkey());
    set_frozen(&mut env, &treasury, &mint, true);
    let batch = batch_all(&env, &payees);
    let meta = send_batch(&mut env, batch);
    let with = split(gross_for_views(asset), AFFILIATE_BPS);
    let without = split(gross_for_views(asset), 0);
    let event = batch_event(&meta);
    assert!(event.fee_accrued);
    assert_eq!(event.fee, 2 * with.fee + without.fee);
    assert!(event.payouts.iter().all(|p| !p.commission_accrued));
    assert_eq!(env.token_balance(&treasury), 0);
    let campaign = env.campaign(&payees[0].campaign).state;
    assert_eq!((campaign.fees_accrued, campaign.fees_paid), (event.fee, 0));
}

/// The treasury's and an affiliate's associated token accounts handed to another owner (SPL
/// Token lets an owner move): they exist but cannot receive for their wallets, so, as in
/// `disburse`, the fee and that commission accrue and the rest of the batch is paid.
#[test]
fn batch_to_reassigned_token_accounts_accrues_their_shares() {
    use spl_token_interface::instruction::{AuthorityType, set_authority};
    let (mut env, payees) = fixture(Some(TOKEN_PROGRAM_ID));
    let (mint, token_program) = mint_of(&payees[0]);
    let stranger = solana_keypair::Keypair::new().pubkey();
    let affiliate = payees[0]
        .affiliate
        .as_ref()
        .expect("an affiliate")
        .insecure_clone();
    let treasury = env.treasury.insecure_clone();
    for owner in [&treasury, &affiliate] {
        let ata = clipstake_sdk::pda::associated_token(&owner.pubkey(), &mint, &token_program);
        let hand = set_authority(
            &token_program,
            &ata,
            Some(&stranger),
            AuthorityType::AccountOwner,
            &owner.pubkey(),
            &[],
        )
        .unwrap();
        env.send(&[hand], &[owner]).expect("owner moved");
    }
    let batch = batch_all(&env, &payees);
    let event = batch_event(&send_batch(&mut env, batch));
    assert!(event.fee_accrued);
    let accrued: Vec<bool> = event.payouts.iter().map(|p| p.commission_accrued).collect();
    assert_eq!(accrued, [true, false, false]);
    let campaign = env.campaign(&payees[0].campaign).state;
    assert_eq!(campaign.fees_accrued, event.fee);
    assert_eq!(campaign.commissions_accrued, event.payouts[0].commission);
}

// ==========================================================================================
// The batch's own cases
// ==========================================================================================

/// The last payout's affiliate account left out: the account list ends early.
#[test]
fn rejects_batch_with_missing_affiliate_account() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let mut batch = batch_all(&env, &payees);
        let last = batch.accounts.pop().expect("an account");
        assert_eq!(last.pubkey, affiliate_account(&payees[2]));
        oracle_refused(
            &mut env,
            &payees,
            &[],
            batch,
            ClipstakeError::BatchAccountsMismatch,
        );
    }
}

/// Accounts left over after the last payout: an extra wallet, a repeat of a payout's
/// submission, or a whole payout's accounts without views for it. Too few accounts for the
/// views (a view count without its payout) is refused the same way.
#[test]
fn rejects_batch_with_extra_trailing_account() {
    let (mut env, payees) = fixture(None);
    let stranger = env.keypair_with(SOL);
    let trailing = [
        AccountMeta::new(stranger.pubkey(), false),
        AccountMeta::new(payees[1].submission, false),
    ];
    for extra in trailing {
        let mut batch = batch_all(&env, &payees);
        batch.accounts.push(extra);
        oracle_refused(
            &mut env,
            &payees,
            &[stranger.pubkey()],
            batch,
            ClipstakeError::BatchAccountsMismatch,
        );
    }
    // Accounts for three payouts, views for two; then views for three, accounts for two.
    let mut batch = batch_all(&env, &payees);
    batch.data = clipstake::instruction::DisburseBatch {
        views: vec![VIEWS, VIEWS],
    }
    .data();
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::BatchAccountsMismatch,
    );
    let mut batch = batch_of(&env, &[&payees[0], &payees[1]]);
    batch.data = clipstake::instruction::DisburseBatch {
        views: vec![VIEWS, VIEWS, VIEWS],
    }
    .data();
    oracle_refused(
        &mut env,
        &payees,
        &[],
        batch,
        ClipstakeError::BatchAccountsMismatch,
    );
}

/// A payout's accounts out of order. Only counts and write flags are the batch's own
/// (`BatchAccountsMismatch`); order is caught by the per-account checks, each with its own
/// error: a creator account where the second payout's submission belongs is not a Submission
/// (`AccountOwnedByWrongProgram`); the creators of the second and third payouts swapped, or the
/// third's creator and affiliate swapped, are the wrong recipients (`WrongRecipient` for SOL,
/// `RecipientTokenAccountMismatch` for tokens).
#[test]
fn rejects_batch_with_accounts_out_of_order() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        let wrong_recipient = match payees[0].asset {
            Asset::Sol => ClipstakeError::WrongRecipient,
            Asset::Token { .. } => ClipstakeError::RecipientTokenAccountMismatch,
        };
        let swapped = |env: &Env, a: Pubkey, b: Pubkey| {
            let mut batch = batch_all(env, &payees);
            let (i, j) = (position(&batch, &a), position(&batch, &b));
            batch.accounts.swap(i, j);
            batch
        };

        let batch = swapped(&env, payees[1].submission, creator_account(&payees[1]));
        oracle_refused_by_anchor(
            &mut env,
            &payees,
            &[],
            batch,
            AnchorError::AccountOwnedByWrongProgram,
        );
        let batch = swapped(
            &env,
            creator_account(&payees[1]),
            creator_account(&payees[2]),
        );
        oracle_refused(&mut env, &payees, &[], batch, wrong_recipient);
        let batch = swapped(
            &env,
            creator_account(&payees[2]),
            affiliate_account(&payees[2]),
        );
        oracle_refused(&mut env, &payees, &[], batch, wrong_recipient);
    }
}

/// A per-payout account passed read-only (the batch could not pay or book it): the second
/// payout's submission or creator account, the last payout's affiliate account. The fixed
/// accounts are Anchor's: a read-only treasury, vault or campaign is `ConstraintMut`.
#[test]
fn rejects_batch_with_recipient_passed_read_only() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payees) = fixture(token_program);
        for key in [
            payees[1].submission,
            creator_account(&payees[1]),
            affiliate_account(&payees[2]),
        ] {
            let mut batch = batch_all(&env, &payees);
            let at = position(&batch, &key);
            batch.accounts[at].is_writable = false;
            oracle_refused(
                &mut env,
                &payees,
                &[],
                batch,
                ClipstakeError::BatchAccountsMismatch,
            );
        }
        for at in [at::TREASURY, at::VAULT, at::CAMPAIGN] {
            let mut batch = batch_all(&env, &payees);
            batch.accounts[at].is_writable = false;
            oracle_refused_by_anchor(&mut env, &payees, &[], batch, AnchorError::ConstraintMut);
        }
    }
}

/// A batch of no payouts, with no accounts or with accounts for some.
#[test]
fn rejects_empty_batch() {
    let (mut env, payees) = fixture(None);
    let campaign = env.campaign(&payees[0].campaign);
    let empty = ix::disburse_batch(&env.oracle.pubkey(), &campaign, &[]);
    oracle_refused(&mut env, &payees, &[], empty, ClipstakeError::EmptyBatch);
    let mut batch = batch_all(&env, &payees);
    batch.data = clipstake::instruction::DisburseBatch { views: vec![] }.data();
    oracle_refused(&mut env, &payees, &[], batch, ClipstakeError::EmptyBatch);
}

/// More than 32 payouts. Thirty-three distinct submissions cannot even reach the program: their
/// 66 per-payout accounts exceed the transaction's 64 account locks (the runtime refuses the
/// transaction). Thirty-three entries of one submission with rising views fit (repeated
/// accounts lock once) and are refused as `BatchTooLarge`, as is a list of 33 view counts with
/// the accounts of two payouts only: the bound is checked before any account is read. Exactly
/// 32 entries are accepted.
#[test]
fn rejects_batch_over_32() {
    let max = usize::from(clipstake::instructions::MAX_BATCH_PAYOUTS);
    assert_eq!(max, 32);
    let (mut env, payees) = fixture(None);
    let p = &payees[0];
    let rising =
        |n: usize| -> Vec<(&Payee, u64)> { (1..=n as u64).map(|i| (p, i * 1_000)).collect() };
    let over = env.batch_ix(&rising(max + 1));
    oracle_refused(&mut env, &payees, &[], over, ClipstakeError::BatchTooLarge);

    let mut short = batch_of(&env, &[&payees[0], &payees[1]]);
    short.data = clipstake::instruction::DisburseBatch {
        views: vec![VIEWS; max + 1],
    }
    .data();
    oracle_refused(&mut env, &payees, &[], short, ClipstakeError::BatchTooLarge);

    let at_max = env.batch_ix(&rising(max));
    let meta = send_batch(&mut env, at_max);
    assert_eq!(batch_event(&meta).payouts.len(), max);
    let s = env.submission(&p.submission).state;
    assert_eq!(s.paid_views, max as u64 * 1_000);
    let terms = env.campaign(&p.campaign).state;
    assert_eq!(
        s.paid_gross,
        math::entitlement(s.paid_views, terms.rate_per_thousand_views, u64::MAX)
    );

    // Thirty-three distinct submissions.
    let campaign = payees[0].campaign;
    let many: Vec<Payee> = (0..=max)
        .map(|i| env.payee(&campaign, Asset::Sol, &format!("many-{i}"), false))
        .collect();
    let batch = env.batch_ix(&views_for(&many.iter().collect::<Vec<_>>()));
    let keys = watch(&env, &many, &[]);
    let before = env.snapshot(&keys);
    let oracle = env.oracle.insecure_clone();
    assert_tx_error(
        env.send(&[batch], &[&oracle]),
        TransactionError::TooManyAccountLocks,
    );
    env.assert_unchanged(&before);
}

/// The oracle's registration replaced: another registered oracle's, a copy of the real one
/// owned by another program, or an account of another type. None is the campaign oracle's
/// registration: `OracleNotRegistered`.
#[test]
fn rejects_batch_with_wrong_oracle_registration() {
    let (mut env, payees) = fixture(None);
    let second = Keypair::new();
    env.add_oracle(&second.pubkey()).expect("add_oracle");
    let real = pda::oracle_registration(&env.oracle.pubkey());
    let mut forged = env.svm.get_account(&real).expect("registration exists");
    forged.owner = Pubkey::new_unique();
    let forged_at = Pubkey::new_unique();
    env.put_account(forged_at, forged);
    // A registration naming the campaign's oracle, active, written by the attacker's program.
    let mut data = Vec::new();
    OracleRegistration {
        oracle: env.oracle.pubkey(),
        active: true,
        added_at: T0,
        revoked_at: 0,
        bump: 255,
    }
    .try_serialize(&mut data)
    .unwrap();
    let foreign_at = Pubkey::new_unique();
    env.put_account(
        foreign_at,
        Account {
            lamports: SOL,
            data,
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        },
    );
    for wrong in [
        pda::oracle_registration(&second.pubkey()),
        forged_at,
        foreign_at,
        payees[0].campaign,
    ] {
        let mut batch = batch_all(&env, &payees);
        set_account_at(&mut batch, at::ORACLE_REGISTRATION, wrong, false);
        oracle_refused(
            &mut env,
            &payees,
            &[],
            batch,
            ClipstakeError::OracleNotRegistered,
        );
    }
}
