//! `oracle run`: reconcile, plan, then pay every pending intent in packed, pipelined
//! transactions.
//!
//! - **Batches**: a transaction pays payouts of one campaign in one `disburse_batch` (one
//!   per transaction: its `BatchPaid` event is logged before its transfers, so only a second
//!   batch's event could be pushed past the 10 KB log limit by the first one's transfer
//!   logs). A batch creates no token accounts, so a payout whose creator or affiliate has no
//!   token account yet goes in a transaction of single `disburse` instructions, which create
//!   them; the treasury's is created once per campaign before its first batch.
//! - **Packing**: as many payouts per transaction as fit in the packet, the 64 account locks,
//!   the instruction trace, the compute budget (estimated from the simulations so far), the
//!   batch's 32 payouts and the log limit. Each campaign gets address lookup tables
//!   ([`clipstake_client::lookup_table`]) so an account costs one byte, not 32.
//! - **Pipelining**: up to `window` transactions are in flight at once. Each is simulated,
//!   signed once, recorded as `sent` (signature, blockhash, last valid height) and only then
//!   sent. One `getSignatureStatuses` call per poll covers every transaction in flight; an
//!   unconfirmed one is resent byte for byte; an expired one is settled from the chain (a late
//!   status, else the watermarks) before its unpaid part is signed again.
//! - **Refusals**: a batch the program refuses is split in two until the refused payout
//!   fails alone; so is a transaction of single `disburse`s whose simulation logged past the
//!   runtime's 10,000 bytes (its later `PayoutMade` events would be cut), before it is sent.
//! - **Books**: when the backend returns a confirmed transaction's logs, the batch's
//!   `BatchPaid` event is read, and a payout the chain cut short (its vault held less than
//!   planned) is booked at what it moved.
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::Error;
use anchor_lang::prelude::Pubkey;
use clipstake::events::BatchPayout;
use clipstake_client::Error as ChainError;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::in_flight::{self, InFlight, Outcome, Settled, submit};
use clipstake_client::lookup_table;
use clipstake_client::sender::{SendOptions, prepare};
use clipstake_sdk::instructions::{CampaignAccount, SubmissionAccount};
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::batch;
use crate::ledger::{Intent, Ledger, Status};
use crate::packing::{
    Batch, Item, Packer, Route, Tables, batched_item, extensions, instructions_of, table_addresses,
    tables_needed,
};
use crate::progress::Progress;
use crate::{Failpoint, ReconcileSummary, fetch_submissions, parse_key, plan, reconcile};

/// Times a batch is signed again after its transaction was dropped before the program saw it.
const MAX_ATTEMPTS: u32 = 5;

/// How a run sends.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The sender's options (compute-unit price, margins, how long to wait).
    pub send: SendOptions,
    /// At most this many payouts per transaction (a batch holds at most 32; the packet, the
    /// account locks, the trace and the compute budget decide below it).
    pub max_per_tx: usize,
    /// At most this many transactions in flight at once.
    pub window: usize,
    /// Pack batches with per-campaign address lookup tables (off: legacy transactions only).
    pub lookup_tables: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            send: SendOptions::default(),
            max_per_tx: 64,
            window: 32,
            lookup_tables: true,
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
    /// Payouts confirmed by this run's transactions.
    pub paid: usize,
    /// Of those, payouts made by a `disburse_batch` (the rest by single `disburse`s, which
    /// create missing token accounts).
    pub paid_in_batches: usize,
    /// Gross paid by them.
    pub paid_gross: u64,
    /// Nothing owed (cap reached) or already applied on chain.
    pub skipped: usize,
    /// Submissions owed more than their campaign's vault holds now (see `PlanSummary`).
    pub awaiting_funds: usize,
    /// Quarantined reports in the ledger (never paid).
    pub quarantined: u64,
    /// Intents the program refused.
    pub failed: usize,
    /// Transactions confirmed.
    pub transactions: usize,
    /// Of those, transactions paying with one `disburse_batch`.
    pub batch_transactions: usize,
    /// Payouts the chain's `BatchPaid` event showed cut short (the vault held less than
    /// planned), booked in the ledger at what they moved.
    pub booked_from_events: usize,
    /// Treasury token accounts created before their campaign's first batch.
    pub treasury_accounts_created: usize,
    /// Compute units consumed (simulated) by them.
    pub compute_units: u64,
    /// Fees: 5,000 lamports per signature plus the priority fee.
    pub fee_lamports: u64,
    /// Largest number of payouts in one transaction.
    pub max_per_tx: usize,
    /// Address lookup tables used (created or reused).
    pub lookup_tables: usize,
    /// Transactions signed again after their blockhash expired unconfirmed.
    pub re_signed: usize,
    /// Batches split in two after the program or the runtime refused them.
    pub splits: usize,
    /// Why the last batch was split (the refusal), if one was.
    pub last_split_reason: Option<String>,
    /// Median time from first send to confirmation, in milliseconds.
    pub latency_p50_ms: f64,
    /// 90th percentile of that time, in milliseconds.
    pub latency_p90_ms: f64,
    /// Seconds taken.
    pub seconds: f64,
}

