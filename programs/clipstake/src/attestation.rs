//! The oracle's claim attestation: its message layout (shared with the client) and the strict
//! check of the Ed25519 program instruction that proves the oracle signed it.
use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;

/// Domain separator: no other message the oracle key signs can be mistaken for a claim.
pub const ATTESTATION_DOMAIN: &[u8; 16] = b"clipstake:claim1";
/// domain (16) + program id (32) + campaign (32) + submission (32) + registered_at (8) +
/// views (8) + expiry (8).
pub const ATTESTATION_LEN: usize = 16 + 32 + 32 + 32 + 8 + 8 + 8;

/// The Ed25519 signature-verify precompile.
pub const ED25519_PROGRAM_ID: Pubkey = pubkey!("Ed25519SigVerify111111111111111111111111111");
/// The instructions sysvar, read to find the Ed25519 instruction.
pub const INSTRUCTIONS_SYSVAR_ID: Pubkey = pubkey!("Sysvar1nstructions1111111111111111111111111");

/// Layout of a one-signature Ed25519 instruction whose key, signature and message all live in
/// its own data (what `new_ed25519_instruction_with_signature` builds).
const SIGNATURE_COUNT_OFFSET: usize = 0;
const OFFSETS_START: usize = 2;
const PUBKEY_OFFSET: u16 = 16;
const SIGNATURE_OFFSET: u16 = PUBKEY_OFFSET + 32;
const MESSAGE_OFFSET: u16 = SIGNATURE_OFFSET + 64;
/// "This instruction" in the precompile's instruction-index fields.
const THIS_INSTRUCTION: u16 = u16::MAX;

/// The bytes the oracle signs to let a creator claim up to `cumulative_views`.
///
/// `registered_at` (the submission's registration time) ties the attestation to this
/// registration: should the campaign and video ever be closed and registered again at the same
/// addresses, an old unexpired attestation does not match the new submission.
pub fn attestation_message(
    program_id: &Pubkey,
    campaign: &Pubkey,
    submission: &Pubkey,
    registered_at: i64,
    cumulative_views: u64,
    expiry: i64,
) -> [u8; ATTESTATION_LEN] {
    let mut message = [0u8; ATTESTATION_LEN];
    let parts: [&[u8]; 7] = [
        ATTESTATION_DOMAIN,
        program_id.as_ref(),
        campaign.as_ref(),
        submission.as_ref(),
        &registered_at.to_le_bytes(),
        &cumulative_views.to_le_bytes(),
        &expiry.to_le_bytes(),
    ];
    let mut at = 0;
    for part in parts {
        message[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    message
}

fn read_u16(data: &[u8], at: usize) -> Result<u16> {
    let bytes = data
        .get(at..at + 2)
        .ok_or(ClipstakeError::MalformedAttestation)?;
    Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
}

/// Checks an Ed25519 instruction's data as strictly as Pyth's verifier: exactly one signature,
/// every offset and instruction index exactly where the standard layout puts them, the data
/// exactly as long as that layout, the key equal to `expected_signer` and the message equal to
/// `expected_message`. The precompile itself has already checked the signature.
pub fn verify_ed25519_data(
    data: &[u8],
    expected_signer: &Pubkey,
    expected_message: &[u8],
) -> Result<()> {
    let message_len =
        u16::try_from(expected_message.len()).map_err(|_| ClipstakeError::MalformedAttestation)?;
    require!(
        data.len() == usize::from(MESSAGE_OFFSET) + expected_message.len(),
        ClipstakeError::MalformedAttestation
    );
    require!(
        data[SIGNATURE_COUNT_OFFSET] == 1 && data[SIGNATURE_COUNT_OFFSET + 1] == 0,
        ClipstakeError::MalformedAttestation
    );
    let expected_offsets = [
        SIGNATURE_OFFSET,
        THIS_INSTRUCTION,
        PUBKEY_OFFSET,
        THIS_INSTRUCTION,
        MESSAGE_OFFSET,
        message_len,
        THIS_INSTRUCTION,
    ];
    for (i, expected) in expected_offsets.iter().enumerate() {
        require!(
            read_u16(data, OFFSETS_START + 2 * i)? == *expected,
            ClipstakeError::MalformedAttestation
        );
    }
    let key_at = usize::from(PUBKEY_OFFSET);
    require!(
        &data[key_at..key_at + 32] == expected_signer.as_ref(),
        ClipstakeError::AttestationWrongSigner
    );
    let message_at = usize::from(MESSAGE_OFFSET);
    require!(
        &data[message_at..] == expected_message,
        ClipstakeError::AttestationMismatch
    );
    Ok(())
}
