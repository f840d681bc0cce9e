use anchor_lang::compat::solana_instructions_sysvar::{
    load_current_index_checked, load_instruction_at_checked,
};
use anchor_lang::prelude::*;

use crate::attestation::{
    ED25519_PROGRAM_ID, INSTRUCTIONS_SYSVAR_ID, attestation_message, verify_ed25519_data,
};
use crate::errors::ClipstakeError;
use crate::instructions::payout::*;

/// A creator's claim, backed by the oracle's attestation.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ClaimArgs {
    /// Cumulative verified views the oracle attested.
    pub cumulative_views: u64,
    /// Unix time after which the attestation is void.
    pub expiry: i64,
}

#[derive(Accounts)]
pub struct Claim<'info> {
    /// CHECK: the instructions sysvar, checked by address; read to find the Ed25519
    /// instruction just before this one.
    #[account(address = INSTRUCTIONS_SYSVAR_ID @ ClipstakeError::WrongInstructionsSysvar)]
    pub instructions_sysvar: UncheckedAccount<'info>,
    /// The payout's accounts; `payout.creator` must sign. Last, so that a SOL claim can leave
    /// off the token accounts at its end.
    pub payout: Payout<'info>,
}

impl Claim<'_> {
    fn validate(&self, args: &ClaimArgs) -> Result<()> {
        require!(
            self.payout.creator.is_signer,
            ClipstakeError::NotSubmissionCreator
        );
        let now = Clock::get()?.unix_timestamp;
        require!(now <= args.expiry, ClipstakeError::AttestationExpired);
        require!(
            args.expiry.saturating_sub(now) <= self.payout.platform.max_attestation_lifetime_secs,
            ClipstakeError::AttestationLifetimeTooLong
        );
        self.payout.validate(args.cumulative_views)?;

        // The attestation must be the instruction right before this one, checked in full.
        let sysvar = self.instructions_sysvar.to_account_info();
        let current = load_current_index_checked(&sysvar)?;
        require!(current > 0, ClipstakeError::MissingAttestation);
        let ed25519 = load_instruction_at_checked(usize::from(current - 1), &sysvar)?;
        require_keys_eq!(
            ed25519.program_id,
            ED25519_PROGRAM_ID,
            ClipstakeError::MissingAttestation
        );
        let message = attestation_message(
            &crate::ID,
            &self.payout.campaign.key(),
            &self.payout.submission.key(),
            self.payout.submission.load()?.registered_at,
            args.cumulative_views,
            args.expiry,
        );
        verify_ed25519_data(
            &ed25519.data,
            &self.payout.campaign.load()?.oracle,
            &message,
        )
    }

    /// Pays the creator for the attested views (creator pull).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        let event = ctx.accounts.payout.pay(args.cumulative_views, true)?;
        emit!(event);
        Ok(())
    }
}
