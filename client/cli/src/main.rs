//! `clipstake`: parse, dispatch, map errors to exit codes (documented in `--help`).
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = clipstake_cli::Cli::parse();
    match clipstake_cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.message);
            std::process::ExitCode::from(error.code as u8)
        }
    }
}
