//! The demo's setup steps: the platform and its oracle, the brand's budget, the campaign and
//! the registered videos, and the balances before any payout.
use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use clipstake::errors::ClipstakeError;
use clipstake::instructions::{CreateCampaignArgs, InitPlatformArgs, RegisterSubmissionArgs};
use clipstake::state::Platform;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::sender::no_state_check;
use clipstake_sdk::instructions::{self as ix, Asset, TOKEN_2022_PROGRAM_ID};
use clipstake_sdk::pda;
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::{BATCH, DAY, Demo, LONGEST_UNASKED_WAIT, balance};
use crate::CliError;
use crate::command::demo_tracking::demo_video;
use crate::command::embedded::{create_mint_instructions, mint_to_instructions};
use crate::command::platform_registry::oracle_registration;
use crate::config::Ctx;
use crate::output::duration;

/// The demo's settlement window: as asked, else its default or the platform's minimum if
/// longer. On a cluster, where the demo waits for it, a long platform minimum is refused with
/// what to do rather than waited for.
pub(super) fn demo_window(
    asked: Option<i64>,
    default: i64,
    embedded: bool,
    platform: &Platform,
) -> Result<i64, CliError> {
    let minimum = platform.min_settlement_window_secs;
    let window = asked.unwrap_or(default.max(minimum));
    if window < minimum {
        return Err(CliError::usage(format!(
            "--settlement-window {} is shorter than the platform's minimum of {}",
            duration(window),
            duration(minimum)
        )));
    }
    if !embedded && asked.is_none() && window > LONGEST_UNASKED_WAIT {
        return Err(CliError::usage(format!(
            "the platform's minimum settlement window is {}, which the demo would wait for on a cluster: \
             pass --settlement-window {} to wait, or have the admin lower it \
             (`clipstake platform update --min-settlement-window 20s`)",
            duration(minimum),
            duration(minimum)
        )));
    }
    Ok(window)
}

/// Makes sure the signer (the demo's oracle) is a registered oracle; the admin registers
/// itself. Returns whether a transaction was sent.
fn register_demo_oracle(ctx: &mut Ctx, platform: &Platform) -> Result<bool, CliError> {
    let signer = ctx.signer_pubkey()?;
    match oracle_registration(ctx.backend.as_mut(), &signer)? {
        Some(r) if r.active => Ok(false),
        Some(_) => Err(CliError::usage(format!(
            "the demo's oracle is its signer {signer}, whose registration the platform admin \
             revoked; run the demo with another keypair (-k)"
        ))),
        None if platform.admin == signer => {
            let payer = ctx.fee_payer_pubkey()?;
            ctx.send(
                &[ix::add_oracle(&signer, &payer, &signer)],
                &[],
                &mut |b: &mut dyn Backend| Ok(oracle_registration(b, &signer)?.is_some()),
            )?;
            Ok(true)
        }
        None => Err(CliError::usage(format!(
            "the demo's oracle is its signer {signer}, which is not a registered oracle: the \
             platform admin {} registers it with `clipstake platform oracle add {signer}`",
            platform.admin
        ))),
    }
}

impl Demo {
    /// The settlement window when none is asked: a day on the embedded chain (crossed by time
    /// travel), 20 seconds on a cluster (waited for).
    pub(super) fn default_window(&self) -> i64 {
        if self.embedded { DAY } else { 20 }
    }

    /// The platform: the deployment's, or initialised (the signer is the upgrade authority on
    /// the embedded chain) with the signer as its first payout oracle. Returns its treasury.
    pub(super) fn find_or_init_platform(
        &mut self,
        ctx: &mut Ctx,
        asked_window: Option<i64>,
    ) -> Result<Pubkey, CliError> {
        match ctx.backend.platform() {
            Ok(platform) => {
                if platform.paused {
                    return Err(Error::from(ClipstakeError::PlatformPaused).into());
                }
                self.narrator.say(format!(
                    "- platform already initialised: fee {} bps, treasury {}",
                    platform.fee_bps, platform.treasury
                ));
                Ok(platform.treasury)
            }
            Err(Error::NotFound(_)) => self.init_platform(ctx, asked_window),
            Err(e) => Err(e.into()),
        }
    }

