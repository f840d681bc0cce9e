//! Instruction builders for every program instruction, from the program crate's own
//! `accounts` and `instruction` modules (nothing re-typed by hand).
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{InstructionData, ToAccountMetas};
use clipstake::instructions::{
    ClaimArgs, CreateCampaignArgs, InitPlatformArgs, RegisterSubmissionArgs, UpdatePlatformArgs,
};
use clipstake::state::{AssetKind, Campaign, CampaignStatus, Submission};

use crate::pda;

/// The SPL Token program.
pub const TOKEN_PROGRAM_ID: Pubkey = spl_token_interface::ID;
/// The Token-2022 program.
pub const TOKEN_2022_PROGRAM_ID: Pubkey = spl_token_2022_interface::ID;
/// The associated token account program.
pub const ASSOCIATED_TOKEN_PROGRAM_ID: Pubkey = spl_associated_token_account_interface::program::ID;
/// The system program.
pub const SYSTEM_PROGRAM_ID: Pubkey = anchor_lang::solana_program::system_program::ID;

/// What a new campaign's budget is held in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asset {
    /// Native SOL.
    Sol,
    /// A mint under SPL Token or Token-2022.
    Token {
        /// The mint.
        mint: Pubkey,
        /// Its token program.
        token_program: Pubkey,
    },
}

/// A campaign account with its address.
#[derive(Debug, Clone)]
pub struct CampaignAccount {
    /// The campaign's address.
    pub address: Pubkey,
    /// Its decoded state.
    pub state: Campaign,
}

impl CampaignAccount {
    fn is_token(&self) -> bool {
        self.state.asset != AssetKind::NativeSol as u8
    }

    /// `wallet`'s associated token account for the campaign's mint (`None` for SOL).
    pub fn token_account_of(&self, wallet: &Pubkey) -> Option<Pubkey> {
        self.is_token()
            .then(|| pda::associated_token(wallet, &self.state.mint, &self.state.token_program))
    }
}

/// A submission account with its address.
#[derive(Debug, Clone)]
pub struct SubmissionAccount {
    /// The submission's address.
    pub address: Pubkey,
    /// Its decoded state.
    pub state: Submission,
}

fn instruction(accounts: Vec<AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: clipstake::ID,
        accounts,
        data,
    }
}

