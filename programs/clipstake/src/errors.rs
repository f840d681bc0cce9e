use anchor_lang::prelude::*;

use crate::math::MathError;

/// Every error the program returns. Each message says what to do about it.
#[error_code]
pub enum ClipstakeError {
    #[msg("Only the program's upgrade authority may initialise the platform; sign with it")]
    NotUpgradeAuthority,
    #[msg("Only the platform admin may do this; sign with the admin key")]
    NotPlatformAdmin,
    #[msg("Only the campaign's brand may do this; sign with the brand key")]
    NotCampaignBrand,
    #[msg("Only the campaign's oracle may do this; sign with the oracle key")]
    NotCampaignOracle,
    #[msg("Only the submission's creator may claim; sign with the creator wallet")]
    NotSubmissionCreator,
    #[msg("Only the campaign's brand or oracle may do this")]
    NotBrandOrOracle,
    #[msg("Basis points must be at most 10000 (100%)")]
    BpsOutOfRange,
    #[msg("Platform fee plus affiliate commission exceed 100%; lower one of them")]
    BpsSumExceedsWhole,
    #[msg("Affiliate commission is above the platform's maximum; lower it")]
    AffiliateCommissionTooHigh,
    #[msg("An affiliate commission needs an affiliate wallet, and an affiliate needs a commission")]
    AffiliateMismatch,
    #[msg("The campaign's rate per 1,000 views and cap per submission must both be above zero")]
    InvalidRate,
    #[msg("The campaign must end after it starts, and the settlement window must not be negative")]
    InvalidSchedule,
    #[msg("The platform is paused by its admin; try again once it is resumed")]
    PlatformPaused,
    #[msg("The campaign is paused; payouts and registrations wait until the brand resumes it")]
    CampaignPaused,
    #[msg("The campaign has ended and its settlement window has closed")]
    CampaignEnded,
    #[msg("The campaign has not started yet; wait for its start time")]
    CampaignNotStarted,
    #[msg(
        "The campaign is still live or settling; withdraw after the end (or pause) plus the settlement window"
    )]
    SettlementWindowOpen,
    #[msg(
        "The admin paused this campaign: payouts and withdrawals wait until the admin resumes it"
    )]
    AdminPauseLocked,
    #[msg("That status change is not allowed from the campaign's current status")]
    InvalidStatusChange,
    #[msg(
        "Nothing is owed for these views: they are below the watermark or already paid in full (replay or stale report); report a higher count"
    )]
    ViewsNotIncreasing,
    #[msg(
        "The vault holds nothing to pay this recorded shortfall; fund the campaign, then pay again"
    )]
    InsufficientVaultBalance,
    #[msg("Withdrawal exceeds what the vault holds beyond what is owed")]
    WithdrawExceedsAvailable,
    #[msg("The campaign still holds funds; withdraw them before closing")]
    CampaignNotEmpty,
    #[msg("The campaign still has open submissions; close them before closing the campaign")]
    SubmissionsStillOpen,
    #[msg("An amount must be above zero")]
    ZeroAmount,
    #[msg("An amount or running total would overflow a u64")]
    Overflow,
    #[msg("The vault account is not this campaign's vault")]
    WrongVault,
    #[msg("The mint is not this campaign's mint")]
    WrongMint,
    #[msg("The token program is not this campaign's token program")]
    WrongTokenProgram,
    #[msg(
        "Token campaigns need the mint, token program and associated token program accounts; SOL campaigns must omit them"
    )]
    MissingTokenAccounts,
    #[msg("A recipient token account does not belong to the expected wallet and mint")]
    RecipientTokenAccountMismatch,
    #[msg("The recipient wallet does not match the submission or platform")]
    WrongRecipient,
    #[msg("The same account was passed for two roles that must differ")]
    DuplicateAccount,
    #[msg(
        "A SOL payout would leave a recipient below rent exemption; fund the recipient wallet with a little SOL first"
    )]
    RecipientBelowRentExemption,
    #[msg("The mint is not owned by the SPL Token or Token-2022 program")]
    UnsupportedMintProgram,
    #[msg(
        "The mint has a Token-2022 extension the escrow cannot hold safely (permanent delegate, transfer hook, non-transferable, confidential, pausable, default-frozen or unknown); use another mint or ask the platform admin to trust its issuer"
    )]
    UnsupportedMintExtension,
    #[msg("The claim needs an Ed25519 signature-verify instruction right before it")]
    MissingAttestation,
    #[msg("The Ed25519 instruction is not laid out as a single signature over its own data")]
    MalformedAttestation,
    #[msg("The attestation is not signed by the campaign's oracle")]
    AttestationWrongSigner,
    #[msg("The attestation is for a different program, campaign, submission or view count")]
    AttestationMismatch,
    #[msg("The attestation has expired; ask the oracle for a fresh one")]
    AttestationExpired,
    #[msg("The account is not the instructions sysvar")]
    WrongInstructionsSysvar,
    #[msg("Only the proposed admin may accept the admin role; sign with the proposed key")]
    NotPendingAdmin,
    #[msg(
        "The minimum settlement window and the attestation lifetime must both be above zero seconds"
    )]
    InvalidPlatformSetting,
    #[msg(
        "The settlement window is shorter than the platform's minimum; choose a longer --settlement-window"
    )]
    SettlementWindowTooShort,
    #[msg(
        "The oracle is not registered with the platform; pick a registered oracle (`clipstake platform oracle list`)"
    )]
    OracleNotRegistered,
    #[msg(
        "The oracle was revoked by the platform admin; ask the admin to re-point the campaign to a registered oracle"
    )]
    OracleRevoked,
    #[msg(
        "The mint has a freeze authority; use a mint without one or ask the platform admin to trust its issuer"
    )]
    MintFreezeAuthority,
    #[msg(
        "The mint has a close authority, so it could be re-created with new powers; use a mint without one or ask the platform admin to trust its issuer"
    )]
    MintCloseAuthority,
    #[msg(
        "The mint's transfer fee can still change (its config authority is set or a new fee is pending); use a fixed-fee mint or ask the platform admin to trust its issuer"
    )]
    MintTransferFeeAdjustable,
    #[msg(
        "The attestation is valid for longer than the platform allows; ask the oracle for one that expires sooner"
    )]
    AttestationLifetimeTooLong,
    #[msg(
        "The brand has withdrawn from this campaign: it is over for good and cannot be resumed, registered to or paid from"
    )]
    CampaignSettled,
    #[msg(
        "The creator's account cannot receive this payout (frozen, requiring memos, owned by someone else, or not able to hold SOL); fix the account and retry"
    )]
    RecipientCannotReceive,
    #[msg("Nothing accrued is owed to this recipient")]
    NothingAccrued,
    #[msg(
        "The vault still holds fees or commissions owed to recipients; deliver them with settle_accrued first"
    )]
    AccruedStillOwed,
    #[msg("A batch must pay at least one submission")]
    EmptyBatch,
    #[msg("A batch carries at most 32 payouts; split it")]
    BatchTooLarge,
    #[msg(
        "The batch's accounts do not match its payouts: pass, per payout in order, the writable submission, the creator's receiving account and, exactly when the submission has an affiliate, the affiliate's"
    )]
    BatchAccountsMismatch,
    #[msg(
        "This video's verified views are still owed more than the vault paid; fund the campaign and pay the shortfall (the oracle's next push or the creator's claim) first"
    )]
    ShortfallStillOwed,
    #[msg(
        "The mint lets an authority withdraw the transfer fees withheld from payouts (it would take back part of each); use a mint without a withdraw-withheld authority, or ask the admin to trust its issuer"
    )]
    MintTransferFeeWithdrawable,
    #[msg(
        "The campaign account holds an asset or status byte no version of this program writes; report it to the platform, the account cannot be used as it is"
    )]
    CorruptCampaign,
}

impl From<MathError> for ClipstakeError {
    fn from(error: MathError) -> Self {
        match error {
            MathError::BpsOutOfRange => ClipstakeError::BpsOutOfRange,
            MathError::BpsSumExceedsWhole => ClipstakeError::BpsSumExceedsWhole,
            MathError::ViewsNotIncreasing => ClipstakeError::ViewsNotIncreasing,
            MathError::Overflow => ClipstakeError::Overflow,
            MathError::VaultEmpty => ClipstakeError::InsufficientVaultBalance,
        }
    }
}

impl From<MathError> for anchor_lang::error::Error {
    fn from(error: MathError) -> Self {
        ClipstakeError::from(error).into()
    }
}
