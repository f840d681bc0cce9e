//! Attack tests for `create_campaign`, `fund_campaign` and `register_submission`. Every test
//! asserts the specific refusal and that no account (or balance) changed.
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::instructions::{CreateCampaignArgs, RegisterSubmissionArgs};
use clipstake::state::{Campaign, CampaignStatus, Submission};
use clipstake_sdk::instructions::{
    self as ix, ASSOCIATED_TOKEN_PROGRAM_ID, Asset, SYSTEM_PROGRAM_ID,
};
use clipstake_sdk::pda;
use clipstake_tests::*;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Index of `create_campaign`'s accounts (struct order).
mod create_at {
    pub const TOKEN_PROGRAM: usize = 8;
    pub const ASSOCIATED_TOKEN_PROGRAM: usize = 9;
}

/// Index of `fund_campaign`'s accounts (struct order).
mod fund_at {
    pub const FUNDER_TOKEN_ACCOUNT: usize = 4;
    pub const MINT: usize = 5;
    pub const TOKEN_PROGRAM: usize = 6;
}

fn create_ix(env: &Env, asset: Asset, args: CreateCampaignArgs) -> (Instruction, Pubkey) {
    ix::create_campaign(&env.brand.pubkey(), &env.payer.pubkey(), asset, args)
}

/// Sends `create` signed by the brand and asserts the program error and that the campaign does
/// not exist.
#[track_caller]
fn assert_create_refused(
    env: &mut Env,
    create: Instruction,
    campaign: Pubkey,
    expected: ClipstakeError,
) {
    let brand = env.brand.insecure_clone();
    assert_program_error(env.send(&[create], &[&brand]), expected);
    assert!(
        env.svm.get_account(&campaign).is_none(),
        "campaign was not created"
    );
}

// ------------------------------------------------------------------------------------------
// create_campaign

/// Someone creates a campaign in a brand's name without its signature.
#[test]
fn rejects_create_campaign_without_brand_signature() {
    let mut env = Env::with_platform();
    let (mut create, campaign) = create_ix(&env, Asset::Sol, env.campaign_args(1, SOL_UNIT));
    unsign(&mut create, &env.brand.pubkey());
    assert_anchor_error(env.send(&[create], &[]), AnchorError::AccountNotSigner);
    assert!(env.svm.get_account(&campaign).is_none());
}

/// The brand names a victim as rent payer without the victim's signature.
#[test]
fn rejects_create_campaign_with_unsigned_victim_payer() {
    let mut env = Env::with_platform();
    let victim = env.keypair_with(10 * SOL);
    let (mut create, campaign) = ix::create_campaign(
        &env.brand.pubkey(),
        &victim.pubkey(),
        Asset::Sol,
        env.campaign_args(1, SOL_UNIT),
    );
    unsign(&mut create, &victim.pubkey());
    let before = env.snapshot(&[victim.pubkey()]);
    let brand = env.brand.insecure_clone();
    assert_anchor_error(
        env.send(&[create], &[&brand]),
        AnchorError::AccountNotSigner,
    );
    env.assert_unchanged(&before);
    assert!(env.svm.get_account(&campaign).is_none());
}

/// Squatting: an attacker creates the campaign PDA of another brand (so the brand's own create
/// later fails) by signing as brand with its own key.
#[test]
fn rejects_create_campaign_at_another_brands_address() {
    let mut env = Env::with_platform();
    let attacker = env.keypair_with(SOL);
    let (mut create, _) = ix::create_campaign(
        &attacker.pubkey(),
        &env.payer.pubkey(),
        Asset::Sol,
        env.campaign_args(1, SOL_UNIT),
    );
    let victims = pda::campaign(&env.brand.pubkey(), 1);
    let attackers = pda::campaign(&attacker.pubkey(), 1);
    swap_account(&mut create, &attackers, victims);
    swap_account(
        &mut create,
        &pda::sol_vault(&attackers),
        pda::sol_vault(&victims),
    );
    assert_anchor_error(
        env.send(&[create], &[&attacker]),
        AnchorError::ConstraintSeeds,
    );
    assert!(env.svm.get_account(&victims).is_none());
}

