//! End-to-end tests of the real `clipstake` binary on the embedded backend: every subcommand's
//! success and its main failures, `--output json` parsed back, exit codes, and the demo's
//! conservation check. Each test has its own ledger file in a temporary directory (and its own
//! HOME, so no Solana CLI config of the machine is read).
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use solana_keypair::{Keypair, write_keypair_file};
use solana_signer::Signer;

/// The program's SBF build. Fails, saying how to build it, when it is missing: these tests
/// never skip silently.
fn program_so() -> PathBuf {
    let path = std::env::var_os("CLIPSTAKE_PROGRAM_SO")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
                .join("../../target/deploy/clipstake.so")
        });
    assert!(
        path.is_file(),
        "the program ELF {} is missing: build it with `make build` (tools/sbf/build.sh), or run `make test`",
        path.display()
    );
    path
}

/// A private embedded chain and a cast of keypairs.
struct Chain {
    dir: tempfile::TempDir,
    so: PathBuf,
}

const ROLES: [&str; 7] = [
    "admin",
    "brand",
    "oracle",
    "creator",
    "affiliate",
    "other",
    "sponsor",
];

impl Chain {
    /// A fresh chain deployed by `admin` (the first signer becomes the upgrade authority).
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        for role in ROLES {
            write_keypair_file(&Keypair::new(), dir.path().join(format!("{role}.json"))).unwrap();
        }
        let chain = Chain {
            dir,
            so: program_so(),
        };
        let status = chain.json("admin", &["embedded", "status"]);
        assert_eq!(status["upgrade_authority"], chain.pubkey("admin"));
        chain
    }

    fn keypair_path(&self, role: &str) -> PathBuf {
        self.dir.path().join(format!("{role}.json"))
    }

    fn pubkey(&self, role: &str) -> String {
        solana_keypair::read_keypair_file(self.keypair_path(role))
            .unwrap()
            .pubkey()
            .to_string()
    }

    /// `clipstake <args>` on this chain, without a keypair flag.
    fn bare(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("clipstake").expect("the clipstake binary");
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env(
                "CLIPSTAKE_EMBEDDED_STATE",
                self.dir.path().join("ledger.json"),
            )
            .env("CLIPSTAKE_PROGRAM_SO", &self.so)
            .args(args);
        cmd
    }

    /// `clipstake -k <role> <args>` on this chain.
    fn cmd(&self, role: &str, args: &[&str]) -> Command {
        let mut cmd = self.bare(&["-k", &self.keypair_path(role).display().to_string()]);
        cmd.args(args);
        cmd
    }

    /// Runs with `--output json`, expects success, parses stdout.
    fn json(&self, role: &str, args: &[&str]) -> Value {
        let output = self
            .cmd(role, args)
            .arg("--output")
            .arg("json")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "clipstake {args:?} failed ({:?}):\n{}{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "clipstake {args:?}: stdout is not JSON ({e}):\n{}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }

    /// Runs, expects exit `code`, a single stderr line, and returns it.
    fn fails(&self, role: &str, args: &[&str], code: i32) -> String {
        let output = self.cmd(role, args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(
            output.status.code(),
            Some(code),
            "clipstake {args:?}: expected exit {code}\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&output.stdout)
        );
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("note:")).collect();
        assert_eq!(lines.len(), 1, "one clear line, got: {stderr}");
        assert!(lines[0].starts_with("error: "), "{stderr}");
        lines[0].to_string()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// The admin initialises the platform (registering itself as an oracle, the default) and
    /// registers `oracle` too, as a user would.
    fn init_platform(&self) -> Value {
        let platform = self.json(
            "admin",
            &[
                "platform",
                "init",
                "--fee-bps",
                "250",
                "--max-affiliate-bps",
                "2000",
            ],
        );
        self.json(
            "admin",
            &["platform", "oracle", "add", &self.pubkey("oracle")],
        );
        platform
    }
}

/// `brand` creates a native-SOL campaign (0.0025 SOL per 1,000 views, 0.4 SOL cap, 30 days,
/// 3-day settlement window) with `oracle` as its oracle.
fn create_sol_campaign(chain: &Chain, oracle: &str) -> Value {
    chain.json(
        "brand",
        &[
            "campaign",
            "create",
            "--rate",
            "0.0025",
            "--cap",
            "0.4",
            "--oracle",
            oracle,
            "--duration",
            "30d",
            "--settlement-window",
            "3d",
        ],
    )
}

fn base(value: &Value) -> u64 {
    value["base_units"]
        .as_u64()
        .unwrap_or_else(|| panic!("not an amount: {value}"))
}

