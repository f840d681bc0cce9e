//! One module per instruction: its accounts, arguments, `validate` and `handler`.
pub mod claim;
pub mod close_campaign;
pub mod close_submission;
pub mod create_campaign;
pub mod disburse;
pub mod fund_campaign;
pub mod init_platform;
pub mod payout;
pub mod register_submission;
pub mod set_campaign_status;
pub mod update_platform;
pub mod withdraw;

pub use claim::*;
pub use close_campaign::*;
pub use close_submission::*;
pub use create_campaign::*;
pub use disburse::*;
pub use fund_campaign::*;
pub use init_platform::*;
pub use payout::*;
pub use register_submission::*;
pub use set_campaign_status::*;
pub use update_platform::*;
pub use withdraw::*;