/// Re-initialisation: creating the same campaign id again (to swap the oracle or terms of a
/// funded campaign) fails and leaves the campaign untouched.
#[test]
fn rejects_create_campaign_twice_with_same_id() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let vault = env.campaign(&campaign).state.vault;
    let before = env.snapshot(&[campaign, vault]);
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.oracle = Keypair::new().pubkey();
    env.add_oracle(&args.oracle).unwrap();
    args.rate_per_thousand_views *= 1_000;
    let (create, again) = create_ix(&env, Asset::Sol, args);
    assert_eq!(again, campaign);
    let brand = env.brand.insecure_clone();
    // The system program refuses to allocate an account that is already in use.
    assert_instruction_error(
        env.send(&[create], &[&brand]),
        0,
        InstructionError::Custom(0),
    );
    env.assert_unchanged(&before);
    assert_eq!(
        env.account::<Campaign>(&campaign).oracle,
        env.oracle.pubkey()
    );
}

/// A zero rate or a zero cap: a campaign that can never pay its creators.
#[test]
fn rejects_create_campaign_with_zero_rate_or_cap() {
    let mut env = Env::with_platform();
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.rate_per_thousand_views = 0;
    let (create, campaign) = create_ix(&env, Asset::Sol, args);
    assert_create_refused(&mut env, create, campaign, ClipstakeError::InvalidRate);
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.cap_per_submission = 0;
    let (create, campaign) = create_ix(&env, Asset::Sol, args);
    assert_create_refused(&mut env, create, campaign, ClipstakeError::InvalidRate);
}

/// A schedule that ends before (or when) it starts, or a negative settlement window that would
/// let the brand withdraw before the end.
#[test]
fn rejects_create_campaign_with_invalid_schedule() {
    let mut env = Env::with_platform();
    for (start, end, window) in [
        (T0 + 10, T0, 0),
        (T0, T0, 0),
        (T0, T0 + 10, -1),
        (T0, T0 + 10, i64::MIN),
    ] {
        let args = CreateCampaignArgs {
            start_time: start,
            end_time: end,
            settlement_window_secs: window,
            ..env.campaign_args(1, SOL_UNIT)
        };
        let (create, campaign) = create_ix(&env, Asset::Sol, args);
        assert_create_refused(&mut env, create, campaign, ClipstakeError::InvalidSchedule);
    }
}

/// New campaigns while the admin has paused the platform.
#[test]
fn rejects_create_campaign_while_platform_paused() {
    let mut env = Env::with_platform();
    env.pause_platform();
    let (create, campaign) = create_ix(&env, Asset::Sol, env.campaign_args(1, SOL_UNIT));
    assert_create_refused(&mut env, create, campaign, ClipstakeError::PlatformPaused);
}

/// A SOL campaign whose vault is not its own `["vault", campaign]` PDA (another campaign's).
#[test]
fn rejects_create_sol_campaign_with_foreign_vault() {
    let mut env = Env::with_platform();
    let other = env.funded_campaign(Asset::Sol, 2);
    let other_vault = env.campaign(&other).state.vault;
    let before = env.snapshot(&[other, other_vault]);
    let (mut create, campaign) = create_ix(&env, Asset::Sol, env.campaign_args(1, SOL_UNIT));
    swap_account(&mut create, &pda::sol_vault(&campaign), other_vault);
    assert_create_refused(&mut env, create, campaign, ClipstakeError::WrongVault);
    env.assert_unchanged(&before);
}

/// A token campaign whose vault is not the campaign's ATA (an attacker-chosen address). The
/// create-idempotent CPI names the canonical ATA, which is not among the accounts the program
/// passes (only the fake vault is), so the runtime refuses the CPI: the recorded vault can only
/// ever be the canonical ATA.
#[test]
fn rejects_create_token_campaign_with_non_ata_vault() {
    let mut env = Env::with_platform();
    let asset = env.new_asset(Some(TOKEN_PROGRAM_ID));
    let (mut create, campaign) = create_ix(&env, asset, env.campaign_args(1, TOKEN_UNIT));
    let Asset::Token {
        mint,
        token_program,
    } = asset
    else {
        unreachable!()
    };
    let fake_vault = Pubkey::new_unique();
    swap_account(
        &mut create,
        &pda::associated_token(&campaign, &mint, &token_program),
        fake_vault,
    );
    let brand = env.brand.insecure_clone();
    assert_instruction_error(
        env.send(&[create], &[&brand]),
        0,
        InstructionError::MissingAccount,
    );
    assert!(env.svm.get_account(&campaign).is_none());
    assert!(env.svm.get_account(&fake_vault).is_none());
}

