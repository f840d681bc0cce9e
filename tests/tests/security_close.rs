//! Attack tests for the brand's exits: `withdraw`, `close_submission` and `close_campaign`.
//! Every test asserts the specific refusal and that no balance or account changed.
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::state::{Campaign, CampaignStatus};
use clipstake_sdk::instructions::{
    self as ix, ASSOCIATED_TOKEN_PROGRAM_ID, Asset, CampaignAccount,
};
use clipstake_tests::*;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Index of `withdraw`'s accounts (struct order).
mod withdraw_at {
    pub const BRAND_TOKEN_ACCOUNT: usize = 4;
    pub const MINT: usize = 5;
    pub const TOKEN_PROGRAM: usize = 6;
}

/// Index of `close_campaign`'s mint and token program (struct order).
const CLOSE_CAMPAIGN_MINT: usize = 4;
const CLOSE_CAMPAIGN_TOKEN_PROGRAM: usize = 5;

/// The moment the fixture campaign's settlement window closes.
const DEADLINE: i64 = T0 + CAMPAIGN_SECS + SETTLEMENT_SECS;

fn sol_or_token() -> [Option<Pubkey>; 2] {
    [None, Some(TOKEN_PROGRAM_ID)]
}

/// A platform and a funded campaign (id 1) in SOL or a fresh SPL Token mint.
fn funded(token_program: Option<Pubkey>) -> (Env, Pubkey, Asset) {
    let mut env = Env::with_platform();
    let asset = env.new_asset(token_program);
    let campaign = env.funded_campaign(asset, 1);
    (env, campaign, asset)
}

/// Everything a brand exit could move.
fn watched(env: &Env, campaign: &Pubkey, asset: Asset, extra: &[Pubkey]) -> Vec<Pubkey> {
    let brand = env.brand.pubkey();
    // The payer (fee payer and rent payer) is left out: it pays the fees of refused
    // transactions too.
    let mut keys = vec![
        *campaign,
        env.campaign(campaign).state.vault,
        brand,
        receiving_account(asset, &brand),
    ];
    keys.extend_from_slice(extra);
    keys.sort();
    keys.dedup();
    keys
}

/// Sends `ixs` signed by `signers`, checks the result and that `keys` did not change.
fn refused(
    env: &mut Env,
    keys: &[Pubkey],
    ixs: &[Instruction],
    signers: &[&Keypair],
    check: impl FnOnce(TxResult),
) {
    let before = env.snapshot(keys);
    check(env.send(ixs, signers));
    env.assert_unchanged(&before);
}

/// What the vault holds beyond its rent (SOL) or its token amount.
fn vault_balance(env: &Env, campaign: &CampaignAccount) -> u64 {
    let vault = campaign.state.vault;
    if campaign.state.asset == clipstake::state::AssetKind::NativeSol as u8 {
        env.lamports(&vault)
            - env
                .svm
                .minimum_balance_for_rent_exemption(env.svm.get_account(&vault).unwrap().data.len())
    } else {
        env.token_balance(&vault)
    }
}

// ------------------------------------------------------------------------------------------
// withdraw

/// The brand pulls the budget while creators may still be owed: during the campaign, at its
/// end, and one second before the settlement window closes.
#[test]
fn rejects_withdraw_before_settlement_window_closes() {
    for token_program in sol_or_token() {
        let (mut env, campaign, asset) = funded(token_program);
        let brand = env.brand.insecure_clone();
        for now in [T0, T0 + CAMPAIGN_SECS, DEADLINE - 1] {
            env.set_time(now);
            let keys = watched(&env, &campaign, asset, &[]);
            let withdraw = ix::withdraw(&env.campaign(&campaign), unit_of(asset));
            refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
                assert_program_error(r, ClipstakeError::SettlementWindowOpen)
            });
        }
    }
}

/// The brand pauses (or ends) to start the withdrawal clock early, then withdraws at once.
#[test]
fn rejects_withdraw_right_after_pause_or_early_end() {
    for status in [CampaignStatus::Paused, CampaignStatus::Ended] {
        let (mut env, campaign, asset) = funded(None);
        let brand = env.brand.insecure_clone();
        env.set_time(T0 + 100);
        env.set_status(&brand, &campaign, status).unwrap();
        for now in [T0 + 101, T0 + 100 + SETTLEMENT_SECS - 1] {
            env.set_time(now);
            let keys = watched(&env, &campaign, asset, &[]);
            let withdraw = ix::withdraw(&env.campaign(&campaign), 1);
            refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
                assert_program_error(r, ClipstakeError::SettlementWindowOpen)
            });
        }
    }
}