#[test]
fn help_documents_roles_and_exit_codes() {
    use predicates::prelude::*;
    Command::cargo_bin("clipstake")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Exit codes").and(predicate::str::contains("clipstake demo")),
        );
    let output = Command::cargo_bin("clipstake")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "Exit codes",
        "3  the program",
        "4  network",
        "5  not found",
        "platform",
        "campaign",
        "submission",
        "oracle",
        "creator",
        "demo",
        "--url",
        "--keypair",
        "--fee-payer",
        "--commitment",
        "--output",
        "--with-compute-unit-price",
        "--dry-run",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    // A usage error is exit 2.
    let output = Command::cargo_bin("clipstake")
        .unwrap()
        .args(["campaign", "frobnicate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn platform_init_show_update_and_refusals() {
    let chain = Chain::new();
    let refused = chain.fails("other", &["platform", "init"], 3);
    assert!(refused.contains("NotUpgradeAuthority"), "{refused}");
    assert!(
        refused.contains("upgrade authority"),
        "the program's message: {refused}"
    );

    let platform = chain.init_platform();
    assert_eq!(platform["admin"], chain.pubkey("admin"));
    assert_eq!(platform["treasury"], chain.pubkey("admin"));
    assert_eq!(platform["fee_bps"], 250);
    assert_eq!(platform["transaction"]["status"], "confirmed");
    assert!(
        platform["transaction"]["compute_unit_limit"]
            .as_u64()
            .unwrap()
            > platform["transaction"]["compute_units"].as_u64().unwrap()
    );
    chain.fails("admin", &["platform", "init"], 2);

    let shown = chain.json("other", &["platform", "show"]);
    assert_eq!(shown["max_affiliate_bps"], 2000);
    assert_eq!(shown["paused"], false);
    // The defaults of the trust settings: a 1-day minimum window, 7-day attestations.
    assert_eq!(shown["min_settlement_window_secs"], 86_400);
    assert_eq!(shown["max_attestation_lifetime_secs"], 7 * 86_400);
    assert_eq!(shown["pending_admin"], Value::Null);
    assert_eq!(shown["paused_since"], Value::Null);
    assert_eq!(shown["pause_total_secs"], 0);
    assert_eq!(shown["spl_token_batch"], true);

    // A cluster still running the classic SPL Token program: one transfer CPI per share.
    let classic = chain.json(
        "admin",
        &["platform", "update", "--spl-token-batch", "false"],
    );
    assert_eq!(classic["spl_token_batch"], false);
    let back = chain.json(
        "admin",
        &["platform", "update", "--spl-token-batch", "true"],
    );
    assert_eq!(back["spl_token_batch"], true);

    let treasury = chain.pubkey("sponsor");
    let updated = chain.json(
        "admin",
        &[
            "platform",
            "update",
            "--fee-bps",
            "300",
            "--treasury",
            &treasury,
        ],
    );
    assert_eq!(updated["fee_bps"], 300);
    assert_eq!(updated["treasury"], treasury);
    let refused = chain.fails("other", &["platform", "update", "--fee-bps", "100"], 3);
    assert!(refused.contains("NotPlatformAdmin"), "{refused}");
    chain.fails("admin", &["platform", "update"], 2);

    // A paused platform refuses new campaigns, with the program's message.
    assert_eq!(
        chain.json("admin", &["platform", "update", "--pause"])["paused"],
        true
    );
    assert!(
        chain.json("other", &["platform", "show"])["paused_since"].is_i64(),
        "a pause records when it began"
    );
    let refused = chain.fails(
        "brand",
        &["campaign", "create", "--rate", "1", "--cap", "10"],
        3,
    );
    assert!(refused.contains("PlatformPaused"), "{refused}");
    chain.json("other", &["embedded", "warp", "--seconds", "1h"]);
    let resumed = chain.json("admin", &["platform", "update", "--resume"]);
    assert_eq!(resumed["paused"], false);
    assert!(
        resumed["pause_total_secs"].as_i64().unwrap() >= 3_600,
        "the pause's length is kept: {resumed}"
    );

    // Human output by default.
    let output = chain.cmd("other", &["platform", "show"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("platform fee") && text.contains("300 bps"),
        "{text}"
    );
    for field in [
        "pending admin",
        "min settlement window",
        "max attestation lifetime",
        "total paused time",
    ] {
        assert!(text.contains(field), "{field}: {text}");
    }
}

#[test]
fn sol_campaign_lifecycle_through_every_role() {
    let chain = Chain::new();
    chain.init_platform();
    let (brand, oracle, creator, affiliate) = (
        chain.pubkey("brand"),
        chain.pubkey("oracle"),
        chain.pubkey("creator"),
        chain.pubkey("affiliate"),
    );

    // Brand: create and fund a native-SOL campaign.
    let campaign = create_sol_campaign(&chain, &oracle);
    let address = campaign["address"].as_str().unwrap().to_string();
    assert_eq!(campaign["asset"], "sol");
    assert_eq!(campaign["campaign_id"], 1);
    assert_eq!(base(&campaign["rate_per_thousand_views"]), 2_500_000);
    assert_eq!(campaign["phase"], "live");
    let second = chain.json(
        "brand",
        &[
            "campaign",
            "create",
            "--rate",
            "1",
            "--cap",
            "2",
            "--oracle",
            &chain.pubkey("admin"),
        ],
    );
    assert_eq!(second["campaign_id"], 2, "the next free id");

    let funded = chain.json("brand", &["campaign", "fund", &address, "2"]);
    assert_eq!(base(&funded["funded"]), 2_000_000_000);
    assert_eq!(funded["received"]["ui"], "2");
    assert_eq!(base(&funded["vault_balance"]), 2_000_000_000);
    let listed = chain.json("other", &["campaign", "list", "--brand", &brand]);
    assert_eq!(listed["count"], 2);
    assert_eq!(
        chain.json("other", &["campaign", "list", "--oracle", &oracle])["count"],
        1
    );
    assert_eq!(
        chain.json("brand", &["campaign", "list", "--mine"])["count"],
        2
    );

    // SOL recipients must be rent exempt.
    for wallet in [&creator, &affiliate] {
        chain.json("other", &["embedded", "airdrop", wallet, "1"]);
    }

    // Oracle: register a video with an affiliate at 10%.
    let registered = chain.json(
        "oracle",
        &[
            "submission",
            "register",
            &address,
            "--video",
            "https://youtu.be/video00001A",
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--creator",
            &creator,
            "--affiliate",
            &affiliate,
            "--affiliate-bps",
            "1000",
        ],
    );
    let submission = registered["address"].as_str().unwrap().to_string();
    let refused = chain.fails(
        "other",
        &[
            "submission",
            "register",
            &address,
            "--video",
            "https://youtu.be/video00002A",
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--creator",
            &creator,
        ],
        3,
    );
    assert!(refused.contains("NotCampaignOracle"), "{refused}");
    let shown = chain.json(
        "other",
        &[
            "submission",
            "show",
            "--campaign",
            &address,
            "--video",
            "https://youtu.be/video00001A",
        ],
    );
    assert_eq!(shown["address"], submission.as_str());
    assert_eq!(shown["affiliate_bps"], 1000);
    assert_eq!(
        chain.json("other", &["submission", "list", &address])["count"],
        1
    );

    // Oracle push: 100,000 views = 0.25 SOL gross: 2.5% fee, 10% commission, the rest to the creator.
    let paid = chain.json(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "100000"],
    );
    assert_eq!(base(&paid["gross"]), 250_000_000);
    assert_eq!(base(&paid["fee"]), 6_250_000);
    assert_eq!(base(&paid["commission"]), 25_000_000);
    assert_eq!(base(&paid["creator_amount"]), 218_750_000);
    // The same report again is stale.
    let stale = chain.fails(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "100000"],
        3,
    );
    assert!(stale.contains("ViewsNotIncreasing"), "{stale}");

    // Creator pull: the oracle attests 150,000 views; only the creator may claim; the sponsor pays the fee.
    let attestation = chain.path("attestation.json");
    let attested = chain.json(
        "oracle",
        &[
            "oracle",
            "attest",
            &submission,
            "--views",
            "150000",
            "--out",
            &attestation,
        ],
    );
    assert_eq!(attested["attestation"]["cumulative_views"], 150000);
    assert_eq!(base(&attested["owed_gross"]), 125_000_000);
    let wrong = chain.fails(
        "other",
        &["creator", "claim", "--attestation", &attestation],
        2,
    );
    assert!(
        wrong.contains(&creator),
        "names the creator wallet: {wrong}"
    );
    let sponsor = chain.keypair_path("sponsor").display().to_string();
    let claimed = chain.json(
        "creator",
        &[
            "creator",
            "claim",
            "--attestation",
            &attestation,
            "--fee-payer",
            &sponsor,
        ],
    );
    assert_eq!(claimed["watermark"], 150000);
    assert_eq!(base(&claimed["gross"]), 125_000_000);
    let replay = chain.fails(
        "creator",
        &["creator", "claim", "--attestation", &attestation],
        3,
    );
    assert!(replay.contains("ViewsNotIncreasing"), "{replay}");
    let status = chain.json("other", &["creator", "status", &creator]);
    assert_eq!(
        base(&status["submissions"][0]["earned"]),
        218_750_000 + 109_375_000
    );
    let status = chain.json("other", &["creator", "status", &affiliate]);
    assert_eq!(status["submissions"][0]["role"], "affiliate");
    assert_eq!(
        base(&status["submissions"][0]["earned"]),
        25_000_000 + 12_500_000
    );

    // Brand: pause, resume, end; no withdrawal inside the settlement window.
    assert_eq!(
        chain.json("brand", &["campaign", "pause", &address])["status"],
        "paused"
    );
    let refused = chain.fails("other", &["campaign", "resume", &address], 3);
    assert!(refused.contains("NotCampaignBrand"), "{refused}");
    assert_eq!(
        chain.json("brand", &["campaign", "resume", &address])["status"],
        "active"
    );
    let ended = chain.json("brand", &["campaign", "end", &address]);
    assert_eq!(ended["status"], "ended");
    assert_eq!(ended["phase"], "settling");
    let early = chain.fails("brand", &["campaign", "withdraw", &address], 3);
    assert!(early.contains("SettlementWindowOpen"), "{early}");
    let close_early = chain.fails("brand", &["campaign", "close", &address], 3);
    assert!(close_early.contains("CampaignNotEmpty"), "{close_early}");

    // Time travel past the window, then withdraw everything left and close.
    let warped = chain.json("other", &["embedded", "warp", "--seconds", "3d"]);
    assert!(
        warped["unix_timestamp"].as_i64().unwrap()
            >= ended["settlement_deadline"].as_i64().unwrap()
    );
    let withdrawn = chain.json("brand", &["campaign", "withdraw", &address]);
    assert_eq!(base(&withdrawn["withdrew"]), 2_000_000_000 - 375_000_000);
    assert_eq!(base(&withdrawn["vault_balance"]), 0);
    assert_eq!(base(&withdrawn["available"]), 0);
    assert_eq!(
        withdrawn["settled"], true,
        "a withdrawal ends the campaign for good"
    );
    assert_eq!(withdrawn["phase"], "over: the brand has withdrawn");
    let refused = chain.fails("brand", &["campaign", "resume", &address], 3);
    assert!(refused.contains("CampaignSettled"), "{refused}");
    let closed = chain.json("brand", &["campaign", "close", &address]);
    assert_eq!(closed["submissions_closed"], 1);
    let gone = chain.fails("other", &["campaign", "show", &address], 5);
    assert!(gone.contains("not found"), "{gone}");
}

