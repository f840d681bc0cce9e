//! The payout oracle: view reports are parsed and verified ([`reports`]), mapped to their
//! submissions, recorded in an SQLite [`ledger`]; accepted views become payout intents (written
//! before anything is sent), packed into transactions of many `disburse` instructions and sent
//! with [`crate::sender::send_transaction`]. [`reconcile`] settles every unfinished intent from
//! the chain (the submission's `paid_views` watermark is the truth), so a run can be killed at
//! any point and restarted without paying twice or dropping a payout.
//!
//! The runner takes a [`Failpoint`]: tests make it fail at step N to simulate a crash.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use clipstake::math::{Bps, entitlement, split};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;

use crate::Error;
use crate::backend::{Backend, BackendExt};
use crate::instructions::{self as ix, CampaignAccount, SubmissionAccount};
use crate::sender::{SendOptions, send_transaction};

pub mod ledger;
pub mod reports;
pub mod schedule;

use ledger::{Intent, Ledger, Status, idempotency_key};
use reports::{Context, Parsed, VerifyConfig};

/// The largest serialized transaction the network accepts.
pub const PACKET_DATA_SIZE: usize = 1232;

/// A place where a run may be made to fail (crash injection).
pub trait Failpoint {
    /// Called at each step; an error aborts the run right there, as a crash would.
    fn check(&mut self, step: &str) -> Result<(), Error>;
}

/// Never fails.
pub struct NoFailpoints;
impl Failpoint for NoFailpoints {
    fn check(&mut self, _: &str) -> Result<(), Error> {
        Ok(())
    }
}

/// Fails at the `at`-th step reached (1-based), once.
#[derive(Debug, Clone)]
pub struct CrashAt {
    /// Which step crashes.
    pub at: usize,
    /// Steps reached so far.
    pub seen: usize,
    /// The step that crashed.
    pub crashed: Option<String>,
}
impl CrashAt {
    /// Crash at step `at`.
    pub fn new(at: usize) -> Self {
        CrashAt {
            at,
            seen: 0,
            crashed: None,
        }
    }
}
impl Failpoint for CrashAt {
    fn check(&mut self, step: &str) -> Result<(), Error> {
        self.seen += 1;
        if self.seen == self.at {
            self.crashed = Some(step.to_string());
            return Err(Error::Other(format!(
                "injected crash at step {} ({step})",
                self.at
            )));
        }
        Ok(())
    }
}

/// What an ingest did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestSummary {
    /// Reports accepted.
    pub accepted: usize,
    /// Reports quarantined (including malformed lines).
    pub quarantined: usize,
    /// Exact duplicates of an accepted report (ignored).
    pub duplicates: usize,
}

