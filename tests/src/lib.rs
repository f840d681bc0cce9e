//! Test harness: litesvm running the real SBF build of the program (`target/deploy/clipstake.so`)
//! with SPL Token, Token-2022, the ATA program and the Ed25519 precompile.
// litesvm's FailedTransactionMetadata is the error type; boxing it would only obscure tests.
#![allow(clippy::result_large_err)]
use std::path::{Path, PathBuf};

use anchor_lang::AccountDeserialize;
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::instructions::{CreateCampaignArgs, InitPlatformArgs, RegisterSubmissionArgs};
use clipstake::state::{Campaign, Submission};
use clipstake_sdk::instructions::{self as ix, Asset, CampaignAccount, SubmissionAccount};
use clipstake_sdk::pda;
use litesvm::LiteSVM;
use litesvm::types::{FailedTransactionMetadata, TransactionMetadata};
use solana_account::Account;
use solana_clock::Clock;
use solana_instruction::{AccountMeta, Instruction};
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use clipstake_sdk::instructions::{TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};

/// Lamports per SOL.
pub const SOL: u64 = 1_000_000_000;
/// The start of every test's clock.
pub const T0: i64 = 1_800_000_000;
/// Platform fee used by the fixtures: 2.5%.
pub const FEE_BPS: u16 = 250;
/// Maximum affiliate commission: 20%.
pub const MAX_AFFILIATE_BPS: u16 = 2_000;
/// Campaign length used by the fixtures.
pub const CAMPAIGN_SECS: i64 = 30 * 24 * 3600;
/// Settlement window used by the fixtures.
pub const SETTLEMENT_SECS: i64 = 3 * 24 * 3600;
/// The platform's minimum settlement window in the fixtures: 1 day.
pub const MIN_SETTLEMENT_SECS: i64 = 24 * 3600;
/// The platform's maximum attestation lifetime in the fixtures: 7 days.
pub const MAX_ATTESTATION_SECS: i64 = 7 * 24 * 3600;

/// Where the SBF build lands; `CLIPSTAKE_TEST_PROGRAM_SO` names another ELF to run instead
/// (e.g. a build with a planted bug, to show a test finds it).
pub fn program_so_path() -> PathBuf {
    match std::env::var_os("CLIPSTAKE_TEST_PROGRAM_SO") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join("target/deploy/clipstake.so"),
    }
}

/// The checkout being tested, found at run time from the package cargo runs the test in (the
/// nearest directory up with an `Anchor.toml`). A path baked in at compile time would name
/// wherever the cached test binary was first built, since target directories outlive clones.
pub fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .expect("cargo sets CARGO_MANIFEST_DIR for tests");
    start
        .ancestors()
        .find(|dir| dir.join("Anchor.toml").is_file())
        .map_or(start.clone(), Path::to_path_buf)
}

/// The program ELF. Fails the test, saying how to build it, when it is missing: the tests
/// never skip silently.
pub fn program_elf() -> Vec<u8> {
    let path = program_so_path();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the program ELF at {}: {e}.\nBuild it first with `make build` \
             (tools/sbf/build.sh), or run everything with `make test`.",
            path.display()
        )
    })
}

/// Result of one transaction.
pub type TxResult = Result<TransactionMetadata, FailedTransactionMetadata>;

/// A fresh chain with the program deployed (upgrade authority = `admin`) and funded actors.
pub struct Env {
    /// The in-process SVM.
    pub svm: LiteSVM,
    /// Upgrade authority and platform admin.
    pub admin: Keypair,
    /// Pays fees and rent.
    pub payer: Keypair,
    /// Fee wallet.
    pub treasury: Keypair,
    /// The payout oracle.
    pub oracle: Keypair,
    /// The campaign's brand.
    pub brand: Keypair,
    /// SPL Token runs the classic program, so `init_platform` turns the platform's p-token
    /// `Batch` transfers off, as an admin of such a cluster would.
    pub classic_spl_token: bool,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    /// An independent copy of this chain and its actors, to try operations on.
    pub fn fork(&self) -> Env {
        Env {
            svm: self.svm.clone(),
            admin: self.admin.insecure_clone(),
            payer: self.payer.insecure_clone(),
            treasury: self.treasury.insecure_clone(),
            oracle: self.oracle.insecure_clone(),
            brand: self.brand.insecure_clone(),
            classic_spl_token: self.classic_spl_token,
        }
    }

    /// Deploys the program and funds the actors; the platform is not initialised yet.
    pub fn new() -> Self {
        Self::on(LiteSVM::new())
    }

    /// Like `new`, but SPL Token runs the classic spl_token 3.5.0 program instead of p-token
    /// (mainnet's `replace_spl_token_with_p_token` off), to report compute units for both.
    pub fn with_classic_spl_token() -> Self {
        let mut features = LiteSVM::mainnet_feature_set();
        features.deactivate(&agave_feature_set::replace_spl_token_with_p_token::id());
        let svm = LiteSVM::default()
            .with_feature_set(features)
            .with_builtins()
            .with_lamports(1_000_000 * SOL)
            .with_sysvars()
            .with_feature_accounts()
            .with_default_programs()
            .with_sigverify(true)
            .with_blockhash_check(true)
            .with_precompiles();
        Self {
            classic_spl_token: true,
            ..Self::on(svm)
        }
    }

