//! ClipStake SDK: everything a Rust program or service needs to talk to the ClipStake program,
//! derived from the program crate and free of I/O: PDAs ([`pda`]), instruction builders
//! ([`instructions`]), account decoding from bytes ([`accounts`]), oracle attestations
//! ([`attestation`]), UI amounts ([`amount`]), program errors by name ([`error`]) and event
//! decoding from logs ([`events`]). Fetching and sending live in `clipstake-client`.
//!
//! The README follows; its example is compiled as a doctest so it cannot drift.
#![doc = include_str!("../README.md")]

pub mod accounts;
pub mod amount;
pub mod attestation;
pub mod error;
pub mod events;
pub mod instructions;
pub mod pda;

pub use clipstake;
pub use error::Error;