    /// Initialises the platform with a fresh treasury and the signer as admin and oracle.
    fn init_platform(
        &mut self,
        ctx: &mut Ctx,
        asked_window: Option<i64>,
    ) -> Result<Pubkey, CliError> {
        let admin = self.oracle.pubkey();
        let treasury = Keypair::new().pubkey();
        let instruction = ix::init_platform(
            &admin,
            &self.payer.pubkey(),
            InitPlatformArgs {
                treasury,
                fee_bps: 250,
                max_affiliate_bps: 2_000,
                min_settlement_window_secs: asked_window
                    .unwrap_or(self.default_window())
                    .clamp(1, DAY),
                max_attestation_lifetime_secs: 7 * DAY,
            },
        );
        let register = ix::add_oracle(&admin, &self.payer.pubkey(), &admin);
        ctx.send(
            &[instruction, register],
            &[&self.oracle],
            &mut |b: &mut dyn Backend| Ok(b.get_account(&pda::platform())?.is_some()),
        )?;
        self.transactions += 1;
        self.narrator.say(format!(
            "- platform initialised by {admin} (fee 250 bps, treasury {treasury}), with itself as the payout oracle"
        ));
        Ok(treasury)
    }

    /// Makes sure the oracle is registered with the platform (by the signer itself when it is
    /// the admin), so the platform's registry is not filled with demo keys.
    pub(super) fn register_oracle(
        &mut self,
        ctx: &mut Ctx,
        platform: &Platform,
    ) -> Result<(), CliError> {
        if register_demo_oracle(ctx, platform)? {
            self.transactions += 1;
            self.narrator.say(format!(
                "- the admin registered itself ({}) as a payout oracle",
                self.oracle.pubkey()
            ));
        }
        Ok(())
    }

    /// Gives the brand its budget: minted on a fresh mint, or transferred in SOL.
    pub(super) fn give_brand_its_budget(
        &mut self,
        ctx: &mut Ctx,
        treasury: &Pubkey,
    ) -> Result<(), CliError> {
        match self.terms.asset {
            Asset::Token {
                mint,
                token_program,
            } => self.mint_budget(ctx, &mint, &token_program),
            Asset::Sol => self.transfer_budget(ctx, treasury),
        }
    }

    /// Creates the mint and mints the budget to the brand.
    fn mint_budget(
        &mut self,
        ctx: &mut Ctx,
        mint: &Pubkey,
        token_program: &Pubkey,
    ) -> Result<(), CliError> {
        let payer = self.payer.pubkey();
        let (decimals, budget) = (self.terms.decimals, self.terms.budget);
        let mut instructions = create_mint_instructions(
            ctx.backend.as_mut(),
            &payer,
            mint,
            &payer,
            None,
            token_program,
            decimals,
        )?;
        instructions.extend(mint_to_instructions(
            &payer,
            mint,
            &payer,
            token_program,
            decimals,
            &self.brand.pubkey(),
            budget,
        )?);
        let mint_keypair = self
            .terms
            .mint
            .as_ref()
            .expect("a token demo has a mint keypair");
        ctx.send(&instructions, &[mint_keypair], &mut no_state_check)?;
        self.transactions += 1;
        self.narrator.say(format!(
            "- {} mint {mint} created; {} {} minted to the brand {}",
            if *token_program == TOKEN_2022_PROGRAM_ID {
                "Token-2022"
            } else {
                "SPL Token"
            },
            self.units(budget),
            self.terms.symbol,
            self.brand.pubkey()
        ));
        Ok(())
    }

    /// Transfers the budget to the brand. SOL recipients must stay rent exempt: every wallet
    /// that will receive a payout starts with the rent-exempt minimum.
    fn transfer_budget(&mut self, ctx: &mut Ctx, treasury: &Pubkey) -> Result<(), CliError> {
        use solana_system_interface::instruction::transfer;
        let payer = self.payer.pubkey();
        let rent = ctx.backend.minimum_balance_for_rent_exemption(0)?;
        let mut transfers = vec![transfer(&payer, &self.brand.pubkey(), self.terms.budget)];
        let mut wallets: Vec<Pubkey> = self.creators.iter().map(|c| c.wallet.pubkey()).collect();
        wallets.extend(
            self.creators
                .iter()
                .filter_map(|c| c.affiliate.as_ref().map(|(a, _)| a.pubkey())),
        );
        if ctx.backend.lamports(treasury)? < rent {
            wallets.push(*treasury);
        }
        transfers.extend(wallets.iter().map(|w| transfer(&payer, w, rent)));
        for chunk in transfers.chunks(10) {
            ctx.send(chunk, &[], &mut no_state_check)?;
            self.transactions += 1;
        }
        self.narrator.say(format!(
            "- the brand {} received {} SOL; {} recipient wallets were made rent exempt",
            self.brand.pubkey(),
            self.units(self.terms.budget),
            wallets.len()
        ));
        Ok(())
    }