    /// Deploys the program on `svm` and funds the actors.
    pub fn on(svm: LiteSVM) -> Self {
        Self::on_with_elf(svm, &program_elf())
    }

    /// Like `on`, with another build of the program (e.g. the strict-alignment variant).
    pub fn on_with_elf(mut svm: LiteSVM, elf: &[u8]) -> Self {
        svm.add_program(clipstake::ID, elf).expect("program loads");
        let admin = Keypair::new();
        set_upgrade_authority(&mut svm, &admin.pubkey());
        let env = Env {
            svm,
            admin,
            payer: Keypair::new(),
            treasury: Keypair::new(),
            oracle: Keypair::new(),
            brand: Keypair::new(),
            classic_spl_token: false,
        };
        let mut env = env;
        for who in [
            &env.admin,
            &env.payer,
            &env.oracle,
            &env.brand,
            &env.treasury,
        ] {
            env.svm.airdrop(&who.pubkey(), 100 * SOL).unwrap();
        }
        env.set_time(T0);
        env
    }

    /// A deployed program with the platform initialised and the fixture oracle registered.
    pub fn with_platform() -> Self {
        Self::new().initialised()
    }

    /// `with_platform` on a cluster running the classic SPL Token program.
    pub fn with_classic_platform() -> Self {
        Self::with_classic_spl_token().initialised()
    }

    /// This environment with the platform initialised and the fixture oracle registered.
    fn initialised(mut self) -> Self {
        self.init_platform().expect("init_platform");
        let oracle = self.oracle.pubkey();
        self.add_oracle(&oracle).expect("add_oracle");
        self
    }

    /// The admin registers `oracle` with the platform.
    pub fn add_oracle(&mut self, oracle: &Pubkey) -> TxResult {
        let admin = self.admin.insecure_clone();
        let ix = ix::add_oracle(&admin.pubkey(), &self.payer.pubkey(), oracle);
        self.send(&[ix], &[&admin])
    }

    /// The admin revokes `oracle`.
    pub fn revoke_oracle(&mut self, oracle: &Pubkey) -> TxResult {
        let admin = self.admin.insecure_clone();
        self.send(&[ix::revoke_oracle(&admin.pubkey(), oracle)], &[&admin])
    }

    /// The admin trusts `mint`'s issuer.
    pub fn trust_mint(&mut self, mint: &Pubkey) -> TxResult {
        let admin = self.admin.insecure_clone();
        let ix = ix::trust_mint(&admin.pubkey(), &self.payer.pubkey(), mint);
        self.send(&[ix], &[&admin])
    }

