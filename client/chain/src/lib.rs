//! ClipStake chain client: one chain abstraction ([`backend::Backend`]: an RPC node, or the
//! embedded litesvm chain behind the default `embedded` feature), typed account reads over it
//! ([`backend::BackendExt`]), the transaction sender written once over it
//! ([`sender::send_transaction`]) and address lookup tables ([`lookup_table`]). Instructions,
//! PDAs and decoding come from `clipstake-sdk`, re-exported here as [`sdk`].
//!
//! The README follows (its example is compiled as a doctest).
#![doc = include_str!("../README.md")]

pub mod backend;
pub mod in_flight;
pub mod lookup_table;
pub mod sender;

pub use clipstake_sdk as sdk;
pub use clipstake_sdk::Error;
