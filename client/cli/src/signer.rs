//! Where a keypair comes from (`-k/--keypair`, `--fee-payer`), spelled as the Solana CLI
//! spells it:
//!
//! - a keypair file: `PATH` or `file:PATH`;
//! - `stdin` (or `-`): the keypair's JSON on standard input;
//! - `prompt://` (or `prompt:`): a seed phrase and its optional passphrase, typed without
//!   echo, the key derived at `m/44'/501'` as `solana` derives it;
//! - a bare public key, where a command only needs an address (a listing, a dry run's fee
//!   payer); a command that signs says it needs a keypair.
//!
//! `usb://` (a Ledger) is refused with the reason: `solana-remote-wallet` reaches the device
//! through `hidapi`, which needs the system's libudev at build time.
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use solana_keypair::seed_derivable::keypair_from_seed_and_derivation_path;
use solana_keypair::{Keypair, read_keypair, read_keypair_file};
use solana_seed_phrase::generate_seed_from_seed_phrase_and_passphrase;
use solana_signer::Signer;

use crate::CliError;
use crate::config::expand_tilde;

/// A signer as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerSource {
    /// A keypair file.
    File(PathBuf),
    /// The keypair's JSON on standard input.
    Stdin,
    /// A seed phrase typed at a prompt.
    Prompt,
    /// An address only.
    Address(Pubkey),
    /// A hardware wallet (`usb://...`), which this build cannot reach.
    HardwareWallet(String),
}

impl SignerSource {
    /// Reads a source as the Solana CLI does: a scheme first, then `stdin` / `-`, then a public
    /// key, else a file path.
    pub fn parse(text: &str) -> SignerSource {
        if let Some(path) = text.strip_prefix("file:") {
            return SignerSource::File(expand_tilde(&PathBuf::from(path)));
        }
        if text.starts_with("prompt:") {
            return SignerSource::Prompt;
        }
        if text.starts_with("usb:") {
            return SignerSource::HardwareWallet(text.to_string());
        }
        if text == "stdin" || text == "-" {
            return SignerSource::Stdin;
        }
        match text.parse::<Pubkey>() {
            Ok(address) => SignerSource::Address(address),
            Err(_) => SignerSource::File(expand_tilde(&PathBuf::from(text))),
        }
    }

    /// The keypair, for a command that signs; `what` names the role in messages ("signer",
    /// "fee payer").
    pub fn keypair(&self, what: &str) -> Result<Keypair, CliError> {
        match self {
            SignerSource::File(path) => read_keypair_file(path).map_err(|e| {
                CliError::usage(format!(
                    "cannot read the {what} keypair file {}: {e}",
                    path.display()
                ))
            }),
            SignerSource::Stdin => read_keypair(&mut std::io::stdin()).map_err(|e| {
                CliError::usage(format!("cannot read the {what} keypair from stdin: {e}"))
            }),
            SignerSource::Prompt => keypair_from_prompt(what),
            SignerSource::Address(address) => Err(CliError::usage(format!(
                "the {what} {address} is an address, not a keypair: this command signs, so give \
                 a keypair file, `stdin` or `prompt://`"
            ))),
            SignerSource::HardwareWallet(url) => Err(CliError::usage(format!(
                "{url}: hardware wallets are not supported by this build (solana-remote-wallet \
                 needs the system's libudev); use a keypair file, `stdin` or `prompt://`"
            ))),
        }
    }

    /// The address alone: a bare public key as given, else the keypair's.
    pub fn address(&self, what: &str) -> Result<Pubkey, CliError> {
        match self {
            SignerSource::Address(address) => Ok(*address),
            other => Ok(other.keypair(what)?.pubkey()),
        }
    }
}

/// Asks for a seed phrase and passphrase without echo and derives the keypair as `solana`
/// does for `prompt://` (BIP-39 seed, BIP-44 path m/44'/501').
fn keypair_from_prompt(what: &str) -> Result<Keypair, CliError> {
    let ask = |prompt: String| {
        rpassword::prompt_password(prompt)
            .map_err(|e| CliError::usage(format!("cannot read the {what} seed phrase: {e}")))
    };
    let phrase = ask(format!("[{what}] seed phrase: "))?;
    let passphrase = ask(format!(
        "[{what}] If this seed phrase has an associated passphrase, enter it now. Otherwise, \
         press ENTER to continue: "
    ))?;
    let seed = generate_seed_from_seed_phrase_and_passphrase(phrase.trim(), &passphrase);
    keypair_from_seed_and_derivation_path(&seed, None)
        .map_err(|e| CliError::usage(format!("cannot derive the {what} keypair: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_like_the_solana_cli() {
        let address = Pubkey::new_unique();
        assert_eq!(
            SignerSource::parse(&address.to_string()),
            SignerSource::Address(address)
        );
        assert_eq!(SignerSource::parse("stdin"), SignerSource::Stdin);
        assert_eq!(SignerSource::parse("-"), SignerSource::Stdin);
        assert_eq!(SignerSource::parse("prompt://"), SignerSource::Prompt);
        assert_eq!(SignerSource::parse("prompt:"), SignerSource::Prompt);
        assert_eq!(
            SignerSource::parse("id.json"),
            SignerSource::File(PathBuf::from("id.json"))
        );
        assert_eq!(
            SignerSource::parse("file:/keys/id.json"),
            SignerSource::File(PathBuf::from("/keys/id.json"))
        );
        assert!(matches!(
            SignerSource::parse("usb://ledger"),
            SignerSource::HardwareWallet(_)
        ));
    }

    #[test]
    fn an_address_serves_where_only_an_address_is_needed() {
        let address = Pubkey::new_unique();
        let source = SignerSource::Address(address);
        assert_eq!(source.address("signer").unwrap(), address);
        let refused = source.keypair("signer").unwrap_err();
        assert!(
            refused.message.contains("is an address, not a keypair"),
            "{}",
            refused.message
        );
        let usb = SignerSource::parse("usb://ledger")
            .keypair("fee payer")
            .unwrap_err();
        assert!(usb.message.contains("libudev"), "{}", usb.message);
    }

    #[test]
    fn a_file_source_reads_the_keypair_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id.json");
        let keypair = Keypair::new();
        solana_keypair::write_keypair_file(&keypair, &path).unwrap();
        let source = SignerSource::parse(&path.display().to_string());
        assert_eq!(source.address("signer").unwrap(), keypair.pubkey());
        let missing = SignerSource::parse("/nonexistent/id.json").keypair("signer");
        assert!(
            missing
                .unwrap_err()
                .message
                .contains("/nonexistent/id.json")
        );
    }
}