    /// Sets the clock's unix timestamp.
    pub fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock: Clock = self.svm.get_sysvar();
        clock.unix_timestamp = unix_timestamp;
        self.svm.set_sysvar(&clock);
    }

    /// Sends `instructions` paid by `payer`, signed by `payer` and `signers`.
    pub fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> TxResult {
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend(
            signers
                .iter()
                .copied()
                .filter(|s| s.pubkey() != self.payer.pubkey()),
        );
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&self.payer.pubkey()),
            &all,
            self.svm.latest_blockhash(),
        );
        let result = self.svm.send_transaction(tx);
        self.svm.expire_blockhash();
        result
    }

    /// `init_platform` with the fixture's fees.
    pub fn init_platform(&mut self) -> TxResult {
        let ix = ix::init_platform(
            &self.admin.pubkey(),
            &self.payer.pubkey(),
            InitPlatformArgs {
                treasury: self.treasury.pubkey(),
                fee_bps: FEE_BPS,
                max_affiliate_bps: MAX_AFFILIATE_BPS,
                min_settlement_window_secs: MIN_SETTLEMENT_SECS,
                max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
            },
        );
        let admin = self.admin.insecure_clone();
        let initialised = self.send(&[ix], &[&admin])?;
        if !self.classic_spl_token {
            return Ok(initialised);
        }
        self.update_platform(clipstake::instructions::UpdatePlatformArgs {
            spl_token_batch: Some(false),
            ..Default::default()
        })
    }

    /// Default campaign terms: 5 units per 1,000 views... scaled by `unit`.
    pub fn campaign_args(&self, campaign_id: u64, unit: u64) -> CreateCampaignArgs {
        CreateCampaignArgs {
            campaign_id,
            oracle: self.oracle.pubkey(),
            rate_per_thousand_views: 5 * unit,
            cap_per_submission: 1_000 * unit,
            start_time: T0,
            end_time: T0 + CAMPAIGN_SECS,
            settlement_window_secs: SETTLEMENT_SECS,
        }
    }

    /// Creates a campaign of the brand; returns its address.
    pub fn create_campaign(
        &mut self,
        asset: Asset,
        args: CreateCampaignArgs,
    ) -> Result<Pubkey, FailedTransactionMetadata> {
        let (ix, campaign) =
            ix::create_campaign(&self.brand.pubkey(), &self.payer.pubkey(), asset, args);
        let brand = self.brand.insecure_clone();
        self.send(&[ix], &[&brand])?;
        Ok(campaign)
    }

    /// Reads and decodes an Anchor account.
    pub fn account<T: AccountDeserialize>(&self, address: &Pubkey) -> T {
        let account = self.svm.get_account(address).expect("account exists");
        T::try_deserialize(&mut account.data.as_slice()).expect("account decodes")
    }

    /// The campaign with its address, as the client builders want it.
    pub fn campaign(&self, address: &Pubkey) -> CampaignAccount {
        CampaignAccount {
            address: *address,
            state: self.account::<Campaign>(address),
        }
    }

    /// The submission with its address.
    pub fn submission(&self, address: &Pubkey) -> SubmissionAccount {
        SubmissionAccount {
            address: *address,
            state: self.account::<Submission>(address),
        }
    }

    /// Registers a video for `creator`; returns the submission address.
    pub fn register(
        &mut self,
        campaign: &Pubkey,
        video: &str,
        creator: &Pubkey,
        affiliate: Option<(Pubkey, u16)>,
    ) -> Result<Pubkey, FailedTransactionMetadata> {
        let args = RegisterSubmissionArgs {
            content_hash: pda::content_hash(video),
            creator: *creator,
            affiliate: affiliate.map(|a| a.0),
            affiliate_bps: affiliate.map(|a| a.1).unwrap_or(0),
        };
        let (ix, submission) =
            ix::register_submission(&self.oracle.pubkey(), &self.payer.pubkey(), campaign, args);
        let oracle = self.oracle.insecure_clone();
        self.send(&[ix], &[&oracle])?;
        Ok(submission)
    }

    /// The oracle pays `submission` up to `views`.
    pub fn disburse(&mut self, campaign: &Pubkey, submission: &Pubkey, views: u64) -> TxResult {
        let ix = ix::disburse(
            &self.oracle.pubkey(),
            &self.payer.pubkey(),
            &self.campaign(campaign),
            &self.submission(submission),
            views,
        );
        let oracle = self.oracle.insecure_clone();
        self.send(&[ix], &[&oracle])
    }

    /// Lamports of an account (0 if missing).
    pub fn lamports(&self, address: &Pubkey) -> u64 {
        self.svm
            .get_account(address)
            .map(|a| a.lamports)
            .unwrap_or(0)
    }

    /// Token balance of a token account (0 if missing).
    pub fn token_balance(&self, address: &Pubkey) -> u64 {
        match self.svm.get_account(address) {
            Some(a) if a.data.len() >= 72 => u64::from_le_bytes(a.data[64..72].try_into().unwrap()),
            _ => 0,
        }
    }

    /// Creates a mint under `token_program` with `decimals`; for Token-2022 optionally with a
    /// fixed transfer fee of `fee_bps` (max fee unlimited, no config or withdraw-withheld
    /// authority, so the mint policy accepts it).
    pub fn create_mint(
        &mut self,
        token_program: &Pubkey,
        decimals: u8,
        transfer_fee_bps: Option<u16>,
    ) -> Pubkey {
        let mint = Keypair::new();
        let authority = self.payer.pubkey();
        let mut instructions = Vec::new();
        let mut extensions = Vec::new();
        if transfer_fee_bps.is_some() {
            extensions.push(spl_token_2022_interface::extension::ExtensionType::TransferFeeConfig);
        }
        let space = if *token_program == TOKEN_PROGRAM_ID {
            spl_token_interface::state::Mint::LEN
        } else {
            spl_token_2022_interface::extension::ExtensionType::try_calculate_account_len::<
                spl_token_2022_interface::state::Mint,
            >(&extensions)
            .unwrap()
        };
        instructions.push(solana_system_interface::instruction::create_account(
            &self.payer.pubkey(),
            &mint.pubkey(),
            self.svm.minimum_balance_for_rent_exemption(space),
            space as u64,
            token_program,
        ));
        if let Some(bps) = transfer_fee_bps {
            instructions.push(
                spl_token_2022_interface::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                    token_program,
                    &mint.pubkey(),
                    None,
                    None,
                    bps,
                    u64::MAX,
                )
                .unwrap(),
            );
        }
        instructions.push(mint_init(
            token_program,
            &mint.pubkey(),
            &authority,
            decimals,
        ));
        self.send(&instructions, &[&mint]).expect("mint created");
        mint.pubkey()
    }

    /// Creates `owner`'s associated token account and mints `amount` into it.
    pub fn fund_tokens(
        &mut self,
        token_program: &Pubkey,
        mint: &Pubkey,
        owner: &Pubkey,
        amount: u64,
    ) -> Pubkey {
        let ata = pda::associated_token(owner, mint, token_program);
        let create = spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
            &self.payer.pubkey(),
            owner,
            mint,
            token_program,
        );
        let decimals = self.mint_decimals(mint);
        let mint_to = if *token_program == TOKEN_PROGRAM_ID {
            spl_token_interface::instruction::mint_to_checked(
                token_program,
                mint,
                &ata,
                &self.payer.pubkey(),
                &[],
                amount,
                decimals,
            )
            .unwrap()
        } else {
            spl_token_2022_interface::instruction::mint_to_checked(
                token_program,
                mint,
                &ata,
                &self.payer.pubkey(),
                &[],
                amount,
                decimals,
            )
            .unwrap()
        };
        self.send(&[create, mint_to], &[]).expect("tokens minted");
        ata
    }

    /// Decimals of a mint.
    pub fn mint_decimals(&self, mint: &Pubkey) -> u8 {
        self.svm.get_account(mint).expect("mint exists").data[44]
    }

    /// Puts an arbitrary account in place (for substitution attacks).
    pub fn put_account(&mut self, address: Pubkey, account: Account) {
        self.svm.set_account(address, account).unwrap();
    }
}

