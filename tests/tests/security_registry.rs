//! The per-instruction refusal matrix of the registry and trust instructions: `add_oracle`,
//! `revoke_oracle`, `set_campaign_oracle`, `trust_mint`, `distrust_mint`, `accept_admin` (with
//! `update_platform` proposing an admin) and `settle_accrued`.
//!
//! For each: a missing signer, a wrong authority, substituted accounts (a forged Platform, the
//! wrong account type, a copied registration, a wrong rent payer, something that is not a mint),
//! fake programs, reinitialisation, and for `settle_accrued` wrong recipients, duplicates and
//! replay. The attack scenarios of the trust model live in `security_trust.rs`; this file only
//! holds the account- and signer-level matrix. Every refusal asserts the exact error and that no
//! watched account changed.
// litesvm's FailedTransactionMetadata is the error type; boxing it would only obscure tests.
#![allow(clippy::result_large_err)]
use anchor_lang::AccountSerialize;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::instructions::UpdatePlatformArgs;
use clipstake::state::{OracleRegistration, Platform, TrustedMint};
use clipstake_sdk::instructions::{
    self as ix, ASSOCIATED_TOKEN_PROGRAM_ID, Asset, SYSTEM_PROGRAM_ID,
};
use clipstake_sdk::pda;
use clipstake_tests::*;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;

/// Index of each `settle_accrued` account (the `SettleAccrued` struct order).
mod settle_at {
    pub const PLATFORM: usize = 1;
    pub const CAMPAIGN: usize = 2;
    pub const VAULT: usize = 4;
    pub const RECIPIENT: usize = 5;
    pub const RECIPIENT_TOKEN_ACCOUNT: usize = 6;
    pub const MINT: usize = 7;
    pub const TOKEN_PROGRAM: usize = 8;
    pub const ASSOCIATED_TOKEN_PROGRAM: usize = 9;
    pub const SYSTEM_PROGRAM: usize = 10;
}

/// Views the fixtures pay: 500 units, under the cap and the budget.
const VIEWS: u64 = 100_000;
/// Commission of the fixtures' affiliates, in basis points.
const AFFILIATE_BPS: u16 = 1_000;

// ------------------------------------------------------------------------------------------
// Local helpers

/// Sends `ixs` signed by `signers`, hands the result to `check`, and asserts that none of
/// `watch` changed. (The tests' payer, which pays every fee, is never watched.)
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

fn platform(env: &Env) -> Platform {
    env.account::<Platform>(&pda::platform())
}

/// A copy of the real Platform (owner: this program, right discriminator and size) at a fresh
/// address, naming `attacker` as admin and as pending admin. Returns its address.
fn forged_platform(env: &mut Env, attacker: &Pubkey) -> Pubkey {
    let mut account = env.svm.get_account(&pda::platform()).expect("platform");
    let mut state = platform(env);
    state.admin = *attacker;
    state.pending_admin = *attacker;
    let len = account.data.len();
    let mut data = Vec::with_capacity(len);
    state.try_serialize(&mut data).unwrap();
    data.resize(len, 0);
    account.data = data;
    let fake = Pubkey::new_unique();
    env.put_account(fake, account);
    fake
}

/// The admin trusts `mint` with a fresh rent payer (not the fee payer, so its balance can be
/// watched); returns that rent payer.
fn trust_paid_by_fresh_payer(env: &mut Env, mint: &Pubkey) -> Keypair {
    let rent_payer = env.keypair_with(SOL);
    let admin = env.admin.insecure_clone();
    let trust = ix::trust_mint(&admin.pubkey(), &rent_payer.pubkey(), mint);
    env.send(&[trust], &[&admin, &rent_payer])
        .expect("trust_mint");
    rent_payer
}

/// A platform with one trusted SPL Token mint; returns the mint and who paid its record.
fn trusted_mint_fixture() -> (Env, Pubkey, Keypair) {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let rent_payer = trust_paid_by_fresh_payer(&mut env, &mint);
    (env, mint, rent_payer)
}

/// A platform, a funded SOL campaign and a second registered (active) oracle.
fn repoint_fixture() -> (Env, Pubkey, Keypair) {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let second = Keypair::new();
    env.add_oracle(&second.pubkey()).expect("add second oracle");
    (env, campaign, second)
}

/// The admin proposes `new_admin`.
fn propose(env: &mut Env, new_admin: &Pubkey) {
    env.update_platform(UpdatePlatformArgs {
        new_admin: Some(*new_admin),
        ..Default::default()
    })
    .expect("propose admin");
}

/// A plain wallet holding 1 SOL.
fn wallet_account() -> Account {
    Account {
        lamports: SOL,
        data: vec![],
        owner: SYSTEM_PROGRAM_ID,
        executable: false,
        rent_epoch: 0,
    }
}

/// A SOL campaign (id 1) whose affiliate was a program-owned account at payout time, so its
/// commission accrued; the affiliate is a plain wallet again, so `settle_accrued` would now
/// deliver.
fn sol_accrued_fixture() -> (Env, Payee) {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let creator = env.keypair_with(SOL);
    let affiliate = Keypair::new();
    env.put_account(affiliate.pubkey(), program_owned_account());
    let submission = env
        .register(
            &campaign,
            "https://video.example/registry-sol",
            &creator.pubkey(),
            Some((affiliate.pubkey(), AFFILIATE_BPS)),
        )
        .expect("register_submission");
    env.disburse(&campaign, &submission, VIEWS)
        .expect("disburse");
    env.put_account(affiliate.pubkey(), wallet_account());
    let payee = Payee {
        campaign,
        submission,
        creator,
        affiliate: Some(affiliate),
        asset: Asset::Sol,
    };
    assert!(env.submission(&submission).state.commission_accrued > 0);
    (env, payee)
}

