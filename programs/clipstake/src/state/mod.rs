//! Account types and PDA seeds.
pub mod campaign;
pub mod oracle;
pub mod platform;
pub mod seeds;
pub mod sol_vault;
pub mod submission;

pub use campaign::*;
pub use oracle::*;
pub use platform::*;
pub use seeds::*;
pub use sol_vault::*;
pub use submission::*;