fn mint_init(
    token_program: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    decimals: u8,
) -> Instruction {
    if *token_program == TOKEN_PROGRAM_ID {
        spl_token_interface::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            None,
            decimals,
        )
        .unwrap()
    } else {
        spl_token_2022_interface::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            None,
            decimals,
        )
        .unwrap()
    }
}

/// Rewrites the program data account so `authority` is the upgrade authority, as after a real
/// `solana program deploy`.
pub fn set_upgrade_authority(svm: &mut LiteSVM, authority: &Pubkey) {
    let address = pda::program_data();
    let mut account = svm.get_account(&address).expect("program data exists");
    // ProgramData: u32 tag 3, u64 slot, Option<Pubkey> upgrade authority, then the ELF.
    account.data[12] = 1;
    account.data[13..45].copy_from_slice(authority.as_ref());
    svm.set_account(address, account).unwrap();
}

/// The program's custom error code for `error`.
pub fn code_of(error: ClipstakeError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + error as u32
}

/// Asserts that `result` failed with custom error `code` (named `what` in the message),
/// showing the program logs if not.
#[track_caller]
fn assert_custom_error<T>(result: Result<T, FailedTransactionMetadata>, code: u32, what: &str) {
    match result {
        Ok(_) => panic!("expected {what} ({code}), but the transaction succeeded"),
        Err(failed) => {
            let got = match &failed.err {
                TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
                _ => None,
            };
            assert_eq!(
                got,
                Some(code),
                "expected {what} ({code}), got {:?}\n{}",
                failed.err,
                failed.meta.logs.join("\n")
            );
        }
    }
}

/// Asserts that `result` failed with the program's `expected` error, showing the logs if not.
#[track_caller]
pub fn assert_program_error<T>(
    result: Result<T, FailedTransactionMetadata>,
    expected: ClipstakeError,
) {
    assert_custom_error(result, code_of(expected), &format!("{expected:?}"));
}

/// Asserts that `result` failed with Anchor framework error `expected` (e.g. a constraint).
#[track_caller]
pub fn assert_anchor_error<T>(
    result: Result<T, FailedTransactionMetadata>,
    expected: anchor_lang::error::ErrorCode,
) {
    assert_custom_error(result, expected as u32, &format!("{expected:?}"));
}

