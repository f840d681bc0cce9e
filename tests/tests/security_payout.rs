//! Attack tests for `disburse` (the oracle's push payout) and the shared payout accounts. Every
//! test asserts the specific refusal and that no balance or account changed.
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::state::{CampaignStatus, Submission};
use clipstake_sdk::instructions::{
    self as ix, ASSOCIATED_TOKEN_PROGRAM_ID, Asset, SYSTEM_PROGRAM_ID,
};
use clipstake_tests::*;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Index of each `Payout` account inside `disburse` (the oracle comes first).
mod at {
    const BASE: usize = 1;
    pub const PLATFORM: usize = BASE + 1;
    pub const VAULT: usize = BASE + 5;
    pub const AFFILIATE: usize = BASE + 7;
    pub const CREATOR_TOKEN_ACCOUNT: usize = BASE + 9;
    pub const AFFILIATE_TOKEN_ACCOUNT: usize = BASE + 10;
    pub const TREASURY_TOKEN_ACCOUNT: usize = BASE + 11;
    pub const MINT: usize = BASE + 12;
    pub const TOKEN_PROGRAM: usize = BASE + 13;
    pub const ASSOCIATED_TOKEN_PROGRAM: usize = BASE + 14;
    pub const SYSTEM_PROGRAM: usize = BASE + 15;
}

/// Views used by the tests: 500 units of entitlement, well under the cap and the budget.
const VIEWS: u64 = 100_000;

fn disburse_ix(env: &Env, payee: &Payee, views: u64) -> Instruction {
    ix::disburse(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &env.submission(&payee.submission),
        views,
    )
}

/// Sends `ixs` signed by `signers`, hands the result to `check`, and asserts that no account
/// the payout could touch (plus `extra`) changed.
fn refused(
    env: &mut Env,
    payee: &Payee,
    ixs: &[Instruction],
    signers: &[&Keypair],
    extra: &[Pubkey],
    check: impl FnOnce(TxResult),
) {
    let mut keys = payee.watched(env);
    keys.extend_from_slice(extra);
    let before = env.snapshot(&keys);
    check(env.send(ixs, signers));
    env.assert_unchanged(&before);
}

/// `disburse` signed by the oracle; expects program error `expected`.
fn oracle_refused(
    env: &mut Env,
    payee: &Payee,
    disburse: Instruction,
    extra: &[Pubkey],
    expected: ClipstakeError,
) {
    let oracle = env.oracle.insecure_clone();
    refused(env, payee, &[disburse], &[&oracle], extra, |r| {
        assert_program_error(r, expected)
    });
}

/// `disburse` signed by the oracle; expects Anchor error `expected`.
fn oracle_refused_by_anchor(
    env: &mut Env,
    payee: &Payee,
    disburse: Instruction,
    extra: &[Pubkey],
    expected: AnchorError,
) {
    let oracle = env.oracle.insecure_clone();
    refused(env, payee, &[disburse], &[&oracle], extra, |r| {
        assert_anchor_error(r, expected)
    });
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

// ------------------------------------------------------------------------------------------
// Authority

/// A stranger pushes a payout with inflated views.
#[test]
fn rejects_disburse_by_non_oracle() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = env.keypair_with(SOL);
    let disburse = ix::disburse(
        &attacker.pubkey(),
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &env.submission(&payee.submission),
        VAULT_DRAIN_VIEWS,
    );
    refused(&mut env, &payee, &[disburse], &[&attacker], &[], |r| {
        assert_program_error(r, ClipstakeError::NotCampaignOracle)
    });
}

/// Views that would drain a whole cap.
const VAULT_DRAIN_VIEWS: u64 = 1_000_000_000;