impl RunSummary {
    /// Average payouts per transaction.
    pub fn per_tx(&self) -> f64 {
        if self.transactions == 0 {
            0.0
        } else {
            self.paid as f64 / self.transactions as f64
        }
    }

    /// Payouts confirmed per second of the run.
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.paid as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Whether a transaction of several single `disburse`s logged past the runtime's 10,000 bytes
/// in its simulation, which cuts the later instructions' `PayoutMade` events (creating token
/// accounts logs a lot). A `disburse_batch` logs its one event before any transfer, so a cut in
/// its transfers' lines loses nothing.
fn events_would_be_lost(batch: &Batch, simulation_logs: &[String]) -> bool {
    batch.items.len() > 1
        && batch.items[0].route == Route::Single
        && simulation_logs.iter().any(|l| l == "Log truncated")
}

/// What a transaction in flight pays, for booking it when it settles.
struct Sending {
    batch: Batch,
    /// Compute units its simulation consumed.
    units: u64,
    /// The compute-unit limit it carries (its priority fee is paid on that).
    limit: u32,
}

/// A transaction of the run in the in-flight engine.
type Flight = in_flight::Flight<Sending>;

/// One full oracle pass: reconcile, plan, then pay every pending intent in packed transactions.
pub fn run(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    oracle: &Keypair,
    payer: &Keypair,
    options: &RunOptions,
    failpoint: &mut dyn Failpoint,
    progress: &mut dyn Progress,
) -> Result<RunSummary, Error> {
    let started = Instant::now();
    let mut summary = RunSummary::default();
    failpoint.check("start")?;
    summary.reconciled = settle_in_flight(ledger, backend, options)?;
    failpoint.check("reconciled")?;
    let mut latencies = Vec::new();
    // Intents an interrupted run left are paid first. Views accepted beyond them wait behind
    // them (a submission has one open intent at a time), so a second pass plans and pays those
    // once the first has settled them: a run that ends has paid everything payable.
    for pass in 0..2 {
        let plan = plan(ledger, backend)?;
        summary.planned += plan.planned;
        summary.awaiting_funds = plan.awaiting_funds;
        if pass == 0 {
            summary.skipped = plan.nothing_owed;
            failpoint.check("planned")?;
        }
        summary = pay_planned(
            Round {
                ledger: &mut *ledger,
                backend: &mut *backend,
                oracle,
                payer,
                options,
                progress: &mut *progress,
            },
            summary,
            &mut latencies,
            failpoint,
        )?;
        if plan.behind_open_intent == 0 {
            break;
        }
    }
    summary.quarantined = ledger.quarantined_count()?;
    summary.seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    summary.latency_p50_ms = percentile(&latencies, 50);
    summary.latency_p90_ms = percentile(&latencies, 90);
    progress.finished();
    Ok(summary)
}

/// Reconciles the ledger with the chain; on a real cluster, waits (up to the send timeout) for
/// in-flight transactions to land or expire before anything is resent.
fn settle_in_flight(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    options: &RunOptions,
) -> Result<ReconcileSummary, Error> {
    let mut reconciled = reconcile(ledger, backend)?;
    let deadline = Instant::now() + options.send.max_wait;
    while reconciled.in_flight > 0 && Instant::now() < deadline {
        std::thread::sleep(backend.poll_interval().max(Duration::from_millis(50)));
        reconciled = reconcile(ledger, backend)?;
    }
    Ok(reconciled)
}

/// What one pass of a run pays with.
struct Round<'a> {
    ledger: &'a mut Ledger,
    backend: &'a mut dyn Backend,
    oracle: &'a Keypair,
    payer: &'a Keypair,
    options: &'a RunOptions,
    progress: &'a mut dyn Progress,
}