/// Asserts that `result` failed, whatever the reason, and returns the error.
#[track_caller]
pub fn assert_fails<T>(result: Result<T, FailedTransactionMetadata>) -> TransactionError {
    match result {
        Ok(_) => panic!("expected the transaction to fail"),
        Err(failed) => failed.err,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the negative (attack) suites in `tests/security_*.rs`.

/// Base units per fixture "unit" for native SOL campaigns (0.001 SOL).
pub const SOL_UNIT: u64 = 1_000_000;
/// Base units per fixture "unit" for token campaigns (mints have 6 decimals).
pub const TOKEN_UNIT: u64 = 1_000;
/// Budget of a fixture campaign, in units: three full caps.
pub const BUDGET_UNITS: u64 = 3_000;
/// Views that earn 500 units under the fixture terms (5 units per 1,000 views).
pub const UNDERFUNDED_VIEWS: u64 = 100_000;

/// The fixture unit of `asset`.
pub fn unit_of(asset: Asset) -> u64 {
    match asset {
        Asset::Sol => SOL_UNIT,
        Asset::Token { .. } => TOKEN_UNIT,
    }
}

/// Where `wallet` receives value in a campaign of `asset`: its ATA for tokens, itself for SOL.
pub fn receiving_account(asset: Asset, wallet: &Pubkey) -> Pubkey {
    match asset {
        Asset::Sol => *wallet,
        Asset::Token {
            mint,
            token_program,
        } => pda::associated_token(wallet, &mint, &token_program),
    }
}

/// Copies of some accounts, to assert that a refused transaction moved nothing.
#[derive(Debug)]
pub struct Snapshot(Vec<(Pubkey, Option<Account>)>);

/// A registered video with a funded campaign behind it, ready to be paid.
pub struct Payee {
    /// The campaign (id 1 of `env.brand`).
    pub campaign: Pubkey,
    /// The registered submission.
    pub submission: Pubkey,
    /// The creator wallet.
    pub creator: Keypair,
    /// The affiliate wallet (10% commission), if the fixture has one.
    pub affiliate: Option<Keypair>,
    /// What the campaign pays in.
    pub asset: Asset,
}

impl Payee {
    /// Every account a payout of this video could touch (recipients in both forms, vault,
    /// campaign, submission, treasury), to snapshot.
    pub fn watched(&self, env: &Env) -> Vec<Pubkey> {
        let campaign = env.campaign(&self.campaign);
        let treasury = env.treasury.pubkey();
        let mut keys = vec![
            self.campaign,
            self.submission,
            campaign.state.vault,
            treasury,
            self.creator.pubkey(),
        ];
        keys.push(receiving_account(self.asset, &treasury));
        keys.push(receiving_account(self.asset, &self.creator.pubkey()));
        if let Some(a) = &self.affiliate {
            keys.push(a.pubkey());
            keys.push(receiving_account(self.asset, &a.pubkey()));
        }
        keys.sort();
        keys.dedup();
        keys
    }
}

impl Env {
    /// A fresh keypair holding `lamports`.
    pub fn keypair_with(&mut self, lamports: u64) -> Keypair {
        let k = Keypair::new();
        if lamports > 0 {
            self.svm.airdrop(&k.pubkey(), lamports).unwrap();
        }
        k
    }

    /// Copies `addresses` as they are now.
    pub fn snapshot(&self, addresses: &[Pubkey]) -> Snapshot {
        Snapshot(
            addresses
                .iter()
                .map(|a| (*a, self.svm.get_account(a)))
                .collect(),
        )
    }

    /// Asserts that every account of `snapshot` is exactly as it was.
    #[track_caller]
    pub fn assert_unchanged(&self, snapshot: &Snapshot) {
        for (address, before) in &snapshot.0 {
            let now = self.svm.get_account(address);
            let norm = |a: &Option<Account>| {
                a.as_ref()
                    .filter(|a| a.lamports > 0)
                    .map(|a| (a.lamports, a.owner, a.data.clone()))
            };
            assert_eq!(norm(&now), norm(before), "account {address} changed");
        }
    }

    /// A fresh mint under `token_program` (6 decimals), or native SOL for `None`.
    pub fn new_asset(&mut self, token_program: Option<Pubkey>) -> Asset {
        match token_program {
            None => Asset::Sol,
            Some(token_program) => {
                let mint = self.create_mint(&token_program, 6, None);
                Asset::Token {
                    mint,
                    token_program,
                }
            }
        }
    }

    /// The brand funds `campaign` with `amount` (from its ATA for tokens, minted first).
    pub fn fund(&mut self, campaign: &Pubkey, amount: u64) -> TxResult {
        let state = self.campaign(campaign);
        if state.state.asset != clipstake::state::AssetKind::NativeSol as u8 {
            let (mint, token_program) = (state.state.mint, state.state.token_program);
            let brand = self.brand.pubkey();
            self.fund_tokens(&token_program, &mint, &brand, amount);
        }
        let fund = ix::fund_campaign(&self.brand.pubkey(), &state, amount);
        let brand = self.brand.insecure_clone();
        self.send(&[fund], &[&brand])
    }

    /// Creates campaign `id` of the brand in `asset` with the fixture terms and funds it with
    /// `BUDGET_UNITS` units.
    pub fn funded_campaign(&mut self, asset: Asset, id: u64) -> Pubkey {
        let unit = unit_of(asset);
        let campaign = self
            .create_campaign(asset, self.campaign_args(id, unit))
            .expect("create_campaign");
        self.fund(&campaign, BUDGET_UNITS * unit)
            .expect("fund_campaign");
        campaign
    }

    /// Registers `video` for a fresh creator (with an affiliate at 10% if asked); SOL
    /// recipients get 1 SOL so that payouts keep them rent-exempt.
    pub fn payee(
        &mut self,
        campaign: &Pubkey,
        asset: Asset,
        video: &str,
        with_affiliate: bool,
    ) -> Payee {
        let creator = self.keypair_with(if asset == Asset::Sol { SOL } else { 0 });
        let affiliate =
            with_affiliate.then(|| self.keypair_with(if asset == Asset::Sol { SOL } else { 0 }));
        let submission = self
            .register(
                campaign,
                video,
                &creator.pubkey(),
                affiliate.as_ref().map(|a| (a.pubkey(), 1_000)),
            )
            .expect("register_submission");
        Payee {
            campaign: *campaign,
            submission,
            creator,
            affiliate,
            asset,
        }
    }

    /// A platform, a funded campaign (id 1) in SOL (`None`) or a fresh mint of
    /// `token_program`, and one registered video.
    pub fn payout_fixture(token_program: Option<Pubkey>, with_affiliate: bool) -> (Env, Payee) {
        let mut env = Env::with_platform();
        let asset = env.new_asset(token_program);
        let campaign = env.funded_campaign(asset, 1);
        let payee = env.payee(
            &campaign,
            asset,
            "https://video.example/victim",
            with_affiliate,
        );
        (env, payee)
    }

    /// A platform and a campaign (id 1) funded with only 10 units, and one video (with an
    /// affiliate if asked): a payout for [`UNDERFUNDED_VIEWS`] owes 500 units, 50 times what
    /// the brand put in. Returns the unit too.
    pub fn underfunded_fixture(
        token_program: Option<Pubkey>,
        with_affiliate: bool,
    ) -> (Env, Payee, u64) {
        let mut env = Env::with_platform();
        let asset = env.new_asset(token_program);
        let unit = unit_of(asset);
        let campaign = env
            .create_campaign(asset, env.campaign_args(1, unit))
            .unwrap();
        env.fund(&campaign, 10 * unit).unwrap();
        let payee = env.payee(&campaign, asset, "v", with_affiliate);
        (env, payee, unit)
    }

    /// Creates the associated token accounts a batch needs (a batch creates none): the
    /// treasury's and each payee's creator and affiliate. Nothing for SOL.
    pub fn create_receiving_accounts(&mut self, asset: Asset, payees: &[Payee]) {
        let Asset::Token {
            mint,
            token_program,
        } = asset
        else {
            return;
        };
        let mut owners = vec![self.treasury.pubkey()];
        for payee in payees {
            owners.push(payee.creator.pubkey());
            owners.extend(payee.affiliate.as_ref().map(|a| a.pubkey()));
        }
        let creates: Vec<Instruction> = owners
            .iter()
            .map(|owner| {
                spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                    &self.payer.pubkey(),
                    owner,
                    &mint,
                    &token_program,
                )
            })
            .collect();
        for chunk in creates.chunks(8) {
            self.send(chunk, &[]).expect("receiving accounts created");
        }
    }

    /// A funded campaign (id 1) with `n` registered videos, every other one with an
    /// affiliate when asked, and every receiving account a batch needs.
    pub fn batch_fixture(
        token_program: Option<Pubkey>,
        n: usize,
        with_affiliates: bool,
    ) -> (Env, Vec<Payee>) {
        Env::batch_fixture_on(Env::with_platform(), token_program, n, with_affiliates)
    }

    /// `batch_fixture` on `env`, whose platform is initialised.
    pub fn batch_fixture_on(
        mut env: Env,
        token_program: Option<Pubkey>,
        n: usize,
        with_affiliates: bool,
    ) -> (Env, Vec<Payee>) {
        let asset = env.new_asset(token_program);
        let campaign = env.funded_campaign(asset, 1);
        let payees: Vec<Payee> = (0..n)
            .map(|i| {
                let video = format!("https://video.example/batch-{i}");
                env.payee(&campaign, asset, &video, with_affiliates && i % 2 == 0)
            })
            .collect();
        env.create_receiving_accounts(asset, &payees);
        (env, payees)
    }

    /// `disburse_batch` of `payouts` (payee, cumulative views), signed by the oracle.
    pub fn batch_ix(&self, payouts: &[(&Payee, u64)]) -> Instruction {
        let campaign = self.campaign(&payouts[0].0.campaign);
        let submissions: Vec<(SubmissionAccount, u64)> = payouts
            .iter()
            .map(|(p, views)| (self.submission(&p.submission), *views))
            .collect();
        let refs: Vec<(&SubmissionAccount, u64)> =
            submissions.iter().map(|(s, v)| (s, *v)).collect();
        ix::disburse_batch(&self.oracle.pubkey(), &campaign, &refs)
    }

    /// `update_platform` signed by the admin.
    pub fn update_platform(
        &mut self,
        args: clipstake::instructions::UpdatePlatformArgs,
    ) -> TxResult {
        let admin = self.admin.insecure_clone();
        self.send(&[ix::update_platform(&admin.pubkey(), args)], &[&admin])
    }

    /// Pauses the whole platform (admin).
    pub fn pause_platform(&mut self) {
        self.update_platform(clipstake::instructions::UpdatePlatformArgs {
            paused: Some(true),
            ..Default::default()
        })
        .expect("pause platform");
    }

    /// `set_campaign_status` signed by `who`.
    pub fn set_status(
        &mut self,
        who: &Keypair,
        campaign: &Pubkey,
        status: clipstake::state::CampaignStatus,
    ) -> TxResult {
        let who = who.insecure_clone();
        self.send(
            &[ix::set_campaign_status(&who.pubkey(), campaign, status)],
            &[&who],
        )
    }
}

/// Replaces the one account meta whose key is `old` by `new` (flags kept). Panics unless
/// exactly one meta matches, so a substitution can never hit an unintended role.
#[track_caller]
pub fn swap_account(ix: &mut Instruction, old: &Pubkey, new: Pubkey) {
    let matches: Vec<usize> = ix
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, m)| m.pubkey == *old)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        matches.len(),
        1,
        "expected exactly one meta for {old}, found {matches:?}"
    );
    ix.accounts[matches[0]].pubkey = new;
}

