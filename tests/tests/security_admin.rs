//! Attack tests for the admin-side instructions: `init_platform`, `update_platform` and
//! `set_campaign_status`. Every test asserts the specific refusal and that nothing changed.
use anchor_lang::Discriminator;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::instructions::{InitPlatformArgs, UpdatePlatformArgs};
use clipstake::state::{Campaign, CampaignStatus, Platform};
use clipstake_sdk::instructions::{self as ix, Asset, SYSTEM_PROGRAM_ID};
use clipstake_sdk::pda;
use clipstake_tests::*;
use solana_account::Account;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

fn init_args(treasury: Pubkey) -> InitPlatformArgs {
    InitPlatformArgs {
        treasury,
        fee_bps: FEE_BPS,
        max_affiliate_bps: MAX_AFFILIATE_BPS,
        min_settlement_window_secs: MIN_SETTLEMENT_SECS,
        max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
    }
}

/// A Platform-shaped account (right discriminator) naming `admin`, owned by `owner`.
fn fake_platform(env: &Env, owner: Pubkey, admin: Pubkey) -> Account {
    let mut data = Platform::DISCRIMINATOR.to_vec();
    data.extend_from_slice(admin.as_ref()); // admin
    data.extend_from_slice(admin.as_ref()); // treasury
    data.extend_from_slice(&0u16.to_le_bytes()); // fee_bps
    data.extend_from_slice(&0u16.to_le_bytes()); // max_affiliate_bps
    data.push(0); // paused
    data.push(255); // bump
    Account {
        lamports: env.svm.minimum_balance_for_rent_exemption(data.len()),
        data,
        owner,
        executable: false,
        rent_epoch: 0,
    }
}

// ------------------------------------------------------------------------------------------
// init_platform

/// Front-running a fresh deployment: a stranger tries to become admin and set the treasury.
#[test]
fn rejects_init_platform_by_non_upgrade_authority() {
    let mut env = Env::new();
    let attacker = env.keypair_with(SOL);
    let init = ix::init_platform(
        &attacker.pubkey(),
        &env.payer.pubkey(),
        init_args(attacker.pubkey()),
    );
    assert_program_error(
        env.send(&[init], &[&attacker]),
        ClipstakeError::NotUpgradeAuthority,
    );
    assert!(
        env.svm.get_account(&pda::platform()).is_none(),
        "no platform was created"
    );
}

/// The upgrade authority's key is named but does not sign.
#[test]
fn rejects_init_platform_without_admin_signature() {
    let mut env = Env::new();
    let mut init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        init_args(env.treasury.pubkey()),
    );
    unsign(&mut init, &env.admin.pubkey());
    assert_anchor_error(env.send(&[init], &[]), AnchorError::AccountNotSigner);
    assert!(env.svm.get_account(&pda::platform()).is_none());
}

/// A forged ProgramData account naming the attacker as upgrade authority, at another address.
#[test]
fn rejects_init_platform_with_fake_program_data() {
    let mut env = Env::new();
    let attacker = env.keypair_with(SOL);
    let fake = Pubkey::new_unique();
    let mut real = env.svm.get_account(&pda::program_data()).unwrap();
    real.data[13..45].copy_from_slice(attacker.pubkey().as_ref());
    env.put_account(fake, real);
    let mut init = ix::init_platform(
        &attacker.pubkey(),
        &env.payer.pubkey(),
        init_args(attacker.pubkey()),
    );
    swap_account(&mut init, &pda::program_data(), fake);
    assert_anchor_error(
        env.send(&[init], &[&attacker]),
        AnchorError::ConstraintSeeds,
    );
    assert!(env.svm.get_account(&pda::platform()).is_none());
}

