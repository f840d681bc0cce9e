//! ClipStake: a campaign escrow that pays video creators for verified views.
//!
//! Brands fund a campaign vault; the payout oracle registers videos and either pushes payouts
//! (`disburse`) or signs attestations that creators redeem (`claim`). Every payout splits into
//! platform fee + affiliate commission + creator share in one instruction, and is owed only for
//! views above the submission's watermark, so nothing is ever paid twice.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

pub mod attestation;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod mint_policy;
pub mod state;
pub mod transfer;

use instructions::*;
use state::CampaignStatus;

declare_id!("BhwAnntTUnMaD86vuaRPNR1qxtgt9Q4Ph8Ek6NdRJAnX");

// Who to tell about a vulnerability, embedded in the ELF (`.security.txt`) for explorers and
// `query-security-txt`; tests/tests/security_txt.rs reads it back from the built file.
#[cfg(any(not(feature = "no-entrypoint"), feature = "lean-entrypoint"))]
solana_security_txt::security_txt! {
    name: "ClipStake",
    project_url: "https://github.com/clipstake/clipstake",
    contacts: "link:https://github.com/clipstake/clipstake/security/advisories/new",
    policy: "https://github.com/clipstake/clipstake/blob/main/README.md#security-model",
    preferred_languages: "en",
    source_code: "https://github.com/clipstake/clipstake",
    auditors: "None"
}

#[program]
pub mod clipstake {
    use super::*;

    // Anchor dispatches by comparing the instruction's discriminator with each of these in
    // order: the payouts, the instructions sent most, come first.
    pub fn disburse(ctx: Context<Disburse>, cumulative_views: u64) -> Result<()> {
        Disburse::handler(ctx, cumulative_views)
    }

    pub fn disburse_batch<'info>(
        ctx: Context<'info, DisburseBatch<'info>>,
        views: Vec<u64>,
    ) -> Result<()> {
        DisburseBatch::handler(ctx, views)
    }

    pub fn claim(ctx: Context<Claim>, args: ClaimArgs) -> Result<()> {
        Claim::handler(ctx, args)
    }

    pub fn init_platform(ctx: Context<InitPlatform>, args: InitPlatformArgs) -> Result<()> {
        InitPlatform::handler(ctx, args)
    }

    pub fn update_platform(ctx: Context<UpdatePlatform>, args: UpdatePlatformArgs) -> Result<()> {
        UpdatePlatform::handler(ctx, args)
    }

    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handler(ctx)
    }

    pub fn add_oracle(ctx: Context<AddOracle>, oracle: Pubkey) -> Result<()> {
        AddOracle::handler(ctx, oracle)
    }

    pub fn revoke_oracle(ctx: Context<RevokeOracle>) -> Result<()> {
        RevokeOracle::handler(ctx)
    }

    pub fn trust_mint(ctx: Context<TrustMint>) -> Result<()> {
        TrustMint::handler(ctx)
    }

    pub fn distrust_mint(ctx: Context<DistrustMint>) -> Result<()> {
        DistrustMint::handler(ctx)
    }

    pub fn set_campaign_oracle(ctx: Context<SetCampaignOracle>) -> Result<()> {
        SetCampaignOracle::handler(ctx)
    }

    pub fn create_campaign(ctx: Context<CreateCampaign>, args: CreateCampaignArgs) -> Result<()> {
        CreateCampaign::handler(ctx, args)
    }

    pub fn fund_campaign(ctx: Context<FundCampaign>, amount: u64) -> Result<()> {
        FundCampaign::handler(ctx, amount)
    }

    pub fn register_submission(
        ctx: Context<RegisterSubmission>,
        args: RegisterSubmissionArgs,
    ) -> Result<()> {
        RegisterSubmission::handler(ctx, args)
    }

    pub fn set_campaign_status(
        ctx: Context<SetCampaignStatus>,
        status: CampaignStatus,
    ) -> Result<()> {
        SetCampaignStatus::handler(ctx, status)
    }

    pub fn settle_accrued(ctx: Context<SettleAccrued>) -> Result<()> {
        SettleAccrued::handler(ctx)
    }

    pub fn withdraw(ctx: Context<Withdraw>, amount: u64) -> Result<()> {
        Withdraw::handler(ctx, amount)
    }

    pub fn close_submission(ctx: Context<CloseSubmission>) -> Result<()> {
        CloseSubmission::handler(ctx)
    }

    pub fn close_campaign(ctx: Context<CloseCampaign>) -> Result<()> {
        CloseCampaign::handler(ctx)
    }
}

/// The deploy build's entrypoint (`--features lean-entrypoint`, which turns Anchor's off; see
/// tools/sbf/build.sh): Anchor's own `entry`, given account infos written into a stack array
/// instead of a heap vector. A 17-account `disburse` costs about 1,000 compute units less: no
/// vector, and no reference-count drops of every account at exit.
#[cfg(feature = "lean-entrypoint")]
mod lean_entrypoint {
    use std::mem::MaybeUninit;

    use anchor_lang::prelude::AccountInfo;
    use anchor_lang::solana_program::entrypoint::{self, ProgramResult, SUCCESS};

    /// Account infos the stack array holds (48 bytes each: 3 KB of the 4 KB frame, as in
    /// `entrypoint_no_alloc!`). An instruction listing more takes the heap path.
    const SLOTS: usize = 64;

    /// # Safety
    /// `input` is the runtime's serialized instruction input.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
        // SAFETY: the input starts with the account count, 8-byte aligned.
        let listed = unsafe { *(input as *const u64) } as usize;
        if listed > SLOTS {
            // SAFETY: the runtime's input, read once.
            let (program_id, accounts, data) = unsafe { entrypoint::deserialize(input) };
            return code(crate::entry(program_id, &accounts, data));
        }
        let mut slots = [const { MaybeUninit::<AccountInfo>::uninit() }; SLOTS];
        // SAFETY: the runtime's input, read once; `listed` fits the slots.
        let (program_id, count, data) = unsafe { entrypoint::deserialize_into(input, &mut slots) };
        // SAFETY: `deserialize_into` initialised the first `count` slots.
        let accounts = unsafe {
            &*(&slots[..count] as *const [MaybeUninit<AccountInfo>] as *const [AccountInfo])
        };
        code(crate::entry(program_id, accounts, data))
    }

    fn code(result: ProgramResult) -> u64 {
        match result {
            Ok(()) => SUCCESS,
            Err(error) => error.into(),
        }
    }

    anchor_lang::solana_program::entrypoint::custom_heap_default!();
    anchor_lang::solana_program::entrypoint::custom_panic_default!();
}