/// Sets the account meta at `index` to `new`, writable or not (for optional accounts, whose
/// `None` placeholder is the read-only program id). An instruction that left its trailing
/// optional accounts off is first padded with that placeholder up to `index`, as a client
/// listing every account would send it.
pub fn set_account_at(ix: &mut Instruction, index: usize, new: Pubkey, writable: bool) {
    while ix.accounts.len() <= index {
        ix.accounts
            .push(AccountMeta::new_readonly(clipstake::ID, false));
    }
    ix.accounts[index].pubkey = new;
    ix.accounts[index].is_writable = writable;
}

/// Clears the signer flag of every meta of `key`, so the transaction needs no signature from it.
#[track_caller]
pub fn unsign(ix: &mut Instruction, key: &Pubkey) {
    let mut found = false;
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        assert!(meta.is_signer, "{key} was not a signer");
        meta.is_signer = false;
        found = true;
    }
    assert!(found, "{key} is not in the instruction");
}

/// Asserts that instruction `index` failed with `expected` (runtime, precompile or CPI errors).
#[track_caller]
pub fn assert_instruction_error<T>(
    result: Result<T, FailedTransactionMetadata>,
    index: u8,
    expected: InstructionError,
) {
    assert_tx_error(result, TransactionError::InstructionError(index, expected));
}