/// An immutable program (no upgrade authority): nobody may initialise, not even a signer whose
/// key happens to match the zeroed authority bytes.
#[test]
fn rejects_init_platform_when_program_is_immutable() {
    let mut env = Env::new();
    let mut program_data = env.svm.get_account(&pda::program_data()).unwrap();
    program_data.data[12] = 0; // Option::None
    program_data.data[13..45].copy_from_slice(env.admin.pubkey().as_ref());
    env.put_account(pda::program_data(), program_data);
    let init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        init_args(env.treasury.pubkey()),
    );
    let admin = env.admin.insecure_clone();
    assert_program_error(
        env.send(&[init], &[&admin]),
        ClipstakeError::NotUpgradeAuthority,
    );
    assert!(env.svm.get_account(&pda::platform()).is_none());
}

/// A second platform at a non-canonical address (to be passed to payouts, which do not re-derive it).
#[test]
fn rejects_init_platform_at_non_canonical_address() {
    let mut env = Env::new();
    let other = Keypair::new();
    let mut init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        init_args(env.treasury.pubkey()),
    );
    swap_account(&mut init, &pda::platform(), other.pubkey());
    init.accounts
        .iter_mut()
        .filter(|m| m.pubkey == other.pubkey())
        .for_each(|m| m.is_signer = true);
    let admin = env.admin.insecure_clone();
    assert_anchor_error(
        env.send(&[init], &[&admin, &other]),
        AnchorError::ConstraintSeeds,
    );
    assert!(env.svm.get_account(&other.pubkey()).is_none());
}

/// Re-initialisation: a second init (even by the upgrade authority) must not overwrite the
/// admin, treasury or fees.
#[test]
fn rejects_init_platform_twice() {
    let mut env = Env::with_platform();
    let before = env.snapshot(&[pda::platform()]);
    let thief = Keypair::new();
    let init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        InitPlatformArgs {
            treasury: thief.pubkey(),
            fee_bps: 10_000,
            max_affiliate_bps: 0,
            min_settlement_window_secs: MIN_SETTLEMENT_SECS,
            max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
        },
    );
    let admin = env.admin.insecure_clone();
    // The system program refuses to allocate an account that is already in use.
    assert_instruction_error(env.send(&[init], &[&admin]), 0, InstructionError::Custom(0));
    env.assert_unchanged(&before);
    assert_eq!(
        env.account::<Platform>(&pda::platform()).treasury,
        env.treasury.pubkey()
    );
}

/// A fee above 100% would let the treasury take more than the gross payout.
#[test]
fn rejects_init_platform_fee_above_whole() {
    let mut env = Env::new();
    let init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        InitPlatformArgs {
            treasury: env.treasury.pubkey(),
            fee_bps: 10_001,
            max_affiliate_bps: 0,
            min_settlement_window_secs: MIN_SETTLEMENT_SECS,
            max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
        },
    );
    let admin = env.admin.insecure_clone();
    assert_program_error(env.send(&[init], &[&admin]), ClipstakeError::BpsOutOfRange);
    assert!(env.svm.get_account(&pda::platform()).is_none());
}

/// A maximum affiliate commission above 100%.
#[test]
fn rejects_init_platform_max_affiliate_above_whole() {
    let mut env = Env::new();
    let init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        InitPlatformArgs {
            treasury: env.treasury.pubkey(),
            fee_bps: 0,
            max_affiliate_bps: 10_001,
            min_settlement_window_secs: MIN_SETTLEMENT_SECS,
            max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
        },
    );
    let admin = env.admin.insecure_clone();
    assert_program_error(env.send(&[init], &[&admin]), ClipstakeError::BpsOutOfRange);
    assert!(env.svm.get_account(&pda::platform()).is_none());
}

/// Fee plus maximum commission above 100%: a payout could owe more than its gross.
#[test]
fn rejects_init_platform_fee_plus_affiliate_above_whole() {
    let mut env = Env::new();
    let init = ix::init_platform(
        &env.admin.pubkey(),
        &env.payer.pubkey(),
        InitPlatformArgs {
            treasury: env.treasury.pubkey(),
            fee_bps: 6_000,
            max_affiliate_bps: 4_001,
            min_settlement_window_secs: MIN_SETTLEMENT_SECS,
            max_attestation_lifetime_secs: MAX_ATTESTATION_SECS,
        },
    );
    let admin = env.admin.insecure_clone();
    assert_program_error(
        env.send(&[init], &[&admin]),
        ClipstakeError::BpsSumExceedsWhole,
    );
    assert!(env.svm.get_account(&pda::platform()).is_none());
}

