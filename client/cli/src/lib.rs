//! The `clipstake` command line as a library: clap definitions, dispatch, and errors with exit
//! codes; `main.rs` only parses and exits.
use clap::{Parser, Subcommand};

pub mod command;
pub mod config;
pub mod output;
pub mod signer;

use config::{Ctx, GlobalArgs};
use output::Report;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  generic failure (a file could not be written, the program ELF is missing...)
  2  usage: bad arguments (an amount, an attestation, a sources configuration), an unreadable
     keypair file, the wrong keypair for this action; nothing was sent
  3  the program (or the runtime) refused the transaction; nothing was applied
  4  network: the RPC endpoint is unreachable or failed, or the transaction expired unconfirmed
  5  not found: the campaign, submission, platform or mint does not exist

Without -u the commands run on the embedded chain: the program's SBF build in an in-process
SVM whose state is kept in .clipstake/embedded-ledger.json, so successive calls see the same
chain. Start with `clipstake demo`.";

/// ClipStake: pay video creators for verified views, from a campaign escrow on Solana.
#[derive(Debug, Parser)]
#[command(name = "clipstake", version, after_long_help = AFTER_HELP, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The roles' commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Platform settings (the admin: the program's upgrade authority).
    #[command(subcommand)]
    Platform(command::platform::PlatformCommand),
    /// Campaigns (the brand).
    #[command(subcommand)]
    Campaign(command::campaign::CampaignCommand),
    /// Videos registered to campaigns.
    #[command(subcommand)]
    Submission(command::submission::SubmissionCommand),
    /// The payout oracle: attestations and pushed payouts.
    #[command(subcommand)]
    Oracle(command::oracle::OracleCommand),
    /// Creators: claims with an attestation, earnings.
    #[command(subcommand)]
    Creator(command::creator::CreatorCommand),
    /// Runs a whole campaign end to end and checks every token is accounted for.
    Demo(command::demo::DemoArgs),
    /// The embedded chain: status, time travel, airdrops, test mints.
    #[command(subcommand)]
    Embedded(command::embedded::EmbeddedCommand),
    /// Solana Actions and Solana Pay for wallets: fund a campaign, claim earnings.
    #[command(subcommand)]
    Actions(command::actions::ActionsCommand),
}

/// Exit codes (see `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Anything else.
    Generic = 1,
    /// Bad arguments or keypair.
    Usage = 2,
    /// The program refused the transaction.
    Refused = 3,
    /// The network or RPC failed.
    Network = 4,
    /// An account does not exist.
    NotFound = 5,
}

/// An error for the user: one line and an exit code.
#[derive(Debug, Clone)]
pub struct CliError {
    /// The exit code.
    pub code: ExitCode,
    /// The one-line message.
    pub message: String,
    /// A report to print before the error (e.g. the demo's table when a check failed).
    pub report: Option<Box<Report>>,
}

impl CliError {
    /// An error with `code`.
    pub fn new(code: ExitCode, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
            report: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(ExitCode::Usage, message)
    }
}

impl From<clipstake_client::Error> for CliError {
    fn from(error: clipstake_client::Error) -> Self {
        use clipstake_client::Error as E;
        let code = match &error {
            E::Program { .. } | E::Framework { .. } | E::Transaction(_) => ExitCode::Refused,
            E::Network { .. } | E::Expired(_) => ExitCode::Network,
            E::NotFound(_) => ExitCode::NotFound,
            E::MissingSigner(_) | E::Unsupported(_) | E::Invalid { .. } => ExitCode::Usage,
            E::Decode(_)
            | E::Io { .. }
            | E::CorruptFile { .. }
            | E::Embedded { .. }
            | E::Build { .. }
            | E::NotReady(_) => ExitCode::Generic,
        };
        let message = match &error {
            E::Program {
                code,
                name,
                message,
            } => {
                format!("the program refused the transaction: {name} (error {code}): {message}")
            }
            E::Framework {
                code,
                name,
                message,
            } => {
                format!(
                    "the program refused the transaction: {name} (Anchor error {code}): {message}"
                )
            }
            other => other.to_string(),
        };
        CliError::new(code, message)
    }
}

impl From<clipstake_oracle::Error> for CliError {
    fn from(error: clipstake_oracle::Error) -> Self {
        use clipstake_oracle::Error as E;
        match error {
            E::Chain(e) => CliError::from(e),
            E::Config(_) | E::Invalid { .. } => CliError::usage(error.to_string()),
            E::Database(_)
            | E::Ledger(_)
            | E::Io { .. }
            | E::Listen { .. }
            | E::InjectedCrash { .. }
            | E::LogsTruncated => CliError::new(ExitCode::Generic, error.to_string()),
        }
    }
}

impl From<clipstake_oracle::ConfigError> for CliError {
    fn from(error: clipstake_oracle::ConfigError) -> Self {
        CliError::usage(error.to_string())
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let mut ctx = Ctx::new(&cli.global)?;
    for note in &ctx.notes {
        eprintln!("note: {note}");
    }
    let report = match cli.command {
        Command::Platform(c) => command::platform::run(&mut ctx, c),
        Command::Campaign(c) => command::campaign::run(&mut ctx, c),
        Command::Submission(c) => command::submission::run(&mut ctx, c),
        Command::Oracle(c) => command::oracle::run(&mut ctx, c),
        Command::Creator(c) => command::creator::run(&mut ctx, c),
        Command::Demo(args) => command::demo::run(&mut ctx, args),
        Command::Embedded(c) => command::embedded::run(&mut ctx, c),
        Command::Actions(c) => command::actions::run(&mut ctx, c),
    };
    match report {
        Ok(report) => {
            match ctx.multisig() {
                Some(vault) => output::Report::of(&output::Proposal::new(&vault, &ctx.proposed))?
                    .print(ctx.output),
                None => report.print(ctx.output),
            }
            Ok(())
        }
        Err(mut error) => {
            if let Some(report) = error.report.take() {
                report.print(ctx.output);
            }
            Err(error)
        }
    }
}