/// The oracle's key is named but does not sign.
#[test]
fn rejects_disburse_without_oracle_signature() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    unsign(&mut disburse, &env.oracle.pubkey());
    refused(&mut env, &payee, &[disburse], &[], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

/// Another campaign's oracle pays this campaign's video.
#[test]
fn rejects_disburse_by_other_campaigns_oracle() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other_oracle = env.keypair_with(SOL);
    env.add_oracle(&other_oracle.pubkey()).unwrap();
    let mut args = env.campaign_args(2, SOL_UNIT);
    args.oracle = other_oracle.pubkey();
    env.create_campaign(Asset::Sol, args).unwrap();
    let disburse = ix::disburse(
        &other_oracle.pubkey(),
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &env.submission(&payee.submission),
        VIEWS,
    );
    refused(&mut env, &payee, &[disburse], &[&other_oracle], &[], |r| {
        assert_program_error(r, ClipstakeError::NotCampaignOracle)
    });
}

// ------------------------------------------------------------------------------------------
// Replay

/// The same report sent twice pays once.
#[test]
fn rejects_disburse_replay_same_views() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, true);
        env.disburse(&payee.campaign, &payee.submission, VIEWS)
            .expect("first payout");
        let replay = disburse_ix(&env, &payee, VIEWS);
        oracle_refused(
            &mut env,
            &payee,
            replay,
            &[],
            ClipstakeError::ViewsNotIncreasing,
        );
    }
}

/// A stale (lower) report, and a zero report on an unpaid video.
#[test]
fn rejects_disburse_lower_or_zero_views() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let fresh = disburse_ix(&env, &payee, 0);
    oracle_refused(
        &mut env,
        &payee,
        fresh,
        &[],
        ClipstakeError::ViewsNotIncreasing,
    );
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .unwrap();
    let stale = disburse_ix(&env, &payee, VIEWS - 1);
    oracle_refused(
        &mut env,
        &payee,
        stale,
        &[],
        ClipstakeError::ViewsNotIncreasing,
    );
    assert_eq!(
        env.account::<Submission>(&payee.submission).paid_views,
        VIEWS
    );
}

// ------------------------------------------------------------------------------------------
// Substituted accounts

/// Paying campaign A's video out of campaign B's vault.
#[test]
fn rejects_disburse_from_other_campaigns_vault() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, false);
        let other = env.funded_campaign(payee.asset, 2);
        let other_vault = env.campaign(&other).state.vault;
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        set_account_at(&mut disburse, at::VAULT, other_vault, true);
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[other, other_vault],
            ClipstakeError::WrongVault,
        );
    }
}

/// Redirecting the creator's share to the attacker's wallet (and its token account).
#[test]
fn rejects_disburse_to_wrong_creator_wallet() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, false);
        let attacker = env.keypair_with(SOL);
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        swap_account(&mut disburse, &payee.creator.pubkey(), attacker.pubkey());
        let attacker_account = receiving_account(payee.asset, &attacker.pubkey());
        if token_program.is_some() {
            swap_account(
                &mut disburse,
                &receiving_account(payee.asset, &payee.creator.pubkey()),
                attacker_account,
            );
        }
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[attacker.pubkey(), attacker_account],
            ClipstakeError::WrongRecipient,
        );
    }
}

/// Redirecting the platform fee to the attacker.
#[test]
fn rejects_disburse_to_wrong_treasury() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, false);
        let attacker = env.keypair_with(SOL);
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        swap_account(&mut disburse, &env.treasury.pubkey(), attacker.pubkey());
        let attacker_account = receiving_account(payee.asset, &attacker.pubkey());
        if token_program.is_some() {
            swap_account(
                &mut disburse,
                &receiving_account(payee.asset, &env.treasury.pubkey()),
                attacker_account,
            );
        }
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[attacker.pubkey(), attacker_account],
            ClipstakeError::WrongRecipient,
        );
    }
}

/// Redirecting the affiliate commission to the attacker.
#[test]
fn rejects_disburse_to_wrong_affiliate() {
    let (mut env, payee) = Env::payout_fixture(None, true);
    let attacker = env.keypair_with(SOL);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    swap_account(
        &mut disburse,
        &payee.affiliate.as_ref().unwrap().pubkey(),
        attacker.pubkey(),
    );
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[attacker.pubkey()],
        ClipstakeError::WrongRecipient,
    );
}

