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
#[cfg(not(feature = "no-entrypoint"))]
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
