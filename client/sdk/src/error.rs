//! Errors of the client library, with program errors decoded by name and message.
//!
//! Every transaction failure goes through [`Error::from_transaction_error`], so a refusal by
//! the program reaches the caller as `Error::Program { name, message }` with the program's own
//! message, whatever backend (embedded or RPC) ran it.
use clipstake::errors::ClipstakeError;
use solana_instruction_error::InstructionError;
use solana_transaction_error::TransactionError;

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
    /// Anchor itself refused the instruction (an account constraint, a missing account...).
    #[error("{name}: {message}")]
    Framework {
        /// Anchor's error number (100..6000).
        code: u32,
        /// Anchor's error name, e.g. `ConstraintHasOne`.
        name: String,
        /// Anchor's message.
        message: String,
    },
    /// The runtime or another program (token program, system program) refused the
    /// transaction.
    #[error("transaction refused: {0}")]
    Transaction(String),
    /// The cluster could not be reached or answered with an error.
    #[error("{context}: {source}")]
    Network {
        /// What was asked of whom, e.g. `cannot reach the RPC endpoint http://...`.
        context: String,
        /// The transport's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An account the command needs does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The transaction's blockhash expired before it was confirmed, on every attempt.
    #[error("{0}")]
    Expired(String),
    /// A required signature is missing (the wrong keypair was given).
    #[error("{0}")]
    MissingSigner(String),
    /// The backend cannot do this (e.g. time travel on a real cluster).
    #[error("{0}")]
    Unsupported(String),
    /// An account did not decode as the expected type.
    #[error("could not decode account: {0}")]
    Decode(String),
    /// A value given by the user (an amount, an attestation's field) does not parse; nothing
    /// was sent.
    #[error("invalid {what} {text:?}: {reason}")]
    Invalid {
        /// What the value was meant to be, e.g. `amount`.
        what: &'static str,
        /// The text as given.
        text: String,
        /// Why it was refused, and what would be accepted.
        reason: String,
    },
    /// A local file or directory (the embedded chain's ledger, a report file...) could not be
    /// read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. `read the embedded ledger`.
        action: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A local file holds something this build cannot read.
    #[error("{} is not a valid {what} ({reason}); move it away to start afresh", path.display())]
    CorruptFile {
        /// The file.
        path: std::path::PathBuf,
        /// What it should hold, e.g. `embedded ledger`.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The in-process chain refused a setup step (loading the program, restoring an account).
    #[error("the embedded chain cannot {action}: {source}")]
    Embedded {
        /// The step, e.g. `load the program ELF`.
        action: &'static str,
        /// The chain's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Instructions could not be built or compiled into a transaction.
    #[error("cannot build {what}: {source}")]
    Build {
        /// What was being built, e.g. `the transaction`.
        what: &'static str,
        /// The builder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The chain is not ready for this yet: the same command succeeds a few seconds later.
    #[error("{0}; run again in a few seconds")]
    NotReady(String),
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
    ClipstakeError::NotPendingAdmin,
    ClipstakeError::InvalidPlatformSetting,
    ClipstakeError::SettlementWindowTooShort,
    ClipstakeError::OracleNotRegistered,
    ClipstakeError::OracleRevoked,
    ClipstakeError::MintFreezeAuthority,
    ClipstakeError::MintCloseAuthority,
    ClipstakeError::MintTransferFeeAdjustable,
    ClipstakeError::AttestationLifetimeTooLong,
    ClipstakeError::CampaignSettled,
    ClipstakeError::RecipientCannotReceive,
    ClipstakeError::NothingAccrued,
    ClipstakeError::AccruedStillOwed,
];

/// The program error with custom code `code`, if it is one of ours.
pub fn program_error(code: u32) -> Option<ClipstakeError> {
    let found = ALL_ERRORS
        .iter()
        .copied()
        .find(|e| ANCHOR_ERROR_OFFSET + *e as u32 == code)?;
    Some(found)
}

/// The program's money math refusing an amount client-side is the same refusal the program
/// would make, so it carries the program error's name and message.
impl From<clipstake::math::MathError> for Error {
    fn from(e: clipstake::math::MathError) -> Self {
        Error::from(ClipstakeError::from(e))
    }
}

impl From<ClipstakeError> for Error {
    fn from(e: ClipstakeError) -> Self {
        Error::Program {
            code: ANCHOR_ERROR_OFFSET + e as u32,
            name: format!("{e:?}"),
            message: e.to_string(),
        }
    }
}

impl Error {
    /// Maps an I/O error on `path` while doing `action` (e.g. `read the embedded ledger`).
    pub fn io<'p>(
        action: &'static str,
        path: &'p std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Error + 'p {
        move |source| Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A network failure: `context` says what was asked of whom, `source` what the transport
    /// answered.
    pub fn network(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::Network {
            context: context.into(),
            source: source.into(),
        }
    }

    /// Turns a custom program error code into a named error, if it is one of ours.
    pub fn from_custom_code(code: u32) -> Option<Error> {
        program_error(code).map(Error::from)
    }

    /// Decodes a failed transaction: the program's own errors by name and message, Anchor's
    /// framework errors from its log line, anything else with the runtime's description and
    /// the last error line of the logs.
    pub fn from_transaction_error(error: &TransactionError, logs: &[String]) -> Error {
        if let TransactionError::InstructionError(_, InstructionError::Custom(code)) = error {
            if let Some(e) = Error::from_custom_code(*code) {
                return e;
            }
            if let Some(e) = anchor_error_from_logs(*code, logs) {
                return e;
            }
        }
        let detail = logs
            .iter()
            .rev()
            .find(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("error") || l.contains("insufficient")
            })
            .map(|l| format!(" ({})", l.trim_start_matches("Program log: ")))
            .unwrap_or_default();
        Error::Transaction(format!("{error}{detail}"))
    }

    /// True when the program (or Anchor, or the runtime) refused the transaction, as opposed
    /// to the network failing.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::Program { .. } | Error::Framework { .. } | Error::Transaction(_)
        )
    }

    /// The program error's variant name, if it is one.
    pub fn program_error_name(&self) -> Option<&str> {
        match self {
            Error::Program { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Finds Anchor's `Error Code: X. Error Number: N. Error Message: M.` line for `code`.
fn anchor_error_from_logs(code: u32, logs: &[String]) -> Option<Error> {
    let number = format!("Error Number: {code}.");
    let line = logs.iter().find(|l| l.contains(&number))?;
    let name = line
        .split("Error Code: ")
        .nth(1)?
        .split('.')
        .next()?
        .trim()
        .to_string();
    let message = line
        .split("Error Message: ")
        .nth(1)
        .map(|m| m.trim_end_matches('.').trim().to_string())
        .unwrap_or_default();
    Some(Error::Framework {
        code,
        name,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_error_decodes_with_its_message() {
        for e in ALL_ERRORS {
            let code = ANCHOR_ERROR_OFFSET + *e as u32;
            let tx_error = TransactionError::InstructionError(1, InstructionError::Custom(code));
            match Error::from_transaction_error(&tx_error, &[]) {
                Error::Program {
                    code: c,
                    name,
                    message,
                } => {
                    assert_eq!(c, code);
                    assert_eq!(name, format!("{e:?}"));
                    assert_eq!(message, e.to_string());
                }
                other => panic!("{e:?} decoded as {other:?}"),
            }
        }
        // The table is complete: the code after the last variant is not ours.
        assert!(program_error(ANCHOR_ERROR_OFFSET + ALL_ERRORS.len() as u32).is_none());
        assert_eq!(
            ALL_ERRORS.last().map(|e| *e as usize),
            Some(ALL_ERRORS.len() - 1),
            "ALL_ERRORS must list every variant in order"
        );
    }

    #[test]
    fn framework_errors_come_from_the_logs() {
        let logs = vec![
            "Program log: AnchorError caused by account: campaign. Error Code: ConstraintHasOne. \
             Error Number: 2001. Error Message: A has one constraint was violated."
                .to_string(),
        ];
        let tx_error = TransactionError::InstructionError(0, InstructionError::Custom(2001));
        match Error::from_transaction_error(&tx_error, &logs) {
            Error::Framework {
                code,
                name,
                message,
            } => {
                assert_eq!((code, name.as_str()), (2001, "ConstraintHasOne"));
                assert_eq!(message, "A has one constraint was violated");
            }
            other => panic!("decoded as {other:?}"),
        }
    }

    #[test]
    fn other_failures_keep_the_runtime_reason() {
        let e = Error::from_transaction_error(&TransactionError::InsufficientFundsForFee, &[]);
        assert!(matches!(e, Error::Transaction(_)));
        assert!(e.is_refusal());
    }
}