/// An SPL Token mint declared under Token-2022 (token program / mint owner mismatch).
#[test]
fn rejects_create_campaign_with_mint_of_other_token_program() {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let (create, campaign) = create_ix(
        &env,
        Asset::Token {
            mint,
            token_program: TOKEN_2022_PROGRAM_ID,
        },
        env.campaign_args(1, TOKEN_UNIT),
    );
    assert_create_refused(
        &mut env,
        create,
        campaign,
        ClipstakeError::UnsupportedMintProgram,
    );
}

/// A token account (owned by the token program, but not a mint) passed as the mint.
#[test]
fn rejects_create_campaign_with_token_account_as_mint() {
    let mut env = Env::with_platform();
    let mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let brand = env.brand.pubkey();
    let token_account = env.fund_tokens(&TOKEN_PROGRAM_ID, &mint, &brand, 5);
    let (create, campaign) = create_ix(
        &env,
        Asset::Token {
            mint: token_account,
            token_program: TOKEN_PROGRAM_ID,
        },
        env.campaign_args(1, TOKEN_UNIT),
    );
    assert_create_refused(
        &mut env,
        create,
        campaign,
        ClipstakeError::UnsupportedMintProgram,
    );
}

/// A fake token program (another executable program) in place of SPL Token.
#[test]
fn rejects_create_campaign_with_fake_token_program() {
    let mut env = Env::with_platform();
    let asset = env.new_asset(Some(TOKEN_PROGRAM_ID));
    let (mut create, campaign) = create_ix(&env, asset, env.campaign_args(1, TOKEN_UNIT));
    assert_eq!(
        create.accounts[create_at::TOKEN_PROGRAM].pubkey,
        TOKEN_PROGRAM_ID
    );
    set_account_at(
        &mut create,
        create_at::TOKEN_PROGRAM,
        SYSTEM_PROGRAM_ID,
        false,
    );
    let brand = env.brand.insecure_clone();
    assert_anchor_error(
        env.send(&[create], &[&brand]),
        AnchorError::InvalidProgramId,
    );
    assert!(env.svm.get_account(&campaign).is_none());
}

/// A fake associated token program (Token-2022's id) that would "create" the vault.
#[test]
fn rejects_create_campaign_with_fake_associated_token_program() {
    let mut env = Env::with_platform();
    let asset = env.new_asset(Some(TOKEN_PROGRAM_ID));
    let (mut create, campaign) = create_ix(&env, asset, env.campaign_args(1, TOKEN_UNIT));
    swap_account(
        &mut create,
        &ASSOCIATED_TOKEN_PROGRAM_ID,
        TOKEN_2022_PROGRAM_ID,
    );
    let brand = env.brand.insecure_clone();
    assert_anchor_error(
        env.send(&[create], &[&brand]),
        AnchorError::InvalidProgramId,
    );
    assert!(env.svm.get_account(&campaign).is_none());
}

/// A fake system program (SPL Token's id, or this program's) that would "create" the accounts.
#[test]
fn rejects_create_campaign_with_fake_system_program() {
    let mut env = Env::with_platform();
    for fake in [TOKEN_PROGRAM_ID, clipstake::ID] {
        let (mut create, campaign) = create_ix(&env, Asset::Sol, env.campaign_args(1, SOL_UNIT));
        swap_account(&mut create, &SYSTEM_PROGRAM_ID, fake);
        let brand = env.brand.insecure_clone();
        assert_anchor_error(
            env.send(&[create], &[&brand]),
            AnchorError::InvalidProgramId,
        );
        assert!(env.svm.get_account(&campaign).is_none());
    }
}

/// A mint without its associated token program: half a token campaign.
#[test]
fn rejects_create_campaign_with_partial_token_accounts() {
    let mut env = Env::with_platform();
    let asset = env.new_asset(Some(TOKEN_PROGRAM_ID));
    let (mut create, campaign) = create_ix(&env, asset, env.campaign_args(1, TOKEN_UNIT));
    set_account_at(
        &mut create,
        create_at::ASSOCIATED_TOKEN_PROGRAM,
        clipstake::ID,
        false,
    );
    assert_create_refused(
        &mut env,
        create,
        campaign,
        ClipstakeError::MissingTokenAccounts,
    );
}