#[test]
fn token_campaign_dry_run_insufficient_vault_and_nothing_half_done() {
    let chain = Chain::new();
    chain.init_platform();
    let (oracle, creator) = (chain.pubkey("oracle"), chain.pubkey("creator"));
    let mint = chain.json(
        "brand",
        &[
            "embedded",
            "create-mint",
            "--decimals",
            "6",
            "--amount",
            "1000",
        ],
    );
    let mint_address = mint["mint"].as_str().unwrap().to_string();
    assert_eq!(base(&mint["minted"]["amount"]), 1_000_000_000);

    let campaign = chain.json(
        "brand",
        &[
            "campaign",
            "create",
            "--mint",
            &mint_address,
            "--rate",
            "2.5",
            "--cap",
            "400",
            "--oracle",
            &oracle,
        ],
    );
    let address = campaign["address"].as_str().unwrap().to_string();
    assert_eq!(campaign["asset"], "spl-token");
    assert_eq!(campaign["decimals"], 6);

    // --dry-run simulates and sends nothing.
    let dry = chain.json(
        "brand",
        &["campaign", "fund", &address, "12.5", "--dry-run"],
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["transaction"]["status"], "simulated");
    assert_eq!(
        base(&chain.json("other", &["campaign", "show", &address])["funded"]),
        0
    );

    let funded = chain.json(
        "brand",
        &[
            "campaign",
            "fund",
            &address,
            "12.5",
            "--with-compute-unit-price",
            "1000",
        ],
    );
    assert_eq!(
        funded["funded"],
        serde_json::json!({"ui": "12.5", "base_units": 12_500_000})
    );
    let poor = chain.fails("brand", &["campaign", "fund", &address, "5000"], 3);
    assert!(poor.contains("insufficient funds"), "{poor}");
    chain.fails("brand", &["campaign", "fund", &address, "1.0000001"], 2);

    let submission = chain.json(
        "oracle",
        &[
            "submission",
            "register",
            &address,
            "--video",
            "https://youtu.be/videoTTTTTA",
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--creator",
            &creator,
        ],
    );
    let submission = submission["address"].as_str().unwrap().to_string();
    // 10,000 views = 25 tokens > the 12.5 in the vault: the payout is cut to the 12.5 the vault
    // holds (0.3125 fee, 12.1875 to the creator, whose token account is created on the way) and
    // 12.5 stays owed.
    let partial = chain.json(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "10000"],
    );
    assert_eq!(partial["creator_amount"]["ui"], "12.1875");
    assert_eq!(partial["still_owed"]["ui"], "12.5");
    // The vault is empty now: a second push is refused, and nothing moved.
    let short = chain.fails(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "10000"],
        3,
    );
    assert!(
        short.contains("InsufficientVaultBalance") && short.contains("fund the campaign"),
        "{short}"
    );
    let shown = chain.json("other", &["submission", "show", &submission]);
    assert_eq!(shown["paid_views"], 10_000);
    assert_eq!(base(&shown["paid_gross"]), 12_500_000);
    // Fewer views than the watermark are refused before anything is sent.
    let stale = chain.fails(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "4000"],
        3,
    );
    assert!(stale.contains("ViewsNotIncreasing"), "{stale}");

    // Funded again, the same views collect the shortfall.
    chain.json("brand", &["campaign", "fund", &address, "20"]);
    let rest = chain.json(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "10000"],
    );
    assert_eq!(rest["creator_amount"]["ui"], "12.1875");
    assert_eq!(rest["still_owed"]["ui"], "0");
    let status = chain.json("other", &["creator", "status", &creator]);
    assert_eq!(status["totals"][0]["earned"]["ui"], "24.375");
    assert_eq!(status["totals"][0]["asset"], mint_address.as_str());
}