/// More than the vault holds (for SOL: dipping into the vault's rent).
#[test]
fn rejects_withdraw_more_than_vault_holds() {
    for token_program in sol_or_token() {
        let (mut env, campaign, asset) = funded(token_program);
        env.set_time(DEADLINE);
        let state = env.campaign(&campaign);
        let balance = vault_balance(&env, &state);
        assert_eq!(balance, BUDGET_UNITS * unit_of(asset));
        let keys = watched(&env, &campaign, asset, &[]);
        let brand = env.brand.insecure_clone();
        for amount in [balance + 1, u64::MAX] {
            let withdraw = ix::withdraw(&state, amount);
            refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
                assert_program_error(r, ClipstakeError::WithdrawExceedsAvailable)
            });
        }
    }
}

/// A stranger signs as brand (its own wallet and token account as destination).
#[test]
fn rejects_withdraw_by_non_brand() {
    for token_program in sol_or_token() {
        let (mut env, campaign, asset) = funded(token_program);
        env.set_time(DEADLINE);
        let attacker = env.keypair_with(SOL);
        let attacker_account = receiving_account(asset, &attacker.pubkey());
        if let Asset::Token {
            mint,
            token_program,
        } = asset
        {
            env.fund_tokens(&token_program, &mint, &attacker.pubkey(), 1);
        }
        let mut forged = env.campaign(&campaign);
        forged.state.brand = attacker.pubkey();
        let withdraw = ix::withdraw(&forged, unit_of(asset));
        let keys = watched(
            &env,
            &campaign,
            asset,
            &[attacker.pubkey(), attacker_account],
        );
        refused(&mut env, &keys, &[withdraw], &[&attacker], |r| {
            assert_program_error(r, ClipstakeError::NotCampaignBrand)
        });
    }
}

/// The brand's key is named but does not sign.
#[test]
fn rejects_withdraw_without_brand_signature() {
    let (mut env, campaign, asset) = funded(None);
    env.set_time(DEADLINE);
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), SOL);
    unsign(&mut withdraw, &env.brand.pubkey());
    let keys = watched(&env, &campaign, asset, &[]);
    refused(&mut env, &keys, &[withdraw], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

/// The brand's withdrawal sent to a token account owned by someone else.
#[test]
fn rejects_withdraw_to_token_account_of_another_owner() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    let Asset::Token {
        mint,
        token_program,
    } = asset
    else {
        unreachable!()
    };
    env.set_time(DEADLINE);
    let other = Keypair::new();
    let other_ata = env.fund_tokens(&token_program, &mint, &other.pubkey(), 1);
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    set_account_at(
        &mut withdraw,
        withdraw_at::BRAND_TOKEN_ACCOUNT,
        other_ata,
        true,
    );
    let keys = watched(&env, &campaign, asset, &[other_ata]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::RecipientTokenAccountMismatch)
    });
}

/// A destination that only looks like the brand's token account: owned by another program,
/// with the brand's key at the owner offset.
#[test]
fn rejects_withdraw_to_fake_token_account() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    let Asset::Token { mint, .. } = asset else {
        unreachable!()
    };
    env.set_time(DEADLINE);
    let fake = Pubkey::new_unique();
    let mut data = vec![0u8; 165];
    data[..32].copy_from_slice(mint.as_ref());
    data[32..64].copy_from_slice(env.brand.pubkey().as_ref());
    env.put_account(
        fake,
        Account {
            lamports: SOL,
            data,
            owner: clipstake::ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    set_account_at(&mut withdraw, withdraw_at::BRAND_TOKEN_ACCOUNT, fake, true);
    let keys = watched(&env, &campaign, asset, &[fake]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::RecipientTokenAccountMismatch)
    });
}

/// The brand's own token account but for another mint: SPL Token refuses the transfer
/// (TokenError::MintMismatch), the program relies on it.
#[test]
fn rejects_withdraw_to_brand_account_for_wrong_mint() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    env.set_time(DEADLINE);
    let other_mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let brand = env.brand.insecure_clone();
    let wrong_ata = env.fund_tokens(&TOKEN_PROGRAM_ID, &other_mint, &brand.pubkey(), 1);
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    set_account_at(
        &mut withdraw,
        withdraw_at::BRAND_TOKEN_ACCOUNT,
        wrong_ata,
        true,
    );
    let keys = watched(&env, &campaign, asset, &[wrong_ata]);
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_instruction_error(r, 0, InstructionError::Custom(3))
    });
}

