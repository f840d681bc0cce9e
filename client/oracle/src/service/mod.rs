//! The oracle's long-running pieces, each the library half of a `clipstake oracle` service: a
//! watched inbox directory ([`inbox`]), payout rounds on an interval ([`rounds`]) and an HTTP
//! intake for view reports ([`http`]). Killing any of them at any moment is safe: every report
//! and intent is in the ledger, and the next run reconciles from the chain.
pub mod http;
pub mod inbox;
pub mod rounds;
