//! The program's claim attestation: `attestation_message` and the strict check of the Ed25519
//! precompile's instruction data, `verify_ed25519_data`.
//!
//! Input (see fuzz/README.md): `mode` (1) | signer (32) | program id (32) | campaign (32) |
//! submission (32) | registered_at (8) | views (8) | expiry (8) | tail.
//!
//! Properties, each a documented promise of programs/clipstake/src/attestation.rs:
//! - `attestation_message` is the 136-byte concatenation of the domain and the six fields, in
//!   order, little-endian;
//! - `verify_ed25519_data` never panics, and accepts `data` if and only if it is exactly the
//!   standard one-signature layout that `solana_ed25519_program::new_ed25519_instruction_with_signature`
//!   builds for that signer and that message (whatever the 64 signature bytes: the precompile
//!   checks those);
//! - a change to any checked byte of an accepted instruction is refused with the error that
//!   names it (header: malformed, key: wrong signer, message: mismatch), and so is a change of
//!   one byte of the expected message or signer, a truncation or an extension.
#![no_main]

use anchor_lang::prelude::Pubkey;
use clipstake::attestation::{
    ATTESTATION_DOMAIN, ATTESTATION_LEN, attestation_message, verify_ed25519_data,
};
use clipstake::errors::ClipstakeError;
use libfuzzer_sys::fuzz_target;
use solana_ed25519_program::new_ed25519_instruction_with_signature;

const HEADER: usize = 1 + 32 * 4 + 8 * 3;
const KEY: std::ops::Range<usize> = 16..48;
const SIGNATURE: std::ops::Range<usize> = 48..112;
const MESSAGE_AT: usize = 112;

fn key(bytes: &[u8]) -> [u8; 32] {
    bytes[..32].try_into().unwrap()
}

fn le8(bytes: &[u8]) -> [u8; 8] {
    bytes[..8].try_into().unwrap()
}

/// The standard layout, built by the Solana SDK (not by the code under test).
fn standard(message: &[u8], signature: &[u8; 64], signer: &[u8; 32]) -> Vec<u8> {
    new_ed25519_instruction_with_signature(message, signature, signer).data
}

/// Whether `data` is the standard layout for `signer` and `message`, with any signature.
fn is_standard(data: &[u8], signer: &[u8; 32], message: &[u8]) -> bool {
    if message.len() > usize::from(u16::MAX) || data.len() != MESSAGE_AT + message.len() {
        return false;
    }
    let signature: [u8; 64] = data[SIGNATURE].try_into().unwrap();
    data == standard(message, &signature, signer).as_slice()
}

fn error(e: ClipstakeError) -> anchor_lang::error::Error {
    e.into()
}

fuzz_target!(|input: &[u8]| {
    if input.len() < HEADER {
        return;
    }
    let (head, tail) = input.split_at(HEADER);
    let mode = head[0];
    let signer_bytes = key(&head[1..]);
    let signer = Pubkey::new_from_array(signer_bytes);
    let program_id = key(&head[33..]);
    let campaign = key(&head[65..]);
    let submission = key(&head[97..]);
    let registered_at = i64::from_le_bytes(le8(&head[129..]));
    let views = u64::from_le_bytes(le8(&head[137..]));
    let expiry = i64::from_le_bytes(le8(&head[145..]));

    let message = attestation_message(
        &Pubkey::new_from_array(program_id),
        &Pubkey::new_from_array(campaign),
        &Pubkey::new_from_array(submission),
        registered_at,
        views,
        expiry,
    );
    // The message layout: domain, program, campaign, submission, registered_at, views, expiry.
    assert_eq!(message.len(), ATTESTATION_LEN);
    assert_eq!(ATTESTATION_LEN, 136);
    assert_eq!(&message[..16], ATTESTATION_DOMAIN);
    assert_eq!(message[16..48], program_id);
    assert_eq!(message[48..80], campaign);
    assert_eq!(message[80..112], submission);
    assert_eq!(message[112..120], registered_at.to_le_bytes());
    assert_eq!(message[120..128], views.to_le_bytes());
    assert_eq!(message[128..136], expiry.to_le_bytes());

    match mode % 3 {
        // Arbitrary instruction data against the attestation message.
        0 => {
            let accepted = verify_ed25519_data(tail, &signer, &message).is_ok();
            assert_eq!(
                accepted,
                is_standard(tail, &signer_bytes, &message),
                "data {tail:?}"
            );
        }
        // Arbitrary instruction data against an arbitrary expected message:
        // tail = message length (u16) | message | data.
        1 => {
            if tail.len() < 2 {
                return;
            }
            let n = usize::from(u16::from_le_bytes([tail[0], tail[1]])).min(tail.len() - 2);
            let (other, data) = tail[2..].split_at(n);
            let accepted = verify_ed25519_data(data, &signer, other).is_ok();
            assert_eq!(
                accepted,
                is_standard(data, &signer_bytes, other),
                "data {data:?}"
            );
        }
        // A standard instruction, then one change to it:
        // tail = signature (64) | at (u16) | xor (1) | op (1).
        _ => {
            if tail.len() < 68 {
                return;
            }
            let signature: [u8; 64] = tail[..64].try_into().unwrap();
            let at = usize::from(u16::from_le_bytes([tail[64], tail[65]]));
            let xor = tail[66].max(1);
            let op = tail[67];
            let data = standard(&message, &signature, &signer_bytes);
            assert_eq!(data.len(), MESSAGE_AT + ATTESTATION_LEN);
            verify_ed25519_data(&data, &signer, &message).expect("the standard layout is accepted");
            match op % 5 {
                0 => {
                    let mut changed = data.clone();
                    let at = at % changed.len();
                    changed[at] ^= xor;
                    let result = verify_ed25519_data(&changed, &signer, &message);
                    if SIGNATURE.contains(&at) {
                        assert!(result.is_ok(), "the signature is the precompile's to check");
                    } else if KEY.contains(&at) {
                        assert_eq!(result, Err(error(ClipstakeError::AttestationWrongSigner)));
                    } else if at >= MESSAGE_AT {
                        assert_eq!(result, Err(error(ClipstakeError::AttestationMismatch)));
                    } else {
                        assert_eq!(result, Err(error(ClipstakeError::MalformedAttestation)));
                    }
                }
                1 => {
                    let cut = &data[..at % data.len()];
                    assert!(verify_ed25519_data(cut, &signer, &message).is_err());
                }
                2 => {
                    let mut longer = data.clone();
                    longer.push(xor);
                    assert!(verify_ed25519_data(&longer, &signer, &message).is_err());
                }
                3 => {
                    let mut other = message;
                    other[at % ATTESTATION_LEN] ^= xor;
                    assert_eq!(
                        verify_ed25519_data(&data, &signer, &other),
                        Err(error(ClipstakeError::AttestationMismatch))
                    );
                }
                _ => {
                    let mut other = signer_bytes;
                    other[at % 32] ^= xor;
                    assert_eq!(
                        verify_ed25519_data(&data, &Pubkey::new_from_array(other), &message),
                        Err(error(ClipstakeError::AttestationWrongSigner))
                    );
                }
            }
        }
    }
});
