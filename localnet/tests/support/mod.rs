//! Test support: a `clipstake-localnet` child process on free loopback ports, keypair files,
//! and the `clipstake` binary pointed at it with `--url`.
#![allow(dead_code)]

pub mod timed;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clipstake_client::backend::rpc::RpcBackend;
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::{Keypair, read_keypair_file, write_keypair_file};
use solana_signer::Signer;

/// The program ELF the tests deploy.
pub fn program_so() -> PathBuf {
    let path = std::env::var_os("CLIPSTAKE_PROGRAM_SO").map_or_else(
        || {
            Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
                .join("../target/deploy/clipstake.so")
        },
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing: build the program with `make build`",
        path.display()
    );
    path
}

/// The `clipstake` CLI, built beside this crate's binary by `cargo test --workspace`.
pub fn clipstake_bin() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_clipstake-localnet")).with_file_name("clipstake");
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (or `make test`)",
        path.display()
    );
    path
}

/// A running validator with the program deployed, and a directory of named keypairs.
pub struct Localnet {
    child: Option<Child>,
    /// Its JSON-RPC URL.
    pub url: String,
    /// Keypairs and scratch files.
    pub dir: tempfile::TempDir,
}

impl Localnet {
    /// Starts a validator whose upgrade authority is `admin`, funding every role in `funded`
    /// (and creating keypair files for `unfunded`), with `slot_ms` slots.
    pub fn start(funded: &[&str], unfunded: &[&str], slot_ms: u64) -> Localnet {
        let dir = tempfile::tempdir().expect("tempdir");
        for role in funded.iter().chain(unfunded).chain(["admin"].iter()) {
            let path = dir.path().join(format!("{role}.json"));
            if !path.exists() {
                write_keypair_file(&Keypair::new(), &path).expect("keypair file");
            }
        }
        let ready = dir.path().join("ready");
        let mut command = Command::new(env!("CARGO_BIN_EXE_clipstake-localnet"));
        command
            .arg("--program")
            .arg(program_so())
            .arg("--upgrade-authority")
            .arg(dir.path().join("admin.json"))
            .args(["--rpc-port", "0", "--ws-port", "0"])
            .args(["--slot-time-ms", &slot_ms.to_string()])
            .arg("--ready-file")
            .arg(&ready)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for role in funded.iter().chain(["admin"].iter()) {
            command.args([
                "--airdrop",
                &pubkey_of(&dir.path().join(format!("{role}.json"))),
            ]);
        }
        let mut child = command.spawn().expect("clipstake-localnet starts");
        let deadline = Instant::now() + Duration::from_secs(90);
        let url = loop {
            if let Ok(url) = std::fs::read_to_string(&ready) {
                break url;
            }
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("clipstake-localnet exited before it was ready: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "clipstake-localnet was not ready in 90 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Localnet {
            child: Some(child),
            url,
            dir,
        }
    }

    /// The keypair file of `role`.
    pub fn keypair_path(&self, role: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{role}.json"));
        if !path.exists() {
            write_keypair_file(&Keypair::new(), &path).expect("keypair file");
        }
        path
    }

    /// The keypair of `role`.
    pub fn keypair(&self, role: &str) -> Keypair {
        read_keypair_file(self.keypair_path(role)).expect("keypair")
    }

    /// The address of `role`.
    pub fn pubkey(&self, role: &str) -> String {
        self.keypair(role).pubkey().to_string()
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// An RPC client at `commitment`, for reading results back.
    pub fn rpc(&self, commitment: CommitmentConfig) -> RpcBackend {
        RpcBackend::new(&self.url, commitment)
    }

    /// `clipstake -u <url> -k <role> <args>`.
    pub fn cmd(&self, role: &str, args: &[&str]) -> Command {
        let mut command = Command::new(clipstake_bin());
        command
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .args(["-u", &self.url, "--commitment", "confirmed", "-k"])
            .arg(self.keypair_path(role))
            .args(args);
        command
    }

    /// Runs with `--output json`, expects success, parses stdout.
    pub fn json(&self, role: &str, args: &[&str]) -> Value {
        let output = self
            .cmd(role, args)
            .args(["--output", "json"])
            .output()
            .expect("clipstake runs");
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

    /// Runs, expects exit `code`, returns stderr.
    pub fn fails(&self, role: &str, args: &[&str], code: i32) -> String {
        let output = self.cmd(role, args).output().expect("clipstake runs");
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(
            output.status.code(),
            Some(code),
            "clipstake {args:?}: expected exit {code}\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&output.stdout)
        );
        stderr
    }

    /// `clipstake oracle ingest <report> --campaign <campaign>` into `ledger_db`, as the
    /// oracle; every report must be accepted.
    pub fn ingest(&self, report: &str, campaign: &str, ledger_db: &str, expected: usize) -> Value {
        let ingested = self.json(
            "oracle",
            &[
                "oracle",
                "ingest",
                report,
                "--campaign",
                campaign,
                "--spike-multiple",
                "1000000",
                "--ledger-db",
                ledger_db,
            ],
        );
        assert_eq!(ingested["accepted"], expected, "{ingested}");
        ingested
    }

    /// Stops the validator with SIGTERM, as a user's Ctrl-C would, and returns how it exited.
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        terminate(&mut child)
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child);
        }
    }
}

fn terminate(child: &mut Child) -> ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn pubkey_of(path: &Path) -> String {
    read_keypair_file(path)
        .expect("keypair")
        .pubkey()
        .to_string()
}

/// A base-unit amount from the CLI's JSON (`{"base_units": 123, "ui": "0.000123"}`).
pub fn base(value: &Value) -> u64 {
    value["base_units"]
        .as_u64()
        .unwrap_or_else(|| panic!("not an amount: {value}"))
}

/// A funded SOL campaign with registered videos and one accepted view report each, in an
/// oracle ledger: ready for `oracle run`.
pub struct ReadyCampaign {
    /// The campaign.
    pub address: anchor_lang::prelude::Pubkey,
    /// The oracle's SQLite ledger.
    pub ledger_db: String,
    /// Lamports in the vault before any payout.
    pub vault_start: u64,
    /// Each submission and the views reported for it.
    pub reported: Vec<(anchor_lang::prelude::Pubkey, u64)>,
    /// Each submission's creator, in the order of `reported`.
    pub creators: Vec<Keypair>,
    videos: Vec<String>,
    observed_at: i64,
    rate: u64,
    cap: u64,
}

impl ReadyCampaign {
    /// The gross owed to video `i` for its report.
    pub fn gross(&self, i: usize) -> u64 {
        clipstake::math::entitlement(self.reported[i].1, self.rate, self.cap)
    }