/// Ingests parsed reports for `campaign`: each is mapped to its submission
/// (`pda::submission(campaign, content_hash(video))`), verified and recorded as accepted or
/// quarantined (with its reason).
pub fn ingest(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    campaign: &Pubkey,
    parsed: &Parsed,
    config: &VerifyConfig,
) -> Result<IngestSummary, Error> {
    let campaign_account = backend.campaign(campaign)?;
    let campaign_text = campaign.to_string();
    let addresses: Vec<Pubkey> = parsed
        .reports
        .iter()
        .map(|(_, r)| crate::pda::submission(campaign, &crate::pda::content_hash(&r.video)))
        .collect();
    let mut submissions: HashMap<Pubkey, Option<SubmissionAccount>> = HashMap::new();
    let unique: Vec<Pubkey> = {
        let mut u = addresses.clone();
        u.sort();
        u.dedup();
        u
    };
    for chunk in unique.chunks(100) {
        for (address, account) in chunk.iter().zip(backend.get_multiple_accounts(chunk)?) {
            let decoded = account
                .filter(|a| a.owner == clipstake::ID)
                .and_then(|a| crate::accounts::decode(&a.data).ok())
                .map(|state| SubmissionAccount {
                    address: *address,
                    state,
                });
            submissions.insert(*address, decoded);
        }
    }
    let mut summary = IngestSummary::default();
    ledger.atomically(|l| {
        for bad in &parsed.malformed {
            l.record_observation(&campaign_text, None, None, false, Some(&bad.reason), Some(&bad.raw))?;
            summary.quarantined += 1;
        }
        for ((_, report), address) in parsed.reports.iter().zip(&addresses) {
            let raw = serde_json::to_string(report).ok();
            let address_text = address.to_string();
            let reason = match submissions.get(address).cloned().flatten() {
                None => Some(format!(
                    "unknown submission: no submission {address_text} for video {:?} in campaign {campaign_text}",
                    report.video
                )),
                Some(sub) if report
                    .creator
                    .as_deref()
                    .is_some_and(|c| c != sub.state.creator.to_string()) =>
                {
                    Some(format!("creator mismatch: the submission's creator is {}", sub.state.creator))
                }
                Some(sub) => {
                    let (previous, before_previous) = l.last_points(&address_text)?;
                    let ctx = Context {
                        registered_at: sub.state.registered_at,
                        paid_views: sub.state.paid_views,
                        campaign_end: campaign_account.state.end_time,
                        previous,
                        before_previous,
                    };
                    reports::verify(report, &ctx, config)
                }
            };
            match reason {
                Some(r) if r.starts_with("duplicate") => summary.duplicates += 1,
                Some(r) => {
                    l.record_observation(&campaign_text, Some(&address_text), Some(report), false, Some(&r), raw.as_deref())?;
                    summary.quarantined += 1;
                }
                None => {
                    l.record_observation(&campaign_text, Some(&address_text), Some(report), true, None, raw.as_deref())?;
                    summary.accepted += 1;
                }
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

/// What [`reconcile`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReconcileSummary {
    /// Unfinished intents found.
    pub unfinished: usize,
    /// Settled as confirmed (watermark or known signature).
    pub confirmed: usize,
    /// Sent intents whose blockhash expired unpaid: back to pending.
    pub back_to_pending: usize,
    /// Failed (their transaction landed with an error).
    pub failed: usize,
    /// Still in flight (blockhash valid, not landed): left as sent.
    pub in_flight: usize,
}

fn fetch_submissions(
    backend: &mut dyn Backend,
    addresses: &[Pubkey],
) -> Result<HashMap<Pubkey, SubmissionAccount>, Error> {
    let mut found = HashMap::new();
    for chunk in addresses.chunks(100) {
        for (address, account) in chunk.iter().zip(backend.get_multiple_accounts(chunk)?) {
            if let Some(account) = account.filter(|a| a.owner == clipstake::ID)
                && let Ok(state) = crate::accounts::decode(&account.data)
            {
                found.insert(
                    *address,
                    SubmissionAccount {
                        address: *address,
                        state,
                    },
                );
            }
        }
    }
    Ok(found)
}

fn parse_key(text: &str) -> Result<Pubkey, Error> {
    text.parse()
        .map_err(|_| Error::Other(format!("oracle ledger: bad address {text:?}")))
}

/// Settles every pending or sent intent from the chain: watermark >= target => confirmed; else a
/// known, landed signature decides; else an expired blockhash (or, on the synchronous embedded
/// chain, a transaction that never landed) sends it back to pending.
pub fn reconcile(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
) -> Result<ReconcileSummary, Error> {
    let open = ledger.intents(&[Status::Pending, Status::Sent])?;
    let mut summary = ReconcileSummary {
        unfinished: open.len(),
        ..Default::default()
    };
    if open.is_empty() {
        return Ok(summary);
    }
    let addresses = open
        .iter()
        .map(|i| parse_key(&i.submission))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    let height = backend.block_height()?;
    let embedded = backend.is_embedded();
    let mut updates: Vec<(String, Status, Option<String>)> = Vec::new();
    for (intent, address) in open.iter().zip(&addresses) {
        let watermark = chain.get(address).map_or(0, |s| s.state.paid_views);
        if watermark >= intent.target_views {
            updates.push((intent.key.clone(), Status::Confirmed, None));
            summary.confirmed += 1;
            continue;
        }
        if intent.status != Status::Sent {
            continue;
        }
        if let Some(signature) = intent.signature.as_deref().and_then(|s| s.parse().ok())
            && let Some(status) = backend
                .signature_statuses(&[signature], true)?
                .pop()
                .flatten()
        {
            if let Some(err) = status.err {
                updates.push((intent.key.clone(), Status::Failed, Some(format!("{err:?}"))));
                summary.failed += 1;
                continue;
            }
            if status.confirmed {
                updates.push((intent.key.clone(), Status::Confirmed, None));
                summary.confirmed += 1;
                continue;
            }
        }
        if embedded || intent.last_valid.is_none_or(|lv| height > lv) {
            updates.push((intent.key.clone(), Status::Pending, None));
            summary.back_to_pending += 1;
        } else {
            summary.in_flight += 1;
        }
    }
    ledger.atomically(|l| {
        for (key, status, error) in &updates {
            l.set_status(key, *status, None, None, None, error.as_deref())?;
        }
        Ok(())
    })?;
    Ok(summary)
}

/// Writes intents for every submission whose accepted views exceed what is paid or intended.
/// Returns (new intents, skipped: nothing owed).
pub fn plan(ledger: &mut Ledger, backend: &mut dyn Backend) -> Result<(usize, usize), Error> {
    let maxima = ledger.accepted_maxima()?;
    let mut candidates = Vec::new();
    for (campaign, submission, views, _) in maxima {
        if ledger.has_open_intent(&submission)? {
            continue;
        }
        if ledger
            .highest_target(&submission)?
            .is_some_and(|t| t >= views)
        {
            continue;
        }
        candidates.push((campaign, submission, views));
    }
    let addresses = candidates
        .iter()
        .map(|c| parse_key(&c.1))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    let mut campaigns: HashMap<String, CampaignAccount> = HashMap::new();
    let (mut created, mut skipped) = (0, 0);
    let mut rows = Vec::new();
    for ((campaign, submission, views), address) in candidates.into_iter().zip(&addresses) {
        let Some(sub) = chain.get(address) else {
            continue;
        };
        if views <= sub.state.paid_views {
            continue;
        }
        if !campaigns.contains_key(&campaign) {
            let c = backend.campaign(&parse_key(&campaign)?)?;
            campaigns.insert(campaign.clone(), c);
        }
        let c = &campaigns[&campaign].state;
        let gross = entitlement(views, c.rate_per_thousand_views, c.cap_per_submission)
            - entitlement(
                sub.state.paid_views,
                c.rate_per_thousand_views,
                c.cap_per_submission,
            );
        if gross == 0 {
            skipped += 1;
            continue;
        }
        let fee = Bps::new(c.fee_bps).map_err(|e| Error::Other(format!("{e:?}")))?;
        let commission =
            Bps::new(sub.state.affiliate_bps).map_err(|e| Error::Other(format!("{e:?}")))?;
        let parts = split(gross, fee, commission).map_err(|e| Error::Other(format!("{e:?}")))?;
        let intent = Intent {
            key: idempotency_key(&campaign, &submission, views),
            campaign: campaign.clone(),
            submission: submission.clone(),
            target_views: views,
            prev_views: sub.state.paid_views,
            gross,
            fee: parts.fee,
            commission: parts.commission,
            creator_amount: parts.creator,
            status: Status::Pending,
            signature: None,
            blockhash: None,
            last_valid: None,
            units: None,
            error: None,
        };
        rows.push((
            intent,
            c.vault.to_string(),
            c.treasury.to_string(),
            sub.state.affiliate().map(|a| a.to_string()),
            sub.state.creator.to_string(),
        ));
    }
    ledger.atomically(|l| {
        for (intent, vault, treasury, affiliate, creator) in &rows {
            if l.insert_intent(intent, vault, treasury, affiliate.as_deref(), creator)? {
                created += 1;
            }
        }
        Ok(())
    })?;
    Ok((created, skipped))
}

/// How a run sends.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The sender's options (the runner forces one signing per transaction so the recorded
    /// blockhash is the only one that can land).
    pub send: SendOptions,
    /// At most this many disbursements per transaction (the packet size decides below it).
    pub max_per_tx: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            send: SendOptions::default(),
            max_per_tx: 64,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunSummary {
    /// Reconciliation at start.
    pub reconciled: ReconcileSummary,
    /// Intents written by this run.
    pub planned: usize,
    /// Disbursements confirmed by this run's transactions.
    pub paid: usize,
    /// Gross paid by them.
    pub paid_gross: u64,
    /// Nothing owed (cap reached) or already applied on chain.
    pub skipped: usize,
    /// Quarantined reports in the ledger (never paid).
    pub quarantined: u64,
    /// Intents the program refused.
    pub failed: usize,
    /// Transactions confirmed.
    pub transactions: usize,
    /// Compute units consumed (simulated) by them.
    pub compute_units: u64,
    /// Fees: 5,000 lamports per signature plus the priority fee.
    pub fee_lamports: u64,
    /// Largest number of disbursements in one transaction.
    pub max_per_tx: usize,
    /// Seconds taken.
    pub seconds: f64,
}

impl RunSummary {
    /// Average disbursements per transaction.
    pub fn per_tx(&self) -> f64 {
        if self.transactions == 0 {
            0.0
        } else {
            self.paid as f64 / self.transactions as f64
        }
    }
}

fn tx_size(
    instructions: &[solana_instruction::Instruction],
    payer: &Pubkey,
    signatures: usize,
) -> usize {
    let message = Message::new(instructions, Some(payer));
    let data = Transaction::new_unsigned(message).message_data();
    // Compact-u16 signature count (1 byte below 128) + signatures + message.
    1 + 64 * signatures + data.len()
}

fn budget_instructions(price: Option<u64>) -> Vec<solana_instruction::Instruction> {
    use solana_compute_budget_interface::ComputeBudgetInstruction;
    let mut v = vec![ComputeBudgetInstruction::set_compute_unit_limit(
        crate::sender::MAX_COMPUTE_UNIT_LIMIT,
    )];
    if let Some(p) = price {
        v.push(ComputeBudgetInstruction::set_compute_unit_price(p));
    }
    v
}

/// One full oracle pass: reconcile, plan, then pay every pending intent in packed transactions.
pub fn run(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    oracle: &Keypair,
    payer: &Keypair,
    options: &RunOptions,
    failpoint: &mut dyn Failpoint,
    progress: &indicatif::ProgressBar,
) -> Result<RunSummary, Error> {
    let started = Instant::now();
    let mut summary = RunSummary::default();
    failpoint.check("start")?;
    summary.reconciled = reconcile(ledger, backend)?;
    // On a real cluster, wait for in-flight transactions to land or expire before resending.
    let deadline = Instant::now() + options.send.max_wait;
    while summary.reconciled.in_flight > 0 && Instant::now() < deadline {
        std::thread::sleep(backend.poll_interval().max(Duration::from_millis(50)));
        summary.reconciled = reconcile(ledger, backend)?;
    }
    failpoint.check("reconciled")?;
    let (planned, skipped) = plan(ledger, backend)?;
    summary.planned = planned;
    summary.skipped = skipped;
    failpoint.check("planned")?;

    let pending = ledger.intents(&[Status::Pending])?;
    progress.set_length(pending.len() as u64);
    let addresses = pending
        .iter()
        .map(|i| parse_key(&i.submission))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    let mut campaigns: HashMap<Pubkey, CampaignAccount> = HashMap::new();
    let send_options = SendOptions {
        max_signings: 1,
        ..options.send.clone()
    };
    let signatures = if oracle.pubkey() == payer.pubkey() {
        1
    } else {
        2
    };
    let budget = budget_instructions(send_options.compute_unit_price);

    // Build every instruction, dropping intents the chain already shows as paid.
    let mut queue: Vec<(Intent, solana_instruction::Instruction)> = Vec::new();
    let mut already = Vec::new();
    for (intent, address) in pending.into_iter().zip(&addresses) {
        let Some(sub) = chain.get(address) else {
            ledger.set_status(
                &intent.key,
                Status::Failed,
                None,
                None,
                None,
                Some("the submission no longer exists"),
            )?;
            summary.failed += 1;
            continue;
        };
        if sub.state.paid_views >= intent.target_views {
            already.push(intent.key.clone());
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = campaigns.entry(sub.state.campaign) {
            e.insert(backend.campaign(&sub.state.campaign)?);
        }
        let campaign = &campaigns[&sub.state.campaign];
        let instruction = ix::disburse(
            &oracle.pubkey(),
            &payer.pubkey(),
            campaign,
            sub,
            intent.target_views,
        );
        queue.push((intent, instruction));
    }
    if !already.is_empty() {
        ledger.atomically(|l| {
            for key in &already {
                l.set_status(key, Status::Confirmed, None, None, None, None)?;
            }
            Ok(())
        })?;
        summary.skipped += already.len();
    }

    // Pack and send.
    let mut queue: std::collections::VecDeque<Vec<(Intent, solana_instruction::Instruction)>> = {
        let mut batches = std::collections::VecDeque::new();
        let mut current: Vec<(Intent, solana_instruction::Instruction)> = Vec::new();
        let mut instructions = budget.clone();
        for item in queue {
            instructions.push(item.1.clone());
            if !current.is_empty()
                && (current.len() >= options.max_per_tx.max(1)
                    || tx_size(&instructions, &payer.pubkey(), signatures) > PACKET_DATA_SIZE)
            {
                batches.push_back(std::mem::take(&mut current));
                instructions = budget.clone();
                instructions.push(item.1.clone());
            }
            current.push(item);
        }
        if !current.is_empty() {
            batches.push_back(current);
        }
        batches
    };
    while let Some(batch) = queue.pop_front() {
        failpoint.check("batch:before-mark-sent")?;
        let (blockhash, last_valid) = backend.latest_blockhash()?;
        let blockhash_text = blockhash.to_string();
        ledger.atomically(|l| {
            for (intent, _) in &batch {
                l.set_status(
                    &intent.key,
                    Status::Sent,
                    None,
                    Some((&blockhash_text, last_valid)),
                    None,
                    None,
                )?;
            }
            Ok(())
        })?;
        failpoint.check("batch:after-mark-sent")?;
        let instructions: Vec<_> = batch.iter().map(|(_, i)| i.clone()).collect();
        let targets: Vec<(Pubkey, u64)> = batch
            .iter()
            .map(|(i, _)| (parse_key(&i.submission).unwrap_or_default(), i.target_views))
            .collect();
        let result = send_transaction(
            backend,
            &send_options,
            &instructions,
            payer,
            &[oracle],
            &mut |b: &mut dyn Backend| {
                let addresses: Vec<Pubkey> = targets.iter().map(|t| t.0).collect();
                let chain = fetch_submissions(b, &addresses)?;
                Ok(targets
                    .iter()
                    .all(|(a, t)| chain.get(a).is_some_and(|s| s.state.paid_views >= *t)))
            },
        );
        failpoint.check("batch:after-send")?;
        match result {
            Ok(sent) => {
                let signature = sent.signature.map(|s| s.to_string());
                ledger.atomically(|l| {
                    for (intent, _) in &batch {
                        l.set_status(
                            &intent.key,
                            Status::Confirmed,
                            signature.as_deref(),
                            None,
                            Some(sent.units_consumed),
                            None,
                        )?;
                    }
                    Ok(())
                })?;
                summary.paid += batch.len();
                summary.paid_gross += batch.iter().map(|(i, _)| i.gross).sum::<u64>();
                summary.transactions += 1;
                summary.compute_units += sent.units_consumed;
                summary.max_per_tx = summary.max_per_tx.max(batch.len());
                let price = send_options.compute_unit_price.unwrap_or(0);
                summary.fee_lamports += 5_000 * signatures as u64
                    + (u64::from(sent.compute_unit_limit) * price).div_ceil(1_000_000);
                progress.inc(batch.len() as u64);
                failpoint.check("batch:after-confirm")?;
            }
            Err(e) if e.is_refusal() => {
                // Nothing was applied (the simulation refused it, or it landed and failed
                // atomically). Split the batch to isolate the refused disbursement.
                if batch.len() > 1 {
                    ledger.atomically(|l| {
                        for (intent, _) in &batch {
                            l.set_status(&intent.key, Status::Pending, None, None, None, None)?;
                        }
                        Ok(())
                    })?;
                    let mut batch = batch;
                    let right = batch.split_off(batch.len() / 2);
                    queue.push_front(right);
                    queue.push_front(batch);
                } else {
                    let (intent, _) = &batch[0];
                    ledger.set_status(
                        &intent.key,
                        Status::Failed,
                        None,
                        None,
                        None,
                        Some(&e.to_string()),
                    )?;
                    summary.failed += 1;
                    progress.inc(1);
                }
            }
            Err(e) => return Err(e),
        }
    }
    summary.quarantined = ledger.totals()?.quarantined;
    summary.seconds = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    Ok(summary)
}