/// Creates a Token-2022 mint with one extension initialised by `extension_ix`.
fn token_2022_mint_with(
    env: &mut Env,
    extension: spl_token_2022_interface::extension::ExtensionType,
    extension_ix: impl Fn(&Pubkey) -> Instruction,
) -> Pubkey {
    let mint = Keypair::new();
    let space = spl_token_2022_interface::extension::ExtensionType::try_calculate_account_len::<
        spl_token_2022_interface::state::Mint,
    >(&[extension])
    .unwrap();
    let create = solana_system_interface::instruction::create_account(
        &env.payer.pubkey(),
        &mint.pubkey(),
        env.svm.minimum_balance_for_rent_exemption(space),
        space as u64,
        &TOKEN_2022_PROGRAM_ID,
    );
    let init = spl_token_2022_interface::instruction::initialize_mint2(
        &TOKEN_2022_PROGRAM_ID,
        &mint.pubkey(),
        &env.payer.pubkey(),
        None,
        6,
    )
    .unwrap();
    env.send(&[create, extension_ix(&mint.pubkey()), init], &[&mint])
        .expect("mint with extension");
    mint.pubkey()
}

/// A Token-2022 mint with a permanent delegate, who could drain the vault at will.
#[test]
fn rejects_token_2022_mint_with_permanent_delegate() {
    let mut env = Env::with_platform();
    let delegate = Keypair::new().pubkey();
    let mint = token_2022_mint_with(
        &mut env,
        spl_token_2022_interface::extension::ExtensionType::PermanentDelegate,
        |mint| {
            spl_token_2022_interface::instruction::initialize_permanent_delegate(
                &TOKEN_2022_PROGRAM_ID,
                mint,
                &delegate,
            )
            .unwrap()
        },
    );
    let asset = Asset::Token {
        mint,
        token_program: TOKEN_2022_PROGRAM_ID,
    };
    let (create, campaign) = create_ix(&env, asset, env.campaign_args(1, TOKEN_UNIT));
    assert_create_refused(
        &mut env,
        create,
        campaign,
        ClipstakeError::UnsupportedMintExtension,
    );
    assert!(
        env.svm
            .get_account(&receiving_account(asset, &campaign))
            .is_none(),
        "no vault was created"
    );
}

/// A non-transferable Token-2022 mint: the budget could never be paid out.
#[test]
fn rejects_token_2022_mint_non_transferable() {
    let mut env = Env::with_platform();
    let mint = token_2022_mint_with(
        &mut env,
        spl_token_2022_interface::extension::ExtensionType::NonTransferable,
        |mint| {
            spl_token_2022_interface::instruction::initialize_non_transferable_mint(
                &TOKEN_2022_PROGRAM_ID,
                mint,
            )
            .unwrap()
        },
    );
    let asset = Asset::Token {
        mint,
        token_program: TOKEN_2022_PROGRAM_ID,
    };
    let (create, campaign) = create_ix(&env, asset, env.campaign_args(1, TOKEN_UNIT));
    assert_create_refused(
        &mut env,
        create,
        campaign,
        ClipstakeError::UnsupportedMintExtension,
    );
}

/// Type cosplay: a Campaign passed as the Platform (to copy attacker-chosen fees/treasury).
#[test]
fn rejects_create_campaign_with_campaign_as_platform() {
    let mut env = Env::with_platform();
    let existing = env.funded_campaign(Asset::Sol, 9);
    let (mut create, campaign) = create_ix(&env, Asset::Sol, env.campaign_args(1, SOL_UNIT));
    swap_account(&mut create, &pda::platform(), existing);
    let brand = env.brand.insecure_clone();
    assert_anchor_error(
        env.send(&[create], &[&brand]),
        AnchorError::AccountDiscriminatorMismatch,
    );
    assert!(env.svm.get_account(&campaign).is_none());
}

/// Creating campaigns before the platform exists (so no fee terms are set).
#[test]
fn rejects_create_campaign_before_platform_init() {
    let mut env = Env::new();
    let (create, campaign) = create_ix(&env, Asset::Sol, env.campaign_args(1, SOL_UNIT));
    let brand = env.brand.insecure_clone();
    assert_anchor_error(
        env.send(&[create], &[&brand]),
        AnchorError::AccountNotInitialized,
    );
    assert!(env.svm.get_account(&campaign).is_none());
}

// ------------------------------------------------------------------------------------------
// fund_campaign

fn token_campaign(env: &mut Env) -> (Pubkey, Asset) {
    let asset = env.new_asset(Some(TOKEN_PROGRAM_ID));
    (env.funded_campaign(asset, 1), asset)
}

/// Watched accounts of a funding attempt.
fn fund_watch(env: &Env, campaign: &Pubkey, extra: &[Pubkey]) -> Vec<Pubkey> {
    let mut keys = vec![
        *campaign,
        env.campaign(campaign).state.vault,
        env.brand.pubkey(),
    ];
    keys.extend_from_slice(extra);
    keys
}