/// Omitting the affiliate (so its commission would stay in the vault or go to the creator).
#[test]
fn rejects_disburse_omitting_affiliate() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, true);
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        set_account_at(&mut disburse, at::AFFILIATE, clipstake::ID, false);
        set_account_at(
            &mut disburse,
            at::AFFILIATE_TOKEN_ACCOUNT,
            clipstake::ID,
            false,
        );
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[],
            ClipstakeError::WrongRecipient,
        );
    }
}

/// Adding an affiliate to a video that has none, to skim a commission.
#[test]
fn rejects_disburse_adding_affiliate() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = env.keypair_with(SOL);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::AFFILIATE, attacker.pubkey(), true);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[attacker.pubkey()],
        ClipstakeError::WrongRecipient,
    );
}

/// The creator's share sent to a token account owned by someone else (right mint).
#[test]
fn rejects_disburse_to_creator_token_account_of_another_owner() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let (mint, token_program) = mint_of(&payee);
    let attacker = Keypair::new();
    let attacker_ata = env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::CREATOR_TOKEN_ACCOUNT, attacker_ata, true);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[attacker_ata],
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// The platform fee sent to a token account owned by someone else.
#[test]
fn rejects_disburse_to_treasury_token_account_of_another_owner() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let (mint, token_program) = mint_of(&payee);
    let attacker = Keypair::new();
    let attacker_ata = env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(
        &mut disburse,
        at::TREASURY_TOKEN_ACCOUNT,
        attacker_ata,
        true,
    );
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[attacker_ata],
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// The affiliate commission sent to a token account owned by someone else (here: the creator).
#[test]
fn rejects_disburse_to_affiliate_token_account_of_another_owner() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), true);
    let (mint, token_program) = mint_of(&payee);
    let creator_ata = env.fund_tokens(&token_program, &mint, &payee.creator.pubkey(), 1);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(
        &mut disburse,
        at::AFFILIATE_TOKEN_ACCOUNT,
        creator_ata,
        true,
    );
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[creator_ata],
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// The creator's own token account, but for another mint.
#[test]
fn rejects_disburse_to_creator_ata_for_wrong_mint() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let (_, token_program) = mint_of(&payee);
    let other_mint = env.create_mint(&token_program, 6, None);
    let wrong_ata = env.fund_tokens(&token_program, &other_mint, &payee.creator.pubkey(), 1);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::CREATOR_TOKEN_ACCOUNT, wrong_ata, true);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[wrong_ata],
        ClipstakeError::RecipientTokenAccountMismatch,
    );
}

/// A fresh non-ATA address as the creator's token account: the payer would create a token
/// account at an attacker-chosen address. The create-idempotent CPI names the canonical ATA,
/// which is not among the accounts the program passes, so the runtime refuses the CPI.
#[test]
fn rejects_disburse_to_non_canonical_new_token_account() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let elsewhere = Pubkey::new_unique();
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::CREATOR_TOKEN_ACCOUNT, elsewhere, true);
    let oracle = env.oracle.insecure_clone();
    refused(
        &mut env,
        &payee,
        &[disburse],
        &[&oracle],
        &[elsewhere],
        |r| assert_instruction_error(r, 0, InstructionError::MissingAccount),
    );
}

/// Another mint passed with the campaign's token accounts.
#[test]
fn rejects_disburse_with_wrong_mint() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let (_, token_program) = mint_of(&payee);
    let other_mint = env.create_mint(&token_program, 6, None);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::MINT, other_mint, false);
    oracle_refused(&mut env, &payee, disburse, &[], ClipstakeError::WrongMint);
}

/// Token-2022 passed for an SPL Token campaign.
#[test]
fn rejects_disburse_with_other_token_program() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(
        &mut disburse,
        at::TOKEN_PROGRAM,
        TOKEN_2022_PROGRAM_ID,
        false,
    );
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::WrongTokenProgram,
    );
}

/// A fake token program (another executable program) that would fake the transfers.
#[test]
fn rejects_disburse_with_fake_token_program() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(
        &mut disburse,
        at::TOKEN_PROGRAM,
        ASSOCIATED_TOKEN_PROGRAM_ID,
        false,
    );
    oracle_refused_by_anchor(
        &mut env,
        &payee,
        disburse,
        &[],
        AnchorError::InvalidProgramId,
    );
}