/// A fake system program (another executable program: SPL Token, or this program itself) in
/// place of the real one.
#[test]
fn rejects_init_platform_with_fake_system_program() {
    let mut env = Env::new();
    for fake in [TOKEN_PROGRAM_ID, clipstake::ID] {
        let mut init = ix::init_platform(
            &env.admin.pubkey(),
            &env.payer.pubkey(),
            init_args(env.treasury.pubkey()),
        );
        swap_account(&mut init, &SYSTEM_PROGRAM_ID, fake);
        let admin = env.admin.insecure_clone();
        assert_anchor_error(env.send(&[init], &[&admin]), AnchorError::InvalidProgramId);
        assert!(env.svm.get_account(&pda::platform()).is_none());
    }
}

// ------------------------------------------------------------------------------------------
// update_platform

/// A stranger signs as admin to redirect the treasury and raise the fee.
#[test]
fn rejects_update_platform_by_non_admin() {
    let mut env = Env::with_platform();
    let attacker = env.keypair_with(SOL);
    let before = env.snapshot(&[pda::platform()]);
    let update = ix::update_platform(
        &attacker.pubkey(),
        UpdatePlatformArgs {
            new_admin: Some(attacker.pubkey()),
            treasury: Some(attacker.pubkey()),
            ..Default::default()
        },
    );
    assert_program_error(
        env.send(&[update], &[&attacker]),
        ClipstakeError::NotPlatformAdmin,
    );
    env.assert_unchanged(&before);
}

/// A brand switches the platform's SPL Token transfers to `Batch`-less (or back), which on the
/// wrong cluster would make every SPL payout fail: only the admin may.
#[test]
fn rejects_spl_token_batch_switch_by_a_brand() {
    let mut env = Env::with_platform();
    let brand = env.brand.insecure_clone();
    let before = env.snapshot(&[pda::platform()]);
    for setting in [false, true] {
        let update = ix::update_platform(
            &brand.pubkey(),
            UpdatePlatformArgs {
                spl_token_batch: Some(setting),
                ..Default::default()
            },
        );
        assert_program_error(
            env.send(&[update], &[&brand]),
            ClipstakeError::NotPlatformAdmin,
        );
    }
    env.assert_unchanged(&before);
}

/// The admin's key is named but does not sign.
#[test]
fn rejects_update_platform_without_admin_signature() {
    let mut env = Env::with_platform();
    let before = env.snapshot(&[pda::platform()]);
    let mut update = ix::update_platform(
        &env.admin.pubkey(),
        UpdatePlatformArgs {
            paused: Some(true),
            ..Default::default()
        },
    );
    unsign(&mut update, &env.admin.pubkey());
    assert_anchor_error(env.send(&[update], &[]), AnchorError::AccountNotSigner);
    env.assert_unchanged(&before);
}

/// After handing over, the previous admin (still the upgrade authority) has no power left.
#[test]
fn rejects_update_platform_by_previous_admin() {
    let mut env = Env::with_platform();
    let new_admin = Keypair::new();
    env.update_platform(UpdatePlatformArgs {
        new_admin: Some(new_admin.pubkey()),
        ..Default::default()
    })
    .unwrap();
    env.send(&[ix::accept_admin(&new_admin.pubkey())], &[&new_admin])
        .unwrap();
    let before = env.snapshot(&[pda::platform()]);
    assert_program_error(
        env.update_platform(UpdatePlatformArgs {
            fee_bps: Some(0),
            ..Default::default()
        }),
        ClipstakeError::NotPlatformAdmin,
    );
    env.assert_unchanged(&before);
}