/// The vault as its own destination: `withdrawn` would grow while nothing leaves.
#[test]
fn rejects_withdraw_vault_to_itself() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    env.set_time(DEADLINE);
    let state = env.campaign(&campaign);
    let mut withdraw = ix::withdraw(&state, 1_000);
    set_account_at(
        &mut withdraw,
        withdraw_at::BRAND_TOKEN_ACCOUNT,
        state.state.vault,
        true,
    );
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::DuplicateAccount)
    });
}

/// The brand withdraws through a settled campaign A from its live campaign B's vault (B's
/// creators are still owed).
#[test]
fn rejects_withdraw_from_other_campaigns_vault() {
    for token_program in sol_or_token() {
        let mut env = Env::with_platform();
        let asset = env.new_asset(token_program);
        let unit = unit_of(asset);
        let mut args = env.campaign_args(1, unit);
        args.end_time = T0 + 10;
        args.settlement_window_secs = MIN_SETTLEMENT_SECS;
        let settled = env.create_campaign(asset, args).unwrap();
        let live = env.funded_campaign(asset, 2);
        env.set_time(T0 + 10 + MIN_SETTLEMENT_SECS);
        let live_vault = env.campaign(&live).state.vault;
        let mut withdraw = ix::withdraw(&env.campaign(&settled), unit);
        swap_account(
            &mut withdraw,
            &env.campaign(&settled).state.vault,
            live_vault,
        );
        let keys = watched(&env, &settled, asset, &[live, live_vault]);
        let brand = env.brand.insecure_clone();
        refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
            assert_program_error(r, ClipstakeError::WrongVault)
        });
    }
}

/// Another mint passed for the campaign's mint.
#[test]
fn rejects_withdraw_with_wrong_mint() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    env.set_time(DEADLINE);
    let other_mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    set_account_at(&mut withdraw, withdraw_at::MINT, other_mint, false);
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WrongMint)
    });
}

/// Token-2022 for an SPL Token campaign, and a fake token program.
#[test]
fn rejects_withdraw_with_other_or_fake_token_program() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    env.set_time(DEADLINE);
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    set_account_at(
        &mut withdraw,
        withdraw_at::TOKEN_PROGRAM,
        TOKEN_2022_PROGRAM_ID,
        false,
    );
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WrongTokenProgram)
    });
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    set_account_at(
        &mut withdraw,
        withdraw_at::TOKEN_PROGRAM,
        ASSOCIATED_TOKEN_PROGRAM_ID,
        false,
    );
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::InvalidProgramId)
    });
}

/// A zero withdrawal.
#[test]
fn rejects_withdraw_zero() {
    let (mut env, campaign, asset) = funded(None);
    env.set_time(DEADLINE);
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    let withdraw = ix::withdraw(&env.campaign(&campaign), 0);
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::ZeroAmount)
    });
}

/// A token campaign withdrawn as if it held lamports (token accounts omitted).
#[test]
fn rejects_withdraw_token_campaign_as_lamports() {
    let (mut env, campaign, asset) = funded(Some(TOKEN_PROGRAM_ID));
    env.set_time(DEADLINE);
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), 1_000);
    for index in [
        withdraw_at::BRAND_TOKEN_ACCOUNT,
        withdraw_at::MINT,
        withdraw_at::TOKEN_PROGRAM,
    ] {
        set_account_at(&mut withdraw, index, clipstake::ID, false);
    }
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::MissingTokenAccounts)
    });
}

/// Type cosplay: a Submission passed as the Campaign.
#[test]
fn rejects_withdraw_with_submission_as_campaign() {
    let (mut env, campaign, asset) = funded(None);
    let payee = env.payee(&campaign, asset, "v", false);
    env.set_time(DEADLINE);
    let mut withdraw = ix::withdraw(&env.campaign(&campaign), SOL);
    swap_account(&mut withdraw, &campaign, payee.submission);
    let keys = watched(&env, &campaign, asset, &[payee.submission]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[withdraw], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
    });
}

// ------------------------------------------------------------------------------------------
// close_submission

