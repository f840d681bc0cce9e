//! Attack tests for `claim` (the creator's pull payout backed by an oracle attestation): forged,
//! expired, mismatched and replayed attestations, and hand-built Ed25519 instructions. Every
//! test asserts the specific refusal and that no balance or account changed.
use anchor_lang::prelude::Pubkey;
use clipstake::attestation::{ED25519_PROGRAM_ID, INSTRUCTIONS_SYSVAR_ID, attestation_message};
use clipstake::errors::ClipstakeError;
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions as ix;
use clipstake_tests::*;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

/// Views attested in the tests: 500 units of entitlement.
const VIEWS: u64 = 100_000;
/// Expiry of the tests' attestations.
const EXPIRY: i64 = T0 + 3_600;
/// "The instruction that carries these bytes" in the Ed25519 offsets.
const THIS: u16 = u16::MAX;
/// `PrecompileError::InvalidSignature`, as the runtime reports a failed Ed25519 verification.
const PRECOMPILE_INVALID_SIGNATURE: u32 = 2;

fn claim_ix(env: &Env, payee: &Payee, views: u64, expiry: i64) -> Instruction {
    ix::claim(
        &env.payer.pubkey(),
        &env.campaign(&payee.campaign),
        &env.submission(&payee.submission),
        views,
        expiry,
    )
}

/// The oracle's genuine attestation for `payee`.
fn attest(env: &Env, payee: &Payee, views: u64, expiry: i64) -> Attestation {
    Attestation::sign(
        &env.oracle,
        &env.submission(&payee.submission),
        views,
        expiry,
    )
}

/// When `payee`'s submission was registered (part of the signed message).
fn registered_at(env: &Env, payee: &Payee) -> i64 {
    env.submission(&payee.submission).state.registered_at
}

/// An Ed25519 instruction from raw parts: `count`, one 7-field offsets block per signature
/// (signature offset, its instruction, key offset, its instruction, message offset, size, its
/// instruction), then `payload`.
fn ed25519_raw(count: u8, offsets: &[[u16; 7]], payload: &[u8]) -> Instruction {
    let mut data = vec![count, 0];
    for block in offsets {
        for field in block {
            data.extend_from_slice(&field.to_le_bytes());
        }
    }
    data.extend_from_slice(payload);
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data,
    }
}

/// The standard one-signature layout, with any key, signature and message.
fn ed25519_standard(key: &Pubkey, signature: &[u8], message: &[u8]) -> Instruction {
    let mut payload = key.to_bytes().to_vec();
    payload.extend_from_slice(signature);
    payload.extend_from_slice(message);
    ed25519_raw(
        1,
        &[[48, THIS, 16, THIS, 112, message.len() as u16, THIS]],
        &payload,
    )
}

fn sign(key: &Keypair, message: &[u8]) -> [u8; 64] {
    key.sign_message(message).into()
}

/// Sends `ixs` signed by the creator, hands the result to `check`, and asserts that nothing the
/// payout could touch (plus `extra`) changed.
fn refused(
    env: &mut Env,
    payee: &Payee,
    ixs: &[Instruction],
    extra: &[Pubkey],
    check: impl FnOnce(TxResult),
) {
    let mut keys = payee.watched(env);
    keys.extend_from_slice(extra);
    let before = env.snapshot(&keys);
    let creator = payee.creator.insecure_clone();
    check(env.send(ixs, &[&creator]));
    env.assert_unchanged(&before);
}

/// Expects program error `expected` from the claim at instruction `index`.
fn claim_refused(
    env: &mut Env,
    payee: &Payee,
    ixs: &[Instruction],
    index: u8,
    expected: ClipstakeError,
) {
    refused(env, payee, ixs, &[], |r| {
        assert_program_error_at(r, index, expected)
    });
}

// ------------------------------------------------------------------------------------------
// Who signed the attestation

