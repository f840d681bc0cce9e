//! The demo's rounds: views read through the oracle's YouTube adapter from a local stand-in of
//! the API, judged (owner checked) and paid; the claimer claims the last round itself.
use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use clipstake::math::entitlement;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions as ix;
use solana_instruction::Instruction;
use solana_signer::Signer;

use super::{BATCH, CLAIMER, Creator, Demo};
use crate::CliError;
use crate::command::demo_tracking::{DemoTracking, demo_video};
use crate::config::Ctx;

/// The views the tracking step accepted in a round, by submission.
type Accepted = HashMap<Pubkey, u64>;

impl Demo {
    /// Every round of views, tracked and paid. Returns what the tracking step read.
    pub(super) fn pay_rounds(
        &mut self,
        ctx: &mut Ctx,
        campaign: &Pubkey,
    ) -> Result<DemoTracking, CliError> {
        let mut tracking = DemoTracking::start()?;
        self.narrator.say(
            "- views are read each round by the oracle's YouTube adapter from a LOCAL STAND-IN of the YouTube Data API (no keys; `oracle track` reads the real one)",
        );
        for round in 1..=self.rounds {
            self.pay_round(ctx, &mut tracking, campaign, round)?;
        }
        self.narrator.bar.finish_and_clear();
        Ok(tracking)
    }

    /// One round: the views are read and judged, then pushed to every creator, except in the
    /// last round to the claimer, who claims them with the oracle's attestation.
    fn pay_round(
        &mut self,
        ctx: &mut Ctx,
        tracking: &mut DemoTracking,
        campaign: &Pubkey,
        round: u64,
    ) -> Result<(), CliError> {
        let rounds = self.rounds;
        self.narrator
            .bar
            .set_message(format!("round {round}/{rounds}"));
        let accepted = self.track_round(ctx, tracking, campaign, round)?;
        let last = round == rounds;
        let pushed: Vec<usize> = (0..self.creators.len())
            .filter(|i| !(last && *i == CLAIMER))
            .filter(|i| accepted.contains_key(&self.creators[*i].submission))
            .collect();
        for chunk in pushed.chunks(BATCH) {
            self.push_payouts(ctx, campaign, chunk, &accepted)?;
        }
        if last {
            let views = self.claim(ctx, campaign, &accepted)?;
            self.narrator.say(format!(
                "- round {round}/{rounds} paid; {} claimed its last round on-chain with the oracle's attestation ({views} views)",
                self.creators[CLAIMER].label.trim()
            ));
        } else {
            self.narrator.say(format!(
                "- round {round}/{rounds} paid: {} view reports disbursed",
                self.creators.len()
            ));
        }
        Ok(())
    }

    /// Sets every video's views for `round` on the stand-in and reads them through the
    /// tracking step. Only what it read and the policy accepted is paid.
    fn track_round(
        &self,
        ctx: &mut Ctx,
        tracking: &mut DemoTracking,
        campaign: &Pubkey,
        round: u64,
    ) -> Result<Accepted, CliError> {
        let videos: Vec<_> = self
            .creators
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (video, channel) = demo_video(campaign, i);
                (video, channel, c.final_views * round / self.rounds)
            })
            .collect();
        let now = ctx.backend.clock()?.unix_timestamp;
        let payable = tracking.round(&videos, now)?;
        Ok(self
            .creators
            .iter()
            .zip(&videos)
            .filter_map(|(c, (video, _, _))| payable.get(video).map(|v| (c.submission, *v)))
            .collect())
    }

    /// Pushes the accepted views of the creators at `indices` in one transaction.
    fn push_payouts(
        &mut self,
        ctx: &mut Ctx,
        campaign: &Pubkey,
        indices: &[usize],
        accepted: &Accepted,
    ) -> Result<(), CliError> {
        let views_of = |c: &Creator| accepted.get(&c.submission).copied().unwrap_or(0);
        let campaign = ctx.backend.campaign(campaign)?;
        let mut instructions: Vec<Instruction> = Vec::new();
        let mut targets = Vec::new();
        for creator in indices.iter().map(|i| &self.creators[*i]) {
            let submission = ctx.backend.submission(&creator.submission)?;
            // A video at its cap is owed nothing more, and the program refuses such a push.
            let earned = entitlement(views_of(creator), self.terms.rate, self.terms.cap);
            if earned <= submission.state.paid_gross {
                continue;
            }
            instructions.push(ix::disburse(
                &self.oracle.pubkey(),
                &self.payer.pubkey(),
                &campaign,
                &submission,
                views_of(creator),
            ));
            targets.push((creator.submission, views_of(creator)));
        }
        if !instructions.is_empty() {
            ctx.send(
                &instructions,
                &[&self.oracle],
                &mut |b: &mut dyn Backend| {
                    for (submission, views) in &targets {
                        if b.submission(submission)?.state.paid_views < *views {
                            return Ok(false);
                        }
                    }
                    Ok(true)
                },
            )?;
            self.transactions += 1;
        }
        self.narrator.bar.inc(indices.len() as u64);
        Ok(())
    }

    /// The claimer claims its accepted views on-chain with an attestation the oracle signs.
    /// Returns the views claimed.
    fn claim(
        &mut self,
        ctx: &mut Ctx,
        campaign: &Pubkey,
        accepted: &Accepted,
    ) -> Result<u64, CliError> {
        let creator = &self.creators[CLAIMER];
        let views = accepted.get(&creator.submission).copied().unwrap_or(0);
        let expiry = ctx.backend.clock()?.unix_timestamp + 3_600;
        let campaign = ctx.backend.campaign(campaign)?;
        let submission = ctx.backend.submission(&creator.submission)?;
        let attestation = Attestation::sign(&self.oracle, &submission, views, expiry);
        let instructions = [
            attestation.ed25519_instruction(),
            ix::claim(&self.payer.pubkey(), &campaign, &submission, views, expiry),
        ];
        let address = creator.submission;
        ctx.send(
            &instructions,
            &[&creator.wallet],
            &mut |b: &mut dyn Backend| Ok(b.submission(&address)?.state.paid_views >= views),
        )?;
        self.transactions += 1;
        self.narrator.bar.inc(1);
        Ok(views)
    }
}
