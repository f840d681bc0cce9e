//! ClipStake client library: PDAs, instruction builders, account decoding, attestations and
//! program-error decoding, all derived from the program crate; plus one chain abstraction
//! ([`backend::Backend`]: embedded litesvm or RPC) and the transaction sender written once over
//! it ([`sender::send_transaction`]).
pub mod accounts;
pub mod amount;
pub mod attestation;
pub mod backend;
pub mod error;
pub mod events;
pub mod instructions;
pub mod lookup_table;
pub mod oracle;
pub mod pda;
pub mod sender;

pub use clipstake;
pub use error::Error;