/// Closing a video while it may still be paid (its rent refund is harmless, but a closed video
/// could be re-registered with a fresh watermark and paid twice).
#[test]
fn rejects_close_submission_before_final_deadline() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let oracle = env.oracle.insecure_clone();
    for now in [T0, T0 + CAMPAIGN_SECS, DEADLINE - 1] {
        env.set_time(now);
        let close = ix::close_submission(&oracle.pubkey(), &env.submission(&payee.submission));
        let keys = [payee.campaign, payee.submission];
        refused(&mut env, &keys, &[close], &[&oracle], |r| {
            assert_program_error(r, ClipstakeError::SettlementWindowOpen)
        });
    }
}

/// A brand pause does not bring the close deadline forward: after the pause's window (but
/// before the end) the campaign can still be resumed and the video paid.
#[test]
fn rejects_close_submission_after_pause_window_before_end() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let brand = env.brand.insecure_clone();
    env.set_time(T0 + 10);
    env.set_status(&brand, &payee.campaign, CampaignStatus::Paused)
        .unwrap();
    env.set_time(T0 + 10 + SETTLEMENT_SECS);
    let close = ix::close_submission(&brand.pubkey(), &env.submission(&payee.submission));
    let keys = [payee.campaign, payee.submission];
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::SettlementWindowOpen)
    });
}

/// A stranger closes someone's video.
#[test]
fn rejects_close_submission_by_stranger() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(DEADLINE);
    let attacker = env.keypair_with(SOL);
    let close = ix::close_submission(&attacker.pubkey(), &env.submission(&payee.submission));
    let keys = [payee.campaign, payee.submission];
    refused(&mut env, &keys, &[close], &[&attacker], |r| {
        assert_program_error(r, ClipstakeError::NotBrandOrOracle)
    });
}

/// The oracle's key is named but does not sign.
#[test]
fn rejects_close_submission_without_signature() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(DEADLINE);
    let mut close = ix::close_submission(&env.oracle.pubkey(), &env.submission(&payee.submission));
    unsign(&mut close, &env.oracle.pubkey());
    let keys = [payee.campaign, payee.submission];
    refused(&mut env, &keys, &[close], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

/// The submission's rent redirected to the attacker.
#[test]
fn rejects_close_submission_rent_to_attacker() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(DEADLINE);
    let attacker = env.keypair_with(SOL);
    let mut close = ix::close_submission(&env.oracle.pubkey(), &env.submission(&payee.submission));
    swap_account(&mut close, &env.payer.pubkey(), attacker.pubkey());
    let keys = [payee.campaign, payee.submission, attacker.pubkey()];
    let oracle = env.oracle.insecure_clone();
    refused(&mut env, &keys, &[close], &[&oracle], |r| {
        assert_program_error(r, ClipstakeError::WrongRecipient)
    });
}

/// The brand of a settled campaign B closes a live video of campaign A through B.
#[test]
fn rejects_close_submission_through_other_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let attacker = env.keypair_with(10 * SOL);
    let mut args = env.campaign_args(1, SOL_UNIT);
    args.end_time = T0 + 10;
    args.settlement_window_secs = MIN_SETTLEMENT_SECS;
    let (create, settled) =
        ix::create_campaign(&attacker.pubkey(), &env.payer.pubkey(), Asset::Sol, args);
    env.send(&[create], &[&attacker]).unwrap();
    env.set_time(T0 + 10 + MIN_SETTLEMENT_SECS);
    let mut victim = env.submission(&payee.submission);
    victim.state.campaign = settled;
    let close = ix::close_submission(&attacker.pubkey(), &victim);
    let keys = [payee.campaign, payee.submission, settled];
    refused(&mut env, &keys, &[close], &[&attacker], |r| {
        assert_program_error(r, ClipstakeError::WrongRecipient)
    });
}

/// Type cosplay: a Campaign passed as the Submission.
#[test]
fn rejects_close_submission_with_campaign_as_submission() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let other = env.funded_campaign(Asset::Sol, 2);
    env.set_time(DEADLINE);
    let mut close = ix::close_submission(&env.oracle.pubkey(), &env.submission(&payee.submission));
    swap_account(&mut close, &payee.submission, other);
    let keys = [payee.campaign, payee.submission, other];
    let oracle = env.oracle.insecure_clone();
    refused(&mut env, &keys, &[close], &[&oracle], |r| {
        assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
    });
}

