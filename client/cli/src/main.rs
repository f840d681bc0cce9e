//! `clipstake`: parse, dispatch, map errors to exit codes (documented in `--help`).
use clap::Parser;

fn main() -> std::process::ExitCode {
    init_logs();
    let cli = clipstake_cli::Cli::parse();
    match clipstake_cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.message);
            std::process::ExitCode::from(error.code as u8)
        }
    }
}

/// Structured logs on stderr (stdout stays the command's output): `CLIPSTAKE_LOG` takes
/// `tracing` filter directives, e.g. `clipstake_oracle=info` for every source request.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLIPSTAKE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