/// An attestation signed by the attacker's own key (a valid Ed25519 signature, wrong signer).
#[test]
fn rejects_claim_with_attestation_signed_by_non_oracle() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = Keypair::new();
    let forged = Attestation::sign(
        &attacker,
        &env.submission(&payee.submission),
        VAULT_DRAIN_VIEWS,
        EXPIRY,
    );
    let claim = claim_ix(&env, &payee, VAULT_DRAIN_VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[forged.ed25519_instruction(), claim],
        1,
        ClipstakeError::AttestationWrongSigner,
    );
}

/// Views that would take a whole cap.
const VAULT_DRAIN_VIEWS: u64 = 1_000_000_000;

/// The oracle's key with a signature the attacker made: the Ed25519 precompile fails the
/// transaction before the program runs.
#[test]
fn rejects_claim_with_forged_oracle_signature() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = Keypair::new();
    let message = attestation_message(
        &clipstake::ID,
        &payee.campaign,
        &payee.submission,
        registered_at(&env, &payee),
        VAULT_DRAIN_VIEWS,
        EXPIRY,
    );
    let forged = ed25519_standard(&env.oracle.pubkey(), &sign(&attacker, &message), &message);
    let claim = claim_ix(&env, &payee, VAULT_DRAIN_VIEWS, EXPIRY);
    refused(&mut env, &payee, &[forged, claim], &[], |r| {
        assert_instruction_error(r, 0, InstructionError::Custom(PRECOMPILE_INVALID_SIGNATURE))
    });
}

// ------------------------------------------------------------------------------------------
// What the attestation says

/// An attestation used after its expiry.
#[test]
fn rejects_claim_with_expired_attestation() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, T0 + 60);
    env.set_time(T0 + 61);
    let claim = claim_ix(&env, &payee, VIEWS, T0 + 60);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        1,
        ClipstakeError::AttestationExpired,
    );
}

/// An expired attestation presented with a later expiry in the claim arguments.
#[test]
fn rejects_claim_with_extended_expiry() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, T0 + 60);
    env.set_time(T0 + 61);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

/// More views claimed than the oracle attested.
#[test]
fn rejects_claim_with_more_views_than_attested() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let claim = claim_ix(&env, &payee, VIEWS * 10, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

/// Another video's (bigger) attestation redeemed for this video.
#[test]
fn rejects_claim_with_attestation_for_other_submission() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other = env.payee(
        &payee.campaign,
        payee.asset,
        "https://video.example/viral",
        false,
    );
    let attestation = attest(&env, &other, VIEWS, EXPIRY);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

/// An attestation naming another campaign (same oracle), redeemed against this campaign.
#[test]
fn rejects_claim_with_attestation_for_other_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other = env.funded_campaign(payee.asset, 2);
    let mut elsewhere = env.submission(&payee.submission);
    elsewhere.state.campaign = other;
    let attestation = Attestation::sign(&env.oracle, &elsewhere, VIEWS, EXPIRY);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

/// An unexpired attestation signed for an earlier registration at the same addresses (the
/// campaign and video closed and registered again) must not pay the new registration.
#[test]
fn rejects_claim_with_attestation_from_an_earlier_registration() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let earlier = registered_at(&env, &payee) - 86_400;
    let message = attestation_message(
        &clipstake::ID,
        &payee.campaign,
        &payee.submission,
        earlier,
        VIEWS,
        EXPIRY,
    );
    let ed = ed25519_standard(&env.oracle.pubkey(), &sign(&env.oracle, &message), &message);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[ed, claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

/// The oracle's signature over the same fields for another program (a fork or a test
/// deployment sharing the oracle key).
#[test]
fn rejects_claim_with_attestation_for_other_program() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other_program = Pubkey::new_unique();
    let message = attestation_message(
        &other_program,
        &payee.campaign,
        &payee.submission,
        registered_at(&env, &payee),
        VIEWS,
        EXPIRY,
    );
    let ed = ed25519_standard(&env.oracle.pubkey(), &sign(&env.oracle, &message), &message);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[ed, claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

/// A message the oracle signed under another domain (same bytes after the domain tag).
#[test]
fn rejects_claim_with_attestation_from_other_domain() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let mut message = attestation_message(
        &clipstake::ID,
        &payee.campaign,
        &payee.submission,
        registered_at(&env, &payee),
        VIEWS,
        EXPIRY,
    );
    message[..16].copy_from_slice(b"clipstake:other1");
    let ed = ed25519_standard(&env.oracle.pubkey(), &sign(&env.oracle, &message), &message);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[ed, claim],
        1,
        ClipstakeError::AttestationMismatch,
    );
}

// ------------------------------------------------------------------------------------------
// Where the Ed25519 instruction is, and how it is laid out

/// No Ed25519 instruction at all.
#[test]
fn rejects_claim_without_ed25519_instruction() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[claim],
        0,
        ClipstakeError::MissingAttestation,
    );
}