/// The funder's key is named but does not sign (moving someone else's lamports).
#[test]
fn rejects_fund_without_funder_signature() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), SOL);
    unsign(&mut fund, &env.brand.pubkey());
    assert_anchor_error(env.send(&[fund], &[]), AnchorError::AccountNotSigner);
    env.assert_unchanged(&before);
}

/// An attacker funds (and gets credit for funding) from the brand's token account.
#[test]
fn rejects_fund_from_token_account_of_another_owner() {
    let mut env = Env::with_platform();
    let (campaign, asset) = token_campaign(&mut env);
    let Asset::Token {
        mint,
        token_program,
    } = asset
    else {
        unreachable!()
    };
    let brand = env.brand.pubkey();
    let victim_ata = env.fund_tokens(&token_program, &mint, &brand, 1_000);
    let attacker = env.keypair_with(SOL);
    let attacker_ata = env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[victim_ata, attacker_ata]));
    let mut fund = ix::fund_campaign(&attacker.pubkey(), &env.campaign(&campaign), 1_000);
    swap_account(&mut fund, &attacker_ata, victim_ata);
    // SPL Token refuses: the signer is not the source's owner (TokenError::OwnerMismatch).
    assert_instruction_error(
        env.send(&[fund], &[&attacker]),
        0,
        InstructionError::Custom(4),
    );
    env.assert_unchanged(&before);
}

/// Funding from the vault itself (vault as the funder's token account): the funded total
/// must not rise without new money.
#[test]
fn rejects_fund_from_the_vault_itself() {
    let mut env = Env::with_platform();
    let (campaign, _) = token_campaign(&mut env);
    let state = env.campaign(&campaign);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &state, 1_000);
    set_account_at(
        &mut fund,
        fund_at::FUNDER_TOKEN_ACCOUNT,
        state.state.vault,
        true,
    );
    let brand = env.brand.insecure_clone();
    // SPL Token refuses: the brand is not the vault's owner (TokenError::OwnerMismatch).
    assert_instruction_error(env.send(&[fund], &[&brand]), 0, InstructionError::Custom(4));
    env.assert_unchanged(&before);
}

/// A zero funding (event spam, a no-op "funded" record).
#[test]
fn rejects_fund_zero() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    assert_program_error(env.fund(&campaign, 0), ClipstakeError::ZeroAmount);
    env.assert_unchanged(&before);
}

/// Funding while the platform is paused.
#[test]
fn rejects_fund_while_platform_paused() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    env.pause_platform();
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    assert_program_error(env.fund(&campaign, SOL), ClipstakeError::PlatformPaused);
    env.assert_unchanged(&before);
}

/// Credit campaign A's books while the money lands in campaign B's vault.
#[test]
fn rejects_fund_into_other_campaigns_vault() {
    for token_program in [None, Some(TOKEN_PROGRAM_ID)] {
        let mut env = Env::with_platform();
        let asset = env.new_asset(token_program);
        let a = env.funded_campaign(asset, 1);
        let b = env.funded_campaign(asset, 2);
        let (state_a, vault_b) = (env.campaign(&a), env.campaign(&b).state.vault);
        let before = env.snapshot(&[a, b, state_a.state.vault, vault_b]);
        let mut fund = ix::fund_campaign(&env.brand.pubkey(), &state_a, unit_of(asset));
        swap_account(&mut fund, &state_a.state.vault, vault_b);
        let brand = env.brand.insecure_clone();
        assert_program_error(env.send(&[fund], &[&brand]), ClipstakeError::WrongVault);
        env.assert_unchanged(&before);
    }
}

/// Funding with worthless tokens of another mint.
#[test]
fn rejects_fund_with_wrong_mint() {
    let mut env = Env::with_platform();
    let (campaign, asset) = token_campaign(&mut env);
    let Asset::Token { mint, .. } = asset else {
        unreachable!()
    };
    let junk = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let brand = env.brand.pubkey();
    let junk_ata = env.fund_tokens(&TOKEN_PROGRAM_ID, &junk, &brand, 1_000);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[junk_ata]));
    let mut fund = ix::fund_campaign(&brand, &env.campaign(&campaign), 1_000);
    swap_account(&mut fund, &mint, junk);
    swap_account(
        &mut fund,
        &pda::associated_token(&brand, &mint, &TOKEN_PROGRAM_ID),
        junk_ata,
    );
    let brand = env.brand.insecure_clone();
    assert_program_error(env.send(&[fund], &[&brand]), ClipstakeError::WrongMint);
    env.assert_unchanged(&before);
}