    /// Ingests a later report for every video, a minute after the last, with `added` more
    /// views, and records them.
    pub fn report_again(&mut self, net: &Localnet, added: u64) {
        self.observed_at += 60;
        let mut lines = String::new();
        for (video, (_, views)) in self.videos.iter().zip(self.reported.iter_mut()) {
            *views += added;
            lines.push_str(&format!(
                "{{\"video\":\"{video}\",\"views\":{views},\"observed_at\":{}}}\n",
                self.observed_at
            ));
        }
        let report = net.path(&format!("views-{}.jsonl", self.observed_at));
        std::fs::write(&report, lines).unwrap();
        net.ingest(
            &report,
            &self.address.to_string(),
            &self.ledger_db,
            self.videos.len(),
        );
    }

    /// Every video was paid exactly its reported views, the campaign's books show exactly their
    /// entitlements paid, and the SOL vault holds its rent plus the rest: nothing twice,
    /// nothing missing.
    pub fn assert_paid_exactly_as_reported(&self, net: &Localnet) {
        use clipstake_client::backend::{Backend, BackendExt};
        let mut rpc = net.rpc(CommitmentConfig::confirmed());
        let state = rpc.campaign(&self.address).unwrap().state;
        let submissions = rpc.submissions(&[]).unwrap();
        assert_eq!(submissions.len(), self.reported.len());
        for submission in &submissions {
            assert_eq!(
                submission.state.paid_views,
                self.views_of(&submission.address),
                "{} paid its reported views",
                submission.address
            );
        }
        let expected: u64 = (0..self.reported.len()).map(|i| self.gross(i)).sum();
        assert_eq!(state.paid_gross(), expected, "exactly the entitlements");
        assert_eq!(state.available(), self.vault_start - expected);
        let vault = rpc.get_account(&state.vault).unwrap().expect("the vault");
        let rent = rpc
            .minimum_balance_for_rent_exemption(vault.data.len())
            .unwrap();
        assert_eq!(
            vault.lamports,
            rent + self.vault_start - expected,
            "the vault holds its rent and what the books say"
        );
    }