/// A valid attestation, but not immediately before the claim.
#[test]
fn rejects_claim_with_ed25519_not_immediately_before() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let filler =
        solana_system_interface::instruction::transfer(&env.payer.pubkey(), &env.payer.pubkey(), 1);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), filler, claim],
        2,
        ClipstakeError::MissingAttestation,
    );
}

/// A valid attestation placed after the claim.
#[test]
fn rejects_claim_with_ed25519_after_claim() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[claim, attestation.ed25519_instruction()],
        0,
        ClipstakeError::MissingAttestation,
    );
}

/// One attestation followed by two claims: the second claim (another video of the same
/// campaign) would ride on the first claim's attestation.
#[test]
fn rejects_two_claims_with_one_attestation() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let creator = payee.creator.insecure_clone();
    let second = env
        .register(
            &payee.campaign,
            "https://video.example/second",
            &creator.pubkey(),
            None,
        )
        .unwrap();
    let second = Payee {
        campaign: payee.campaign,
        submission: second,
        creator,
        affiliate: None,
        asset: payee.asset,
    };
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let first_claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    let second_claim = claim_ix(&env, &second, VIEWS, EXPIRY);
    let extra = [second.submission];
    refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), first_claim, second_claim],
        &extra,
        |r| assert_program_error_at(r, 2, ClipstakeError::MissingAttestation),
    );
}

/// An Ed25519 instruction carrying two signatures (the oracle's and the attacker's).
#[test]
fn rejects_claim_with_two_signatures_in_ed25519() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = Keypair::new();
    let message = attestation_message(
        &clipstake::ID,
        &payee.campaign,
        &payee.submission,
        registered_at(&env, &payee),
        VIEWS,
        EXPIRY,
    );
    let junk = b"anything the attacker likes".to_vec();
    let header = 2 + 2 * 14;
    let first = header as u16; // oracle key, signature, message
    let second = first + 32 + 64 + message.len() as u16; // attacker key, signature, junk
    let mut payload = env.oracle.pubkey().to_bytes().to_vec();
    payload.extend_from_slice(&sign(&env.oracle, &message));
    payload.extend_from_slice(&message);
    payload.extend_from_slice(&attacker.pubkey().to_bytes());
    payload.extend_from_slice(&sign(&attacker, &junk));
    payload.extend_from_slice(&junk);
    let ed = ed25519_raw(
        2,
        &[
            [
                first + 32,
                THIS,
                first,
                THIS,
                first + 96,
                message.len() as u16,
                THIS,
            ],
            [
                second + 32,
                THIS,
                second,
                THIS,
                second + 96,
                junk.len() as u16,
                THIS,
            ],
        ],
        &payload,
    );
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[ed, claim],
        1,
        ClipstakeError::MalformedAttestation,
    );
}

