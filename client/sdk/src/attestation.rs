//! Oracle attestations for creator claims, in the program's own message layout.
use anchor_lang::prelude::Pubkey;
use clipstake::attestation::attestation_message;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;

use crate::instructions::SubmissionAccount;

/// An oracle's signed statement that a submission may be paid up to `cumulative_views`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The campaign.
    pub campaign: Pubkey,
    /// The submission.
    pub submission: Pubkey,
    /// The submission's registration time, binding the attestation to that registration.
    pub registered_at: i64,
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
    /// Signs, with the oracle's keypair, that `submission` may be paid up to
    /// `cumulative_views` until `expiry`.
    pub fn sign(
        oracle: &Keypair,
        submission: &SubmissionAccount,
        cumulative_views: u64,
        expiry: i64,
    ) -> Self {
        let (campaign, registered_at) = (submission.state.campaign, submission.state.registered_at);
        let message = attestation_message(
            &clipstake::ID,
            &campaign,
            &submission.address,
            registered_at,
            cumulative_views,
            expiry,
        );
        let signature: [u8; 64] = oracle.sign_message(&message).into();
        Attestation {
            campaign,
            submission: submission.address,
            registered_at,
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
            self.registered_at,
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

/// The portable form of an attestation (what `clipstake oracle attest` prints and
/// `clipstake creator claim` reads): addresses and the signature in base58.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttestationJson {
    /// The program the attestation is for.
    pub program: String,
    /// The campaign.
    pub campaign: String,
    /// The submission.
    pub submission: String,
    /// The submission's registration time.
    pub registered_at: i64,
    /// Cumulative verified views.
    pub cumulative_views: u64,
    /// Unix time after which it is void.
    pub expiry: i64,
    /// The oracle's key.
    pub oracle: String,
    /// The oracle's signature.
    pub signature: String,
}

impl From<&Attestation> for AttestationJson {
    fn from(a: &Attestation) -> Self {
        AttestationJson {
            program: clipstake::ID.to_string(),
            campaign: a.campaign.to_string(),
            submission: a.submission.to_string(),
            registered_at: a.registered_at,
            cumulative_views: a.cumulative_views,
            expiry: a.expiry,
            oracle: a.oracle.to_string(),
            signature: Signature::from(a.signature).to_string(),
        }
    }
}

impl TryFrom<&AttestationJson> for Attestation {
    type Error = crate::Error;

    fn try_from(j: &AttestationJson) -> Result<Self, Self::Error> {
        let invalid = |what: &'static str, text: &str, reason: String| crate::Error::Invalid {
            what,
            text: text.to_string(),
            reason,
        };
        let key = |text: &str, what: &'static str| -> Result<Pubkey, crate::Error> {
            text.parse()
                .map_err(|_| invalid(what, text, "not a base-58 address".into()))
        };
        if key(&j.program, "attestation program")? != clipstake::ID {
            return Err(invalid(
                "attestation program",
                &j.program,
                format!(
                    "this attestation is for another program, not {}",
                    clipstake::ID
                ),
            ));
        }
        let signature: Signature = j.signature.parse().map_err(|_| {
            invalid(
                "attestation signature",
                &j.signature,
                "not a base-58 Ed25519 signature".into(),
            )
        })?;
        Ok(Attestation {
            campaign: key(&j.campaign, "attestation campaign")?,
            submission: key(&j.submission, "attestation submission")?,
            registered_at: j.registered_at,
            cumulative_views: j.cumulative_views,
            expiry: j.expiry,
            oracle: key(&j.oracle, "attestation oracle")?,
            signature: signature.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use clipstake::attestation::{ATTESTATION_LEN, verify_ed25519_data};

    use super::*;

    fn sample() -> (Keypair, Attestation) {
        let oracle = Keypair::new();
        let submission = SubmissionAccount {
            address: Pubkey::new_unique(),
            state: clipstake::state::Submission {
                campaign: Pubkey::new_unique(),
                content_hash: [7; 32],
                creator: Pubkey::new_unique(),
                affiliate: Pubkey::default(),
                affiliate_bps: 0,
                paid_views: 0,
                paid_gross: 0,
                paid_to_creator: 0,
                fees_paid: 0,
                commissions_paid: 0,
                commission_accrued: 0,
                registered_at: 1_800_000_123,
                rent_payer: Pubkey::new_unique(),
                bump: 255,
                reserved: [0; 5],
            },
        };
        let attestation = Attestation::sign(&oracle, &submission, 123_456, 1_900_000_000);
        (oracle, attestation)
    }

    /// The client's Ed25519 instruction is exactly what the program's verifier accepts: the
    /// program's own `verify_ed25519_data` runs on the bytes the client builds.
    #[test]
    fn the_program_verifies_the_clients_bytes() {
        let (oracle, attestation) = sample();
        assert!(attestation.verify());
        let ix = attestation.ed25519_instruction();
        assert_eq!(ix.program_id, clipstake::attestation::ED25519_PROGRAM_ID);
        let expected = attestation_message(
            &clipstake::ID,
            &attestation.campaign,
            &attestation.submission,
            attestation.registered_at,
            attestation.cumulative_views,
            attestation.expiry,
        );
        assert_eq!(attestation.message().len(), ATTESTATION_LEN);
        verify_ed25519_data(&ix.data, &oracle.pubkey(), &expected)
            .expect("the program accepts the client's bytes");
    }

    #[test]
    fn the_program_refuses_other_signers_and_other_messages() {
        let (_, attestation) = sample();
        let ix = attestation.ed25519_instruction();
        let other_views = attestation_message(
            &clipstake::ID,
            &attestation.campaign,
            &attestation.submission,
            attestation.registered_at,
            attestation.cumulative_views + 1,
            attestation.expiry,
        );
        assert!(verify_ed25519_data(&ix.data, &attestation.oracle, &other_views).is_err());
        let other_registration = attestation_message(
            &clipstake::ID,
            &attestation.campaign,
            &attestation.submission,
            attestation.registered_at + 1,
            attestation.cumulative_views,
            attestation.expiry,
        );
        assert!(verify_ed25519_data(&ix.data, &attestation.oracle, &other_registration).is_err());
        assert!(
            verify_ed25519_data(&ix.data, &Pubkey::new_unique(), &attestation.message()).is_err()
        );
        let mut tampered = attestation.clone();
        tampered.cumulative_views += 1;
        assert!(
            !tampered.verify(),
            "a changed view count breaks the signature"
        );
    }

    #[test]
    fn json_round_trips() {
        let (_, attestation) = sample();
        let json = AttestationJson::from(&attestation);
        let text = serde_json::to_string(&json).unwrap();
        let back: AttestationJson = serde_json::from_str(&text).unwrap();
        assert_eq!(Attestation::try_from(&back).unwrap(), attestation);
        let mut wrong_program = back.clone();
        wrong_program.program = Pubkey::new_unique().to_string();
        assert!(Attestation::try_from(&wrong_program).is_err());
    }
}
