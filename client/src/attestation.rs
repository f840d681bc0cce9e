//! Oracle attestations for creator claims, in the program's own message layout.
use anchor_lang::prelude::Pubkey;
use clipstake::attestation::attestation_message;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;

/// An oracle's signed statement that a submission may be paid up to `cumulative_views`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The campaign.
    pub campaign: Pubkey,
    /// The submission.
    pub submission: Pubkey,
    /// Cumulative verified views.
    pub cumulative_views: u64,
    /// Unix time after which it is void.
    pub expiry: i64,
    /// The oracle's key.
    pub oracle: Pubkey,
    /// The oracle's Ed25519 signature over `message()`.
    pub signature: [u8; 64],
}

impl Attestation {
    /// Signs an attestation with the oracle's keypair.
    pub fn sign(
        oracle: &Keypair,
        campaign: Pubkey,
        submission: Pubkey,
        cumulative_views: u64,
        expiry: i64,
    ) -> Self {
        let message = attestation_message(&clipstake::ID, &campaign, &submission, cumulative_views, expiry);
        let signature: [u8; 64] = oracle.sign_message(&message).into();
        Attestation {
            campaign,
            submission,
            cumulative_views,
            expiry,
            oracle: oracle.pubkey(),
            signature,
        }
    }

    /// The exact bytes the program checks.
    pub fn message(&self) -> Vec<u8> {
        attestation_message(
            &clipstake::ID,
            &self.campaign,
            &self.submission,
            self.cumulative_views,
            self.expiry,
        )
        .to_vec()
    }

    /// True when the signature is the oracle's over `message()`.
    pub fn verify(&self) -> bool {
        Signature::from(self.signature).verify(self.oracle.as_ref(), &self.message())
    }

    /// The Ed25519 precompile instruction that must precede the claim.
    pub fn ed25519_instruction(&self) -> Instruction {
        solana_ed25519_program::new_ed25519_instruction_with_signature(
            &self.message(),
            &self.signature,
            &self.oracle.to_bytes(),
        )
    }
}