/// Pays every pending intent: builds the payouts, creates missing treasury accounts and the
/// campaign's lookup tables, then packs and sends them. Returns the summary with this pass's
/// work added.
fn pay_planned(
    round: Round<'_>,
    mut summary: RunSummary,
    latencies: &mut Vec<f64>,
    failpoint: &mut dyn Failpoint,
) -> Result<RunSummary, Error> {
    let Round {
        ledger,
        backend,
        oracle,
        payer,
        options,
        progress,
    } = round;
    let Work {
        items,
        treasuries_missing,
    } = build_items(ledger, backend, oracle, payer, &mut summary)?;
    progress.started(items.len() as u64);
    let send = SendOptions {
        dry_run: false,
        ..options.send.clone()
    };
    summary.treasury_accounts_created +=
        batch::create_treasury_accounts(backend, payer, &send, &treasuries_missing)?;
    let tables = if options.lookup_tables && !items.is_empty() {
        ensure_tables(ledger, backend, oracle, payer, &options.send, &items)?
    } else {
        Tables::default()
    };
    summary.lookup_tables = summary.lookup_tables.max(tables.all.len());
    let mut sender = Pipeline {
        ledger,
        backend,
        oracle,
        payer,
        options,
        tables,
        summary,
        progress,
        packer: Packer::new(
            payer.pubkey(),
            oracle.pubkey(),
            options.send.compute_unit_price,
            options.max_per_tx,
        ),
        latencies: std::mem::take(latencies),
        blockhash: None,
    };
    sender.send_all(items.into(), failpoint)?;
    *latencies = sender.latencies;
    Ok(sender.summary)
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The campaigns of a run's payouts, by address.
type Campaigns = HashMap<Pubkey, CampaignAccount>;

/// The payouts of a run and what paying them needs.
struct Work {
    /// Every payout to send, one campaign's together, batched ones first.
    items: Vec<Item>,
    /// Token campaigns with batched payouts whose treasury has no token account yet.
    treasuries_missing: Vec<CampaignAccount>,
}

/// Builds every pending intent's payout, settling those the chain already shows as paid and
/// failing those whose submission is gone. A token payout goes in a batch when its
/// recipients' token accounts exist (one read for all of them), else in a single `disburse`.
fn build_items(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    oracle: &Keypair,
    payer: &Keypair,
    summary: &mut RunSummary,
) -> Result<Work, Error> {
    let (payable, campaigns) = payable_intents(ledger, backend, summary)?;
    let mut items: Vec<Item> = payable
        .into_iter()
        .map(|(intent, submission)| {
            let campaign = &campaigns[&submission.state.campaign];
            batched_item(oracle, campaign, intent, submission)
        })
        .collect();
    let treasuries: HashMap<Pubkey, Pubkey> = campaigns
        .values()
        .filter_map(|c| Some((c.address, c.token_account_of(&c.state.treasury)?)))
        .collect();
    let existing = existing_token_accounts(backend, &campaigns, &items, &treasuries)?;
    for item in items.iter_mut().filter(|i| i.token) {
        if !item.receiving_accounts().all(|a| existing.contains(a)) {
            item.pay_alone(oracle, payer, &campaigns[&item.campaign]);
        }
    }
    // One campaign's payouts together, so a transaction needs only that campaign's tables.
    items.sort_by_key(|i| (i.campaign, i.route));
    let lacking = |campaign: &Pubkey| {
        treasuries
            .get(campaign)
            .is_some_and(|t| !existing.contains(t))
    };
    let mut treasuries_missing: Vec<CampaignAccount> = Vec::new();
    for item in items.iter().filter(|i| i.route == Route::Batched) {
        let known = treasuries_missing.last().map(|c| c.address);
        if lacking(&item.campaign) && known != Some(item.campaign) {
            treasuries_missing.push(campaigns[&item.campaign].clone());
        }
    }
    Ok(Work {
        items,
        treasuries_missing,
    })
}

/// Which token accounts of the token campaigns' batched payouts (creators', affiliates') and
/// of their `treasuries` exist, in one read.
fn existing_token_accounts(
    backend: &mut dyn Backend,
    campaigns: &Campaigns,
    items: &[Item],
    treasuries: &HashMap<Pubkey, Pubkey>,
) -> Result<HashSet<Pubkey>, Error> {
    let program = |campaign: &Pubkey| campaigns[campaign].state.token_program;
    let mut wanted: Vec<(Pubkey, Pubkey)> = treasuries
        .iter()
        .map(|(campaign, account)| (*account, program(campaign)))
        .collect();
    for item in items.iter().filter(|i| i.token) {
        let token_program = program(&item.campaign);
        wanted.extend(item.receiving_accounts().map(|a| (*a, token_program)));
    }
    wanted.sort_unstable();
    wanted.dedup();
    batch::existing_token_accounts(backend, &wanted)
}

/// The pending intents still to pay with their submissions, and their campaigns. Intents the
/// chain already shows as paid are confirmed; those whose submission is gone, failed.
fn payable_intents(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    summary: &mut RunSummary,
) -> Result<(Vec<(Intent, SubmissionAccount)>, Campaigns), Error> {
    let pending = ledger.intents(&[Status::Pending])?;
    let addresses = pending
        .iter()
        .map(|i| parse_key(&i.submission))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    let mut campaigns: HashMap<Pubkey, CampaignAccount> = HashMap::new();
    let mut payable = Vec::new();
    let mut already = Vec::new();
    for (intent, address) in pending.into_iter().zip(&addresses) {
        let Some(sub) = chain.get(address).cloned() else {
            ledger.mark_failed(&intent.key, "the submission no longer exists")?;
            summary.failed += 1;
            continue;
        };
        if intent.landed(sub.state.paid_views, sub.state.paid_gross) {
            already.push(intent.key.clone());
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = campaigns.entry(sub.state.campaign) {
            e.insert(backend.campaign(&sub.state.campaign)?);
        }
        payable.push((intent, sub));
    }
    if !already.is_empty() {
        ledger.atomically(|l| {
            for key in &already {
                l.mark_confirmed(key, None, None)?;
            }
            Ok(())
        })?;
        summary.skipped += already.len();
    }
    Ok((payable, campaigns))
}

/// Makes sure every campaign with work has lookup tables holding every account its
/// payouts name (but the signers and the program), creating and extending tables (owned
/// by the oracle) as needed, and waits until new addresses are usable.
fn ensure_tables(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    oracle: &Keypair,
    payer: &Keypair,
    send: &SendOptions,
    items: &[Item],
) -> Result<Tables, Error> {
    let send = SendOptions {
        dry_run: false,
        ..send.clone()
    };
    let signers: HashSet<Pubkey> = [oracle.pubkey(), payer.pubkey()].into();
    let mut plans = Vec::new();
    for (campaign, addresses) in table_addresses(items, &signers) {
        plans.push(known_tables(
            ledger,
            backend,
            &oracle.pubkey(),
            campaign,
            addresses,
        )?);
    }
    let created = create_tables(ledger, backend, oracle, payer, &send, &plans)?;
    // Fill the room left in each campaign's tables, then its new ones; extend them all in one
    // pipeline.
    let mut created = created.into_iter();
    let mut planned: Vec<(Pubkey, Vec<Pubkey>)> = Vec::new();
    for plan in &mut plans {
        let fresh = tables_needed(&plan.tables, plan.missing.len());
        let new = created
            .by_ref()
            .take(fresh)
            .map(|address| empty_table(address, oracle));
        plan.tables.extend(new);
        planned.extend(extensions(&plan.tables, &mut plan.missing));
    }
    lookup_table::extend_many(backend, &send, payer, oracle, &planned)?;
    usable_tables(backend, &send, &mut plans, &planned)
}

/// A campaign's lookup tables as the ledger and the chain know them, and the addresses its
/// payouts need that they lack.
struct CampaignTables {
    campaign: String,
    tables: Vec<lookup_table::Table>,
    missing: Vec<Pubkey>,
}

/// The tables recorded for `campaign` (by `authority`) that still exist (the others are
/// forgotten), and which of `addresses` they lack.
fn known_tables(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    authority: &Pubkey,
    campaign: Pubkey,
    addresses: Vec<Pubkey>,
) -> Result<CampaignTables, Error> {
    let campaign = campaign.to_string();
    let recorded = ledger.lookup_tables(&campaign, &authority.to_string())?;
    let keys = recorded
        .iter()
        .map(|a| parse_key(a))
        .collect::<Result<Vec<_>, _>>()?;
    let mut tables = Vec::new();
    for (address, table) in recorded
        .iter()
        .zip(lookup_table::fetch_many(backend, &keys)?)
    {
        match table {
            Some(table) => tables.push(table),
            None => ledger.remove_lookup_table(address)?,
        }
    }
    let present: HashSet<Pubkey> = tables
        .iter()
        .flat_map(|t| t.addresses.iter().copied())
        .collect();
    let missing = addresses
        .into_iter()
        .filter(|a| !present.contains(a))
        .collect();
    Ok(CampaignTables {
        campaign,
        tables,
        missing,
    })
}

/// Every new table the `plans` need, created at once (one confirmation), each recorded in the
/// ledger for its campaign before it is sent. Returns their addresses in the plans' order.
fn create_tables(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    oracle: &Keypair,
    payer: &Keypair,
    send: &SendOptions,
    plans: &[CampaignTables],
) -> Result<Vec<Pubkey>, Error> {
    let authority = oracle.pubkey().to_string();
    let owners: Vec<&str> = plans
        .iter()
        .flat_map(|p| {
            let count = tables_needed(&p.tables, p.missing.len());
            std::iter::repeat_n(p.campaign.as_str(), count)
        })
        .collect();
    let mut next_owner = owners.iter();
    lookup_table::create_many(backend, send, payer, oracle, owners.len(), &mut |chunk| {
        for (address, campaign) in chunk.iter().zip(next_owner.by_ref()) {
            ledger.add_lookup_table(campaign, &address.to_string(), &authority)?;
        }
        Ok(())
    })
}

/// A table just created by `oracle`, before its first extension.
fn empty_table(address: Pubkey, oracle: &Keypair) -> lookup_table::Table {
    lookup_table::Table {
        address,
        addresses: Vec::new(),
        last_extended_slot: 0,
        deactivation_slot: u64::MAX,
        authority: Some(oracle.pubkey()),
    }
}

/// The run's tables once `planned` extensions landed: what was extended is read back (one
/// batched read) and waited for until its new addresses are usable.
fn usable_tables(
    backend: &mut dyn Backend,
    send: &SendOptions,
    plans: &mut [CampaignTables],
    planned: &[(Pubkey, Vec<Pubkey>)],
) -> Result<Tables, Error> {
    let extended: Vec<Pubkey> = planned.iter().map(|(t, _)| *t).collect();
    let mut fresh: HashMap<Pubkey, lookup_table::Table> = HashMap::new();
    for (address, table) in extended
        .iter()
        .zip(lookup_table::fetch_many(backend, &extended)?)
    {
        let table = table.ok_or_else(|| {
            ChainError::NotFound(format!(
                "the lookup table {address} vanished while being extended"
            ))
        })?;
        fresh.insert(*address, table);
    }
    let newest_extension = fresh.values().map(|t| t.last_extended_slot).max();
    let mut result = Tables::default();
    for table in plans.iter_mut().flat_map(|p| p.tables.iter_mut()) {
        if let Some(extended) = fresh.remove(&table.address) {
            *table = extended;
        }
        if !table.addresses.is_empty() {
            result.add(table.account());
        }
    }
    if let Some(slot) = newest_extension {
        lookup_table::wait_until_usable(backend, slot, send.max_wait)?;
    }
    Ok(result)
}

/// The pipelined sender of one run.
struct Pipeline<'a> {
    ledger: &'a mut Ledger,
    backend: &'a mut dyn Backend,
    oracle: &'a Keypair,
    payer: &'a Keypair,
    options: &'a RunOptions,
    tables: Tables,
    summary: RunSummary,
    progress: &'a mut dyn Progress,
    /// Packs the next transactions, learning from this run's simulations.
    packer: Packer,
    latencies: Vec<f64>,
    /// The blockhash in use, its last valid height and when it was fetched.
    blockhash: Option<(Hash, u64, Instant)>,
}

impl Pipeline<'_> {
    fn send_all(
        &mut self,
        mut queue: VecDeque<Item>,
        failpoint: &mut dyn Failpoint,
    ) -> Result<(), Error> {
        let mut retry: VecDeque<Batch> = VecDeque::new();
        let mut in_flight: InFlight<Sending> = InFlight::new();
        let window = self.options.window.max(1);
        loop {
            // Fill the window.
            while in_flight.len() < window {
                let batch = match retry.pop_front() {
                    Some(batch) => batch,
                    None => match self.packer.next_batch(&mut queue, &self.tables)? {
                        Some(batch) => batch,
                        None => break,
                    },
                };
                self.launch(batch, &mut in_flight, &mut retry, failpoint)?;
            }
            if in_flight.is_empty() {
                if retry.is_empty() && queue.is_empty() {
                    return Ok(());
                }
                continue;
            }
            // One status query for everything in flight.
            let settled = self.poll(&mut in_flight, &mut retry, failpoint)?;
            if settled == 0 && (in_flight.len() >= window || (retry.is_empty() && queue.is_empty()))
            {
                std::thread::sleep(self.backend.poll_interval());
            }
        }
    }

    /// The blockhash to sign with: reused for a second on a cluster (every signing asking for
    /// one would double the RPC calls), fresh each time on the embedded chain (whose blockhash
    /// changes with every transaction).
    fn blockhash(&mut self) -> Result<(Hash, u64), Error> {
        if let Some((hash, last_valid, at)) = self.blockhash
            && !self.backend.is_embedded()
            && at.elapsed() < Duration::from_secs(1)
        {
            return Ok((hash, last_valid));
        }
        let (hash, last_valid) = self.backend.latest_blockhash()?;
        self.blockhash = Some((hash, last_valid, Instant::now()));
        Ok((hash, last_valid))
    }

    /// Simulates, signs, records as sent, sends and puts it `in_flight`. A refused batch is
    /// split (or its single payout failed) instead.
    fn launch(
        &mut self,
        batch: Batch,
        in_flight: &mut InFlight<Sending>,
        retry: &mut VecDeque<Batch>,
        failpoint: &mut dyn Failpoint,
    ) -> Result<(), Error> {
        failpoint.check("batch:before-mark-sent")?;
        let (blockhash, last_valid) = self.blockhash()?;
        let instructions = instructions_of(&batch.items);
        let tables = self.tables.for_instructions(&instructions);
        let prepared = match prepare(
            self.backend,
            &self.options.send,
            &instructions,
            self.payer,
            &[self.oracle],
            &tables,
            blockhash,
        ) {
            Ok(prepared) => prepared,
            Err(e) if e.is_refusal() => return self.refused(batch, &e, retry),
            Err(e) => return Err(e.into()),
        };
        // Learnt first: a simulation whose log was cut still teaches how much its payouts log.
        self.packer.learn(&batch, &prepared);
        if events_would_be_lost(&batch, &prepared.logs) {
            // Never sent: split like a refusal, so every `PayoutMade` event reaches the log.
            return self.refused(batch, &Error::LogsTruncated, retry);
        }
        let signature = prepared.transaction.signatures[0];
        let signature_text = signature.to_string();
        let blockhash_text = blockhash.to_string();
        self.ledger.atomically(|l| {
            for item in &batch.items {
                l.mark_sent(
                    &item.intent.key,
                    &signature_text,
                    &blockhash_text,
                    last_valid,
                    prepared.units_consumed,
                )?;
            }
            Ok(())
        })?;
        failpoint.check("batch:after-mark-sent")?;
        // Refused before execution (e.g. the blockhash is unknown to this node): nothing can
        // land, so it may be signed again.
        if let Err(e) = submit(self.backend, &prepared.transaction) {
            self.back_to_pending(&batch)?;
            if batch.attempts + 1 >= MAX_ATTEMPTS {
                return Err(e.into());
            }
            self.blockhash = None;
            retry.push_back(Batch {
                items: batch.items,
                attempts: batch.attempts + 1,
            });
            return Ok(());
        }
        failpoint.check("batch:after-send")?;
        let sending = Sending {
            batch,
            units: prepared.units_consumed,
            limit: prepared.compute_unit_limit,
        };
        in_flight.track(sending, prepared.transaction, last_valid);
        Ok(())
    }

    /// One round of the in-flight engine (one status query for everything in flight), then
    /// each settled transaction booked; returns how many settled.
    fn poll(
        &mut self,
        in_flight: &mut InFlight<Sending>,
        retry: &mut VecDeque<Batch>,
        failpoint: &mut dyn Failpoint,
    ) -> Result<usize, Error> {
        let settled = in_flight.poll(self.backend)?;
        let count = settled.len();
        // The landed ones are booked together after the rest, in one ledger transaction.
        let mut landed = Vec::new();
        for Settled { flight, outcome } in settled {
            match outcome {
                Outcome::Confirmed { logs } => landed.push((flight, logs)),
                Outcome::Failed { error, logs } => {
                    // It landed and failed: atomic, nothing applied.
                    let error = ChainError::from_transaction_error(&error, &logs);
                    self.back_to_pending(&flight.work.batch)?;
                    self.refused(flight.work.batch, &error, retry)?;
                }
                Outcome::Expired => self.expired(flight, retry)?,
            }
        }
        self.confirmed(&landed, failpoint)?;
        Ok(count)
    }

    /// Books the transactions one poll saw land (with their logs): their intents confirmed,
    /// at the amounts the chain moved, in one ledger transaction (a commit per transaction was
    /// a tenth of a run's time on the embedded chain).
    fn confirmed(
        &mut self,
        landed: &[(Flight, Vec<String>)],
        failpoint: &mut dyn Failpoint,
    ) -> Result<(), Error> {
        if landed.is_empty() {
            return Ok(());
        }
        let booked: Vec<Vec<Option<BatchPayout>>> = landed
            .iter()
            .map(|(flight, logs)| cut_short(&flight.work.batch.items, logs))
            .collect();
        self.ledger.atomically(|l| {
            for ((flight, _), cut_short) in landed.iter().zip(&booked) {
                let signature = flight.signature().to_string();
                for (item, chain) in flight.work.batch.items.iter().zip(cut_short) {
                    l.mark_confirmed(&item.intent.key, Some(&signature), Some(flight.work.units))?;
                    if let Some(paid) = chain {
                        l.book_chain_amounts(
                            &item.intent.key,
                            paid.gross,
                            paid.fee,
                            paid.commission,
                        )?;
                    }
                }
            }
            Ok(())
        })?;
        for ((flight, _), cut_short) in landed.iter().zip(&booked) {
            let gross: u64 = flight
                .work
                .batch
                .items
                .iter()
                .zip(cut_short)
                .map(|(item, chain)| chain.as_ref().map_or(item.intent.gross, |p| p.gross))
                .sum();
            self.summary.booked_from_events += cut_short.iter().flatten().count();
            self.count_confirmed(flight, gross);
            self.progress.advanced(flight.work.batch.items.len() as u64);
            failpoint.check("batch:after-confirm")?;
        }
        Ok(())
    }

    /// Adds a confirmed transaction that paid `gross` to the summary.
    fn count_confirmed(&mut self, flight: &Flight, gross: u64) {
        let count = flight.work.batch.items.len();
        let summary = &mut self.summary;
        summary.paid += count;
        summary.paid_gross += gross;
        summary.transactions += 1;
        if flight.work.batch.items[0].route == Route::Batched {
            summary.paid_in_batches += count;
            summary.batch_transactions += 1;
        }
        summary.compute_units += flight.work.units;
        summary.max_per_tx = summary.max_per_tx.max(count);
        let price = self.options.send.compute_unit_price.unwrap_or(0);
        let signatures = flight.transaction.signatures.len() as u64;
        summary.fee_lamports +=
            5_000 * signatures + (u64::from(flight.work.limit) * price).div_ceil(1_000_000);
        self.latencies
            .push(flight.first_sent.elapsed().as_secs_f64() * 1_000.0);
    }

    /// The blockhash expired with no status, even in the history: the signature can never
    /// land now. The watermarks decide what was applied (by someone else, or an earlier
    /// signing); only the rest is queued to be signed again.
    fn expired(&mut self, flight: Flight, retry: &mut VecDeque<Batch>) -> Result<(), Error> {
        let signature = flight.signature();
        let batch = flight.work.batch;
        let addresses: Vec<Pubkey> = batch
            .items
            .iter()
            .map(|i| parse_key(&i.intent.submission))
            .collect::<Result<_, _>>()?;
        let chain = fetch_submissions(self.backend, &addresses)?;
        let (applied, unpaid): (Vec<Item>, Vec<Item>) = batch.items.into_iter().partition(|i| {
            parse_key(&i.intent.submission)
                .ok()
                .and_then(|a| chain.get(&a))
                .is_some_and(|s| i.intent.landed(s.state.paid_views, s.state.paid_gross))
        });
        self.ledger.atomically(|l| {
            for item in &applied {
                l.mark_confirmed(&item.intent.key, None, None)?;
            }
            for item in &unpaid {
                l.mark_unsent(&item.intent.key)?;
            }
            Ok(())
        })?;
        self.summary.skipped += applied.len();
        self.progress.advanced(applied.len() as u64);
        if !unpaid.is_empty() {
            if batch.attempts + 1 >= MAX_ATTEMPTS {
                return Err(ChainError::Expired(format!(
                    "transaction {} expired {MAX_ATTEMPTS} times without landing; the ledger is \
                     consistent, run `clipstake oracle run` again",
                    signature
                ))
                .into());
            }
            self.summary.re_signed += 1;
            self.blockhash = None;
            retry.push_back(Batch {
                items: unpaid,
                attempts: batch.attempts + 1,
            });
        }
        Ok(())
    }

    /// A refusal: split the batch to isolate the refused payout, or fail it when alone.
    fn refused(
        &mut self,
        mut batch: Batch,
        error: &dyn std::fmt::Display,
        retry: &mut VecDeque<Batch>,
    ) -> Result<(), Error> {
        if batch.items.len() > 1 {
            self.summary.splits += 1;
            self.summary.last_split_reason = Some(error.to_string());
            let right = batch.items.split_off(batch.items.len() / 2);
            retry.push_front(Batch {
                items: right,
                attempts: batch.attempts,
            });
            retry.push_front(batch);
        } else {
            let item = &batch.items[0];
            self.ledger
                .mark_failed(&item.intent.key, &error.to_string())?;
            self.summary.failed += 1;
            self.progress.advanced(1);
        }
        Ok(())
    }

    fn back_to_pending(&mut self, batch: &Batch) -> Result<(), Error> {
        self.ledger.atomically(|l| {
            for item in &batch.items {
                l.mark_unsent(&item.intent.key)?;
            }
            Ok(())
        })
    }
}

/// Per payout of a confirmed batch, what the chain's `BatchPaid` event in `logs` says it
/// moved, where that is not what its intent planned (the vault held less when it ran, e.g.
/// after a creator's claim). All `None` for single `disburse`s and without logs (RPC statuses
/// carry none: the plan, made within the vault, stands).
fn cut_short(items: &[Item], logs: &[String]) -> Vec<Option<BatchPayout>> {
    let none = || vec![None; items.len()];
    let Some(first) = items.first().filter(|i| i.route == Route::Batched) else {
        return none();
    };
    let submissions: Vec<Pubkey> = items.iter().map(|i| i.submission.address).collect();
    let Some(payouts) = batch::event_payouts(logs, &first.campaign, &submissions) else {
        return none();
    };
    items
        .iter()
        .zip(payouts)
        .map(|(item, paid)| (paid.gross != item.intent.gross).then_some(paid))
        .collect()
}