/// A SOL campaign whose treasury was program-owned at payout time (fees accrued), and is a
/// plain wallet again.
fn sol_fees_accrued_fixture() -> (Env, Payee) {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let treasury = env.treasury.pubkey();
    env.put_account(treasury, program_owned_account());
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse");
    env.put_account(treasury, wallet_account());
    assert!(env.campaign(&payee.campaign).state.fees_accrued > 0);
    (env, payee)
}

/// A Token-2022 campaign whose affiliate required memos at payout time (commission accrued)
/// and accepts plain transfers again, so `settle_accrued` would now deliver.
fn token_accrued_fixture() -> (Env, Payee) {
    use spl_token_2022_interface::extension::memo_transfer::instruction as memo;
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_2022_PROGRAM_ID), true);
    let Asset::Token { mint, .. } = payee.asset else {
        unreachable!()
    };
    let affiliate = payee.affiliate.as_ref().unwrap().insecure_clone();
    let ata = require_memos(&mut env, &affiliate, &mint);
    env.disburse(&payee.campaign, &payee.submission, VIEWS)
        .expect("disburse");
    let disable = memo::disable_required_transfer_memos(
        &TOKEN_2022_PROGRAM_ID,
        &ata,
        &affiliate.pubkey(),
        &[],
    )
    .unwrap();
    env.send(&[disable], &[&affiliate]).expect("memos disabled");
    assert!(env.submission(&payee.submission).state.commission_accrued > 0);
    (env, payee)
}

/// `settle_accrued` for `submission`'s commission, or the campaign's fees without one.
fn settle_ix(env: &Env, campaign: &Pubkey, submission: Option<&Pubkey>) -> Instruction {
    let submission = submission.map(|s| env.submission(s));
    ix::settle_accrued(
        &env.payer.pubkey(),
        &env.campaign(campaign),
        submission.as_ref(),
    )
}

/// Everything a settle of `payee`'s campaign could touch (plus `extra`).
fn settle_watch(env: &Env, payee: &Payee, extra: &[Pubkey]) -> Vec<Pubkey> {
    let mut keys = payee.watched(env);
    keys.push(pda::platform());
    keys.extend_from_slice(extra);
    keys.sort();
    keys.dedup();
    keys
}

/// Sends `settle` (nobody but the fee payer signs) and asserts program error `expected`, with
/// nothing of `payee`'s (or `extra`) changed.
#[track_caller]
fn settle_refused(
    env: &mut Env,
    payee: &Payee,
    settle: Instruction,
    extra: &[Pubkey],
    expected: ClipstakeError,
) {
    let watch = settle_watch(env, payee, extra);
    refused(env, &watch, &[settle], &[], |r| {
        assert_program_error(r, expected)
    });
}

/// The same, expecting Anchor error `expected`.
#[track_caller]
fn settle_refused_by_anchor(
    env: &mut Env,
    payee: &Payee,
    settle: Instruction,
    extra: &[Pubkey],
    expected: AnchorError,
) {
    let watch = settle_watch(env, payee, extra);
    refused(env, &watch, &[settle], &[], |r| {
        assert_anchor_error(r, expected)
    });
}

// ------------------------------------------------------------------------------------------
// add_oracle

