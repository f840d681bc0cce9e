//! The SDK stays light: a third-party integrator who only builds instructions must not compile
//! an SVM, SQLite, an HTTP server, a progress bar, a CLI parser or an RPC client.

const FORBIDDEN: &[&str] = &[
    "litesvm",
    "rusqlite",
    "tiny_http",
    "indicatif",
    "clap",
    "solana-rpc-client",
];

#[test]
fn the_sdk_depends_on_no_io_or_cli_crate() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["tree", "--offline", "-p", "clipstake-sdk", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .current_dir(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).expect("utf-8");
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"clipstake-sdk"),
        "unexpected tree:\n{tree}"
    );
    let found: Vec<&&str> = FORBIDDEN.iter().filter(|f| crates.contains(f)).collect();
    assert!(found.is_empty(), "clipstake-sdk depends on {found:?}");
}