/// A fake associated token program that would "create" recipient accounts.
#[test]
fn rejects_disburse_with_fake_associated_token_program() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(
        &mut disburse,
        at::ASSOCIATED_TOKEN_PROGRAM,
        TOKEN_2022_PROGRAM_ID,
        false,
    );
    oracle_refused_by_anchor(
        &mut env,
        &payee,
        disburse,
        &[],
        AnchorError::InvalidProgramId,
    );
}

/// A fake system program (Token-2022) in a SOL or a token payout. This program's own id in
/// that slot reads as "absent": a token payout is then incomplete, and a SOL payout, which
/// needs no system program, pays as usual
/// (`sol_disburse_pays_the_same_however_the_token_accounts_are_left_out`).
#[test]
fn rejects_disburse_with_fake_system_program() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, false);
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        set_account_at(
            &mut disburse,
            at::SYSTEM_PROGRAM,
            TOKEN_2022_PROGRAM_ID,
            false,
        );
        oracle_refused_by_anchor(
            &mut env,
            &payee,
            disburse,
            &[],
            AnchorError::InvalidProgramId,
        );
    }
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::SYSTEM_PROGRAM, clipstake::ID, false);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::MissingTokenAccounts,
    );
}

/// This program's own id as the token program (or associated token program). Anchor reads the
/// program id in an optional slot as "absent", so the payout is refused as incomplete.
#[test]
fn rejects_disburse_with_program_id_as_token_program() {
    for index in [at::TOKEN_PROGRAM, at::ASSOCIATED_TOKEN_PROGRAM] {
        let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        set_account_at(&mut disburse, index, clipstake::ID, false);
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[],
            ClipstakeError::MissingTokenAccounts,
        );
    }
}

/// A token campaign paid without its token accounts, as if it were a SOL campaign: listed as
/// the program id (Anchor's placeholder), left off the end of the instruction as a SOL payout
/// is sent, or with only its system program left off.
#[test]
fn rejects_disburse_token_campaign_without_token_accounts() {
    let placeholders = |disburse: &mut Instruction| {
        for index in [
            at::CREATOR_TOKEN_ACCOUNT,
            at::TREASURY_TOKEN_ACCOUNT,
            at::MINT,
            at::TOKEN_PROGRAM,
            at::ASSOCIATED_TOKEN_PROGRAM,
        ] {
            set_account_at(disburse, index, clipstake::ID, false);
        }
    };
    let left_off =
        |disburse: &mut Instruction| disburse.accounts.truncate(at::CREATOR_TOKEN_ACCOUNT);
    let no_system_program =
        |disburse: &mut Instruction| disburse.accounts.truncate(at::SYSTEM_PROGRAM);
    let variants: [&dyn Fn(&mut Instruction); 3] = [&placeholders, &left_off, &no_system_program];
    for strip in variants {
        let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), true);
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        strip(&mut disburse);
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[],
            ClipstakeError::MissingTokenAccounts,
        );
    }
}

/// A SOL payout pays the same whether its token accounts are left off (what the SDK sends),
/// listed as the program id (Anchor's placeholder, what an IDL client sends), or listed with
/// the real system program.
#[test]
fn sol_disburse_pays_the_same_however_the_token_accounts_are_left_out() {
    let (env, payee) = Env::payout_fixture(None, true);
    let left_off = disburse_ix(&env, &payee, VIEWS);
    let mut placeholders = left_off.clone();
    set_account_at(&mut placeholders, at::SYSTEM_PROGRAM, clipstake::ID, false);
    let mut system_program = left_off.clone();
    set_account_at(
        &mut system_program,
        at::SYSTEM_PROGRAM,
        SYSTEM_PROGRAM_ID,
        false,
    );
    assert_eq!(left_off.accounts.len(), at::CREATOR_TOKEN_ACCOUNT);

    let keys = payee.watched(&env);
    let paid = |disburse: Instruction| {
        let mut env = env.fork();
        let oracle = env.oracle.insecure_clone();
        env.send(&[disburse], &[&oracle]).unwrap();
        let balances: Vec<u64> = keys.iter().map(|k| env.lamports(k)).collect();
        (balances, env.submission(&payee.submission).state.paid_views)
    };
    let expected = paid(left_off);
    assert_eq!(expected.1, VIEWS);
    assert_eq!(paid(placeholders), expected);
    assert_eq!(paid(system_program), expected);
}