/// Asserts that the transaction failed with exactly `expected`.
#[track_caller]
pub fn assert_tx_error<T>(
    result: Result<T, FailedTransactionMetadata>,
    expected: TransactionError,
) {
    match result {
        Ok(_) => panic!("expected {expected:?}, but the transaction succeeded"),
        Err(failed) => assert_eq!(failed.err, expected, "{}", failed.meta.logs.join("\n")),
    }
}

/// Asserts that the program's instruction `index` (not the first) failed with `expected`.
#[track_caller]
pub fn assert_program_error_at<T>(
    result: Result<T, FailedTransactionMetadata>,
    index: u8,
    expected: ClipstakeError,
) {
    assert_instruction_error(result, index, InstructionError::Custom(code_of(expected)));
}

/// Creates `owner`'s Token-2022 associated token account for `mint` and makes it require
/// memos on incoming transfers (a recipient that cannot receive a plain transfer); returns it.
pub fn require_memos(env: &mut Env, owner: &Keypair, mint: &Pubkey) -> Pubkey {
    use spl_token_2022_interface::extension::memo_transfer::instruction as memo;
    let program = TOKEN_2022_PROGRAM_ID;
    let ata = pda::associated_token(&owner.pubkey(), mint, &program);
    let create =
        spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
            &env.payer.pubkey(),
            &owner.pubkey(),
            mint,
            &program,
        );
    let realloc = spl_token_2022_interface::instruction::reallocate(
        &program,
        &ata,
        &env.payer.pubkey(),
        &owner.pubkey(),
        &[],
        &[spl_token_2022_interface::extension::ExtensionType::MemoTransfer],
    )
    .unwrap();
    let enable =
        memo::enable_required_transfer_memos(&program, &ata, &owner.pubkey(), &[]).unwrap();
    env.send(&[create, realloc, enable], &[owner])
        .expect("memos required");
    ata
}

/// A program-owned account with data: lamports sent to it could never leave except by that
/// program, so a payout accrues what it owes to it.
pub fn program_owned_account() -> Account {
    Account {
        lamports: SOL,
        data: vec![7; 64],
        owner: Pubkey::new_unique(),
        executable: false,
        rent_epoch: 0,
    }
}

// ------------------------------------------------------------------------------------------
// Mints with powers (the mint-policy and batch attack suites)

use spl_token_2022_interface::extension::ExtensionType;

/// A mint extension to build a Token-2022 mint with (the issuer is the tests' payer unless a
/// key is given).
#[derive(Clone, Copy, Debug)]
pub enum MintExtension {
    /// `MintCloseAuthority` with this close authority (`None`: the extension, unset).
    CloseAuthority(Option<Pubkey>),
    /// `PermanentDelegate` with this delegate.
    PermanentDelegate(Pubkey),
    /// `TransferFeeConfig` with this config authority and fee.
    TransferFee(Option<Pubkey>, u16),
    /// `TransferFeeConfig` with a fixed fee and this withdraw-withheld authority.
    WithdrawableTransferFee(Pubkey, u16),
    /// `TransferHook` running this program.
    TransferHook(Pubkey),
    /// `Pausable` with this pause authority.
    Pausable(Pubkey),
    /// `NonTransferable`.
    NonTransferable,
    /// `DefaultAccountState` frozen (Token-2022 needs a freeze authority for it).
    DefaultFrozen,
}

