//! `clipstake actions serve`: Solana Actions (and Solana Pay transaction requests) for brands
//! and creators, and the campaign page. The server is `clipstake_actions::serve`; this module
//! turns flags into its options and keypairs.
use clap::{Args, Subcommand};
use clipstake_actions::claim::Claimer;
use clipstake_actions::server::{ServeOptions, cluster_chain_id, serve as serve_actions};

use super::oracle::{LedgerDb, open_ledger};
use super::parse_duration;
use crate::CliError;
use crate::config::Ctx;
use crate::output::Report;

#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// Serves the "Fund campaign" and "Claim my earnings" actions and the campaign page, until
    /// stopped. Claims are signed with the oracle keypair (-k) and paid by --fee-payer (the
    /// sponsor; default: the oracle).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8788")]
    pub listen: String,
    /// The origin wallets reach this server at, for absolute links (e.g. https://pay.example)
    /// [default: http:// and the request's Host].
    #[arg(long)]
    pub public_url: Option<String>,
    /// How long a claim's attestation stays valid (cut to the platform's maximum).
    #[arg(long, value_parser = parse_duration, default_value = "10m")]
    pub attestation_lifetime: i64,
    /// Serve funding only: no oracle keypair, no ledger; claims are answered 503.
    #[arg(long)]
    pub no_claims: bool,
    #[command(flatten)]
    pub db: LedgerDb,
}

pub fn run(ctx: &mut Ctx, command: ActionsCommand) -> Result<Report, CliError> {
    match command {
        ActionsCommand::Serve(args) => serve(ctx, args),
    }
}

fn serve(ctx: &mut Ctx, args: ServeArgs) -> Result<Report, CliError> {
    if ctx.backend.is_embedded() {
        return Err(CliError::usage(
            "a wallet cannot reach the embedded chain: serve actions for a cluster (-u localhost|devnet|mainnet-beta|URL)",
        ));
    }
    let claimer = match args.no_claims {
        true => None,
        false => Some(Claimer {
            oracle: ctx.signer()?.insecure_clone(),
            sponsor: ctx.fee_payer()?.insecure_clone(),
            ledger: open_ledger(&args.db)?,
            attestation_lifetime_secs: args.attestation_lifetime,
        }),
    };
    let options = ServeOptions {
        listen: args.listen,
        public_url: args.public_url,
        chain_id: cluster_chain_id(&ctx.backend.describe())?,
    };
    // Scripts wait for this line to learn the port (with `--listen 127.0.0.1:0`).
    let mut announce = |address: &str| eprintln!("listening on http://{address}/");
    match serve_actions(
        ctx.backend.as_mut(),
        claimer.as_ref(),
        &options,
        &mut announce,
    )? {}
}