/// A SOL campaign paid with token accounts (a mint of the attacker's choosing).
#[test]
fn rejects_disburse_sol_campaign_with_token_accounts() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 9, None);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::MINT, mint, false);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::MissingTokenAccounts,
    );
}

/// Paying campaign B's video out of campaign A (A's budget, B's watermark).
#[test]
fn rejects_disburse_with_submission_of_other_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other = env.funded_campaign(Asset::Sol, 2);
    let stranger = env.payee(&other, Asset::Sol, "https://video.example/other", false);
    let disburse = ix::disburse(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &env.submission(&stranger.submission),
        VIEWS,
    );
    let extra = stranger.watched(&env);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &extra,
        ClipstakeError::WrongRecipient,
    );
}

// ------------------------------------------------------------------------------------------
// Type cosplay

/// A Submission passed as the Campaign.
#[test]
fn rejects_disburse_with_submission_as_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    swap_account(&mut disburse, &payee.campaign, payee.submission);
    oracle_refused_by_anchor(
        &mut env,
        &payee,
        disburse,
        &[],
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// A Campaign passed as the Platform (the Payout's platform has no seeds constraint).
#[test]
fn rejects_disburse_with_campaign_as_platform() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other = env.funded_campaign(Asset::Sol, 2);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::PLATFORM, other, false);
    oracle_refused_by_anchor(
        &mut env,
        &payee,
        disburse,
        &[other],
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// A Campaign passed as the Submission.
#[test]
fn rejects_disburse_with_campaign_as_submission() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other = env.funded_campaign(Asset::Sol, 2);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    swap_account(&mut disburse, &payee.submission, other);
    oracle_refused_by_anchor(
        &mut env,
        &payee,
        disburse,
        &[other],
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// The SOL vault (a program-owned SolVault) passed as the Campaign.
#[test]
fn rejects_disburse_with_sol_vault_as_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let vault = env.campaign(&payee.campaign).state.vault;
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    swap_account(&mut disburse, &payee.campaign, vault);
    oracle_refused_by_anchor(
        &mut env,
        &payee,
        disburse,
        &[],
        AnchorError::AccountDiscriminatorMismatch,
    );
}

// ------------------------------------------------------------------------------------------
// Duplicate accounts

/// The vault passed as the creator's token account: the vault would pay itself while the books
/// record a payout.
#[test]
fn rejects_disburse_with_vault_as_creator_token_account() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let vault = env.campaign(&payee.campaign).state.vault;
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(&mut disburse, at::CREATOR_TOKEN_ACCOUNT, vault, true);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::DuplicateAccount,
    );
}

/// The vault passed as the treasury's and as the affiliate's token account.
#[test]
fn rejects_disburse_with_vault_as_treasury_or_affiliate_token_account() {
    for index in [at::TREASURY_TOKEN_ACCOUNT, at::AFFILIATE_TOKEN_ACCOUNT] {
        let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), true);
        let vault = env.campaign(&payee.campaign).state.vault;
        let mut disburse = disburse_ix(&env, &payee, VIEWS);
        set_account_at(&mut disburse, index, vault, true);
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[],
            ClipstakeError::DuplicateAccount,
        );
    }
}

/// The campaign passed as a token-account recipient.
#[test]
fn rejects_disburse_with_campaign_as_creator_token_account() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let mut disburse = disburse_ix(&env, &payee, VIEWS);
    set_account_at(
        &mut disburse,
        at::CREATOR_TOKEN_ACCOUNT,
        payee.campaign,
        true,
    );
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::DuplicateAccount,
    );
}

