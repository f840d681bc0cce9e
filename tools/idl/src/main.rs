//! `clipstake-idl [--out DIR]`: writes `DIR/idl/clipstake.json` and `DIR/types/clipstake.ts`
//! (default: the repository's `target`) from the program in `programs/clipstake`, like `anchor build`.
//! `CLIPSTAKE_IDL_TARGET_DIR` overrides where the builder compiles.

use std::path::PathBuf;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("../..");
    let out = parse_out()?.unwrap_or_else(|| root.join("target"));
    let target_dir = std::env::var_os("CLIPSTAKE_IDL_TARGET_DIR")
        .map_or_else(clipstake_idl::default_build_target_dir, PathBuf::from);
    let idl = clipstake_idl::build_idl(&root.join("programs/clipstake"), &target_dir)?;
    let (json, ts) = clipstake_idl::write_artifacts(&idl, &out)?;
    println!("wrote {} and {}", json.display(), ts.display());
    Ok(())
}

/// The `--out DIR` argument, if given.
fn parse_out() -> Result<Option<PathBuf>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(None),
        [flag, dir] if flag == "--out" => Ok(Some(PathBuf::from(dir))),
        _ => bail!("usage: clipstake-idl [--out DIR]"),
    }
}