/// Token-2022 passed for an SPL Token campaign.
#[test]
fn rejects_fund_with_other_token_program() {
    let mut env = Env::with_platform();
    let (campaign, _) = token_campaign(&mut env);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), 1_000);
    swap_account(&mut fund, &TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID);
    let brand = env.brand.insecure_clone();
    assert_program_error(
        env.send(&[fund], &[&brand]),
        ClipstakeError::WrongTokenProgram,
    );
    env.assert_unchanged(&before);
}

/// A fake token program (another executable program) that would report a transfer.
#[test]
fn rejects_fund_with_fake_token_program() {
    let mut env = Env::with_platform();
    let (campaign, _) = token_campaign(&mut env);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), 1_000);
    swap_account(&mut fund, &TOKEN_PROGRAM_ID, ASSOCIATED_TOKEN_PROGRAM_ID);
    let brand = env.brand.insecure_clone();
    assert_anchor_error(env.send(&[fund], &[&brand]), AnchorError::InvalidProgramId);
    env.assert_unchanged(&before);
}

/// A fake system program that would "move" lamports for a SOL campaign.
#[test]
fn rejects_fund_with_fake_system_program() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), SOL);
    swap_account(&mut fund, &SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID);
    let brand = env.brand.insecure_clone();
    assert_anchor_error(env.send(&[fund], &[&brand]), AnchorError::InvalidProgramId);
    env.assert_unchanged(&before);
}

/// Funding a token campaign with lamports (token accounts omitted): the books would count
/// lamports as tokens.
#[test]
fn rejects_fund_token_campaign_with_lamports() {
    let mut env = Env::with_platform();
    let (campaign, _) = token_campaign(&mut env);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), 1_000);
    for at in [
        fund_at::FUNDER_TOKEN_ACCOUNT,
        fund_at::MINT,
        fund_at::TOKEN_PROGRAM,
    ] {
        set_account_at(&mut fund, at, clipstake::ID, false);
    }
    let brand = env.brand.insecure_clone();
    assert_program_error(
        env.send(&[fund], &[&brand]),
        ClipstakeError::MissingTokenAccounts,
    );
    env.assert_unchanged(&before);
}

/// Type cosplay: a Submission passed as the Campaign.
#[test]
fn rejects_fund_with_submission_as_campaign() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let payee = env.payee(&campaign, Asset::Sol, "v", false);
    let before = env.snapshot(&fund_watch(&env, &campaign, &[payee.submission]));
    let mut fund = ix::fund_campaign(&env.brand.pubkey(), &env.campaign(&campaign), SOL);
    swap_account(&mut fund, &campaign, payee.submission);
    let brand = env.brand.insecure_clone();
    assert_anchor_error(
        env.send(&[fund], &[&brand]),
        AnchorError::AccountDiscriminatorMismatch,
    );
    env.assert_unchanged(&before);
}

/// The funded total overflowing u64 (reachable: fund u64::MAX, pay a creator, who funds the
/// campaign back) must be refused, not wrap.
#[test]
fn rejects_fund_overflowing_funded_total() {
    let mut env = Env::with_platform();
    let asset = env.new_asset(Some(TOKEN_PROGRAM_ID));
    let campaign = env
        .create_campaign(asset, env.campaign_args(1, TOKEN_UNIT))
        .unwrap();
    env.fund(&campaign, u64::MAX).expect("fund u64::MAX");
    let payee = env.payee(&campaign, asset, "https://video.example/loop", false);
    env.disburse(&campaign, &payee.submission, 1_000)
        .expect("disburse");
    let creator = payee.creator.insecure_clone();
    let before = env.snapshot(&fund_watch(
        &env,
        &campaign,
        &[receiving_account(asset, &creator.pubkey())],
    ));
    let fund = ix::fund_campaign(&creator.pubkey(), &env.campaign(&campaign), 1);
    let payer = env.payer.insecure_clone();
    assert_program_error(
        env.send(&[fund], &[&creator, &payer]),
        ClipstakeError::Overflow,
    );
    env.assert_unchanged(&before);
    assert_eq!(env.account::<Campaign>(&campaign).funded, u64::MAX);
}

