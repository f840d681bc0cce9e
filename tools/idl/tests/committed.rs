//! The IDL committed under `idl/` is the one `make build` writes from the current program, and
//! it carries what clients rely on: docs, PDA seeds, account relations, errors and events.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anchor_lang_idl::types::Idl;

fn root() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}. `make build` writes target/idl and target/types.",
            path.display()
        )
    })
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).unwrap()
}

/// The newest modification time of the program's sources and manifest.
fn newest_program_source(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let time = if path.is_dir() {
            newest_program_source(&path)
        } else {
            modified(&path)
        };
        newest = newest.max(time);
    }
    newest
}

fn committed_idl() -> Idl {
    serde_json::from_str(&read(&root().join("idl/clipstake.json"))).expect("idl/clipstake.json")
}

#[test]
fn built_idl_is_newer_than_the_program_sources() {
    let built = root().join("target/idl/clipstake.json");
    let _ = read(&built);
    let program = root().join("programs/clipstake");
    assert!(
        modified(&built) >= newest_program_source(&program),
        "target/idl/clipstake.json is older than programs/clipstake: run `make idl`"
    );
}

#[test]
fn committed_idl_and_types_match_the_build() {
    for (built, committed) in [
        ("target/idl/clipstake.json", "idl/clipstake.json"),
        ("target/types/clipstake.ts", "idl/clipstake.ts"),
    ] {
        assert!(
            read(&root().join(built)) == read(&root().join(committed)),
            "{committed} is stale: run `make idl-commit` (copies {built}) and commit it"
        );
    }
}

#[test]
fn committed_types_are_the_conversion_of_the_committed_idl() {
    let converted = clipstake_idl::idl_ts(&committed_idl()).unwrap();
    assert_eq!(converted, read(&root().join("idl/clipstake.ts")));
}

#[test]
fn idl_carries_docs_seeds_relations_errors_and_events() {
    let idl = committed_idl();
    assert_eq!(idl.address, "BhwAnntTUnMaD86vuaRPNR1qxtgt9Q4Ph8Ek6NdRJAnX");
    assert_eq!(
        idl.metadata.repository.as_deref(),
        Some("https://github.com/clipstake/clipstake")
    );
    let json = serde_json::to_value(&idl).unwrap();
    let instruction = |name: &str| {
        json["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("instruction {name}"))
            .clone()
    };
    let create = instruction("create_campaign");
    let campaign = &create["accounts"][4];
    assert_eq!(campaign["name"], "campaign");
    let seeds = &campaign["pda"]["seeds"];
    assert_eq!(seeds[0]["value"], serde_json::json!(b"campaign".to_vec()));
    assert_eq!(seeds[1]["path"], "brand");
    assert_eq!(seeds[2]["path"], "args.campaign_id");
    let withdraw = instruction("withdraw");
    assert_eq!(
        withdraw["accounts"][0]["relations"],
        serde_json::json!(["campaign"])
    );
    assert!(
        campaign["docs"]
            .as_array()
            .is_some_and(|docs| !docs.is_empty())
    );
    assert!(idl.errors.iter().any(|e| e.name == "SettlementWindowOpen"));
    assert!(idl.events.iter().any(|e| e.name == "PayoutMade"));
    let constants: Vec<_> = idl.constants.iter().map(|c| c.name.as_str()).collect();
    assert!(constants.contains(&"CAMPAIGN_SEED"), "{constants:?}");
}