/// `init_platform`, signed by the program's upgrade authority.
pub fn init_platform(admin: &Pubkey, payer: &Pubkey, args: InitPlatformArgs) -> Instruction {
    instruction(
        clipstake::accounts::InitPlatform {
            admin: *admin,
            payer: *payer,
            platform: pda::platform(),
            program_data: pda::program_data(),
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::InitPlatform { args }.data(),
    )
}

/// `update_platform`, signed by the admin.
pub fn update_platform(admin: &Pubkey, args: UpdatePlatformArgs) -> Instruction {
    instruction(
        clipstake::accounts::UpdatePlatform {
            admin: *admin,
            platform: pda::platform(),
        }
        .to_account_metas(None),
        clipstake::instruction::UpdatePlatform { args }.data(),
    )
}

/// `accept_admin`, signed by the admin that `update_platform` proposed.
pub fn accept_admin(new_admin: &Pubkey) -> Instruction {
    instruction(
        clipstake::accounts::AcceptAdmin {
            new_admin: *new_admin,
            platform: pda::platform(),
        }
        .to_account_metas(None),
        clipstake::instruction::AcceptAdmin {}.data(),
    )
}

/// `add_oracle`: the admin registers `oracle` as a payout oracle; `payer` pays the rent.
pub fn add_oracle(admin: &Pubkey, payer: &Pubkey, oracle: &Pubkey) -> Instruction {
    instruction(
        clipstake::accounts::AddOracle {
            admin: *admin,
            payer: *payer,
            platform: pda::platform(),
            oracle_registration: pda::oracle_registration(oracle),
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::AddOracle { oracle: *oracle }.data(),
    )
}

/// `revoke_oracle`: the admin revokes `oracle` for good.
pub fn revoke_oracle(admin: &Pubkey, oracle: &Pubkey) -> Instruction {
    instruction(
        clipstake::accounts::RevokeOracle {
            admin: *admin,
            platform: pda::platform(),
            oracle_registration: pda::oracle_registration(oracle),
        }
        .to_account_metas(None),
        clipstake::instruction::RevokeOracle {}.data(),
    )
}

/// `set_campaign_oracle`: the admin re-points `campaign` to the registered `oracle`.
pub fn set_campaign_oracle(admin: &Pubkey, campaign: &Pubkey, oracle: &Pubkey) -> Instruction {
    instruction(
        clipstake::accounts::SetCampaignOracle {
            admin: *admin,
            platform: pda::platform(),
            campaign: *campaign,
            oracle_registration: pda::oracle_registration(oracle),
        }
        .to_account_metas(None),
        clipstake::instruction::SetCampaignOracle {}.data(),
    )
}

/// `trust_mint`: the admin trusts `mint`'s issuer for campaigns created afterwards.
pub fn trust_mint(admin: &Pubkey, payer: &Pubkey, mint: &Pubkey) -> Instruction {
    instruction(
        clipstake::accounts::TrustMint {
            admin: *admin,
            payer: *payer,
            platform: pda::platform(),
            mint: *mint,
            trusted_mint: pda::trusted_mint(mint),
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::TrustMint {}.data(),
    )
}

/// `distrust_mint`: the admin stops trusting `mint`'s issuer; the record's rent goes back to
/// `rent_payer` (who paid it).
pub fn distrust_mint(admin: &Pubkey, mint: &Pubkey, rent_payer: &Pubkey) -> Instruction {
    instruction(
        clipstake::accounts::DistrustMint {
            admin: *admin,
            platform: pda::platform(),
            trusted_mint: pda::trusted_mint(mint),
            rent_payer: *rent_payer,
        }
        .to_account_metas(None),
        clipstake::instruction::DistrustMint {}.data(),
    )
}

/// `create_campaign`, signed by the brand and the payer. Returns the instruction and the new
/// campaign's address.
pub fn create_campaign(
    brand: &Pubkey,
    payer: &Pubkey,
    asset: Asset,
    args: CreateCampaignArgs,
) -> (Instruction, Pubkey) {
    let campaign = pda::campaign(brand, args.campaign_id);
    let (vault, mint, token_program, ata_program) = match asset {
        Asset::Sol => (pda::sol_vault(&campaign), None, None, None),
        Asset::Token {
            mint,
            token_program,
        } => (
            pda::associated_token(&campaign, &mint, &token_program),
            Some(mint),
            Some(token_program),
            Some(ASSOCIATED_TOKEN_PROGRAM_ID),
        ),
    };
    let oracle_registration = pda::oracle_registration(&args.oracle);
    let ix = instruction(
        clipstake::accounts::CreateCampaign {
            brand: *brand,
            payer: *payer,
            platform: pda::platform(),
            oracle_registration,
            campaign,
            vault,
            mint,
            trusted_mint: mint.as_ref().map(pda::trusted_mint),
            token_program,
            associated_token_program: ata_program,
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::CreateCampaign { args }.data(),
    );
    (ix, campaign)
}

/// `fund_campaign`: `funder` moves `amount` base units (from its associated token account for
/// token campaigns).
pub fn fund_campaign(funder: &Pubkey, campaign: &CampaignAccount, amount: u64) -> Instruction {
    let is_token = campaign.is_token();
    instruction(
        clipstake::accounts::FundCampaign {
            funder: *funder,
            platform: pda::platform(),
            campaign: campaign.address,
            vault: campaign.state.vault,
            funder_token_account: campaign.token_account_of(funder),
            mint: is_token.then_some(campaign.state.mint),
            token_program: is_token.then_some(campaign.state.token_program),
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::FundCampaign { amount }.data(),
    )
}

/// `register_submission`, signed by the campaign's oracle and the payer. Returns the
/// instruction and the submission's address.
pub fn register_submission(
    oracle: &Pubkey,
    payer: &Pubkey,
    campaign: &Pubkey,
    args: RegisterSubmissionArgs,
) -> (Instruction, Pubkey) {
    let submission = pda::submission(campaign, &args.content_hash);
    let ix = instruction(
        clipstake::accounts::RegisterSubmission {
            oracle: *oracle,
            payer: *payer,
            platform: pda::platform(),
            campaign: *campaign,
            oracle_registration: pda::oracle_registration(oracle),
            submission,
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::RegisterSubmission { args }.data(),
    );
    (ix, submission)
}

/// `set_campaign_status`, signed by the brand (or the admin to pause/resume).
pub fn set_campaign_status(
    authority: &Pubkey,
    campaign: &Pubkey,
    status: CampaignStatus,
) -> Instruction {
    instruction(
        clipstake::accounts::SetCampaignStatus {
            authority: *authority,
            platform: pda::platform(),
            campaign: *campaign,
        }
        .to_account_metas(None),
        clipstake::instruction::SetCampaignStatus { status }.data(),
    )
}

fn payout_accounts(
    payer: &Pubkey,
    campaign: &CampaignAccount,
    submission: &SubmissionAccount,
) -> clipstake::accounts::Payout {
    let is_token = campaign.is_token();
    let affiliate = submission.state.affiliate();
    clipstake::accounts::Payout {
        payer: *payer,
        platform: pda::platform(),
        oracle_registration: pda::oracle_registration(&campaign.state.oracle),
        campaign: campaign.address,
        submission: submission.address,
        vault: campaign.state.vault,
        creator: submission.state.creator,
        creator_token_account: campaign.token_account_of(&submission.state.creator),
        affiliate,
        affiliate_token_account: affiliate.and_then(|a| campaign.token_account_of(&a)),
        treasury: campaign.state.treasury,
        treasury_token_account: campaign.token_account_of(&campaign.state.treasury),
        mint: is_token.then_some(campaign.state.mint),
        token_program: is_token.then_some(campaign.state.token_program),
        associated_token_program: is_token.then_some(ASSOCIATED_TOKEN_PROGRAM_ID),
        system_program: is_token.then_some(SYSTEM_PROGRAM_ID),
    }
}

/// Leaves off the trailing accounts Anchor's builder filled with the program id, its
/// placeholder for an absent optional account. The program accepts them left off
/// (`allow-missing-optionals`), and every listed account costs compute units: a SOL payout
/// lists 10 accounts instead of 17.
fn without_trailing_placeholders(mut accounts: Vec<AccountMeta>) -> Vec<AccountMeta> {
    while accounts
        .last()
        .is_some_and(|meta| meta.pubkey == clipstake::ID && !meta.is_writable)
    {
        accounts.pop();
    }
    accounts
}

/// `disburse`: the oracle pays `submission` up to `cumulative_views`.
pub fn disburse(
    oracle: &Pubkey,
    payer: &Pubkey,
    campaign: &CampaignAccount,
    submission: &SubmissionAccount,
    cumulative_views: u64,
) -> Instruction {
    instruction(
        without_trailing_placeholders(
            clipstake::accounts::Disburse {
                oracle: *oracle,
                payout: payout_accounts(payer, campaign, submission),
            }
            .to_account_metas(None),
        ),
        clipstake::instruction::Disburse { cumulative_views }.data(),
    )
}

impl CampaignAccount {
    /// Where `wallet` receives this campaign's payouts: the wallet itself for SOL, its
    /// associated token account for tokens.
    pub fn receiving_account_of(&self, wallet: &Pubkey) -> Pubkey {
        self.token_account_of(wallet).unwrap_or(*wallet)
    }
}

/// `disburse_batch`: the oracle pays each of `payouts` (a submission of `campaign` and its
/// cumulative views) in one instruction. Token recipients must already have their associated
/// token accounts (pay the others with [`disburse`], which creates them); a treasury that
/// cannot receive leaves the batch's fee accrued.
pub fn disburse_batch(
    oracle: &Pubkey,
    campaign: &CampaignAccount,
    payouts: &[(&SubmissionAccount, u64)],
) -> Instruction {
    let is_token = campaign.is_token();
    let mut accounts = clipstake::accounts::DisburseBatch {
        oracle: *oracle,
        platform: pda::platform(),
        oracle_registration: pda::oracle_registration(&campaign.state.oracle),
        campaign: campaign.address,
        vault: campaign.state.vault,
        treasury: campaign.receiving_account_of(&campaign.state.treasury),
        mint: is_token.then_some(campaign.state.mint),
        token_program: is_token.then_some(campaign.state.token_program),
    }
    .to_account_metas(None);
    for (submission, _) in payouts {
        accounts.push(AccountMeta::new(submission.address, false));
        let creator = campaign.receiving_account_of(&submission.state.creator);
        accounts.push(AccountMeta::new(creator, false));
        if let Some(affiliate) = submission.state.affiliate() {
            accounts.push(AccountMeta::new(
                campaign.receiving_account_of(&affiliate),
                false,
            ));
        }
    }
    let views = payouts.iter().map(|(_, views)| *views).collect();
    instruction(
        accounts,
        clipstake::instruction::DisburseBatch { views }.data(),
    )
}

/// `claim`: the creator (who must sign) redeems an attestation. Put
/// `Attestation::ed25519_instruction()` right before it in the same transaction.
pub fn claim(
    payer: &Pubkey,
    campaign: &CampaignAccount,
    submission: &SubmissionAccount,
    cumulative_views: u64,
    expiry: i64,
) -> Instruction {
    let mut accounts = without_trailing_placeholders(
        clipstake::accounts::Claim {
            instructions_sysvar: clipstake::attestation::INSTRUCTIONS_SYSVAR_ID,
            payout: payout_accounts(payer, campaign, submission),
        }
        .to_account_metas(None),
    );
    // The creator is an UncheckedAccount in `Payout`; the claim requires its signature.
    for meta in accounts
        .iter_mut()
        .filter(|m| m.pubkey == submission.state.creator)
    {
        meta.is_signer = true;
    }
    instruction(
        accounts,
        clipstake::instruction::Claim {
            args: ClaimArgs {
                cumulative_views,
                expiry,
            },
        }
        .data(),
    )
}

/// `withdraw`: the brand takes back `amount` (to its associated token account for tokens).
pub fn withdraw(campaign: &CampaignAccount, amount: u64) -> Instruction {
    let brand = campaign.state.brand;
    let is_token = campaign.is_token();
    instruction(
        clipstake::accounts::Withdraw {
            brand,
            platform: pda::platform(),
            campaign: campaign.address,
            vault: campaign.state.vault,
            brand_token_account: campaign.token_account_of(&brand),
            mint: is_token.then_some(campaign.state.mint),
            token_program: is_token.then_some(campaign.state.token_program),
        }
        .to_account_metas(None),
        clipstake::instruction::Withdraw { amount }.data(),
    )
}

/// `close_submission`, signed by the brand or the oracle.
pub fn close_submission(authority: &Pubkey, submission: &SubmissionAccount) -> Instruction {
    instruction(
        clipstake::accounts::CloseSubmission {
            authority: *authority,
            platform: pda::platform(),
            campaign: submission.state.campaign,
            submission: submission.address,
            rent_payer: submission.state.rent_payer,
        }
        .to_account_metas(None),
        clipstake::instruction::CloseSubmission {}.data(),
    )
}

/// `settle_accrued`: delivers what a payout had to accrue because its recipient could not
/// receive it: `submission`'s commission to its affiliate, or without one the campaign's fees
/// to its treasury. Anyone may send it; `payer` pays for a recipient token account it creates.
pub fn settle_accrued(
    payer: &Pubkey,
    campaign: &CampaignAccount,
    submission: Option<&SubmissionAccount>,
) -> Instruction {
    let recipient = match submission {
        Some(s) => s.state.affiliate,
        None => campaign.state.treasury,
    };
    let is_token = campaign.is_token();
    instruction(
        clipstake::accounts::SettleAccrued {
            payer: *payer,
            platform: pda::platform(),
            campaign: campaign.address,
            submission: submission.map(|s| s.address),
            vault: campaign.state.vault,
            recipient,
            recipient_token_account: campaign.token_account_of(&recipient),
            mint: is_token.then_some(campaign.state.mint),
            token_program: is_token.then_some(campaign.state.token_program),
            associated_token_program: is_token.then_some(ASSOCIATED_TOKEN_PROGRAM_ID),
            system_program: SYSTEM_PROGRAM_ID,
        }
        .to_account_metas(None),
        clipstake::instruction::SettleAccrued {}.data(),
    )
}

/// `close_campaign`, signed by the brand.
pub fn close_campaign(campaign: &CampaignAccount) -> Instruction {
    instruction(
        clipstake::accounts::CloseCampaign {
            brand: campaign.state.brand,
            campaign: campaign.address,
            vault: campaign.state.vault,
            rent_payer: campaign.state.rent_payer,
            mint: campaign.is_token().then_some(campaign.state.mint),
            token_program: campaign.is_token().then_some(campaign.state.token_program),
        }
        .to_account_metas(None),
        clipstake::instruction::CloseCampaign {}.data(),
    )
}