impl MintExtension {
    pub fn kind(self) -> ExtensionType {
        match self {
            MintExtension::CloseAuthority(_) => ExtensionType::MintCloseAuthority,
            MintExtension::PermanentDelegate(_) => ExtensionType::PermanentDelegate,
            MintExtension::TransferFee(..) | MintExtension::WithdrawableTransferFee(..) => {
                ExtensionType::TransferFeeConfig
            }
            MintExtension::TransferHook(_) => ExtensionType::TransferHook,
            MintExtension::Pausable(_) => ExtensionType::Pausable,
            MintExtension::NonTransferable => ExtensionType::NonTransferable,
            MintExtension::DefaultFrozen => ExtensionType::DefaultAccountState,
        }
    }

    pub fn init(self, mint: &Pubkey, issuer: &Pubkey) -> Instruction {
        use spl_token_2022_interface::extension as ext;
        use spl_token_2022_interface::instruction as t22;
        let program = &TOKEN_2022_PROGRAM_ID;
        match self {
            MintExtension::CloseAuthority(authority) => {
                t22::initialize_mint_close_authority(program, mint, authority.as_ref())
            }
            MintExtension::PermanentDelegate(delegate) => {
                t22::initialize_permanent_delegate(program, mint, &delegate)
            }
            MintExtension::TransferFee(config_authority, bps) => {
                ext::transfer_fee::instruction::initialize_transfer_fee_config(
                    program,
                    mint,
                    config_authority.as_ref(),
                    None,
                    bps,
                    u64::MAX,
                )
            }
            MintExtension::WithdrawableTransferFee(withdraw_authority, bps) => {
                ext::transfer_fee::instruction::initialize_transfer_fee_config(
                    program,
                    mint,
                    None,
                    Some(&withdraw_authority),
                    bps,
                    u64::MAX,
                )
            }
            MintExtension::TransferHook(hook_program) => {
                ext::transfer_hook::instruction::initialize(
                    program,
                    mint,
                    Some(*issuer),
                    Some(hook_program),
                )
            }
            MintExtension::Pausable(authority) => {
                ext::pausable::instruction::initialize(program, mint, &authority)
            }
            MintExtension::NonTransferable => t22::initialize_non_transferable_mint(program, mint),
            MintExtension::DefaultFrozen => {
                ext::default_account_state::instruction::initialize_default_account_state(
                    program,
                    mint,
                    &spl_token_2022_interface::state::AccountState::Frozen,
                )
            }
        }
        .unwrap()
    }
}

/// Creates a mint of `token_program` (6 decimals, mint authority the tests' payer) with an
/// optional freeze authority and, for Token-2022, `extensions`.
pub fn create_mint_with(
    env: &mut Env,
    token_program: &Pubkey,
    freeze_authority: Option<Pubkey>,
    extensions: &[MintExtension],
) -> Pubkey {
    let mint = Keypair::new();
    let issuer = env.payer.pubkey();
    let space = if *token_program == TOKEN_PROGRAM_ID {
        assert!(extensions.is_empty(), "SPL Token mints have no extensions");
        spl_token_interface::state::Mint::LEN
    } else {
        let kinds: Vec<ExtensionType> = extensions.iter().map(|e| e.kind()).collect();
        ExtensionType::try_calculate_account_len::<spl_token_2022_interface::state::Mint>(&kinds)
            .unwrap()
    };
    let mut ixs = vec![solana_system_interface::instruction::create_account(
        &issuer,
        &mint.pubkey(),
        env.svm.minimum_balance_for_rent_exemption(space),
        space as u64,
        token_program,
    )];
    ixs.extend(extensions.iter().map(|e| e.init(&mint.pubkey(), &issuer)));
    ixs.push(if *token_program == TOKEN_PROGRAM_ID {
        spl_token_interface::instruction::initialize_mint2(
            token_program,
            &mint.pubkey(),
            &issuer,
            freeze_authority.as_ref(),
            6,
        )
        .unwrap()
    } else {
        spl_token_2022_interface::instruction::initialize_mint2(
            token_program,
            &mint.pubkey(),
            &issuer,
            freeze_authority.as_ref(),
            6,
        )
        .unwrap()
    });
    env.send(&ixs, &[&mint]).expect("mint created");
    mint.pubkey()
}

/// Replaces the mint of `payee`'s campaign by the bytes of `replacement` (another mint of the
/// same token program), keeping the original's supply, as if the brand had closed the mint and
/// re-created it at the same address with new powers.
pub fn replace_mint(env: &mut Env, payee: &Payee, replacement: &Pubkey) {
    let Asset::Token { mint, .. } = payee.asset else {
        panic!("not a token campaign")
    };
    let original = env.svm.get_account(&mint).unwrap();
    let mut account = env.svm.get_account(replacement).unwrap();
    account.data[36..44].copy_from_slice(&original.data[36..44]);
    env.put_account(mint, account);
}