/// Out-of-range fee in an update.
#[test]
fn rejects_update_platform_fee_above_whole() {
    let mut env = Env::with_platform();
    let before = env.snapshot(&[pda::platform()]);
    assert_program_error(
        env.update_platform(UpdatePlatformArgs {
            fee_bps: Some(10_001),
            ..Default::default()
        }),
        ClipstakeError::BpsOutOfRange,
    );
    assert_program_error(
        env.update_platform(UpdatePlatformArgs {
            max_affiliate_bps: Some(u16::MAX),
            ..Default::default()
        }),
        ClipstakeError::BpsOutOfRange,
    );
    env.assert_unchanged(&before);
}

/// A new fee that, with the existing maximum commission (20%), exceeds 100%; and a new
/// maximum commission that does so with the existing fee.
#[test]
fn rejects_update_platform_fee_plus_affiliate_above_whole() {
    let mut env = Env::with_platform();
    let before = env.snapshot(&[pda::platform()]);
    assert_program_error(
        env.update_platform(UpdatePlatformArgs {
            fee_bps: Some(8_001),
            ..Default::default()
        }),
        ClipstakeError::BpsSumExceedsWhole,
    );
    assert_program_error(
        env.update_platform(UpdatePlatformArgs {
            max_affiliate_bps: Some(9_751),
            ..Default::default()
        }),
        ClipstakeError::BpsSumExceedsWhole,
    );
    env.assert_unchanged(&before);
}

/// Type cosplay: a Campaign account passed as the Platform.
#[test]
fn rejects_update_platform_with_campaign_as_platform() {
    let mut env = Env::with_platform();
    let campaign = env
        .create_campaign(Asset::Sol, env.campaign_args(1, SOL_UNIT))
        .unwrap();
    let before = env.snapshot(&[pda::platform(), campaign]);
    let mut update = ix::update_platform(
        &env.admin.pubkey(),
        UpdatePlatformArgs {
            paused: Some(true),
            ..Default::default()
        },
    );
    swap_account(&mut update, &pda::platform(), campaign);
    let admin = env.admin.insecure_clone();
    assert_anchor_error(
        env.send(&[update], &[&admin]),
        AnchorError::AccountDiscriminatorMismatch,
    );
    env.assert_unchanged(&before);
}

// ------------------------------------------------------------------------------------------
// set_campaign_status

fn sol_campaign(env: &mut Env) -> Pubkey {
    env.funded_campaign(Asset::Sol, 1)
}

/// A stranger pauses (griefs) someone else's campaign.
#[test]
fn rejects_set_status_by_stranger() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let attacker = env.keypair_with(SOL);
    let before = env.snapshot(&[campaign]);
    for status in [CampaignStatus::Paused, CampaignStatus::Ended] {
        assert_program_error(
            env.set_status(&attacker, &campaign, status),
            ClipstakeError::NotCampaignBrand,
        );
    }
    env.assert_unchanged(&before);
}

/// The brand's key is named but does not sign.
#[test]
fn rejects_set_status_without_brand_signature() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let before = env.snapshot(&[campaign]);
    let mut set = ix::set_campaign_status(&env.brand.pubkey(), &campaign, CampaignStatus::Ended);
    unsign(&mut set, &env.brand.pubkey());
    assert_anchor_error(env.send(&[set], &[]), AnchorError::AccountNotSigner);
    env.assert_unchanged(&before);
}

/// The oracle is not the brand: it may neither pause nor end the campaign.
#[test]
fn rejects_set_status_by_oracle() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let oracle = env.oracle.insecure_clone();
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&oracle, &campaign, CampaignStatus::Paused),
        ClipstakeError::NotCampaignBrand,
    );
    assert_program_error(
        env.set_status(&oracle, &campaign, CampaignStatus::Ended),
        ClipstakeError::NotCampaignBrand,
    );
    env.assert_unchanged(&before);
}

/// The admin may pause, but ending (which moves the end time and starts the withdrawal clock)
/// is the brand's alone.
#[test]
fn rejects_end_campaign_by_admin() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let admin = env.admin.insecure_clone();
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&admin, &campaign, CampaignStatus::Ended),
        ClipstakeError::NotCampaignBrand,
    );
    env.assert_unchanged(&before);
}