/// A (compromised) oracle registers a video whose creator wallet is the SOL vault, the campaign
/// or the submission itself: a payout would write the same account in two roles.
#[test]
fn rejects_disburse_to_creator_that_is_a_payout_account() {
    for which in ["vault", "campaign", "affiliate-is-campaign"] {
        let mut env = Env::with_platform();
        let campaign = env.funded_campaign(Asset::Sol, 1);
        let vault = env.campaign(&campaign).state.vault;
        let (creator, affiliate) = match which {
            "vault" => (vault, None),
            "campaign" => (campaign, None),
            _ => (env.keypair_with(SOL).pubkey(), Some((campaign, 1_000))),
        };
        let submission = env.register(&campaign, "v", &creator, affiliate).unwrap();
        let payee = Payee {
            campaign,
            submission,
            creator: Keypair::new(),
            affiliate: None,
            asset: Asset::Sol,
        };
        let disburse = disburse_ix(&env, &payee, VIEWS);
        oracle_refused(
            &mut env,
            &payee,
            disburse,
            &[creator],
            ClipstakeError::DuplicateAccount,
        );
    }
}

// ------------------------------------------------------------------------------------------
// Campaign and platform state

/// Payouts while the admin has paused the platform.
#[test]
fn rejects_disburse_while_platform_paused() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.pause_platform();
    let disburse = disburse_ix(&env, &payee, VIEWS);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::PlatformPaused,
    );
}

/// Payouts before the campaign starts.
#[test]
fn rejects_disburse_before_start() {
    let mut env = Env::with_platform();
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.start_time = T0 + 1_000;
    let campaign = env.create_campaign(Asset::Sol, args).unwrap();
    env.fund(&campaign, 10 * SOL).unwrap();
    let payee = env.payee(&campaign, Asset::Sol, "v", false);
    let disburse = disburse_ix(&env, &payee, VIEWS);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::CampaignNotStarted,
    );
}

/// Payouts after the end plus the settlement window (the brand may be withdrawing).
#[test]
fn rejects_disburse_after_settlement_window() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(T0 + CAMPAIGN_SECS + SETTLEMENT_SECS);
    let disburse = disburse_ix(&env, &payee, VIEWS);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::CampaignEnded,
    );
}

/// Payouts after the brand ended early and the settlement window passed.
#[test]
fn rejects_disburse_after_early_end_and_window() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let brand = env.brand.insecure_clone();
    env.set_time(T0 + 100);
    env.set_status(&brand, &payee.campaign, CampaignStatus::Ended)
        .unwrap();
    env.set_time(T0 + 100 + SETTLEMENT_SECS);
    let disburse = disburse_ix(&env, &payee, VIEWS);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::CampaignEnded,
    );
}

/// A payout larger than the vault pays everything the vault holds; the shortfall stays owed
/// to the same views and is paid, at the same watermark, once the campaign is funded again.
/// The brand cannot keep what verified views earned by funding less than they cost.
#[test]
fn underfunded_disburse_pays_what_the_vault_holds_and_keeps_the_rest_owed() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee, unit) = Env::underfunded_fixture(token_program, true);
        let creator_at = receiving_account(payee.asset, &payee.creator.pubkey());
        let balance = |env: &Env| match payee.asset {
            Asset::Sol => env.lamports(&creator_at),
            Asset::Token { .. } => env.token_balance(&creator_at),
        };
        let start = balance(&env);
        env.disburse(&payee.campaign, &payee.submission, VIEWS)
            .expect("partial payout");
        let sub = env.submission(&payee.submission).state;
        assert_eq!((sub.paid_views, sub.paid_gross), (VIEWS, 10 * unit));
        assert_eq!(env.campaign(&payee.campaign).state.available(), 0);
        // 10% commission, 2.5% fee: the creator's 87.5% of what the vault held.
        assert_eq!(balance(&env) - start, 10 * unit * 875 / 1_000);

        env.fund(&payee.campaign, 1_000 * unit).unwrap();
        env.disburse(&payee.campaign, &payee.submission, VIEWS)
            .expect("the shortfall, at the same watermark");
        let sub = env.submission(&payee.submission).state;
        assert_eq!((sub.paid_views, sub.paid_gross), (VIEWS, 500 * unit));
        assert_eq!(balance(&env) - start, 500 * unit * 875 / 1_000);
        assert_eq!(
            sub.paid_gross,
            sub.paid_to_creator + sub.fees_paid + sub.commissions_paid
        );
        let replay = disburse_ix(&env, &payee, VIEWS);
        oracle_refused(
            &mut env,
            &payee,
            replay,
            &[],
            ClipstakeError::ViewsNotIncreasing,
        );
    }
}