    /// The views reported for `submission`.
    pub fn views_of(&self, submission: &anchor_lang::prelude::Pubkey) -> u64 {
        self.reported
            .iter()
            .find(|(s, _)| s == submission)
            .map(|(_, v)| *v)
            .expect("a reported submission")
    }
}

impl Localnet {
    /// `clipstake -u <url> -k <role> <args>` against another URL.
    pub fn cmd_with_url(&self, role: &str, url: &str, args: &[&str]) -> Command {
        let mut command = Command::new(clipstake_bin());
        command
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .args(["-u", url, "-k"])
            .arg(self.keypair_path(role))
            .args(args);
        command
    }
}

/// The platform (CLI), a SOL campaign of `brand` paid by `oracle` (CLI), `videos` submissions
/// with rent-exempt creators (registered in batches through the library, which is quicker than
/// one CLI call each), and one view report per video ingested (CLI).
pub fn sol_campaign_with_reports(net: &Localnet, videos: usize) -> ReadyCampaign {
    campaign_with_reports(net, videos, false)
}

/// As [`sol_campaign_with_reports`], for a native-SOL campaign or (with `token`) an SPL Token
/// one whose mint the brand creates.
pub fn campaign_with_reports(net: &Localnet, videos: usize, token: bool) -> ReadyCampaign {
    use clipstake::instructions::RegisterSubmissionArgs;
    use clipstake_client::backend::{Backend, BackendExt};
    use clipstake_client::sender::{SendOptions, no_state_check, send_transaction};
    use clipstake_sdk::instructions as ix;

    let treasury = Keypair::new().pubkey().to_string();
    let oracle = net.keypair("oracle");
    let oracle_address = oracle.pubkey().to_string();
    net.json(
        "admin",
        &[
            "platform",
            "init",
            "--fee-bps",
            "250",
            "--treasury",
            &treasury,
            "--oracle",
            &oracle_address,
        ],
    );
    let mut create = vec![
        "campaign",
        "create",
        "--rate",
        "0.001",
        "--cap",
        "0.5",
        "--oracle",
        &oracle_address,
    ];
    let mint;
    if token {
        mint = net.json(
            "brand",
            &[
                "embedded",
                "create-mint",
                "--decimals",
                "9",
                "--amount",
                "100000",
            ],
        )["mint"]
            .as_str()
            .unwrap()
            .to_string();
        create.extend(["--mint", &mint]);
    }
    let created = net.json("brand", &create);
    let address: anchor_lang::prelude::Pubkey =
        created["address"].as_str().unwrap().parse().unwrap();
    let funded = net.json("brand", &["campaign", "fund", &address.to_string(), "500"]);
    let vault_start = base(&funded["vault_balance"]);

    let mut rpc = net.rpc(CommitmentConfig::confirmed());
    let creators: Vec<Keypair> = (0..videos).map(|_| Keypair::new()).collect();
    // SOL recipients must stay rent exempt: give each creator 0.01 SOL, 10 per transaction.
    for chunk in creators.chunks(10).filter(|_| !token) {
        let transfers: Vec<_> = chunk
            .iter()
            .map(|c| {
                solana_system_interface::instruction::transfer(
                    &oracle.pubkey(),
                    &c.pubkey(),
                    10_000_000,
                )
            })
            .collect();
        send_transaction(
            &mut rpc,
            &SendOptions::default(),
            &transfers,
            &oracle,
            &[],
            &mut no_state_check,
        )
        .expect("creators funded");
    }
    let mut reported = Vec::new();
    let mut videos_reported = Vec::new();
    let mut lines = String::new();
    let now = rpc.clock().unwrap().unix_timestamp;
    for (chunk_index, chunk) in creators.chunks(5).enumerate() {
        let mut instructions = Vec::new();
        for (offset, creator) in chunk.iter().enumerate() {
            let i = chunk_index * 5 + offset;
            let video = format!("https://youtu.be/vide{i:06}A");
            let (instruction, submission) = ix::register_submission(
                &oracle.pubkey(),
                &oracle.pubkey(),
                &address,
                RegisterSubmissionArgs {
                    content_hash: clipstake_oracle::video::VideoId::parse(&video)
                        .expect("a YouTube URL")
                        .content_hash(),
                    creator: creator.pubkey(),
                    affiliate: None,
                    affiliate_bps: 0,
                },
            );
            instructions.push(instruction);
            let views = 50_000 + 1_000 * (i as u64 % 100);
            reported.push((submission, views));
            lines.push_str(&format!(
                "{{\"video\":\"{video}\",\"views\":{views},\"observed_at\":{}}}\n",
                now + 30
            ));
            videos_reported.push(video);
        }
        send_transaction(
            &mut rpc,
            &SendOptions::default(),
            &instructions,
            &oracle,
            &[],
            &mut no_state_check,
        )
        .expect("videos registered");
    }
    let report = net.path("views.jsonl");
    std::fs::write(&report, lines).unwrap();
    let ledger_db = net.path("oracle.sqlite");
    net.ingest(&report, &address.to_string(), &ledger_db, videos);
    let campaign = rpc.campaign(&address).unwrap().state;
    ReadyCampaign {
        address,
        ledger_db,
        vault_start,
        reported,
        creators,
        videos: videos_reported,
        observed_at: now + 30,
        rate: campaign.rate_per_thousand_views,
        cap: campaign.cap_per_submission,
    }
}