    /// Creates the campaign and has the brand fund it (the payer sponsors fees and rent).
    /// Returns its address and what it was funded with.
    pub(super) fn open_campaign(
        &mut self,
        ctx: &mut Ctx,
        settlement_window: i64,
    ) -> Result<(Pubkey, u64), CliError> {
        let now = ctx.backend.clock()?.unix_timestamp;
        let brand = self.brand.pubkey();
        let campaign_id = crate::command::campaign::next_campaign_id(ctx.backend.as_mut(), &brand)?;
        let (instruction, campaign_address) = ix::create_campaign(
            &brand,
            &self.payer.pubkey(),
            self.terms.asset,
            CreateCampaignArgs {
                campaign_id,
                oracle: self.oracle.pubkey(),
                rate_per_thousand_views: self.terms.rate,
                cap_per_submission: self.terms.cap,
                start_time: now,
                end_time: now + 7 * 86_400,
                settlement_window_secs: settlement_window,
            },
        );
        ctx.send(
            &[instruction],
            &[&self.brand],
            &mut |b: &mut dyn Backend| Ok(b.get_account(&campaign_address)?.is_some()),
        )?;
        self.transactions += 1;
        let campaign = ctx.backend.campaign(&campaign_address)?;
        ctx.send(
            &[ix::fund_campaign(&brand, &campaign, self.terms.budget)],
            &[&self.brand],
            &mut no_state_check,
        )?;
        self.transactions += 1;
        let funded = ctx.backend.campaign(&campaign_address)?.state.funded;
        self.narrator.say(format!(
            "- campaign {campaign_address}: {} {} per 1,000 views, cap {} per video, settlement window {}; funded {} {}",
            self.units(self.terms.rate),
            self.terms.symbol,
            self.units(self.terms.cap),
            duration(settlement_window),
            self.units(funded),
            self.terms.symbol
        ));
        Ok((campaign_address, funded))
    }

    /// The oracle registers every video, keyed by its canonical id (`youtube:ID`).
    pub(super) fn register_videos(
        &mut self,
        ctx: &mut Ctx,
        campaign: &Pubkey,
    ) -> Result<(), CliError> {
        let (oracle, payer) = (self.oracle.pubkey(), self.payer.pubkey());
        for (n, chunk) in self.creators.chunks_mut(BATCH).enumerate() {
            let mut instructions = Vec::new();
            let mut addresses = Vec::new();
            for (offset, creator) in chunk.iter_mut().enumerate() {
                let (video, _) = demo_video(campaign, n * BATCH + offset);
                let (instruction, submission) = ix::register_submission(
                    &oracle,
                    &payer,
                    campaign,
                    RegisterSubmissionArgs {
                        content_hash: video.content_hash(),
                        creator: creator.wallet.pubkey(),
                        affiliate: creator.affiliate.as_ref().map(|(a, _)| a.pubkey()),
                        affiliate_bps: creator.affiliate.as_ref().map_or(0, |(_, bps)| *bps),
                    },
                );
                creator.submission = submission;
                instructions.push(instruction);
                addresses.push(submission);
            }
            ctx.send(
                &instructions,
                &[&self.oracle],
                &mut |b: &mut dyn Backend| {
                    Ok(b.get_multiple_accounts(&addresses)?
                        .iter()
                        .all(Option::is_some))
                },
            )?;
            self.transactions += 1;
        }
        let with_affiliates = self
            .creators
            .iter()
            .filter(|c| c.affiliate.is_some())
            .count();
        self.narrator.say(format!(
            "- {} videos registered by the oracle, {with_affiliates} with an affiliate",
            self.creators.len()
        ));
        Ok(())
    }

    /// The balance of every account that will receive value, before any payout.
    pub(super) fn balances_before(
        &self,
        ctx: &mut Ctx,
        treasury: &Pubkey,
    ) -> Result<HashMap<Pubkey, u64>, CliError> {
        let mut tracked = vec![
            self.receiving(treasury),
            self.receiving(&self.brand.pubkey()),
        ];
        for c in &self.creators {
            tracked.push(self.receiving(&c.wallet.pubkey()));
            if let Some((a, _)) = &c.affiliate {
                tracked.push(self.receiving(&a.pubkey()));
            }
        }
        let mut before = HashMap::new();
        for account in &tracked {
            before.insert(
                *account,
                balance(ctx.backend.as_mut(), &self.terms.asset, account)?,
            );
        }
        Ok(before)
    }
}