/// The classic offsets attack: the Ed25519 instruction's own data holds the oracle's key and the
/// expected message at the standard offsets (unsigned), while its offsets make the precompile
/// verify an attacker's signature that lives in another instruction.
#[test]
fn rejects_claim_with_ed25519_offsets_into_another_instruction() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = Keypair::new();
    let message = attestation_message(
        &clipstake::ID,
        &payee.campaign,
        &payee.submission,
        registered_at(&env, &payee),
        VAULT_DRAIN_VIEWS,
        EXPIRY,
    );
    // Instruction 0: a genuine signature by the attacker over bytes of the message's length.
    let decoy_message = vec![7u8; message.len()];
    let decoy = ed25519_standard(
        &attacker.pubkey(),
        &sign(&attacker, &decoy_message),
        &decoy_message,
    );
    // Instruction 1: exactly the standard length and field values, except that every
    // instruction index points at instruction 0.
    let mut payload = env.oracle.pubkey().to_bytes().to_vec();
    payload.extend_from_slice(&[0u8; 64]);
    payload.extend_from_slice(&message);
    let pointer = ed25519_raw(1, &[[48, 0, 16, 0, 112, message.len() as u16, 0]], &payload);
    assert_eq!(pointer.data.len(), 112 + message.len());
    let claim = claim_ix(&env, &payee, VAULT_DRAIN_VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[decoy, pointer, claim],
        2,
        ClipstakeError::MalformedAttestation,
    );
}

/// Extra bytes after the message (a layout the program does not accept).
#[test]
fn rejects_claim_with_trailing_bytes_in_ed25519_data() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let mut ed = attest(&env, &payee, VIEWS, EXPIRY).ed25519_instruction();
    ed.data.push(0);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[ed, claim],
        1,
        ClipstakeError::MalformedAttestation,
    );
}

/// An account that is not the instructions sysvar, to feed the program a fake instruction list.
#[test]
fn rejects_claim_with_fake_instructions_sysvar() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let fake = Pubkey::new_unique();
    let real = env
        .svm
        .get_account(&INSTRUCTIONS_SYSVAR_ID)
        .unwrap_or(Account {
            lamports: SOL,
            data: vec![0; 64],
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        });
    env.put_account(
        fake,
        Account {
            lamports: real.lamports.max(SOL),
            data: real.data,
            owner: real.owner,
            executable: false,
            rent_epoch: 0,
        },
    );
    let mut claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    swap_account(&mut claim, &INSTRUCTIONS_SYSVAR_ID, fake);
    claim_refused(
        &mut env,
        &payee,
        &[claim],
        0,
        ClipstakeError::WrongInstructionsSysvar,
    );
}

// ------------------------------------------------------------------------------------------
// Who claims

/// Someone holding a leaked attestation claims without the creator's signature.
#[test]
fn rejects_claim_without_creator_signature() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let mut claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    unsign(&mut claim, &payee.creator.pubkey());
    let ixs = [attestation.ed25519_instruction(), claim];
    let mut keys = payee.watched(&env);
    keys.sort();
    let before = env.snapshot(&keys);
    assert_program_error_at(env.send(&ixs, &[]), 1, ClipstakeError::NotSubmissionCreator);
    env.assert_unchanged(&before);
}

/// The creator is marked as signer but the transaction carries no signature from it: the
/// runtime refuses before the program runs.
#[test]
fn rejects_claim_with_missing_creator_signature_in_transaction() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    let before = env.snapshot(&payee.watched(&env));
    let message = Message::new(
        &[attestation.ed25519_instruction(), claim],
        Some(&env.payer.pubkey()),
    );
    let mut tx = Transaction::new_unsigned(message);
    tx.partial_sign(&[&env.payer], env.svm.latest_blockhash());
    let result = env.svm.send_transaction(tx);
    assert_eq!(
        result.err().map(|f| f.err),
        Some(TransactionError::SignatureFailure)
    );
    env.assert_unchanged(&before);
}

/// An impostor signs in the creator's place (its own wallet as the creator account).
#[test]
fn rejects_claim_by_impostor_creator() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let impostor = env.keypair_with(SOL);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let mut claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    swap_account(&mut claim, &payee.creator.pubkey(), impostor.pubkey());
    let before = env.snapshot(&[&payee.watched(&env)[..], &[impostor.pubkey()]].concat());
    assert_program_error_at(
        env.send(&[attestation.ed25519_instruction(), claim], &[&impostor]),
        1,
        ClipstakeError::WrongRecipient,
    );
    env.assert_unchanged(&before);
}