/// Closing the same video twice (to decrement the open count of another, still open video).
#[test]
fn rejects_close_submission_twice() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.payee(
        &payee.campaign,
        payee.asset,
        "https://video.example/second",
        false,
    );
    env.set_time(DEADLINE);
    let oracle = env.oracle.insecure_clone();
    let close = ix::close_submission(&oracle.pubkey(), &env.submission(&payee.submission));
    env.send(std::slice::from_ref(&close), &[&oracle])
        .expect("first close");
    assert_eq!(env.account::<Campaign>(&payee.campaign).open_submissions, 1);
    let keys = [payee.campaign];
    refused(&mut env, &keys, &[close], &[&oracle], |r| {
        assert_anchor_error(r, AnchorError::AccountOwnedByWrongProgram)
    });
    assert_eq!(env.account::<Campaign>(&payee.campaign).open_submissions, 1);
}

// ------------------------------------------------------------------------------------------
// close_campaign

/// Closing a campaign whose vault still holds money (the close would burn or misroute it).
#[test]
fn rejects_close_campaign_with_funds() {
    for token_program in sol_or_token() {
        let (mut env, campaign, asset) = funded(token_program);
        let brand = env.brand.insecure_clone();
        for now in [T0, DEADLINE] {
            env.set_time(now);
            let keys = watched(&env, &campaign, asset, &[]);
            let close = ix::close_campaign(&env.campaign(&campaign));
            refused(&mut env, &keys, &[close], &[&brand], |r| {
                assert_program_error(r, ClipstakeError::CampaignNotEmpty)
            });
        }
    }
}

/// One base unit of dust left after withdrawing the rest still blocks the close.
#[test]
fn rejects_close_campaign_with_dust() {
    for token_program in sol_or_token() {
        let (mut env, campaign, asset) = funded(token_program);
        env.set_time(DEADLINE);
        let brand = env.brand.insecure_clone();
        let all = BUDGET_UNITS * unit_of(asset);
        env.send(
            &[ix::withdraw(&env.campaign(&campaign), all - 1)],
            &[&brand],
        )
        .unwrap();
        let keys = watched(&env, &campaign, asset, &[]);
        let close = ix::close_campaign(&env.campaign(&campaign));
        refused(&mut env, &keys, &[close], &[&brand], |r| {
            assert_program_error(r, ClipstakeError::CampaignNotEmpty)
        });
    }
}

/// Closing a campaign with open submissions (their rent and watermarks would be orphaned, and
/// a re-created campaign at the same address would inherit them).
#[test]
fn rejects_close_campaign_with_open_submissions() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    env.set_time(DEADLINE);
    let brand = env.brand.insecure_clone();
    let all = BUDGET_UNITS * SOL_UNIT;
    env.send(
        &[ix::withdraw(&env.campaign(&payee.campaign), all)],
        &[&brand],
    )
    .unwrap();
    let keys = watched(&env, &payee.campaign, payee.asset, &[payee.submission]);
    let close = ix::close_campaign(&env.campaign(&payee.campaign));
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::SubmissionsStillOpen)
    });
}

/// Returns an empty, closable campaign (never funded) of the brand.
fn empty_campaign(env: &mut Env, token_program: Option<Pubkey>, id: u64) -> (Pubkey, Asset) {
    let asset = env.new_asset(token_program);
    let campaign = env
        .create_campaign(asset, env.campaign_args(id, unit_of(asset)))
        .unwrap();
    (campaign, asset)
}

/// A stranger closes the brand's (empty) campaign to grief it and collect nothing.
#[test]
fn rejects_close_campaign_by_non_brand() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, None, 1);
    let attacker = env.keypair_with(SOL);
    let mut forged = env.campaign(&campaign);
    forged.state.brand = attacker.pubkey();
    let close = ix::close_campaign(&forged);
    let keys = watched(&env, &campaign, asset, &[]);
    refused(&mut env, &keys, &[close], &[&attacker], |r| {
        assert_program_error(r, ClipstakeError::NotCampaignBrand)
    });
}

/// The brand's key is named but does not sign.
#[test]
fn rejects_close_campaign_without_signature() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, None, 1);
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    unsign(&mut close, &env.brand.pubkey());
    let keys = watched(&env, &campaign, asset, &[]);
    refused(&mut env, &keys, &[close], &[], |r| {
        assert_anchor_error(r, AnchorError::AccountNotSigner)
    });
}

/// The rent of the campaign and its vault redirected to the attacker.
#[test]
fn rejects_close_campaign_rent_to_attacker() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, None, 1);
    let attacker = env.keypair_with(SOL);
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    swap_account(&mut close, &env.payer.pubkey(), attacker.pubkey());
    let keys = watched(&env, &campaign, asset, &[attacker.pubkey()]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WrongRecipient)
    });
}

