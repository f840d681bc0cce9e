//! ClipStake client library: PDAs, instruction builders, account decoding, attestations and
//! program-error decoding, all derived from the program crate.
pub mod accounts;
pub mod attestation;
pub mod error;
pub mod instructions;
pub mod pda;

pub use clipstake;
pub use error::Error;