/// Once the brand has withdrawn, the campaign is over for good: nobody can fund it again.
#[test]
fn rejects_fund_after_withdrawal() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    env.set_time(T0 + CAMPAIGN_SECS + SETTLEMENT_SECS);
    let brand = env.brand.insecure_clone();
    env.send(&[ix::withdraw(&env.campaign(&campaign), 1)], &[&brand])
        .expect("withdraw 1");
    let before = env.snapshot(&fund_watch(&env, &campaign, &[brand.pubkey()]));
    let fund = ix::fund_campaign(&brand.pubkey(), &env.campaign(&campaign), 1);
    assert_program_error(
        env.send(&[fund], &[&brand]),
        ClipstakeError::CampaignSettled,
    );
    env.assert_unchanged(&before);
}

// ------------------------------------------------------------------------------------------
// register_submission

fn register_args(video: &str, creator: Pubkey) -> RegisterSubmissionArgs {
    RegisterSubmissionArgs {
        content_hash: pda::content_hash(video),
        creator,
        affiliate: None,
        affiliate_bps: 0,
    }
}

/// Sends a registration signed by the oracle; asserts `expected` and that nothing was created.
#[track_caller]
fn assert_register_refused(
    env: &mut Env,
    campaign: &Pubkey,
    args: RegisterSubmissionArgs,
    expected: ClipstakeError,
) {
    let before = env.snapshot(&[*campaign]);
    let (register, submission) =
        ix::register_submission(&env.oracle.pubkey(), &env.payer.pubkey(), campaign, args);
    let oracle = env.oracle.insecure_clone();
    assert_program_error(env.send(&[register], &[&oracle]), expected);
    env.assert_unchanged(&before);
    assert!(env.svm.get_account(&submission).is_none());
}

/// A stranger (or another campaign's oracle) registers videos to draw payouts.
#[test]
fn rejects_register_by_non_oracle() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let attacker = env.keypair_with(SOL);
    // A registered oracle, but not this campaign's.
    env.add_oracle(&attacker.pubkey()).unwrap();
    let before = env.snapshot(&[campaign]);
    let (register, submission) = ix::register_submission(
        &attacker.pubkey(),
        &env.payer.pubkey(),
        &campaign,
        register_args("v", attacker.pubkey()),
    );
    assert_program_error(
        env.send(&[register], &[&attacker]),
        ClipstakeError::NotCampaignOracle,
    );
    env.assert_unchanged(&before);
    assert!(env.svm.get_account(&submission).is_none());
}

/// The oracle's key is named but does not sign.
#[test]
fn rejects_register_without_oracle_signature() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let before = env.snapshot(&[campaign]);
    let (mut register, submission) = ix::register_submission(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &campaign,
        register_args("v", Keypair::new().pubkey()),
    );
    unsign(&mut register, &env.oracle.pubkey());
    assert_anchor_error(env.send(&[register], &[]), AnchorError::AccountNotSigner);
    env.assert_unchanged(&before);
    assert!(env.svm.get_account(&submission).is_none());
}

/// Re-registering a paid video (to reset its watermark or redirect it to another creator).
#[test]
fn rejects_register_same_video_twice() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.disburse(&payee.campaign, &payee.submission, 100_000)
        .unwrap();
    let before = env.snapshot(&[payee.campaign, payee.submission]);
    let thief = Keypair::new();
    let (register, again) = ix::register_submission(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &payee.campaign,
        register_args("https://video.example/victim", thief.pubkey()),
    );
    assert_eq!(again, payee.submission);
    let oracle = env.oracle.insecure_clone();
    // The system program refuses to allocate an account that is already in use.
    assert_instruction_error(
        env.send(&[register], &[&oracle]),
        0,
        InstructionError::Custom(0),
    );
    env.assert_unchanged(&before);
    let sub = env.account::<Submission>(&payee.submission);
    assert_eq!(
        (sub.creator, sub.paid_views),
        (payee.creator.pubkey(), 100_000)
    );
}

/// Registration while the platform is paused.
#[test]
fn rejects_register_while_platform_paused() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    env.pause_platform();
    assert_register_refused(
        &mut env,
        &campaign,
        register_args("v", Keypair::new().pubkey()),
        ClipstakeError::PlatformPaused,
    );
}

/// Registration to a paused campaign.
#[test]
fn rejects_register_on_paused_campaign() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let brand = env.brand.insecure_clone();
    env.set_status(&brand, &campaign, CampaignStatus::Paused)
        .unwrap();
    assert_register_refused(
        &mut env,
        &campaign,
        register_args("v", Keypair::new().pubkey()),
        ClipstakeError::CampaignPaused,
    );
}

