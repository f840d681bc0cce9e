//! `clipstake-idl [--out DIR]`: writes `DIR/idl/clipstake.json` and `DIR/types/clipstake.ts`
//! (default `target`) from the program in `programs/clipstake`, like `anchor build`.
//! `CLIPSTAKE_IDL_TARGET_DIR` overrides where the builder compiles.

use std::path::PathBuf;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let out = parse_out()?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target_dir = std::env::var_os("CLIPSTAKE_IDL_TARGET_DIR")
        .map_or_else(clipstake_idl::default_build_target_dir, PathBuf::from);
    let idl = clipstake_idl::build_idl(&root.join("programs/clipstake"), &target_dir)?;
    let (json, ts) = clipstake_idl::write_artifacts(&idl, &out)?;
    println!("wrote {} and {}", json.display(), ts.display());
    Ok(())
}

/// The `--out DIR` argument, `target` when absent.
fn parse_out() -> Result<PathBuf> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(PathBuf::from("target")),
        [flag, dir] if flag == "--out" => Ok(PathBuf::from(dir)),
        _ => bail!("usage: clipstake-idl [--out DIR]"),
    }
}