/// The brand lifts the admin's freeze by resuming.
#[test]
fn rejects_brand_resuming_admin_pause() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let (admin, brand) = (env.admin.insecure_clone(), env.brand.insecure_clone());
    env.set_status(&admin, &campaign, CampaignStatus::Paused)
        .unwrap();
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Active),
        ClipstakeError::AdminPauseLocked,
    );
    env.assert_unchanged(&before);
}

/// The brand escapes the admin's freeze by ending the campaign.
#[test]
fn rejects_brand_ending_admin_paused_campaign() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let (admin, brand) = (env.admin.insecure_clone(), env.brand.insecure_clone());
    env.set_status(&admin, &campaign, CampaignStatus::Paused)
        .unwrap();
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Ended),
        ClipstakeError::AdminPauseLocked,
    );
    env.assert_unchanged(&before);
}

/// Pausing twice would move `paused_at` (and the withdrawal deadline) at will.
#[test]
fn rejects_pause_of_paused_campaign() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let brand = env.brand.insecure_clone();
    env.set_status(&brand, &campaign, CampaignStatus::Paused)
        .unwrap();
    env.set_time(T0 + 1_000);
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Paused),
        ClipstakeError::InvalidStatusChange,
    );
    env.assert_unchanged(&before);
}

/// An ended campaign cannot be revived (resumed, paused or ended again).
#[test]
fn rejects_status_change_of_ended_campaign() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let (admin, brand) = (env.admin.insecure_clone(), env.brand.insecure_clone());
    env.set_status(&brand, &campaign, CampaignStatus::Ended)
        .unwrap();
    env.set_time(T0 + 10);
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Active),
        ClipstakeError::InvalidStatusChange,
    );
    assert_program_error(
        env.set_status(&admin, &campaign, CampaignStatus::Active),
        ClipstakeError::InvalidStatusChange,
    );
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Paused),
        ClipstakeError::InvalidStatusChange,
    );
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Ended),
        ClipstakeError::InvalidStatusChange,
    );
    env.assert_unchanged(&before);
    assert_eq!(env.account::<Campaign>(&campaign).end_time, T0);
}

/// Resuming a campaign that is not paused.
#[test]
fn rejects_resume_of_active_campaign() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let brand = env.brand.insecure_clone();
    let before = env.snapshot(&[campaign]);
    assert_program_error(
        env.set_status(&brand, &campaign, CampaignStatus::Active),
        ClipstakeError::InvalidStatusChange,
    );
    env.assert_unchanged(&before);
}

/// A Platform look-alike owned by another program, naming the attacker as admin.
#[test]
fn rejects_set_status_with_foreign_fake_platform() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let attacker = env.keypair_with(SOL);
    let fake = Pubkey::new_unique();
    let account = fake_platform(&env, TOKEN_PROGRAM_ID, attacker.pubkey());
    env.put_account(fake, account);
    let before = env.snapshot(&[campaign]);
    let mut set = ix::set_campaign_status(&attacker.pubkey(), &campaign, CampaignStatus::Paused);
    swap_account(&mut set, &pda::platform(), fake);
    assert_anchor_error(
        env.send(&[set], &[&attacker]),
        AnchorError::AccountOwnedByWrongProgram,
    );
    env.assert_unchanged(&before);
}

/// Type cosplay: a Submission passed as the Campaign.
#[test]
fn rejects_set_status_with_submission_as_campaign() {
    let mut env = Env::with_platform();
    let campaign = sol_campaign(&mut env);
    let payee = env.payee(&campaign, Asset::Sol, "v", false);
    let brand = env.brand.insecure_clone();
    let before = env.snapshot(&[campaign, payee.submission]);
    let mut set = ix::set_campaign_status(&brand.pubkey(), &campaign, CampaignStatus::Paused);
    swap_account(&mut set, &campaign, payee.submission);
    assert_anchor_error(
        env.send(&[set], &[&brand]),
        AnchorError::AccountDiscriminatorMismatch,
    );
    env.assert_unchanged(&before);
}
