//! The demo's settlement: a replayed report and an early withdrawal refused, the settlement
//! window passed, the rest withdrawn by the brand, and the accounts closed.
use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::state::CampaignStatus;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::no_state_check;
use clipstake_sdk::instructions::{self as ix, Asset, CampaignAccount};
use solana_instruction::Instruction;
use solana_signer::Signer;

use super::{Demo, expect_refusal};
use crate::CliError;
use crate::command::vault_balance;
use crate::config::Ctx;
use crate::output::duration;

/// Submissions closed per transaction.
const CLOSES: usize = 6;

impl Demo {
    /// The same report again moves nothing: returns whether the program refused it.
    pub(super) fn replay_report(
        &mut self,
        ctx: &mut Ctx,
        campaign: &Pubkey,
    ) -> Result<bool, CliError> {
        let replayed = &self.creators[1];
        let campaign = ctx.backend.campaign(campaign)?;
        let submission = ctx.backend.submission(&replayed.submission)?;
        let replay = ix::disburse(
            &self.oracle.pubkey(),
            &self.payer.pubkey(),
            &campaign,
            &submission,
            replayed.final_views,
        );
        let refused = expect_refusal(
            ctx.send(&[replay], &[&self.oracle], &mut no_state_check),
            ClipstakeError::ViewsNotIncreasing,
        )?;
        self.narrator.say(format!(
            "- a replayed report for {} ({} views) was {}",
            replayed.label.trim(),
            replayed.final_views,
            if refused {
                "refused: ViewsNotIncreasing"
            } else {
                "NOT refused"
            }
        ));
        Ok(refused)
    }

    /// The brand ends the campaign, then tries to withdraw inside the settlement window.
    /// Returns the ended campaign and whether the withdrawal was refused.
    pub(super) fn end_campaign(
        &mut self,
        ctx: &mut Ctx,
        address: &Pubkey,
    ) -> Result<(CampaignAccount, bool), CliError> {
        let end = ix::set_campaign_status(&self.brand.pubkey(), address, CampaignStatus::Ended);
        ctx.send(&[end], &[&self.brand], &mut |b: &mut dyn Backend| {
            Ok(b.campaign(address)?.state.status == CampaignStatus::Ended as u8)
        })?;
        self.transactions += 1;
        let campaign = ctx.backend.campaign(address)?;
        let mut early = self.brand_receiving_instructions();
        early.push(ix::withdraw(&campaign, 1));
        let refused = expect_refusal(
            ctx.send(&early, &[&self.brand], &mut no_state_check),
            ClipstakeError::SettlementWindowOpen,
        )?;
        self.narrator.say(format!(
            "- the brand ended the campaign; a withdrawal inside the settlement window was {}",
            if refused {
                "refused: SettlementWindowOpen"
            } else {
                "NOT refused"
            }
        ));
        Ok((campaign, refused))
    }

    /// What a withdrawal needs first: the brand's token account, created if missing.
    fn brand_receiving_instructions(&self) -> Vec<Instruction> {
        let Asset::Token {
            mint,
            token_program,
        } = self.terms.asset
        else {
            return Vec::new();
        };
        vec![
            spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                &self.payer.pubkey(),
                &self.brand.pubkey(),
                &mint,
                &token_program,
            ),
        ]
    }

    /// The settlement window passes: time travel on the embedded chain, waiting elsewhere.
    pub(super) fn pass_settlement_window(
        &mut self,
        ctx: &mut Ctx,
        ended: &CampaignAccount,
    ) -> Result<(), CliError> {
        let deadline = ended.state.settlement_deadline(&ctx.backend.platform()?);
        let now = ctx.backend.clock()?.unix_timestamp;
        if now >= deadline {
            return Ok(());
        }
        if self.embedded {
            ctx.backend.warp(deadline - now + 1)?;
            self.narrator.say(format!(
                "- the embedded clock travelled {} to the end of the settlement window",
                duration(deadline - now + 1)
            ));
        } else {
            self.narrator.say(format!(
                "- waiting {} for the settlement window to close",
                duration(deadline - now)
            ));
            while ctx.backend.clock()?.unix_timestamp < deadline {
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
        }
        Ok(())
    }

    /// The brand withdraws what is left in the vault.
    pub(super) fn withdraw_the_rest(
        &mut self,
        ctx: &mut Ctx,
        address: &Pubkey,
    ) -> Result<(), CliError> {
        let campaign = ctx.backend.campaign(address)?;
        let left = vault_balance(ctx.backend.as_mut(), &campaign)?;
        if left > 0 {
            let mut instructions = self.brand_receiving_instructions();
            instructions.push(ix::withdraw(&campaign, left));
            let target = campaign.state.withdrawn + left;
            ctx.send(&instructions, &[&self.brand], &mut |b: &mut dyn Backend| {
                Ok(b.campaign(address)?.state.withdrawn >= target)
            })?;
            self.transactions += 1;
        }
        self.narrator.say(format!(
            "- the brand withdrew the remaining {} {}",
            self.units(left),
            self.terms.symbol
        ));
        Ok(())
    }

    /// Closes the submissions and the campaign; the rent goes back to the payer.
    pub(super) fn close(&mut self, ctx: &mut Ctx, address: &Pubkey) -> Result<(), CliError> {
        let submissions: Vec<_> = self
            .creators
            .iter()
            .map(|c| ctx.backend.submission(&c.submission))
            .collect::<Result<_, _>>()?;
        for chunk in submissions.chunks(CLOSES) {
            let instructions: Vec<_> = chunk
                .iter()
                .map(|s| ix::close_submission(&self.brand.pubkey(), s))
                .collect();
            let addresses: Vec<Pubkey> = chunk.iter().map(|s| s.address).collect();
            ctx.send(&instructions, &[&self.brand], &mut |b: &mut dyn Backend| {
                Ok(b.get_multiple_accounts(&addresses)?
                    .iter()
                    .all(Option::is_none))
            })?;
            self.transactions += 1;
        }
        let campaign = ctx.backend.campaign(address)?;
        ctx.send(
            &[ix::close_campaign(&campaign)],
            &[&self.brand],
            &mut |b: &mut dyn Backend| Ok(b.get_account(address)?.is_none()),
        )?;
        self.transactions += 1;
        self.narrator.say(format!(
            "- {} submissions and the campaign closed; their rent went back to the payer {}",
            self.creators.len(),
            self.payer.pubkey()
        ));
        Ok(())
    }
}