#[test]
fn errors_a_user_can_act_on_are_one_line_with_an_exit_code() {
    let chain = Chain::new();
    let nowhere = chain.path("missing/id.json");
    let output = chain
        .bare(&["-k", &nowhere, "platform", "show"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "a wrong keypair path is a usage error"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing/id.json"), "{stderr}");

    let unknown = solana_keypair::Keypair::new().pubkey().to_string();
    let missing = chain.fails("admin", &["campaign", "show", &unknown], 5);
    assert!(
        missing.contains(&unknown) && missing.contains("not found"),
        "{missing}"
    );
    chain.fails("admin", &["campaign", "fund", &unknown, "1"], 5);
    chain.fails("admin", &["platform", "show"], 5);

    let unreachable = chain.fails(
        "admin",
        &["-u", "http://127.0.0.1:1", "campaign", "show", &unknown],
        4,
    );
    assert!(unreachable.contains("127.0.0.1:1"), "{unreachable}");
    chain.fails("admin", &["-u", "marsnet", "platform", "show"], 2);
    chain.fails(
        "admin",
        &[
            "embedded",
            "warp",
            "--seconds",
            "1d",
            "-u",
            "http://127.0.0.1:1",
        ],
        2,
    );
    // Malformed arguments are clap's usage errors: exit 2, naming the bad value.
    let output = chain
        .cmd("admin", &["campaign", "show", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not-an-address"));

    // A program ELF that cannot be read is a generic failure (exit 1) naming the file, not an
    // account missing on chain (exit 5).
    let output = chain
        .cmd("admin", &["platform", "show"])
        .env("CLIPSTAKE_PROGRAM_SO", chain.path("nowhere/clipstake.so"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot read the program ELF") && stderr.contains("nowhere/clipstake.so"),
        "{stderr}"
    );

    // An embedded ledger that is not one is named, with what to do, and left as it was.
    let corrupt = chain.dir.path().join("corrupt-ledger.json");
    std::fs::write(&corrupt, b"{ not json").unwrap();
    let output = chain
        .cmd("admin", &["platform", "show"])
        .env("CLIPSTAKE_EMBEDDED_STATE", &corrupt)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("corrupt-ledger.json")
            && stderr.contains("is not a valid embedded ledger")
            && stderr.contains("move it away"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&corrupt).unwrap(), b"{ not json");
}

#[test]
fn the_embedded_default_needs_no_keypair_and_persists_the_chain() {
    // No -k and no ~/.config/solana/id.json: a dev keypair beside the ledger is created and
    // used; the next call sees the same chain.
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = Command::cargo_bin("clipstake")
            .unwrap()
            .current_dir(dir.path())
            .env_clear()
            .env("HOME", dir.path())
            .env("CLIPSTAKE_PROGRAM_SO", program_so())
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let init = run(&["platform", "init"]);
    assert!(dir.path().join(".clipstake/embedded-ledger.json").is_file());
    assert!(dir.path().join(".clipstake/id.json").is_file());
    let status = run(&["embedded", "status"]);
    assert_eq!(status["platform_initialised"], true);
    assert_eq!(status["signer"], init["admin"]);
    assert_eq!(status["upgrade_authority"], init["admin"]);
    let before = status["unix_timestamp"].as_i64().unwrap();
    run(&["embedded", "warp", "--seconds", "2h"]);
    let after = run(&["embedded", "status"])["unix_timestamp"]
        .as_i64()
        .unwrap();
    assert!(
        after >= before + 7_200,
        "the warp persisted: {before} -> {after}"
    );
}

#[test]
fn demo_conserves_every_token() {
    let chain = Chain::new();
    let demo = chain.json("admin", &["demo"]);
    assert_eq!(demo["conserved"], true, "{demo:#}");
    for check in [
        "balances_sum_to_funded",
        "books_match_balances",
        "every_payout_split_exactly",
        "refusals_as_expected",
        "views_tracked",
    ] {
        assert_eq!(demo["checks"][check], true, "{check}: {demo:#}");
    }
    assert_eq!(demo["creators"], 12);
    // Every round's 12 videos were read in one batched request to the local stand-in source.
    let tracking = &demo["tracking"];
    assert_eq!(
        (tracking["requests"].as_u64(), tracking["accepted"].as_u64()),
        (Some(4), Some(48))
    );
    let funded = base(&demo["funded"]);
    let paid = &demo["paid"];
    assert_eq!(
        base(&demo["vault_remaining"])
            + base(&paid["creators"])
            + base(&paid["affiliates"])
            + base(&paid["treasury"])
            + base(&demo["withdrawn"]),
        funded
    );
    assert!(base(&demo["withdrawn"]) > 0 && base(&paid["affiliates"]) > 0);
    assert_eq!(
        demo["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["claimed"] == true)
            .count(),
        1
    );

    // Human output: the table and the conservation line; a second run reuses the platform.
    let output = chain
        .cmd(
            "admin",
            &["demo", "--asset", "sol", "--creators", "4", "--rounds", "2"],
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("Who got what") && text.contains("treasury"),
        "{text}"
    );
    assert!(
        text.contains("conservation:") && text.contains("conserved"),
        "{text}"
    );
    assert!(!text.contains("NOT CONSERVED"), "{text}");
}

#[test]
fn demo_on_token_2022_conserves() {
    let chain = Chain::new();
    let demo = chain.json(
        "admin",
        &[
            "demo",
            "--asset",
            "token-2022",
            "--creators",
            "5",
            "--rounds",
            "3",
        ],
    );
    assert_eq!(demo["asset"], "token-2022");
    assert_eq!(demo["conserved"], true, "{demo:#}");
}

#[test]
fn the_solana_cli_config_names_the_default_keypair() {
    // Without -k, the signer is `keypair_path` of ~/.config/solana/cli/config.yml.
    let chain = Chain::new();
    let config_dir = chain.dir.path().join(".config/solana/cli");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.yml"),
        format!(
            "---\njson_rpc_url: http://localhost:8899\nkeypair_path: {}\ncommitment: confirmed\n",
            chain.keypair_path("brand").display()
        ),
    )
    .unwrap();
    let output = chain
        .bare(&["embedded", "status", "--output", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let status: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status["signer"], chain.pubkey("brand"));
    // -k still wins, and -u is not taken from the config: the embedded chain stays the default.
    assert_eq!(
        chain.json("oracle", &["embedded", "status"])["signer"],
        chain.pubkey("oracle")
    );
    assert_eq!(status["embedded"], true);
}

/// A live SOL campaign with `oracle` as its oracle, two registered videos paid once by
/// `oracle run` through an address lookup table. Returns the campaign's address.
fn campaign_paid_through_a_lookup_table(chain: &Chain) -> String {
    chain.init_platform();
    let address = create_sol_campaign(chain, &chain.pubkey("oracle"))["address"]
        .as_str()
        .unwrap()
        .to_string();
    chain.json("brand", &["campaign", "fund", &address, "2"]);
    for role in ["creator", "affiliate"] {
        // SOL recipients must be rent exempt.
        chain.json("other", &["embedded", "airdrop", &chain.pubkey(role), "1"]);
        chain.json(
            "oracle",
            &[
                "submission",
                "register",
                &address,
                "--video",
                &format!("https://youtu.be/{role:_<10}A"),
                "--account",
                "UCuAXFkgsw1L7xaCfnd5JJOw",
                "--creator",
                &chain.pubkey(role),
            ],
        );
    }
    report_views(chain, &address, 100_000, 60);
    let run = chain.json("oracle", &["oracle", "run"]);
    assert_eq!(
        (run["paid"].as_u64(), run["failed"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(run["lookup_tables"], 1, "{run}");
    address
}

/// Ingests a report of `views` for both videos, observed `after` seconds from now.
fn report_views(chain: &Chain, campaign: &str, views: u64, after: u64) {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + after;
    let lines: String = ["creator", "affiliate"]
        .iter()
        .map(|role| {
            format!(
                "{{\"video\":\"https://youtu.be/{role:_<10}A\",\"views\":{views},\"observed_at\":{at}}}\n"
            )
        })
        .collect();
    let report = chain.path(&format!("views-{at}.jsonl"));
    std::fs::write(&report, lines).unwrap();
    let ingested = chain.json(
        "oracle",
        &["oracle", "ingest", &report, "--campaign", campaign],
    );
    assert_eq!(ingested["accepted"], 2, "{ingested}");
}

/// What `oracle close-tables` did with the first table it listed.
fn first_action(report: &Value) -> &str {
    report["tables"][0]["action"].as_str().unwrap_or_default()
}

fn only_table(chain: &Chain) -> Value {
    let listed = chain.json("oracle", &["oracle", "tables"]);
    let tables = listed["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 1, "{listed}");
    tables[0].clone()
}

#[test]
fn oracle_lookup_table_rent_comes_back_after_the_campaign_closes() {
    let chain = Chain::new();
    let campaign = campaign_paid_through_a_lookup_table(&chain);
    let table = only_table(&chain);
    assert_eq!(table["status"], "active");
    assert_eq!(table["campaign"], campaign.as_str());
    let rent = table["lamports"].as_u64().unwrap();
    assert!(rent > 0);
    assert_eq!(
        chain.json("other", &["oracle", "tables"])["tables"],
        serde_json::json!([]),
        "tables are found by their authority: another keypair owns none"
    );

    // Refused while the campaign is open: its next run would need new tables.
    let open = chain.fails(
        "oracle",
        &["oracle", "close-tables", "--campaign", &campaign],
        2,
    );
    assert!(open.contains("still open"), "{open}");

    // The brand settles and closes the campaign.
    chain.json("brand", &["campaign", "end", &campaign]);
    chain.json("other", &["embedded", "warp", "--seconds", "3d"]);
    chain.json("brand", &["campaign", "withdraw", &campaign]);
    chain.json("brand", &["campaign", "close", &campaign]);

    // A dry run only simulates.
    let dry = chain.json(
        "oracle",
        &[
            "--dry-run",
            "oracle",
            "close-tables",
            "--campaign",
            &campaign,
        ],
    );
    assert!(first_action(&dry).starts_with("would deactivate"), "{dry}");
    assert_eq!(only_table(&chain)["status"], "active");

    let deactivated = chain.json(
        "oracle",
        &["oracle", "close-tables", "--campaign", &campaign],
    );
    assert!(
        first_action(&deactivated).starts_with("deactivated"),
        "{deactivated}"
    );
    assert_eq!(deactivated["cooling_down"], 1);
    let cooling = only_table(&chain);
    assert!(
        cooling["status"]
            .as_str()
            .unwrap()
            .starts_with("cooling down"),
        "{cooling}"
    );
    // Deactivating again changes nothing; closing is refused by the cool-down, so not tried.
    let early = chain.json(
        "oracle",
        &["oracle", "close-tables", "--campaign", &campaign],
    );
    assert_eq!(early["reclaimed_lamports"], 0);
    assert!(early["tables"][0]["transaction"].is_null(), "{early}");

    // 512 slots later (5 minutes at 400 ms), the rent goes to the recipient, to the lamport.
    chain.json("other", &["embedded", "warp", "--seconds", "5m"]);
    assert_eq!(only_table(&chain)["status"], "closable");
    let before = chain.json("sponsor", &["embedded", "status"])["signer_lamports"]
        .as_u64()
        .unwrap();
    let closed = chain.json(
        "oracle",
        &[
            "oracle",
            "close-tables",
            "--recipient",
            &chain.pubkey("sponsor"),
        ],
    );
    assert_eq!(
        closed["reclaimed_lamports"].as_u64(),
        Some(rent),
        "{closed}"
    );
    let after = chain.json("sponsor", &["embedded", "status"])["signer_lamports"]
        .as_u64()
        .unwrap();
    assert_eq!(after - before, rent);
    assert_eq!(
        chain.json("oracle", &["oracle", "tables"])["tables"],
        serde_json::json!([])
    );
    // Nothing left to do: a second call is a no-op.
    let again = chain.json("oracle", &["oracle", "close-tables"]);
    assert_eq!(again["tables"], serde_json::json!([]));
}

#[test]
fn oracle_close_tables_reclaims_a_table_the_ledger_never_recorded() {
    let chain = Chain::new();
    let campaign = campaign_paid_through_a_lookup_table(&chain);
    let address = only_table(&chain)["address"].as_str().unwrap().to_string();
    // What a creation landing after a restarted run had forgotten the table leaves.
    let db = rusqlite::Connection::open(chain.dir.path().join(".clipstake/oracle.sqlite")).unwrap();
    assert_eq!(
        db.execute("DELETE FROM lookup_tables WHERE address = ?1", [&address])
            .unwrap(),
        1
    );
    let orphan = only_table(&chain);
    assert!(orphan["campaign"].is_null(), "{orphan}");

    // Without --unrecorded an active table is only listed.
    let kept = chain.json("oracle", &["oracle", "close-tables"]);
    assert_eq!(kept["tables"][0]["action"], "kept (active)");
    assert_eq!(only_table(&chain)["status"], "active");

    let deactivated = chain.json("oracle", &["oracle", "close-tables", "--unrecorded"]);
    assert!(
        first_action(&deactivated).starts_with("deactivated"),
        "{deactivated}"
    );

    // The oracle goes on: the next run makes a new table for the campaign and pays.
    report_views(&chain, &campaign, 200_000, 120);
    let run = chain.json("oracle", &["oracle", "run"]);
    assert_eq!(
        (run["paid"].as_u64(), run["failed"].as_u64()),
        (Some(2), Some(0)),
        "{run}"
    );
    let listed = chain.json("oracle", &["oracle", "tables"]);
    let statuses: Vec<&str> = listed["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 2, "{listed}");
    assert!(statuses.contains(&"active"), "{listed}");
}

#[test]
fn oracle_run_every_keeps_paying_what_is_reported_meanwhile() {
    let chain = Chain::new();
    let campaign = campaign_paid_through_a_lookup_table(&chain);
    report_views(&chain, &campaign, 120_000, 120);
    let output = chain
        .cmd(
            "oracle",
            &[
                "--output", "json", "oracle", "run", "--every", "1", "--rounds", "2",
            ],
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // One JSON line per round as it ends, then the totals.
    let documents: Vec<Value> = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(documents.len(), 3, "{documents:?}");
    assert_eq!(
        (
            documents[0]["round"].as_u64(),
            documents[0]["paid"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(
        (
            documents[1]["round"].as_u64(),
            documents[1]["paid"].as_u64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(documents[2]["rounds"], 2);
    assert_eq!(documents[2]["paid"], 2);

    // Something new is owed but no round reaches the chain: each says so on stderr, and the
    // exit code is the network's.
    report_views(&chain, &campaign, 140_000, 180);
    let output = chain
        .cmd(
            "oracle",
            &[
                "-u",
                "http://127.0.0.1:1",
                "oracle",
                "run",
                "--every",
                "1",
                "--rounds",
                "2",
            ],
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("round 1: ") && stderr.contains("round 2: "),
        "{stderr}"
    );
    assert!(
        stderr.lines().last().unwrap().starts_with("error: "),
        "{stderr}"
    );
    // Nothing was lost: back on the chain, the next run pays it.
    let run = chain.json("oracle", &["oracle", "run"]);
    assert_eq!(run["paid"], 2, "{run}");
}

/// `campaign create` in native SOL by `brand` with `oracle` (a pubkey), 3-day window.
fn create_args<'a>(oracle: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "campaign", "create", "--rate", "0.0025", "--cap", "0.4", "--oracle", oracle,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn oracles_are_registered_listed_and_revoked_for_good() {
    let chain = Chain::new();
    let (admin, oracle) = (chain.pubkey("admin"), chain.pubkey("oracle"));
    let init = chain.json("admin", &["platform", "init"]);
    assert_eq!(
        init["oracle_registered"],
        admin.as_str(),
        "the signer by default"
    );
    let listed = chain.json("other", &["platform", "oracle", "list"]);
    assert_eq!(
        (listed["count"].as_u64(), listed["active"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(listed["oracles"][0]["oracle"], admin.as_str());

    // An unregistered oracle is refused before anything is sent, saying how to register it.
    let refused = chain.fails("brand", &create_args(&oracle, &[]), 3);
    assert!(refused.contains("OracleNotRegistered"), "{refused}");
    assert!(
        refused.contains(&format!("clipstake platform oracle add {oracle}")),
        "{refused}"
    );
    let default = chain.fails(
        "brand",
        &["campaign", "create", "--rate", "1", "--cap", "2"],
        3,
    );
    assert!(
        default.contains("OracleNotRegistered") && default.contains("the default: the signer"),
        "{default}"
    );

    // Only the admin registers; twice is a usage error.
    let refused = chain.fails("other", &["platform", "oracle", "add", &oracle], 3);
    assert!(refused.contains("NotPlatformAdmin"), "{refused}");
    let added = chain.json("admin", &["platform", "oracle", "add", &oracle]);
    assert_eq!(
        (added["oracle"].as_str(), added["active"].as_bool()),
        (Some(oracle.as_str()), Some(true))
    );
    assert_eq!(added["revoked_at"], Value::Null);
    let again = chain.fails("admin", &["platform", "oracle", "add", &oracle], 2);
    assert!(again.contains("already registered"), "{again}");
    assert_eq!(
        chain.json("other", &["platform", "oracle", "list"])["active"],
        2
    );

    let campaign = chain.json("brand", &create_args(&oracle, &[]));
    let address = campaign["address"].as_str().unwrap().to_string();
    assert_eq!(campaign["oracle"], oracle.as_str());

    // Revoked for good: listed as such, never registered again, named by no new campaign.
    let revoked = chain.json("admin", &["platform", "oracle", "revoke", &oracle]);
    assert_eq!(revoked["active"], false);
    assert!(revoked["revoked_at"].is_i64(), "{revoked}");
    assert_eq!(revoked["campaigns_naming_it"], serde_json::json!([address]));
    let twice = chain.fails("admin", &["platform", "oracle", "revoke", &oracle], 2);
    assert!(twice.contains("already revoked"), "{twice}");
    let revived = chain.fails("admin", &["platform", "oracle", "add", &oracle], 2);
    assert!(
        revived.contains("revoked") && revived.contains("never be registered again"),
        "{revived}"
    );
    let unknown = Keypair::new().pubkey().to_string();
    chain.fails("admin", &["platform", "oracle", "revoke", &unknown], 5);
    let listed = chain.json("other", &["platform", "oracle", "list"]);
    assert_eq!(
        (listed["count"].as_u64(), listed["active"].as_u64()),
        (Some(2), Some(1))
    );
    let entry = listed["oracles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["oracle"] == oracle.as_str())
        .unwrap();
    assert_eq!(entry["active"], false);
    let text = chain
        .cmd("other", &["platform", "oracle", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("revoked") && text.contains(&oracle), "{text}");
    let refused = chain.fails("brand", &create_args(&oracle, &[]), 3);
    assert!(refused.contains("OracleRevoked"), "{refused}");

    // The program refuses the revoked oracle's registrations too.
    let creator = chain.pubkey("creator");
    let register = [
        "submission",
        "register",
        &address,
        "--video",
        "https://youtu.be/videoRRRRRA",
        "--account",
        "UCuAXFkgsw1L7xaCfnd5JJOw",
        "--creator",
        &creator,
    ];
    let refused = chain.fails("oracle", &register, 3);
    assert!(refused.contains("OracleRevoked"), "{refused}");

    // Only the admin re-points a campaign, and only to a registered oracle.
    let refused = chain.fails(
        "brand",
        &["campaign", "set-oracle", &address, "--oracle", &admin],
        3,
    );
    assert!(refused.contains("NotPlatformAdmin"), "{refused}");
    let refused = chain.fails(
        "admin",
        &["campaign", "set-oracle", &address, "--oracle", &unknown],
        3,
    );
    assert!(refused.contains("OracleNotRegistered"), "{refused}");
    let repointed = chain.json(
        "admin",
        &["campaign", "set-oracle", &address, "--oracle", &admin],
    );
    assert_eq!(repointed["oracle"], admin.as_str());
    assert_eq!(repointed["previous_oracle"], oracle.as_str());
    let registered = chain.json("admin", &register);
    assert_eq!(registered["campaign"], address.as_str());
}

#[test]
fn init_without_an_oracle_and_the_platform_limits() {
    let chain = Chain::new();
    let init = chain.json(
        "admin",
        &[
            "platform",
            "init",
            "--no-oracle",
            "--min-settlement-window",
            "2d",
            "--max-attestation-lifetime",
            "1h",
        ],
    );
    assert_eq!(init["oracle_registered"], Value::Null);
    assert_eq!(init["min_settlement_window_secs"], 2 * 86_400);
    assert_eq!(init["max_attestation_lifetime_secs"], 3_600);
    assert_eq!(
        chain.json("other", &["platform", "oracle", "list"])["count"],
        0
    );
    chain.json(
        "admin",
        &["platform", "oracle", "add", &chain.pubkey("oracle")],
    );
    let oracle = chain.pubkey("oracle");

    // A window below the platform's minimum is a usage error; the default follows the minimum.
    let short = chain.fails(
        "brand",
        &create_args(&oracle, &["--settlement-window", "1d"]),
        2,
    );
    assert!(
        short.contains("shorter than the platform's minimum of 2d"),
        "{short}"
    );
    let campaign = chain.json("brand", &create_args(&oracle, &[]));
    assert_eq!(campaign["settlement_window_secs"], 3 * 86_400);
    let updated = chain.json(
        "admin",
        &["platform", "update", "--min-settlement-window", "4d"],
    );
    assert_eq!(updated["min_settlement_window_secs"], 4 * 86_400);
    let longer = chain.json("brand", &create_args(&oracle, &[]));
    assert_eq!(longer["settlement_window_secs"], 4 * 86_400);
    let zero = chain
        .cmd(
            "admin",
            &["platform", "update", "--max-attestation-lifetime", "0"],
        )
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2), "clap refuses a zero duration");
    assert!(String::from_utf8_lossy(&zero.stderr).contains("above zero"));

    // Attestations cannot outlive the platform's maximum.
    let address = campaign["address"].as_str().unwrap().to_string();
    chain.json(
        "other",
        &["embedded", "airdrop", &chain.pubkey("creator"), "1"],
    );
    let registered = chain.json(
        "oracle",
        &[
            "submission",
            "register",
            &address,
            "--video",
            "https://youtu.be/videoLLLLLA",
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--creator",
            &chain.pubkey("creator"),
        ],
    );
    let submission = registered["address"].as_str().unwrap();
    let long = chain.fails(
        "oracle",
        &[
            "oracle",
            "attest",
            submission,
            "--views",
            "10",
            "--expires-in",
            "2h",
        ],
        2,
    );
    assert!(
        long.contains("maximum attestation lifetime of 1h"),
        "{long}"
    );
    chain.json(
        "oracle",
        &[
            "oracle",
            "attest",
            submission,
            "--views",
            "10",
            "--expires-in",
            "30m",
        ],
    );
}

#[test]
fn the_admin_changes_in_two_steps() {
    let chain = Chain::new();
    chain.init_platform();
    let (admin, other) = (chain.pubkey("admin"), chain.pubkey("other"));
    let proposed = chain.json("admin", &["platform", "update", "--admin", &other]);
    assert_eq!(
        proposed["admin"],
        admin.as_str(),
        "a proposal changes nothing yet"
    );
    assert_eq!(proposed["pending_admin"], other.as_str());
    let output = chain
        .cmd("admin", &["platform", "update", "--admin", &other])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("platform accept-admin"),
        "the output says how the proposal completes"
    );
    let wrong = chain.fails("brand", &["platform", "accept-admin"], 2);
    assert!(wrong.contains(&other), "names the proposed key: {wrong}");

    let accepted = chain.json("other", &["platform", "accept-admin"]);
    assert_eq!(accepted["admin"], other.as_str());
    assert_eq!(accepted["previous_admin"], admin.as_str());
    assert_eq!(accepted["pending_admin"], Value::Null);
    let refused = chain.fails("admin", &["platform", "update", "--fee-bps", "100"], 3);
    assert!(refused.contains("NotPlatformAdmin"), "{refused}");
    assert_eq!(
        chain.json("other", &["platform", "update", "--fee-bps", "100"])["fee_bps"],
        100
    );

    // A proposal can be withdrawn; then there is nothing to accept.
    let sponsor = chain.pubkey("sponsor");
    chain.json("other", &["platform", "update", "--admin", &sponsor]);
    let cancelled = chain.json("other", &["platform", "update", "--cancel-admin"]);
    assert_eq!(cancelled["pending_admin"], Value::Null);
    let nothing = chain.fails("sponsor", &["platform", "accept-admin"], 2);
    assert!(nothing.contains("no admin change is pending"), "{nothing}");
    chain.fails("other", &["platform", "update", "--admin", &other], 2);
}

#[test]
fn a_trusted_issuer_lets_a_freezable_mint_in() {
    let chain = Chain::new();
    chain.init_platform();
    let oracle = chain.pubkey("oracle");
    let mint = chain.json(
        "brand",
        &[
            "embedded",
            "create-mint",
            "--enable-freeze",
            "--amount",
            "100",
        ],
    );
    assert_eq!(mint["freeze_authority"], chain.pubkey("brand").as_str());
    let mint = mint["mint"].as_str().unwrap().to_string();
    let create = [
        "campaign", "create", "--mint", &mint, "--rate", "1", "--cap", "10", "--oracle", &oracle,
    ];
    let refused = chain.fails("brand", &create, 3);
    assert!(refused.contains("MintFreezeAuthority"), "{refused}");
    assert!(
        refused.contains(&format!("clipstake platform trust-mint {mint}")),
        "{refused}"
    );

    let refused = chain.fails("other", &["platform", "trust-mint", &mint], 3);
    assert!(refused.contains("NotPlatformAdmin"), "{refused}");
    let trusted = chain.json("admin", &["platform", "trust-mint", &mint]);
    assert_eq!(
        (trusted["mint"].as_str(), trusted["trusted"].as_bool()),
        (Some(mint.as_str()), Some(true))
    );
    chain.fails("admin", &["platform", "trust-mint", &mint], 2);
    let listed = chain.json("other", &["platform", "trusted-mints"]);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["mints"][0]["mint"], mint.as_str());
    assert_eq!(
        listed["mints"][0]["rent_payer"],
        chain.pubkey("admin").as_str()
    );

    let campaign = chain.json("brand", &create);
    assert_eq!(campaign["mint_trusted"], true);
    let address = campaign["address"].as_str().unwrap().to_string();
    let output = chain
        .cmd("other", &["campaign", "show", &address])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("mint trusted") && text.contains("settled"),
        "{text}"
    );

    // Distrusted: new campaigns are refused again, the existing one keeps its terms.
    let distrusted = chain.json("admin", &["platform", "distrust-mint", &mint]);
    assert_eq!(distrusted["trusted"], false);
    assert_eq!(
        distrusted["rent_returned_to"],
        chain.pubkey("admin").as_str()
    );
    assert_eq!(
        chain.json("other", &["platform", "trusted-mints"])["count"],
        0
    );
    chain.fails("admin", &["platform", "distrust-mint", &mint], 5);
    let refused = chain.fails("brand", &create, 3);
    assert!(refused.contains("MintFreezeAuthority"), "{refused}");
    assert_eq!(
        chain.json("other", &["campaign", "show", &address])["mint_trusted"],
        true
    );
    chain.json("brand", &["campaign", "fund", &address, "10"]);
}

#[test]
fn an_undeliverable_commission_accrues_and_anyone_delivers_it() {
    let chain = Chain::new();
    chain.init_platform();
    let (creator, affiliate) = (chain.pubkey("creator"), chain.pubkey("affiliate"));
    let address = create_sol_campaign(&chain, &chain.pubkey("oracle"))["address"]
        .as_str()
        .unwrap()
        .to_string();
    chain.json("brand", &["campaign", "fund", &address, "1"]);
    chain.json("other", &["embedded", "airdrop", &creator, "1"]);
    // The affiliate wallet does not exist: 0.00025 SOL would leave it below rent exemption.
    let registered = chain.json(
        "oracle",
        &[
            "submission",
            "register",
            &address,
            "--video",
            "https://youtu.be/videoAAAAAA",
            "--account",
            "UCuAXFkgsw1L7xaCfnd5JJOw",
            "--creator",
            &creator,
            "--affiliate",
            &affiliate,
            "--affiliate-bps",
            "1000",
        ],
    );
    let submission = registered["address"].as_str().unwrap().to_string();
    let paid = chain.json(
        "oracle",
        &["oracle", "disburse", &submission, "--views", "1000"],
    );
    assert_eq!(base(&paid["gross"]), 2_500_000);
    assert_eq!(base(&paid["commission"]), 250_000);
    assert_eq!(base(&paid["commission_accrued"]), 250_000);
    let shown = chain.json("other", &["campaign", "show", &address]);
    assert_eq!(base(&shown["commissions_accrued"]), 250_000);
    assert_eq!(base(&shown["commissions_paid"]), 0);
    assert_eq!(
        base(&chain.json("other", &["submission", "show", &submission])["commission_accrued"]),
        250_000
    );
    let status = chain.json("other", &["creator", "status", &affiliate]);
    assert_eq!(base(&status["submissions"][0]["accrued"]), 250_000);
    let output = chain
        .cmd("other", &["campaign", "show", &address])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("commissions accrued") && text.contains("campaign settle-accrued"),
        "{text}"
    );
    let still = chain.fails("other", &["campaign", "settle-accrued", &address], 3);
    assert!(still.contains("Recipient"), "{still}");

    // The brand withdraws everything but what is owed; the campaign cannot close until it is
    // delivered.
    chain.json("brand", &["campaign", "end", &address]);
    chain.json("other", &["embedded", "warp", "--seconds", "3d"]);
    let withdrawn = chain.json("brand", &["campaign", "withdraw", &address]);
    assert_eq!(base(&withdrawn["withdrew"]), 1_000_000_000 - 2_500_000);
    assert_eq!(withdrawn["settled"], true);
    let refused = chain.fails("brand", &["campaign", "close", &address], 3);
    assert!(
        refused.contains("AccruedStillOwed") && refused.contains("settle-accrued"),
        "{refused}"
    );

    chain.json("other", &["embedded", "airdrop", &affiliate, "1"]);
    let settled = chain.json("other", &["campaign", "settle-accrued", &address]);
    assert_eq!(settled["delivered"][0]["role"], "affiliate");
    assert_eq!(settled["delivered"][0]["recipient"], affiliate.as_str());
    assert_eq!(base(&settled["delivered"][0]["amount"]), 250_000);
    assert_eq!(base(&settled["commissions_accrued"]), 0);
    assert_eq!(base(&settled["commissions_paid"]), 250_000);
    let nothing = chain.fails(
        "other",
        &[
            "campaign",
            "settle-accrued",
            &address,
            "--submission",
            &submission,
        ],
        3,
    );
    assert!(nothing.contains("NothingAccrued"), "{nothing}");
    assert_eq!(
        chain.json("brand", &["campaign", "close", &address])["closed"],
        true
    );
}

/// A multisig admin (a Squads vault) cannot sign with `-k`: `--multisig <VAULT>` prints the
/// instructions, the vault as signer and payer, for a vault-transaction proposal, and sends
/// nothing. They are exactly what the library builds for that vault.
#[test]
fn a_multisig_admin_gets_instructions_to_propose_instead_of_a_transaction() {
    use base64::Engine;
    let chain = Chain::new();
    chain.init_platform();
    let vault = chain.pubkey("other");
    let candidate = solana_keypair::Keypair::new().pubkey().to_string();
    let proposal = chain.json(
        "brand",
        &[
            "--multisig",
            &vault,
            "platform",
            "oracle",
            "add",
            &candidate,
        ],
    );
    assert_eq!(
        (proposal["multisig"].as_str(), proposal["sent"].as_bool()),
        (Some(vault.as_str()), Some(false))
    );
    let printed = &proposal["instructions"][0];
    let expected = clipstake_sdk::instructions::add_oracle(
        &vault.parse().unwrap(),
        &vault.parse().unwrap(),
        &candidate.parse().unwrap(),
    );
    assert_eq!(printed["program_id"], expected.program_id.to_string());
    let data = base64::engine::general_purpose::STANDARD
        .decode(printed["data_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, expected.data);
    let metas: Vec<(String, bool, bool)> = printed["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["pubkey"].as_str().unwrap().to_string(),
                m["is_signer"].as_bool().unwrap(),
                m["is_writable"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected_metas: Vec<(String, bool, bool)> = expected
        .accounts
        .iter()
        .map(|m| (m.pubkey.to_string(), m.is_signer, m.is_writable))
        .collect();
    assert_eq!(metas, expected_metas);
    // Nothing was sent: the candidate is not registered.
    let listed = chain.json("other", &["platform", "oracle", "list"]);
    let registered: Vec<&str> = listed["oracles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["oracle"].as_str())
        .collect();
    assert!(!registered.contains(&candidate.as_str()), "{listed}");
}

#[test]
fn signers_come_from_a_file_stdin_or_a_bare_address() {
    let chain = Chain::new();
    let brand = chain.pubkey("brand");
    let path = chain.keypair_path("brand").display().to_string();
    let status = |source: &str, stdin: Vec<u8>| {
        let output = chain
            .bare(&["-k", source, "embedded", "status", "--output", "json"])
            .write_stdin(stdin)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "-k {source}: {stderr}");
        serde_json::from_slice::<Value>(&output.stdout).unwrap()["signer"].clone()
    };
    // A bare public key is enough where only the signer's address is needed.
    assert_eq!(status(&brand, Vec::new()), brand);
    // `stdin`: the keypair file's JSON on standard input; `file:` names a file explicitly.
    assert_eq!(status("stdin", std::fs::read(&path).unwrap()), brand);
    assert_eq!(status(&format!("file:{path}"), Vec::new()), brand);

    // A command that signs refuses an address, and a hardware wallet is refused with the
    // reason; both are usage errors (exit 2) that send nothing.
    let refused = chain
        .bare(&["-k", &brand, "platform", "init"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("is an address, not a keypair"),
        "{message}"
    );
    let usb = chain
        .bare(&["-k", "usb://ledger", "embedded", "status"])
        .output()
        .unwrap();
    assert_eq!(usb.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usb.stderr).contains("hardware wallets"));
}