#[test]
fn rejects_add_oracle_without_admin_signature() {
    let mut env = Env::with_platform();
    let oracle = Keypair::new().pubkey();
    let mut add = ix::add_oracle(&env.admin.pubkey(), &env.payer.pubkey(), &oracle);
    unsign(&mut add, &env.admin.pubkey());
    let watch = [pda::platform(), pda::oracle_registration(&oracle)];
    refused(&mut env, &watch, &[add], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

#[test]
fn rejects_add_oracle_by_stranger() {
    let mut env = Env::with_platform();
    let stranger = env.keypair_with(SOL);
    let add = ix::add_oracle(&stranger.pubkey(), &env.payer.pubkey(), &stranger.pubkey());
    let watch = [
        pda::platform(),
        pda::oracle_registration(&stranger.pubkey()),
        stranger.pubkey(),
    ];
    refused(&mut env, &watch, &[add], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
}

/// A program-owned copy of the Platform naming the attacker as admin, at another address.
#[test]
fn rejects_add_oracle_with_forged_platform() {
    let mut env = Env::with_platform();
    let attacker = env.keypair_with(SOL);
    let fake = forged_platform(&mut env, &attacker.pubkey());
    let mut add = ix::add_oracle(&attacker.pubkey(), &env.payer.pubkey(), &attacker.pubkey());
    swap_account(&mut add, &pda::platform(), fake);
    let watch = [
        pda::platform(),
        fake,
        pda::oracle_registration(&attacker.pubkey()),
    ];
    refused(&mut env, &watch, &[add], &[&attacker], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

#[test]
fn rejects_add_oracle_with_fake_system_program() {
    let mut env = Env::with_platform();
    let oracle = Keypair::new().pubkey();
    let admin = env.admin.insecure_clone();
    for fake in [TOKEN_PROGRAM_ID, clipstake::ID] {
        let mut add = ix::add_oracle(&admin.pubkey(), &env.payer.pubkey(), &oracle);
        swap_account(&mut add, &SYSTEM_PROGRAM_ID, fake);
        let watch = [pda::platform(), pda::oracle_registration(&oracle)];
        refused(&mut env, &watch, &[add], &[&admin], |r| {
            assert_anchor_error(r, AnchorError::InvalidProgramId)
        });
    }
}

/// Registering an active oracle again must not reset its registration.
#[test]
fn rejects_add_oracle_twice() {
    let mut env = Env::with_platform();
    let oracle = env.oracle.pubkey();
    let admin = env.admin.insecure_clone();
    let add = ix::add_oracle(&admin.pubkey(), &env.payer.pubkey(), &oracle);
    let watch = [pda::platform(), pda::oracle_registration(&oracle)];
    // The system program refuses to allocate an account that is already in use.
    refused(&mut env, &watch, &[add], &[&admin], |r| {
        assert_instruction_error(r, 0, InstructionError::Custom(0))
    });
    assert!(
        env.account::<OracleRegistration>(&pda::oracle_registration(&oracle))
            .active
    );
}

// ------------------------------------------------------------------------------------------
// revoke_oracle

#[test]
fn rejects_revoke_oracle_without_admin_signature() {
    let mut env = Env::with_platform();
    let oracle = env.oracle.pubkey();
    let mut revoke = ix::revoke_oracle(&env.admin.pubkey(), &oracle);
    unsign(&mut revoke, &env.admin.pubkey());
    let watch = [pda::platform(), pda::oracle_registration(&oracle)];
    refused(&mut env, &watch, &[revoke], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

/// A stranger revokes the platform's oracle (stopping every campaign's payouts).
#[test]
fn rejects_revoke_oracle_by_stranger() {
    let mut env = Env::with_platform();
    let stranger = env.keypair_with(SOL);
    let oracle = env.oracle.pubkey();
    let revoke = ix::revoke_oracle(&stranger.pubkey(), &oracle);
    let watch = [pda::platform(), pda::oracle_registration(&oracle)];
    refused(&mut env, &watch, &[revoke], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
}

#[test]
fn rejects_revoke_oracle_with_forged_platform() {
    let mut env = Env::with_platform();
    let attacker = env.keypair_with(SOL);
    let fake = forged_platform(&mut env, &attacker.pubkey());
    let oracle = env.oracle.pubkey();
    let mut revoke = ix::revoke_oracle(&attacker.pubkey(), &oracle);
    swap_account(&mut revoke, &pda::platform(), fake);
    let watch = [pda::platform(), fake, pda::oracle_registration(&oracle)];
    refused(&mut env, &watch, &[revoke], &[&attacker], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

/// The Platform or a Campaign passed as the registration: the admin's signature must not be
/// turned into a write on another account type.
#[test]
fn rejects_revoke_oracle_with_wrong_account_type() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let oracle = env.oracle.pubkey();
    let admin = env.admin.insecure_clone();
    for wrong in [pda::platform(), campaign] {
        let mut revoke = ix::revoke_oracle(&admin.pubkey(), &oracle);
        swap_account(&mut revoke, &pda::oracle_registration(&oracle), wrong);
        let watch = [pda::platform(), campaign, pda::oracle_registration(&oracle)];
        refused(&mut env, &watch, &[revoke], &[&admin], |r| {
            assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
        });
    }
}

/// A registration copied to another address (owner and bytes intact) is refused by the seeds
/// check: the copy is not the registration of the key it stores.
#[test]
fn rejects_revoke_oracle_with_copied_registration() {
    let mut env = Env::with_platform();
    let oracle = env.oracle.pubkey();
    let real = pda::oracle_registration(&oracle);
    let copy = Pubkey::new_unique();
    let account = env.svm.get_account(&real).unwrap();
    env.put_account(copy, account);
    let admin = env.admin.insecure_clone();
    let mut revoke = ix::revoke_oracle(&admin.pubkey(), &oracle);
    swap_account(&mut revoke, &real, copy);
    refused(&mut env, &[real, copy], &[revoke], &[&admin], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

// ------------------------------------------------------------------------------------------
// set_campaign_oracle

#[test]
fn rejects_set_campaign_oracle_without_admin_signature() {
    let (mut env, campaign, second) = repoint_fixture();
    let mut repoint = ix::set_campaign_oracle(&env.admin.pubkey(), &campaign, &second.pubkey());
    unsign(&mut repoint, &env.admin.pubkey());
    let watch = [pda::platform(), campaign];
    refused(&mut env, &watch, &[repoint], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

#[test]
fn rejects_set_campaign_oracle_by_stranger() {
    let (mut env, campaign, second) = repoint_fixture();
    let stranger = env.keypair_with(SOL);
    let repoint = ix::set_campaign_oracle(&stranger.pubkey(), &campaign, &second.pubkey());
    let watch = [pda::platform(), campaign];
    refused(&mut env, &watch, &[repoint], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
}

/// A forged Platform naming the attacker as admin, to point a campaign at the attacker's oracle.
#[test]
fn rejects_set_campaign_oracle_with_forged_platform() {
    let (mut env, campaign, second) = repoint_fixture();
    let attacker = env.keypair_with(SOL);
    let fake = forged_platform(&mut env, &attacker.pubkey());
    let mut repoint = ix::set_campaign_oracle(&attacker.pubkey(), &campaign, &second.pubkey());
    swap_account(&mut repoint, &pda::platform(), fake);
    let watch = [pda::platform(), fake, campaign];
    refused(&mut env, &watch, &[repoint], &[&attacker], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

/// A Campaign in place of the registration, or a Submission in place of the campaign.
#[test]
fn rejects_set_campaign_oracle_with_wrong_account_type() {
    let (mut env, campaign, second) = repoint_fixture();
    let payee = env.payee(&campaign, Asset::Sol, "https://video.example/type", false);
    let other = env.funded_campaign(Asset::Sol, 2);
    let admin = env.admin.insecure_clone();
    let watch = [pda::platform(), campaign, other, payee.submission];

    let mut repoint = ix::set_campaign_oracle(&admin.pubkey(), &campaign, &second.pubkey());
    swap_account(
        &mut repoint,
        &pda::oracle_registration(&second.pubkey()),
        other,
    );
    refused(&mut env, &watch, &[repoint], &[&admin], |r| {
        assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
    });

    let mut repoint = ix::set_campaign_oracle(&admin.pubkey(), &campaign, &second.pubkey());
    swap_account(&mut repoint, &campaign, payee.submission);
    refused(&mut env, &watch, &[repoint], &[&admin], |r| {
        assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
    });
}

/// The registration of a key never registered does not exist.
#[test]
fn rejects_set_campaign_oracle_to_unregistered_key() {
    let (mut env, campaign, _) = repoint_fixture();
    let unregistered = Keypair::new().pubkey();
    let admin = env.admin.insecure_clone();
    let repoint = ix::set_campaign_oracle(&admin.pubkey(), &campaign, &unregistered);
    let watch = [
        pda::platform(),
        campaign,
        pda::oracle_registration(&unregistered),
    ];
    refused(&mut env, &watch, &[repoint], &[&admin], |r| {
        assert_anchor_error(r, AnchorError::AccountNotInitialized)
    });
}

/// A registration copied to another address (owner = this program, same bytes: right
/// discriminator, active) must not count as a registration: only the account at
/// `["oracle", key]` is. `revoke_oracle` re-derives that address; this instruction must too.
///
/// FAILS against the program as committed: `SetCampaignOracle.oracle_registration` has no
/// `seeds` constraint (only owner, discriminator and `active`), so the copy is accepted and the
/// campaign is re-pointed. A copy taken before a revocation would still say `active`, so it
/// would let a revoked key be assigned. Today no instruction can create an OracleRegistration
/// off its PDA (only `add_oracle`'s `init`), so this rests on that invariant alone; the
/// secure behaviour asserted here is what `revoke_oracle` already does.
#[test]
fn rejects_set_campaign_oracle_with_copied_registration() {
    let (mut env, campaign, second) = repoint_fixture();
    let real = pda::oracle_registration(&second.pubkey());
    let copy = Pubkey::new_unique();
    let account = env.svm.get_account(&real).unwrap();
    assert_eq!(account.owner, clipstake::ID);
    env.put_account(copy, account);
    let admin = env.admin.insecure_clone();
    let mut repoint = ix::set_campaign_oracle(&admin.pubkey(), &campaign, &second.pubkey());
    swap_account(&mut repoint, &real, copy);
    let watch = [pda::platform(), campaign, real, copy];
    refused(&mut env, &watch, &[repoint], &[&admin], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
    assert_eq!(env.campaign(&campaign).state.oracle, env.oracle.pubkey());
}

// ------------------------------------------------------------------------------------------
// trust_mint

#[test]
fn rejects_trust_mint_without_admin_signature() {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let mut trust = ix::trust_mint(&env.admin.pubkey(), &env.payer.pubkey(), &mint);
    unsign(&mut trust, &env.admin.pubkey());
    let watch = [pda::platform(), pda::trusted_mint(&mint), mint];
    refused(&mut env, &watch, &[trust], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

#[test]
fn rejects_trust_mint_by_stranger() {
    let mut env = Env::with_platform();
    let stranger = env.keypair_with(SOL);
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let trust = ix::trust_mint(&stranger.pubkey(), &stranger.pubkey(), &mint);
    let watch = [pda::platform(), pda::trusted_mint(&mint), stranger.pubkey()];
    refused(&mut env, &watch, &[trust], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
}

#[test]
fn rejects_trust_mint_with_forged_platform() {
    let mut env = Env::with_platform();
    let attacker = env.keypair_with(SOL);
    let fake = forged_platform(&mut env, &attacker.pubkey());
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let mut trust = ix::trust_mint(&attacker.pubkey(), &env.payer.pubkey(), &mint);
    swap_account(&mut trust, &pda::platform(), fake);
    let watch = [pda::platform(), fake, pda::trusted_mint(&mint)];
    refused(&mut env, &watch, &[trust], &[&attacker], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

/// A wallet, a token account and an uninitialised mint-sized SPL Token account are not mints.
#[test]
fn rejects_trust_mint_of_non_mint_accounts() {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let wallet = env.keypair_with(SOL).pubkey();
    let token_account = env.fund_tokens(&TOKEN_PROGRAM_ID, &mint, &wallet, 1);
    let blank = Pubkey::new_unique();
    env.put_account(
        blank,
        Account {
            lamports: SOL,
            data: vec![0; spl_token_interface::state::Mint::LEN],
            owner: TOKEN_PROGRAM_ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    let admin = env.admin.insecure_clone();
    for not_a_mint in [wallet, token_account, blank] {
        let trust = ix::trust_mint(&admin.pubkey(), &env.payer.pubkey(), &not_a_mint);
        let watch = [pda::trusted_mint(&not_a_mint), not_a_mint];
        refused(&mut env, &watch, &[trust], &[&admin], |r| {
            assert_program_error(r, ClipstakeError::UnsupportedMintProgram)
        });
    }
}

/// Mint bytes owned by a program that is neither SPL Token nor Token-2022 (another program, or
/// this one), which could move "tokens" however it likes.
#[test]
fn rejects_trust_mint_of_fake_token_program() {
    let mut env = Env::with_platform();
    let real = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let admin = env.admin.insecure_clone();
    for owner in [Pubkey::new_unique(), clipstake::ID, SYSTEM_PROGRAM_ID] {
        let mut account = env.svm.get_account(&real).unwrap();
        account.owner = owner;
        let fake = Pubkey::new_unique();
        env.put_account(fake, account);
        let trust = ix::trust_mint(&admin.pubkey(), &env.payer.pubkey(), &fake);
        let watch = [pda::trusted_mint(&fake), fake];
        refused(&mut env, &watch, &[trust], &[&admin], |r| {
            assert_program_error(r, ClipstakeError::UnsupportedMintProgram)
        });
    }
}

#[test]
fn rejects_trust_mint_with_fake_system_program() {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let admin = env.admin.insecure_clone();
    for fake in [TOKEN_PROGRAM_ID, clipstake::ID] {
        let mut trust = ix::trust_mint(&admin.pubkey(), &env.payer.pubkey(), &mint);
        swap_account(&mut trust, &SYSTEM_PROGRAM_ID, fake);
        let watch = [pda::trusted_mint(&mint)];
        refused(&mut env, &watch, &[trust], &[&admin], |r| {
            assert_anchor_error(r, AnchorError::InvalidProgramId)
        });
    }
}

/// Trusting a mint again must not overwrite its record (and its rent payer).
#[test]
fn rejects_trust_mint_twice() {
    let (mut env, mint, rent_payer) = trusted_mint_fixture();
    let admin = env.admin.insecure_clone();
    let thief = env.keypair_with(SOL);
    let trust = ix::trust_mint(&admin.pubkey(), &thief.pubkey(), &mint);
    let watch = [
        pda::trusted_mint(&mint),
        thief.pubkey(),
        rent_payer.pubkey(),
    ];
    // The system program refuses to allocate an account that is already in use.
    refused(&mut env, &watch, &[trust], &[&admin, &thief], |r| {
        assert_instruction_error(r, 0, InstructionError::Custom(0))
    });
    assert_eq!(
        env.account::<TrustedMint>(&pda::trusted_mint(&mint))
            .rent_payer,
        rent_payer.pubkey()
    );
}

// ------------------------------------------------------------------------------------------
// distrust_mint

#[test]
fn rejects_distrust_mint_without_admin_signature() {
    let (mut env, mint, rent_payer) = trusted_mint_fixture();
    let mut distrust = ix::distrust_mint(&env.admin.pubkey(), &mint, &rent_payer.pubkey());
    unsign(&mut distrust, &env.admin.pubkey());
    let watch = [
        pda::platform(),
        pda::trusted_mint(&mint),
        rent_payer.pubkey(),
    ];
    refused(&mut env, &watch, &[distrust], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

#[test]
fn rejects_distrust_mint_by_stranger() {
    let (mut env, mint, rent_payer) = trusted_mint_fixture();
    let stranger = env.keypair_with(SOL);
    let distrust = ix::distrust_mint(&stranger.pubkey(), &mint, &rent_payer.pubkey());
    let watch = [
        pda::platform(),
        pda::trusted_mint(&mint),
        rent_payer.pubkey(),
    ];
    refused(&mut env, &watch, &[distrust], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
}

#[test]
fn rejects_distrust_mint_with_forged_platform() {
    let (mut env, mint, rent_payer) = trusted_mint_fixture();
    let attacker = env.keypair_with(SOL);
    let fake = forged_platform(&mut env, &attacker.pubkey());
    let mut distrust = ix::distrust_mint(&attacker.pubkey(), &mint, &rent_payer.pubkey());
    swap_account(&mut distrust, &pda::platform(), fake);
    let watch = [
        pda::platform(),
        fake,
        pda::trusted_mint(&mint),
        rent_payer.pubkey(),
    ];
    refused(&mut env, &watch, &[distrust], &[&attacker], |r| {
        assert_anchor_error(r, AnchorError::ConstraintSeeds)
    });
}

/// The Platform, a Campaign or an oracle registration in place of the trust record: closing it
/// would destroy that account and hand its lamports to the rent payer.
#[test]
fn rejects_distrust_mint_with_wrong_account_type() {
    let (mut env, mint, rent_payer) = trusted_mint_fixture();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let registration = pda::oracle_registration(&env.oracle.pubkey());
    let admin = env.admin.insecure_clone();
    for wrong in [pda::platform(), campaign, registration] {
        let mut distrust = ix::distrust_mint(&admin.pubkey(), &mint, &rent_payer.pubkey());
        swap_account(&mut distrust, &pda::trusted_mint(&mint), wrong);
        let watch = [
            pda::platform(),
            campaign,
            registration,
            pda::trusted_mint(&mint),
            rent_payer.pubkey(),
        ];
        refused(&mut env, &watch, &[distrust], &[&admin], |r| {
            assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
        });
    }
}

/// The record's rent goes to whoever paid it, not to a wallet the caller names (the admin
/// included).
#[test]
fn rejects_distrust_mint_with_wrong_rent_payer() {
    let (mut env, mint, rent_payer) = trusted_mint_fixture();
    let admin = env.admin.insecure_clone();
    let thief = env.keypair_with(SOL).pubkey();
    for wrong in [thief, admin.pubkey()] {
        let distrust = ix::distrust_mint(&admin.pubkey(), &mint, &wrong);
        // The admin signs but pays no fee, so its balance is watched too.
        let watch = [
            pda::trusted_mint(&mint),
            rent_payer.pubkey(),
            thief,
            admin.pubkey(),
        ];
        refused(&mut env, &watch, &[distrust], &[&admin], |r| {
            assert_program_error(r, ClipstakeError::WrongRecipient)
        });
    }
    // The right rent payer gets the rent back.
    let rent = env.lamports(&pda::trusted_mint(&mint));
    let before = env.lamports(&rent_payer.pubkey());
    let distrust = ix::distrust_mint(&admin.pubkey(), &mint, &rent_payer.pubkey());
    env.send(&[distrust], &[&admin]).expect("distrust_mint");
    assert_eq!(env.lamports(&rent_payer.pubkey()), before + rent);
    assert!(env.svm.get_account(&pda::trusted_mint(&mint)).is_none());
}

// ------------------------------------------------------------------------------------------
// accept_admin (and update_platform proposing)

#[test]
fn rejects_accept_admin_without_new_admin_signature() {
    let mut env = Env::with_platform();
    let new_admin = env.keypair_with(SOL);
    propose(&mut env, &new_admin.pubkey());
    let mut accept = ix::accept_admin(&new_admin.pubkey());
    unsign(&mut accept, &new_admin.pubkey());
    refused(&mut env, &[pda::platform()], &[accept], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
    assert_eq!(platform(&env).admin, env.admin.pubkey());
}

/// A stranger accepts: with a proposal pending for someone else, and with none at all.
#[test]
fn rejects_accept_admin_by_stranger() {
    let mut env = Env::with_platform();
    let stranger = env.keypair_with(SOL);
    let accept = ix::accept_admin(&stranger.pubkey());
    refused(&mut env, &[pda::platform()], &[accept], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPendingAdmin)
    });
    let new_admin = env.keypair_with(SOL);
    propose(&mut env, &new_admin.pubkey());
    let accept = ix::accept_admin(&stranger.pubkey());
    refused(&mut env, &[pda::platform()], &[accept], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPendingAdmin)
    });
    assert_eq!(platform(&env).admin, env.admin.pubkey());
}

/// A forged Platform naming the attacker as pending admin: the seeds constraint refuses it
/// (and the real platform is untouched).
#[test]
fn rejects_accept_admin_with_forged_platform() {
    let mut env = Env::with_platform();
    let attacker = env.keypair_with(SOL);
    let fake = forged_platform(&mut env, &attacker.pubkey());
    let mut accept = ix::accept_admin(&attacker.pubkey());
    swap_account(&mut accept, &pda::platform(), fake);
    refused(
        &mut env,
        &[pda::platform(), fake],
        &[accept],
        &[&attacker],
        |r| assert_anchor_error(r, AnchorError::ConstraintSeeds),
    );
}

/// A proposal changes no power: the old admin keeps it until the proposed key accepts (a
/// stranger cannot accept in its place), then loses it to the new admin.
#[test]
fn rejects_old_admin_after_proposal_is_accepted() {
    let mut env = Env::with_platform();
    let old_admin = env.admin.insecure_clone();
    let new_admin = env.keypair_with(SOL);
    propose(&mut env, &new_admin.pubkey());
    let state = platform(&env);
    assert_eq!(state.admin, old_admin.pubkey());
    assert_eq!(state.pending_admin, new_admin.pubkey());

    // Still the old admin's platform.
    let before_accept = Keypair::new().pubkey();
    env.add_oracle(&before_accept)
        .expect("old admin adds an oracle while a proposal is pending");
    let proposed_add = ix::add_oracle(
        &new_admin.pubkey(),
        &env.payer.pubkey(),
        &new_admin.pubkey(),
    );
    let watch = [
        pda::platform(),
        pda::oracle_registration(&new_admin.pubkey()),
    ];
    refused(&mut env, &watch, &[proposed_add], &[&new_admin], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
    let stranger = env.keypair_with(SOL);
    let accept = ix::accept_admin(&stranger.pubkey());
    refused(&mut env, &[pda::platform()], &[accept], &[&stranger], |r| {
        assert_program_error(r, ClipstakeError::NotPendingAdmin)
    });

    env.send(&[ix::accept_admin(&new_admin.pubkey())], &[&new_admin])
        .expect("accept_admin");
    assert_eq!(platform(&env).admin, new_admin.pubkey());

    // The old admin has no power left; the new one has it.
    let after_accept = Keypair::new().pubkey();
    let old_add = ix::add_oracle(&old_admin.pubkey(), &env.payer.pubkey(), &after_accept);
    let watch = [pda::platform(), pda::oracle_registration(&after_accept)];
    refused(&mut env, &watch, &[old_add], &[&old_admin], |r| {
        assert_program_error(r, ClipstakeError::NotPlatformAdmin)
    });
    let new_add = ix::add_oracle(&new_admin.pubkey(), &env.payer.pubkey(), &after_accept);
    env.send(&[new_add], &[&new_admin])
        .expect("new admin adds an oracle");
    assert!(
        env.account::<OracleRegistration>(&pda::oracle_registration(&after_accept))
            .active
    );
}

// ------------------------------------------------------------------------------------------
// settle_accrued

/// A stranger's wallet (and, for tokens, its token account) named as the recipient.
#[test]
fn rejects_settle_accrued_to_wrong_recipient() {
    let (mut env, payee) = sol_accrued_fixture();
    let stranger = env.keypair_with(SOL).pubkey();
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(&mut settle, settle_at::RECIPIENT, stranger, true);
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[stranger],
        ClipstakeError::WrongRecipient,
    );

    let (mut env, payee) = token_accrued_fixture();
    let stranger = env.keypair_with(SOL).pubkey();
    let stranger_ata = receiving_account(payee.asset, &stranger);
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(&mut settle, settle_at::RECIPIENT, stranger, true);
    set_account_at(
        &mut settle,
        settle_at::RECIPIENT_TOKEN_ACCOUNT,
        stranger_ata,
        true,
    );
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[stranger, stranger_ata],
        ClipstakeError::WrongRecipient,
    );

    // The campaign's fees to a wallet other than its treasury.
    let (mut env, payee) = sol_fees_accrued_fixture();
    let stranger = env.keypair_with(SOL).pubkey();
    let mut settle = settle_ix(&env, &payee.campaign, None);
    set_account_at(&mut settle, settle_at::RECIPIENT, stranger, true);
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[stranger],
        ClipstakeError::WrongRecipient,
    );
}

/// Campaign B's vault paying campaign A's accrued commission.
#[test]
fn rejects_settle_accrued_with_submission_of_other_campaign() {
    let (mut env, payee) = sol_accrued_fixture();
    let other = env.funded_campaign(Asset::Sol, 2);
    let other_vault = env.campaign(&other).state.vault;
    let settle = ix::settle_accrued(
        &env.payer.pubkey(),
        &env.campaign(&other),
        Some(&env.submission(&payee.submission)),
    );
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[other, other_vault],
        ClipstakeError::WrongRecipient,
    );
}

/// Nothing accrued: a commission paid directly, and fees never accrued.
#[test]
fn rejects_settle_accrued_with_nothing_accrued() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, true);
        env.disburse(&payee.campaign, &payee.submission, VIEWS)
            .expect("disburse");
        let submission = env.submission(&payee.submission).state;
        assert!(submission.commissions_paid > 0);
        assert_eq!(submission.commission_accrued, 0);
        let settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
        settle_refused(
            &mut env,
            &payee,
            settle,
            &[],
            ClipstakeError::NothingAccrued,
        );
        let settle = settle_ix(&env, &payee.campaign, None);
        settle_refused(
            &mut env,
            &payee,
            settle,
            &[],
            ClipstakeError::NothingAccrued,
        );
    }
}

#[test]
fn rejects_settle_accrued_during_platform_pause() {
    let (mut env, payee) = sol_accrued_fixture();
    env.pause_platform();
    let settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[],
        ClipstakeError::PlatformPaused,
    );
}

/// The vault (or the campaign) as the recipient's token account: the vault would pay itself
/// while the books record a delivery.
#[test]
fn rejects_settle_accrued_to_vault_as_recipient_token_account() {
    let (mut env, payee) = token_accrued_fixture();
    let vault = env.campaign(&payee.campaign).state.vault;
    for wrong in [vault, payee.campaign] {
        let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
        set_account_at(&mut settle, settle_at::RECIPIENT_TOKEN_ACCOUNT, wrong, true);
        settle_refused(
            &mut env,
            &payee,
            settle,
            &[],
            ClipstakeError::DuplicateAccount,
        );
    }
}

#[test]
fn rejects_settle_accrued_with_wrong_mint() {
    let (mut env, payee) = token_accrued_fixture();
    let other_mint = env.create_mint(&TOKEN_2022_PROGRAM_ID, 6, None);
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(&mut settle, settle_at::MINT, other_mint, false);
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[other_mint],
        ClipstakeError::WrongMint,
    );
}

/// The other real token program (SPL Token for a Token-2022 campaign).
#[test]
fn rejects_settle_accrued_with_other_token_program() {
    let (mut env, payee) = token_accrued_fixture();
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(
        &mut settle,
        settle_at::TOKEN_PROGRAM,
        TOKEN_PROGRAM_ID,
        false,
    );
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[],
        ClipstakeError::WrongTokenProgram,
    );
}

/// A fake token program (another executable program) that would fake the transfer.
#[test]
fn rejects_settle_accrued_with_fake_token_program() {
    let (mut env, payee) = token_accrued_fixture();
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(
        &mut settle,
        settle_at::TOKEN_PROGRAM,
        ASSOCIATED_TOKEN_PROGRAM_ID,
        false,
    );
    settle_refused_by_anchor(&mut env, &payee, settle, &[], AnchorError::InvalidProgramId);
}

/// A fake associated token program that would "create" the recipient's account.
#[test]
fn rejects_settle_accrued_with_fake_associated_token_program() {
    let (mut env, payee) = token_accrued_fixture();
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(
        &mut settle,
        settle_at::ASSOCIATED_TOKEN_PROGRAM,
        TOKEN_2022_PROGRAM_ID,
        false,
    );
    settle_refused_by_anchor(&mut env, &payee, settle, &[], AnchorError::InvalidProgramId);
}

/// A fake system program, on a SOL and on a token campaign.
#[test]
fn rejects_settle_accrued_with_fake_system_program() {
    for fixture in [sol_accrued_fixture, token_accrued_fixture] {
        let (mut env, payee) = fixture();
        let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
        set_account_at(
            &mut settle,
            settle_at::SYSTEM_PROGRAM,
            TOKEN_PROGRAM_ID,
            false,
        );
        settle_refused_by_anchor(&mut env, &payee, settle, &[], AnchorError::InvalidProgramId);
    }
}

/// A token campaign settled without its token accounts (as if it were SOL, paying lamports
/// out of the token vault's rent).
#[test]
fn rejects_settle_accrued_token_campaign_without_token_accounts() {
    let (mut env, payee) = token_accrued_fixture();
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    for index in [
        settle_at::RECIPIENT_TOKEN_ACCOUNT,
        settle_at::MINT,
        settle_at::TOKEN_PROGRAM,
        settle_at::ASSOCIATED_TOKEN_PROGRAM,
    ] {
        set_account_at(&mut settle, index, clipstake::ID, false);
    }
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[],
        ClipstakeError::MissingTokenAccounts,
    );
}

/// Another campaign's vault in place of this one's.
#[test]
fn rejects_settle_accrued_from_other_campaigns_vault() {
    let (mut env, payee) = sol_accrued_fixture();
    let other = env.funded_campaign(Asset::Sol, 2);
    let other_vault = env.campaign(&other).state.vault;
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(&mut settle, settle_at::VAULT, other_vault, true);
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[other, other_vault],
        ClipstakeError::WrongVault,
    );
}

/// A Campaign passed as the Platform (whose `paused` flag the settle reads), and a Submission
/// passed as the Campaign.
#[test]
fn rejects_settle_accrued_with_wrong_account_type() {
    let (mut env, payee) = sol_accrued_fixture();
    let other = env.funded_campaign(Asset::Sol, 2);
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(&mut settle, settle_at::PLATFORM, other, false);
    settle_refused_by_anchor(
        &mut env,
        &payee,
        settle,
        &[other],
        AnchorError::AccountDiscriminatorMismatch,
    );
    let mut settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    set_account_at(&mut settle, settle_at::CAMPAIGN, payee.submission, true);
    settle_refused_by_anchor(
        &mut env,
        &payee,
        settle,
        &[],
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// Replay: once delivered, the same settle pays nothing more (commission and fees, SOL and
/// tokens).
#[test]
fn rejects_settle_accrued_replay() {
    // SOL commission.
    let (mut env, payee) = sol_accrued_fixture();
    let affiliate = payee.affiliate.as_ref().unwrap().pubkey();
    let owed = env.submission(&payee.submission).state.commission_accrued;
    let before = env.lamports(&affiliate);
    let settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    env.send(std::slice::from_ref(&settle), &[])
        .expect("settle_accrued");
    assert_eq!(env.lamports(&affiliate), before + owed);
    assert_eq!(
        env.submission(&payee.submission).state.commission_accrued,
        0
    );
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[],
        ClipstakeError::NothingAccrued,
    );
    assert_eq!(env.lamports(&affiliate), before + owed);

    // SOL fees.
    let (mut env, payee) = sol_fees_accrued_fixture();
    let treasury = env.treasury.pubkey();
    let owed = env.campaign(&payee.campaign).state.fees_accrued;
    let before = env.lamports(&treasury);
    let settle = settle_ix(&env, &payee.campaign, None);
    env.send(std::slice::from_ref(&settle), &[])
        .expect("settle_accrued");
    assert_eq!(env.lamports(&treasury), before + owed);
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[],
        ClipstakeError::NothingAccrued,
    );
    assert_eq!(env.lamports(&treasury), before + owed);

    // Token commission, the replay in the same transaction as the settle.
    let (mut env, payee) = token_accrued_fixture();
    let affiliate_ata = receiving_account(payee.asset, &payee.affiliate.as_ref().unwrap().pubkey());
    let owed = env.submission(&payee.submission).state.commission_accrued;
    let before = env.token_balance(&affiliate_ata);
    let settle = settle_ix(&env, &payee.campaign, Some(&payee.submission));
    let watch = settle_watch(&env, &payee, &[]);
    refused(
        &mut env,
        &watch,
        &[settle.clone(), settle.clone()],
        &[],
        |r| assert_program_error_at(r, 1, ClipstakeError::NothingAccrued),
    );
    env.send(std::slice::from_ref(&settle), &[])
        .expect("settle_accrued");
    assert_eq!(env.token_balance(&affiliate_ata), before + owed);
    settle_refused(
        &mut env,
        &payee,
        settle,
        &[],
        ClipstakeError::NothingAccrued,
    );
    assert_eq!(env.token_balance(&affiliate_ata), before + owed);
}
