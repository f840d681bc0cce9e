//! The oracle's errors: the chain's ([`clipstake_client::Error`]) carried as they are, and its
//! own (the ledger's database and contents, files, the view sources' configuration) typed, with
//! their sources.
use std::path::PathBuf;

use crate::ledger::Status;

/// What went wrong in the oracle.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The chain refused, failed or could not be reached.
    #[error(transparent)]
    Chain(#[from] clipstake_client::Error),
    /// The ledger's database failed (locked past the busy timeout, disk full, not a database).
    #[error("oracle ledger: {0}")]
    Database(#[from] rusqlite::Error),
    /// The ledger holds, or was asked to hold, something it must not.
    #[error("oracle ledger: {0}")]
    Ledger(#[from] LedgerError),
    /// A report file, a directory or standard input could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. `read`.
        action: &'static str,
        /// The file or directory (`-` for standard input).
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An HTTP listener could not be opened.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: String,
        /// The server's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The view sources' configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A value given by the user (a platform account, a verification policy) is refused;
    /// nothing was recorded.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What the value was meant to be.
        what: &'static str,
        /// Why it was refused, and what would be accepted.
        reason: String,
    },
    /// A test's [`crate::CrashAt`] stopped the run here.
    #[error("injected crash at step {at} ({step})")]
    InjectedCrash {
        /// The step's number, counted from 1.
        at: usize,
        /// The step's name.
        step: String,
    },
    /// A batch's simulation logs were cut at the runtime's 10,000-byte limit, so some of its
    /// `PayoutMade` events would be lost: it is split instead of sent.
    #[error("program logs truncated: events would be lost")]
    LogsTruncated,
}

/// What is wrong with what the ledger holds or was asked to hold.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// An intent's status column holds a value this build does not know.
    #[error("unknown intent status {0:?} (expected pending, sent, confirmed or failed)")]
    UnknownStatus(String),
    /// An amount or count does not fit the ledger's signed 64-bit integers.
    #[error(
        "{what} {value} is above {}, the largest integer the ledger stores; nothing was recorded",
        i64::MAX
    )]
    TooLarge {
        /// The column, e.g. `gross`.
        what: &'static str,
        /// The value refused.
        value: u64,
    },
    /// An intent's shares do not add up to its gross.
    #[error("intent {key}: fee + commission + creator amount is not its gross {gross}")]
    SharesNotGross {
        /// The intent's idempotency key.
        key: String,
        /// Its gross.
        gross: u64,
    },
    /// An intent was asked to move to a status its current one cannot reach.
    #[error("intent {key} is {from}; it cannot become {to}")]
    Transition {
        /// The intent's idempotency key.
        key: String,
        /// Its status now.
        from: Status,
        /// The status asked for.
        to: Status,
    },
    /// No intent has this key.
    #[error("no intent {0}")]
    NoIntent(String),
    /// A stored address is not base-58.
    #[error("bad address {0:?}")]
    BadAddress(String),
    /// A registered video's platform is not one this build knows.
    #[error("video_accounts: {0}")]
    BadPlatform(String),
    /// A scrape job's stored video list is not the JSON the oracle wrote.
    #[error("scrape job videos: {0}")]
    BadJobVideos(#[source] serde_json::Error),
}

/// What is wrong with a view sources configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A source's secret names an environment variable that is not set.
    #[error("source {name}: the environment variable {var} is not set")]
    MissingSecret {
        /// The source's name.
        name: String,
        /// The variable.
        var: String,
    },
    /// The text is not a configuration.
    #[error("bad sources configuration: {0}")]
    Parse(#[from] serde_json::Error),
    /// Two sources share a name.
    #[error("two sources are named {0:?}")]
    DuplicateName(String),
    /// The configuration file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file's contents are wrong.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: Box<ConfigError>,
    },
}

impl Error {
    /// Maps an I/O error on `path` while doing `action` (e.g. `read`).
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
}

/// The program's money math refusing an amount is the program's own refusal.
impl From<clipstake::math::MathError> for Error {
    fn from(e: clipstake::math::MathError) -> Self {
        Error::Chain(e.into())
    }
}

impl From<LedgerError> for rusqlite::types::FromSqlError {
    fn from(e: LedgerError) -> Self {
        rusqlite::types::FromSqlError::Other(Box::new(e))
    }
}