/// Closing empty campaign A with funded campaign B's vault: B's vault would be emptied into
/// A's rent payer.
#[test]
fn rejects_close_campaign_with_other_campaigns_vault() {
    for token_program in sol_or_token() {
        let mut env = Env::with_platform();
        let (empty, asset) = empty_campaign(&mut env, token_program, 1);
        let full = env.funded_campaign(asset, 2);
        let full_vault = env.campaign(&full).state.vault;
        let mut close = ix::close_campaign(&env.campaign(&empty));
        swap_account(&mut close, &env.campaign(&empty).state.vault, full_vault);
        let keys = watched(&env, &empty, asset, &[full, full_vault]);
        let brand = env.brand.insecure_clone();
        refused(&mut env, &keys, &[close], &[&brand], |r| {
            assert_program_error(r, ClipstakeError::WrongVault)
        });
    }
}

/// A SOL campaign closed with a token program.
#[test]
fn rejects_close_sol_campaign_with_token_program() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, None, 1);
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    set_account_at(
        &mut close,
        CLOSE_CAMPAIGN_TOKEN_PROGRAM,
        TOKEN_PROGRAM_ID,
        false,
    );
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WrongTokenProgram)
    });
}

/// A token campaign closed without its token program (as if its vault held lamports).
#[test]
fn rejects_close_token_campaign_without_token_program() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, Some(TOKEN_PROGRAM_ID), 1);
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    set_account_at(
        &mut close,
        CLOSE_CAMPAIGN_TOKEN_PROGRAM,
        clipstake::ID,
        false,
    );
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::MissingTokenAccounts)
    });
}

/// A token campaign closed without its mint (withheld Token-2022 fees would block the close).
#[test]
fn rejects_close_token_campaign_without_mint() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, Some(TOKEN_PROGRAM_ID), 1);
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    set_account_at(&mut close, CLOSE_CAMPAIGN_MINT, clipstake::ID, false);
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::MissingTokenAccounts)
    });
}

/// A token campaign closed with another (writable) mint, which would receive a harvest.
#[test]
fn rejects_close_token_campaign_with_wrong_mint() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, Some(TOKEN_PROGRAM_ID), 1);
    let other_mint = env.create_mint(&TOKEN_PROGRAM_ID, 6, None);
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    set_account_at(&mut close, CLOSE_CAMPAIGN_MINT, other_mint, true);
    let keys = watched(&env, &campaign, asset, &[other_mint]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WrongMint)
    });
}

/// A token campaign closed with the other token program, or a fake one.
#[test]
fn rejects_close_token_campaign_with_other_or_fake_token_program() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, Some(TOKEN_PROGRAM_ID), 1);
    let keys = watched(&env, &campaign, asset, &[]);
    let brand = env.brand.insecure_clone();
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    set_account_at(
        &mut close,
        CLOSE_CAMPAIGN_TOKEN_PROGRAM,
        TOKEN_2022_PROGRAM_ID,
        false,
    );
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_program_error(r, ClipstakeError::WrongTokenProgram)
    });
    let mut close = ix::close_campaign(&env.campaign(&campaign));
    set_account_at(
        &mut close,
        CLOSE_CAMPAIGN_TOKEN_PROGRAM,
        ASSOCIATED_TOKEN_PROGRAM_ID,
        false,
    );
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::InvalidProgramId)
    });
}

/// Type cosplay: a Submission passed as the Campaign.
#[test]
fn rejects_close_campaign_with_submission_as_campaign() {
    let (mut env, payee) = Env::payout_fixture(None, false);
    let mut close = ix::close_campaign(&env.campaign(&payee.campaign));
    swap_account(&mut close, &payee.campaign, payee.submission);
    let keys = watched(&env, &payee.campaign, payee.asset, &[payee.submission]);
    let brand = env.brand.insecure_clone();
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::AccountDiscriminatorMismatch)
    });
}

/// Closing twice. The closed campaign is a system account now, which the zero-copy loader
/// refuses by its owner before anything else.
#[test]
fn rejects_close_campaign_twice() {
    let mut env = Env::with_platform();
    let (campaign, asset) = empty_campaign(&mut env, None, 1);
    let close = ix::close_campaign(&env.campaign(&campaign));
    let brand = env.brand.insecure_clone();
    let keys = watched(&env, &campaign, asset, &[]);
    env.send(std::slice::from_ref(&close), &[&brand])
        .expect("first close");
    refused(&mut env, &keys, &[close], &[&brand], |r| {
        assert_anchor_error(r, AnchorError::AccountOwnedByWrongProgram)
    });
}