// ------------------------------------------------------------------------------------------
// Replay

/// The same attestation redeemed twice pays once.
#[test]
fn rejects_claim_replay_same_attestation() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee) = Env::payout_fixture(token_program, true);
        let attestation = attest(&env, &payee, VIEWS, EXPIRY);
        let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
        let creator = payee.creator.insecure_clone();
        env.send(
            &[attestation.ed25519_instruction(), claim.clone()],
            &[&creator],
        )
        .expect("first claim");
        claim_refused(
            &mut env,
            &payee,
            &[attestation.ed25519_instruction(), claim],
            1,
            ClipstakeError::ViewsNotIncreasing,
        );
    }
}

/// An attestation redeemed while the vault held less than it is owed pays what the vault
/// held; the same attestation then collects the shortfall once the campaign is funded, and
/// nothing beyond it.
#[test]
fn underfunded_claim_collects_the_shortfall_with_the_same_attestation() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let (mut env, payee, unit) = Env::underfunded_fixture(token_program, false);
        let campaign = payee.campaign;
        let attestation = attest(&env, &payee, VIEWS, EXPIRY);
        let creator = payee.creator.insecure_clone();
        let claim = |env: &Env| {
            [
                attestation.ed25519_instruction(),
                claim_ix(env, &payee, VIEWS, EXPIRY),
            ]
        };
        env.send(&claim(&env), &[&creator]).expect("partial claim");
        assert_eq!(
            env.submission(&payee.submission).state.paid_gross,
            10 * unit
        );
        let again = claim(&env);
        claim_refused(
            &mut env,
            &payee,
            &again,
            1,
            ClipstakeError::InsufficientVaultBalance,
        );

        env.fund(&campaign, 1_000 * unit).unwrap();
        env.send(&claim(&env), &[&creator]).expect("the shortfall");
        let sub = env.submission(&payee.submission).state;
        assert_eq!((sub.paid_views, sub.paid_gross), (VIEWS, 500 * unit));
        let replay = claim(&env);
        claim_refused(
            &mut env,
            &payee,
            &replay,
            1,
            ClipstakeError::ViewsNotIncreasing,
        );
    }
}

/// An older attestation redeemed after the oracle already pushed a higher count.
#[test]
fn rejects_claim_with_stale_attestation_after_disburse() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let stale = attest(&env, &payee, VIEWS, EXPIRY);
    env.disburse(&payee.campaign, &payee.submission, 2 * VIEWS)
        .unwrap();
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[stale.ed25519_instruction(), claim],
        1,
        ClipstakeError::ViewsNotIncreasing,
    );
}

// ------------------------------------------------------------------------------------------
// Platform state

/// Claims while the platform is paused.
#[test]
fn rejects_claim_while_platform_paused() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.pause_platform();
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    claim_refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        1,
        ClipstakeError::PlatformPaused,
    );
}

/// A claim paying a token account the creator does not own.
#[test]
fn rejects_claim_to_token_account_of_another_owner() {
    let (mut env, payee) = Env::payout_fixture(Some(TOKEN_PROGRAM_ID), false);
    let clipstake_sdk::instructions::Asset::Token {
        mint,
        token_program,
    } = payee.asset
    else {
        unreachable!()
    };
    let other = Keypair::new();
    let other_ata = env.fund_tokens(&token_program, &mint, &other.pubkey(), 1);
    let attestation = attest(&env, &payee, VIEWS, EXPIRY);
    let mut claim = claim_ix(&env, &payee, VIEWS, EXPIRY);
    swap_account(
        &mut claim,
        &receiving_account(payee.asset, &payee.creator.pubkey()),
        other_ata,
    );
    refused(
        &mut env,
        &payee,
        &[attestation.ed25519_instruction(), claim],
        &[other_ata],
        |r| assert_program_error_at(r, 1, ClipstakeError::RecipientTokenAccountMismatch),
    );
}
