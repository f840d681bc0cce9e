//! ClipStake from a wallet: [Solana Actions](https://solana.com/docs/advanced/actions) (which
//! wallets and blinks render) and Solana Pay transaction requests (the same endpoints answer
//! both), plus a small campaign page that funds through Wallet Standard.
//!
//! - **Fund campaign** (`/api/actions/fund/<campaign>?amount=<UI amount>`): any wallet funds
//!   a campaign; it is the fee payer and the only signer.
//! - **Claim my earnings** (`/api/actions/claim/<campaign>`): the creator's wallet redeems what
//!   the oracle ledger has accepted for its video beyond what the chain paid. The server signs
//!   the oracle attestation and, as the sponsor, pays the fee, so the creator needs no SOL and
//!   only signs.
//!
//! Every transaction is simulated before it is returned: input the program would refuse gets a
//! 4xx JSON error (`{"message": ...}`), never a transaction that would fail. The server is
//! [`server::serve`], behind `clipstake actions serve`.
use clipstake_client::Error;

pub mod claim;
pub mod fund;
mod page;
pub mod server;
pub mod spec;
pub mod transaction;

pub use server::{ServeOptions, serve};

/// Why a request gets no transaction: the HTTP status and a message for the user (the spec's
/// `ActionError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status (4xx for the caller's input, 5xx for the server or the cluster).
    pub status: u16,
    /// One line for the user.
    pub message: String,
}

impl Refusal {
    /// A refusal with `status`.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
        }
    }

    /// 400: malformed input (an address, an amount).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Refusal::new(400, message)
    }

    /// 403: this wallet may not do this (not the submission's creator).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Refusal::new(403, message)
    }

    /// 404: the campaign (or a route) does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Refusal::new(404, message)
    }

    /// 422: well-formed, but the program (or the wallet's balance) would refuse it.
    pub fn refused(message: impl Into<String>) -> Self {
        Refusal::new(422, message)
    }
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        let status = match &error {
            Error::NotFound(_) => 404,
            Error::Program { .. } | Error::Framework { .. } | Error::Transaction(_) => 422,
            Error::Network { .. } | Error::Expired(_) => 502,
            _ => 500,
        };
        let message = match &error {
            Error::Program { name, message, .. } | Error::Framework { name, message, .. } => {
                format!("the program would refuse this transaction: {name}: {message}")
            }
            Error::Transaction(detail) => {
                format!("the transaction would fail: {detail}")
            }
            other => other.to_string(),
        };
        Refusal::new(status, message)
    }
}

/// The oracle ledger's errors: the chain's keep their status, the ledger's own are the
/// server's fault (500).
impl From<clipstake_oracle::Error> for Refusal {
    fn from(error: clipstake_oracle::Error) -> Self {
        match error {
            clipstake_oracle::Error::Chain(e) => Refusal::from(e),
            other => Refusal::new(500, other.to_string()),
        }
    }
}
