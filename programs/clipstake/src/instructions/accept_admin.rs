use anchor_lang::prelude::*;

use crate::errors::ClipstakeError;
use crate::events::AdminAccepted;
use crate::state::{PLATFORM_SEED, Platform};

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The admin proposed by `update_platform` (a key or a multisig vault).
    pub new_admin: Signer<'info>,
    /// The platform settings.
    #[account(mut, seeds = [PLATFORM_SEED], bump = platform.bump)]
    pub platform: Account<'info, Platform>,
}

impl AcceptAdmin<'_> {
    fn validate(&self) -> Result<()> {
        let pending = self.platform.pending_admin;
        require!(
            pending != Pubkey::default() && pending == self.new_admin.key(),
            ClipstakeError::NotPendingAdmin
        );
        Ok(())
    }

    /// Second step of an admin change: the proposed admin proves it can sign.
    #[access_control(ctx.accounts.validate())]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let platform = &mut ctx.accounts.platform;
        let previous_admin = platform.admin;
        platform.admin = platform.pending_admin;
        platform.pending_admin = Pubkey::default();
        emit!(AdminAccepted {
            previous_admin,
            admin: platform.admin,
        });
        Ok(())
    }
}
