//! Builds the ClipStake program's Anchor IDL on the host, the way `anchor build` does, and
//! converts it to the TypeScript type `anchor build` writes beside it.
//!
//! The IDL comes from Anchor's own builder (`anchor-lang-idl`), which compiles the program's
//! `idl-build` test and parses what it prints, so no Anchor CLI is needed.

use std::path::{Path, PathBuf};

use anchor_lang_idl::{build::IdlBuilder, types::Idl};
use anyhow::{Context, Result};
use heck::{ToLowerCamelCase, ToPascalCase};
use regex::Regex;

/// The IDL file name and TypeScript module name of the program.
pub const PROGRAM_NAME: &str = "clipstake";

/// Where the builder compiles the program: its own directory, because it forces
/// `RUSTFLAGS="-A warnings"`, which would otherwise invalidate the host build's cache.
pub fn default_build_target_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/clipstake/target-idl-build")
}

/// Builds the IDL of the program at `program_dir` with Anchor.toml's settings
/// (`resolution = true`, `skip-lint = false`), compiling into `target_dir`.
pub fn build_idl(program_dir: &Path, target_dir: &Path) -> Result<Idl> {
    let program_dir = program_dir
        .canonicalize()
        .with_context(|| format!("program directory {}", program_dir.display()))?;
    // anchor-lang-idl 0.1.4 turns a set RUSTUP_TOOLCHAIN (rustup sets it for every process a
    // `cargo run` starts) into the literal argument `+{toolchain}`, which cargo rejects.
    // SAFETY: called before any other thread of this single-threaded tool exists.
    unsafe {
        std::env::remove_var("RUSTUP_TOOLCHAIN");
        std::env::set_var("CARGO_TARGET_DIR", target_dir);
    }
    IdlBuilder::new()
        .program_path(program_dir)
        .resolution(true)
        .skip_lint(false)
        .no_docs(false)
        .cargo_args(vec!["--locked".into()])
        .build()
        .context("building the IDL (cargo test __anchor_private_print_idl --features idl-build)")
}

/// The IDL as `anchor build` writes `target/idl/<name>.json`.
pub fn idl_json(idl: &Idl) -> Result<String> {
    Ok(serde_json::to_string_pretty(idl)?)
}

/// The TypeScript type `anchor build` writes to `target/types/<name>.ts`: anchor-cli 1.2.2's
/// conversion, which camelCases every one-word string value of the IDL but public keys.
pub fn idl_ts(idl: &Idl) -> Result<String> {
    let idl_name = &idl.metadata.name;
    let type_name = idl_name.to_pascal_case();
    let compact = serde_json::to_string(idl)?;
    let string_value = Regex::new(r#""\w+":"([\w\d]+)""#)?;
    let camel = string_value
        .captures_iter(&compact)
        .fold(compact.clone(), |acc, cur| {
            let name = &cur[1];
            if is_public_key(name) {
                return acc;
            }
            let camel_name = name.to_lower_camel_case();
            acc.replace(&format!(r#""{name}""#), &format!(r#""{camel_name}""#))
        });
    let camel_idl = serde_json::to_string_pretty(&serde_json::from_str::<Idl>(&camel)?)?;
    Ok(format!(
        r#"/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at `target/idl/{idl_name}.json`.
 */
export type {type_name} = {camel_idl};
"#
    ))
}

/// Whether `s` parses as a Solana public key (base58 of exactly 32 bytes), as
/// `Pubkey::from_str` decides.
fn is_public_key(s: &str) -> bool {
    s.len() <= 44
        && bs58::decode(s)
            .into_vec()
            .is_ok_and(|bytes| bytes.len() == 32)
}

/// Writes `<out>/idl/<name>.json` and `<out>/types/<name>.ts`, returning both paths.
pub fn write_artifacts(idl: &Idl, out: &Path) -> Result<(PathBuf, PathBuf)> {
    let json_path = out.join("idl").join(format!("{PROGRAM_NAME}.json"));
    let ts_path = out.join("types").join(format!("{PROGRAM_NAME}.ts"));
    for (path, text) in [(&json_path, idl_json(idl)?), (&ts_path, idl_ts(idl)?)] {
        let dir = path.parent().expect("artifact paths have a parent");
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok((json_path, ts_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_recognised_like_pubkey_from_str() {
        assert!(is_public_key(
            "BhwAnntTUnMaD86vuaRPNR1qxtgt9Q4Ph8Ek6NdRJAnX"
        ));
        assert!(is_public_key("11111111111111111111111111111111"));
        assert!(!is_public_key("campaign_vault"));
        assert!(!is_public_key("u64"));
    }
}