/// A report below the watermark is refused even while a shortfall is owed: the watermark
/// never falls.
#[test]
fn rejects_disburse_below_watermark_with_shortfall_owed() {
    let (mut env, payee, unit) = Env::underfunded_fixture(None, true);
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("partial payout");
    env.fund(&payee.campaign, 1_000 * unit).unwrap();
    let disburse = disburse_ix(&env, &payee, VIEWS - 1);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::ViewsNotIncreasing,
    );
}

/// Payouts while the admin has frozen the campaign.
#[test]
fn rejects_disburse_on_admin_paused_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let admin = env.admin.insecure_clone();
    env.set_status(&admin, &payee.campaign, CampaignStatus::Paused)
        .unwrap();
    let disburse = disburse_ix(&env, &payee, VIEWS);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::CampaignPaused,
    );
}

/// Payouts after a brand pause's settlement window.
#[test]
fn rejects_disburse_after_brand_pause_window() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let brand = env.brand.insecure_clone();
    env.set_time(T0 + 10);
    env.set_status(&brand, &payee.campaign, CampaignStatus::Paused)
        .unwrap();
    env.set_time(T0 + 10 + SETTLEMENT_SECS);
    let disburse = disburse_ix(&env, &payee, VIEWS);
    oracle_refused(
        &mut env,
        &payee,
        disburse,
        &[],
        ClipstakeError::CampaignPaused,
    );
}

/// A SOL payout whose creator share would leave the creator's wallet below rent exemption (a
/// new wallet with no SOL yet) records the views and keeps all of it owed: nothing moves, the
/// brand cannot withdraw it, and a top-up pays it once the wallet can hold it. Until then a
/// top-up is refused with the reason and moves nothing.
#[test]
fn sol_payout_to_a_wallet_below_rent_records_the_views_and_keeps_them_owed() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let creator = Keypair::new();
    let submission = env
        .register(&campaign, "v", &creator.pubkey(), None)
        .unwrap();
    let payee = Payee {
        campaign,
        submission,
        creator,
        affiliate: None,
        asset: Asset::Sol,
    };
    let terms = env.campaign(&campaign).state;
    let owed = clipstake::math::entitlement(100, terms.rate_per_thousand_views, u64::MAX);
    let vault_before = env.lamports(&terms.vault);

    env.disburse(&campaign, &submission, 100)
        .expect("views recorded"); // 500,000 lamports, below a wallet's rent
    let recorded = env.submission(&submission).state;
    assert_eq!((recorded.paid_views, recorded.paid_gross), (100, 0));
    assert_eq!(env.campaign(&campaign).state.shortfall_owed, owed);
    assert_eq!(env.lamports(&terms.vault), vault_before);
    assert_eq!(env.lamports(&payee.creator.pubkey()), 0);

    let top_up = disburse_ix(&env, &payee, 100);
    oracle_refused(
        &mut env,
        &payee,
        top_up,
        &[],
        ClipstakeError::RecipientBelowRentExemption,
    );

    // The creator puts the wallet's rent in; the top-up pays everything owed.
    env.svm
        .airdrop(&payee.creator.pubkey(), SOL / 1_000)
        .unwrap();
    env.disburse(&campaign, &submission, 100).expect("top-up");
    assert_eq!(env.submission(&submission).state.paid_gross, owed);
    assert_eq!(env.campaign(&campaign).state.shortfall_owed, 0);
    assert_eq!(env.lamports(&terms.vault), vault_before - owed);
}