/// Registration after the end time, or after the brand ended the campaign.
#[test]
fn rejects_register_after_campaign_end() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    env.set_time(T0 + CAMPAIGN_SECS);
    assert_register_refused(
        &mut env,
        &campaign,
        register_args("v", Keypair::new().pubkey()),
        ClipstakeError::CampaignEnded,
    );

    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let brand = env.brand.insecure_clone();
    env.set_status(&brand, &campaign, CampaignStatus::Ended)
        .unwrap();
    assert_register_refused(
        &mut env,
        &campaign,
        register_args("v", Keypair::new().pubkey()),
        ClipstakeError::CampaignEnded,
    );
}

/// An affiliate commission above the campaign's maximum (20%).
#[test]
fn rejects_register_affiliate_bps_above_max() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let args = RegisterSubmissionArgs {
        affiliate: Some(Keypair::new().pubkey()),
        affiliate_bps: MAX_AFFILIATE_BPS + 1,
        ..register_args("v", Keypair::new().pubkey())
    };
    assert_register_refused(
        &mut env,
        &campaign,
        args,
        ClipstakeError::AffiliateCommissionTooHigh,
    );
}

/// An affiliate commission above 100%.
#[test]
fn rejects_register_affiliate_bps_above_whole() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let args = RegisterSubmissionArgs {
        affiliate: Some(Keypair::new().pubkey()),
        affiliate_bps: 10_001,
        ..register_args("v", Keypair::new().pubkey())
    };
    assert_register_refused(&mut env, &campaign, args, ClipstakeError::BpsOutOfRange);
}

/// Inconsistent affiliate terms: a commission with no wallet, a wallet with no commission, the
/// default key as affiliate or creator (payouts to an unspendable address).
#[test]
fn rejects_register_affiliate_mismatch() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let creator = Keypair::new().pubkey();
    let cases = [
        RegisterSubmissionArgs {
            affiliate: None,
            affiliate_bps: 500,
            ..register_args("a", creator)
        },
        RegisterSubmissionArgs {
            affiliate: Some(Keypair::new().pubkey()),
            affiliate_bps: 0,
            ..register_args("b", creator)
        },
        RegisterSubmissionArgs {
            affiliate: Some(Pubkey::default()),
            affiliate_bps: 500,
            ..register_args("c", creator)
        },
        register_args("d", Pubkey::default()),
    ];
    for args in cases {
        assert_register_refused(&mut env, &campaign, args, ClipstakeError::AffiliateMismatch);
    }
}

/// A submission account at an address that is not `["submission", campaign, hash]`.
#[test]
fn rejects_register_at_non_canonical_submission_address() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let before = env.snapshot(&[campaign]);
    let (mut register, submission) = ix::register_submission(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &campaign,
        register_args("v", Keypair::new().pubkey()),
    );
    let elsewhere = pda::submission(&campaign, &pda::content_hash("other video"));
    swap_account(&mut register, &submission, elsewhere);
    let oracle = env.oracle.insecure_clone();
    assert_anchor_error(
        env.send(&[register], &[&oracle]),
        AnchorError::ConstraintSeeds,
    );
    env.assert_unchanged(&before);
    assert!(env.svm.get_account(&elsewhere).is_none());
}

/// Type cosplay: the Platform passed as the Campaign.
#[test]
fn rejects_register_with_platform_as_campaign() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let (mut register, _) = ix::register_submission(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &campaign,
        register_args("v", Keypair::new().pubkey()),
    );
    let platform = pda::platform();
    // The platform already sits at its own index; replace the campaign meta (index 3).
    assert_eq!(register.accounts[3].pubkey, campaign);
    set_account_at(&mut register, 3, platform, true);
    let before = env.snapshot(&[platform, campaign]);
    let oracle = env.oracle.insecure_clone();
    assert_anchor_error(
        env.send(&[register], &[&oracle]),
        AnchorError::AccountDiscriminatorMismatch,
    );
    env.assert_unchanged(&before);
}

/// A fake system program that would "create" the submission.
#[test]
fn rejects_register_with_fake_system_program() {
    let mut env = Env::with_platform();
    let campaign = env.funded_campaign(Asset::Sol, 1);
    let before = env.snapshot(&[campaign]);
    let (mut register, submission) = ix::register_submission(
        &env.oracle.pubkey(),
        &env.payer.pubkey(),
        &campaign,
        register_args("v", Keypair::new().pubkey()),
    );
    swap_account(&mut register, &SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID);
    let oracle = env.oracle.insecure_clone();
    assert_anchor_error(
        env.send(&[register], &[&oracle]),
        AnchorError::InvalidProgramId,
    );
    env.assert_unchanged(&before);
    assert!(env.svm.get_account(&submission).is_none());
}
