//! Errors of the client library, with program errors decoded by name and message.
use clipstake::errors::ClipstakeError;

/// Anchor's custom error codes start here; the program's enum follows in order.
const ANCHOR_ERROR_OFFSET: u32 = anchor_lang::error::ERROR_CODE_OFFSET;

/// What went wrong talking to the program.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The program refused the instruction with one of its own errors.
    #[error("{name}: {message}")]
    Program {
        /// The error's code (6000 + its index).
        code: u32,
        /// The variant name, e.g. `ViewsNotIncreasing`.
        name: String,
        /// The program's message, which says what to do.
        message: String,
    },
    /// An account did not decode as the expected type.
    #[error("could not decode account: {0}")]
    Decode(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// Every variant, in declaration order, so a code maps to its name.
const ALL_ERRORS: &[ClipstakeError] = &[
    ClipstakeError::NotUpgradeAuthority,
    ClipstakeError::NotPlatformAdmin,
    ClipstakeError::NotCampaignBrand,
    ClipstakeError::NotCampaignOracle,
    ClipstakeError::NotSubmissionCreator,
    ClipstakeError::NotBrandOrOracle,
    ClipstakeError::BpsOutOfRange,
    ClipstakeError::BpsSumExceedsWhole,
    ClipstakeError::AffiliateCommissionTooHigh,
    ClipstakeError::AffiliateMismatch,
    ClipstakeError::InvalidRate,
    ClipstakeError::InvalidSchedule,
    ClipstakeError::PlatformPaused,
    ClipstakeError::CampaignPaused,
    ClipstakeError::CampaignEnded,
    ClipstakeError::CampaignNotStarted,
    ClipstakeError::SettlementWindowOpen,
    ClipstakeError::AdminPauseLocked,
    ClipstakeError::InvalidStatusChange,
    ClipstakeError::ViewsNotIncreasing,
    ClipstakeError::InsufficientVaultBalance,
    ClipstakeError::WithdrawExceedsAvailable,
    ClipstakeError::CampaignNotEmpty,
    ClipstakeError::SubmissionsStillOpen,
    ClipstakeError::ZeroAmount,
    ClipstakeError::Overflow,
    ClipstakeError::WrongVault,
    ClipstakeError::WrongMint,
    ClipstakeError::WrongTokenProgram,
    ClipstakeError::MissingTokenAccounts,
    ClipstakeError::RecipientTokenAccountMismatch,
    ClipstakeError::WrongRecipient,
    ClipstakeError::DuplicateAccount,
    ClipstakeError::RecipientBelowRentExemption,
    ClipstakeError::UnsupportedMintProgram,
    ClipstakeError::UnsupportedMintExtension,
    ClipstakeError::MissingAttestation,
    ClipstakeError::MalformedAttestation,
    ClipstakeError::AttestationWrongSigner,
    ClipstakeError::AttestationMismatch,
    ClipstakeError::AttestationExpired,
    ClipstakeError::WrongInstructionsSysvar,
];

/// The program error with custom code `code`, if it is one of ours.
pub fn program_error(code: u32) -> Option<ClipstakeError> {
    let found = ALL_ERRORS
        .iter()
        .copied()
        .find(|e| ANCHOR_ERROR_OFFSET + *e as u32 == code)?;
    Some(found)
}

impl Error {
    /// Turns a custom program error code into a named error, if it is one of ours.
    pub fn from_custom_code(code: u32) -> Option<Error> {
        let e = program_error(code)?;
        Some(Error::Program { code, name: format!("{e:?}"), message: e.to_string() })
    }
}
