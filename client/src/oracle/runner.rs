//! `oracle run`: reconcile, plan, then pay every pending intent in packed, pipelined
//! transactions.
//!
//! - **Packing**: as many `disburse` instructions per transaction as fit in the packet and in
//!   the compute budget (estimated from the simulations so far). Each campaign gets address
//!   lookup tables ([`crate::lookup_table`]) so an account costs one byte, not 32.
//! - **Pipelining**: up to `window` transactions are in flight at once. Each is simulated,
//!   signed once, recorded as `sent` (signature, blockhash, last valid height) and only then
//!   sent. One `getSignatureStatuses` call per poll covers every transaction in flight; an
//!   unconfirmed one is resent byte for byte; an expired one is settled from the chain (a late
//!   status, else the watermarks) before its unpaid part is signed again.
//! - **Refusals**: a batch the program refuses is split in two until the refused disbursement
//!   fails alone.
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

use super::ledger::{Intent, Ledger, Status};
use super::{Failpoint, ReconcileSummary, fetch_submissions, parse_key, plan, reconcile};
use crate::Error;
use crate::backend::{Backend, BackendExt};
use crate::instructions::{self as ix, CampaignAccount};
use crate::lookup_table;
use crate::sender::{
    MAX_COMPUTE_UNIT_LIMIT, PACKET_DATA_SIZE, SendOptions, budget_instructions, compile, prepare,
    wire_size,
};

/// Compute units a batch may be planned to use (the rest is margin for the estimate).
const PLANNED_UNITS_PER_TX: u64 = MAX_COMPUTE_UNIT_LIMIT as u64 * 85 / 100;
/// The first guess of compute units per disbursement, before any simulation (one that creates
/// three token accounts costs about this much).
const INITIAL_UNITS_PER_DISBURSEMENT: u64 = 100_000;
/// Accounts one transaction may lock (every account it names, from a lookup table or not).
const MAX_ACCOUNT_LOCKS: usize = 64;
/// Entries the runtime allows in one transaction's instruction trace (top-level instructions
/// and every CPI).
const MAX_INSTRUCTION_TRACE: usize = 64;
/// The first guess of trace entries per disbursement: one (a SOL payout makes no CPI). Token
/// payouts cost more (three transfers, more when token accounts are created); a batch that
/// exceeds the trace is refused and split, and the simulations teach the real figure.
const INITIAL_TRACE_PER_DISBURSEMENT: usize = 1;
/// Times a batch is signed again after its transaction was dropped before the program saw it.
const MAX_ATTEMPTS: u32 = 5;

/// How a run sends.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The sender's options (compute-unit price, margins, how long to wait).
    pub send: SendOptions,
    /// At most this many disbursements per transaction (packet and compute decide below it).
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
    /// Disbursements confirmed by this run's transactions.
    pub paid: usize,
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
    /// Compute units consumed (simulated) by them.
    pub compute_units: u64,
    /// Fees: 5,000 lamports per signature plus the priority fee.
    pub fee_lamports: u64,
    /// Largest number of disbursements in one transaction.
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
    /// Average disbursements per transaction.
    pub fn per_tx(&self) -> f64 {
        if self.transactions == 0 {
            0.0
        } else {
            self.paid as f64 / self.transactions as f64
        }
    }

    /// Disbursements confirmed per second of the run.
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.paid as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// A disbursement waiting to be sent.
#[derive(Clone)]
struct Item {
    intent: Intent,
    campaign: Pubkey,
    instruction: Instruction,
}

impl Item {
    /// Which transfers the disbursement makes (fee, commission, creator): the program makes
    /// one CPI per non-zero part, so payouts of one shape cost the same trace entries once
    /// their token accounts exist.
    fn shape(&self) -> Shape {
        Shape {
            fee: self.intent.fee > 0,
            commission: self.intent.commission > 0,
            creator: self.intent.creator_amount > 0,
        }
    }
}

/// The non-zero parts of a disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    fee: bool,
    commission: bool,
    creator: bool,
}

/// Trace entries per disbursement learnt from simulations: the costliest seen of each shape,
/// and of any shape for shapes not seen yet. Both only grow within a run, so batches stop
/// being refused once they are learnt (a payout that creates token accounts costs more than
/// the same shape later; the run keeps the higher figure).
#[derive(Debug)]
struct TraceEstimate {
    by_shape: HashMap<Shape, usize>,
    costliest: usize,
}

impl TraceEstimate {
    fn new() -> Self {
        TraceEstimate {
            by_shape: HashMap::new(),
            costliest: INITIAL_TRACE_PER_DISBURSEMENT,
        }
    }

    fn of(&self, shape: Shape) -> usize {
        self.by_shape
            .get(&shape)
            .copied()
            .unwrap_or(self.costliest)
            .max(1)
    }

    fn learn(&mut self, shape: Shape, entries: usize) {
        let known = self.by_shape.entry(shape).or_insert(entries);
        *known = (*known).max(entries);
        self.costliest = self.costliest.max(entries);
    }
}

/// Disbursements sent together.
struct Batch {
    items: Vec<Item>,
    /// How many times it was signed after a drop (not a refusal).
    attempts: u32,
}

/// A transaction in flight.
struct Flight {
    batch: Batch,
    transaction: VersionedTransaction,
    signature: Signature,
    last_valid: u64,
    first_sent: Instant,
    last_sent: Instant,
    units: u64,
    limit: u32,
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
    let plan = plan(ledger, backend)?;
    summary.planned = plan.planned;
    summary.skipped = plan.nothing_owed;
    summary.awaiting_funds = plan.awaiting_funds;
    failpoint.check("planned")?;

    let items = build_items(ledger, backend, oracle, payer, &mut summary)?;
    progress.set_length(items.len() as u64);
    let tables = if options.lookup_tables && !items.is_empty() {
        ensure_tables(ledger, backend, oracle, payer, &options.send, &items)?
    } else {
        Tables::default()
    };
    summary.lookup_tables = tables.all.len();

    let mut sender = Pipeline {
        ledger,
        backend,
        oracle,
        payer,
        options,
        tables,
        summary,
        progress,
        units_per_disbursement: INITIAL_UNITS_PER_DISBURSEMENT,
        trace: TraceEstimate::new(),
        latencies: Vec::new(),
        blockhash: None,
    };
    sender.send_all(items.into(), failpoint)?;
    let Pipeline {
        ledger,
        mut summary,
        mut latencies,
        ..
    } = sender;
    summary.quarantined = ledger.totals()?.quarantined;
    summary.seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    summary.latency_p50_ms = percentile(&latencies, 50);
    summary.latency_p90_ms = percentile(&latencies, 90);
    progress.finish_and_clear();
    Ok(summary)
}

/// Top-level instructions of `prepared` that are not disbursements (the compute budget).
fn instructions_len_without(prepared: &crate::sender::Prepared, disbursements: usize) -> usize {
    prepared
        .transaction
        .message
        .instructions()
        .len()
        .saturating_sub(disbursements)
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Builds every pending intent's instruction, settling those the chain already shows as paid
/// and failing those whose submission is gone.
fn build_items(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    oracle: &Keypair,
    payer: &Keypair,
    summary: &mut RunSummary,
) -> Result<Vec<Item>, Error> {
    let pending = ledger.intents(&[Status::Pending])?;
    let addresses = pending
        .iter()
        .map(|i| parse_key(&i.submission))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = fetch_submissions(backend, &addresses)?;
    let mut campaigns: HashMap<Pubkey, CampaignAccount> = HashMap::new();
    let mut items = Vec::new();
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
        if intent.landed(sub.state.paid_views, sub.state.paid_gross) {
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
        items.push(Item {
            intent,
            campaign: campaign.address,
            instruction,
        });
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
    // One campaign's disbursements together, so a batch needs only that campaign's tables.
    items.sort_by_key(|i| i.campaign);
    Ok(items)
}

/// Makes sure every campaign with work has lookup tables holding every account its
/// disbursements name (but the signers and the program), creating and extending tables (owned
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
    let mut wanted: HashMap<Pubkey, Vec<Pubkey>> = HashMap::new();
    for item in items {
        let list = wanted.entry(item.campaign).or_default();
        for meta in &item.instruction.accounts {
            if !meta.is_signer && !signers.contains(&meta.pubkey) && !list.contains(&meta.pubkey) {
                list.push(meta.pubkey);
            }
        }
    }
    let authority = oracle.pubkey().to_string();
    let mut campaigns: Vec<_> = wanted.into_iter().collect();
    campaigns.sort_by_key(|(c, _)| *c);

    // What each campaign's tables already hold, and which addresses they lack.
    let mut plans = Vec::new();
    for (campaign, addresses) in campaigns {
        let campaign_text = campaign.to_string();
        let recorded = ledger.lookup_tables(&campaign_text, &authority)?;
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
        let missing: Vec<Pubkey> = addresses
            .into_iter()
            .filter(|a| !present.contains(a))
            .collect();
        plans.push((campaign_text, tables, missing));
    }

    // Every new table of the run at once (one confirmation), each recorded before it is sent.
    let room = |tables: &[lookup_table::Table]| tables.iter().map(|t| t.room()).sum::<usize>();
    let new_tables = |tables: &[lookup_table::Table], missing: usize| {
        missing
            .saturating_sub(room(tables))
            .div_ceil(lookup_table::MAX_ADDRESSES)
    };
    let needed: usize = plans.iter().map(|(_, t, m)| new_tables(t, m.len())).sum();
    let owners: Vec<&str> = plans
        .iter()
        .flat_map(|(c, t, m)| std::iter::repeat_n(c.as_str(), new_tables(t, m.len())))
        .collect();
    let mut next_owner = owners.iter();
    let created = lookup_table::create_many(backend, &send, payer, oracle, needed, &mut |chunk| {
        for (address, campaign) in chunk.iter().zip(next_owner.by_ref()) {
            ledger.add_lookup_table(campaign, &address.to_string(), &authority)?;
        }
        Ok(())
    })?;
    let mut created = created.into_iter();

    // Fill the room left in each campaign's tables, then its new ones; extend them all in one
    // pipeline.
    let mut extensions: Vec<(Pubkey, Vec<Pubkey>)> = Vec::new();
    for (_, tables, missing) in &mut plans {
        let fresh = new_tables(tables, missing.len());
        tables.extend(
            created
                .by_ref()
                .take(fresh)
                .map(|address| lookup_table::Table {
                    address,
                    addresses: Vec::new(),
                    last_extended_slot: 0,
                    deactivation_slot: u64::MAX,
                    authority: Some(oracle.pubkey()),
                }),
        );
        for table in tables.iter().filter(|t| t.room() > 0) {
            if missing.is_empty() {
                break;
            }
            let chunk: Vec<Pubkey> = missing.drain(..table.room().min(missing.len())).collect();
            extensions.push((table.address, chunk));
        }
    }
    lookup_table::extend_many(backend, &send, payer, oracle, &extensions)?;

    // Read back what was extended (one batched read), wait until its new addresses are usable.
    let extended: Vec<Pubkey> = extensions.iter().map(|(t, _)| *t).collect();
    let mut fresh: HashMap<Pubkey, lookup_table::Table> = HashMap::new();
    for (address, table) in extended
        .iter()
        .zip(lookup_table::fetch_many(backend, &extended)?)
    {
        let table = table.ok_or_else(|| {
            Error::Other(format!(
                "the lookup table {address} vanished while being extended"
            ))
        })?;
        fresh.insert(*address, table);
    }
    let newest_extension = fresh.values().map(|t| t.last_extended_slot).max();
    let mut result = Tables::default();
    for (_, tables, _) in &mut plans {
        for table in tables.iter_mut() {
            if let Some(extended) = fresh.remove(&table.address) {
                *table = extended;
            }
            if !table.addresses.is_empty() {
                result.add(table.account());
            }
        }
    }
    if let Some(slot) = newest_extension {
        lookup_table::wait_until_usable(backend, slot, send.max_wait)?;
    }
    Ok(result)
}

/// The lookup tables of a run and which table holds each address.
#[derive(Default)]
struct Tables {
    all: Vec<AddressLookupTableAccount>,
    index: HashMap<Pubkey, usize>,
}

impl Tables {
    fn add(&mut self, table: AddressLookupTableAccount) {
        let position = self.all.len();
        for address in &table.addresses {
            self.index.entry(*address).or_insert(position);
        }
        self.all.push(table);
    }

    /// Only the tables holding some account of `instructions`: the message compiler scans
    /// every table it is given for every key.
    fn for_instructions(&self, instructions: &[Instruction]) -> Vec<AddressLookupTableAccount> {
        let mut used: Vec<usize> = instructions
            .iter()
            .flat_map(|i| i.accounts.iter())
            .filter_map(|meta| self.index.get(&meta.pubkey).copied())
            .collect();
        used.sort_unstable();
        used.dedup();
        used.into_iter().map(|i| self.all[i].clone()).collect()
    }
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
    progress: &'a indicatif::ProgressBar,
    /// The last simulation's compute units per disbursement (packs the next batches).
    units_per_disbursement: u64,
    /// Trace entries per disbursement, learnt from this run's simulations.
    trace: TraceEstimate,
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
        let mut in_flight: VecDeque<Flight> = VecDeque::new();
        let window = self.options.window.max(1);
        loop {
            // Fill the window.
            while in_flight.len() < window {
                let batch = match retry.pop_front() {
                    Some(batch) => batch,
                    None => match self.next_batch(&mut queue)? {
                        Some(batch) => batch,
                        None => break,
                    },
                };
                if let Some(flight) = self.launch(batch, &mut retry, failpoint)? {
                    in_flight.push_back(flight);
                }
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

    /// The next batch off the queue: the same campaign, within the packet, the compute budget
    /// and `max_per_tx`. The size of one more disbursement is measured once per batch (two
    /// compilations), the batch filled to that estimate, then checked and trimmed: compiling
    /// the message after every addition would cost more than sending it.
    fn next_batch(&mut self, queue: &mut VecDeque<Item>) -> Result<Option<Batch>, Error> {
        let Some(first) = queue.pop_front() else {
            return Ok(None);
        };
        let campaign = first.campaign;
        let by_units = (PLANNED_UNITS_PER_TX / self.units_per_disbursement.max(1)).max(1) as usize;
        // The compute-budget instructions are trace entries too.
        let mut trace_used = budget_instructions(0, self.options.send.compute_unit_price).len()
            + self.trace.of(first.shape());
        let most = self.options.max_per_tx.max(1).min(by_units);
        // Every account a transaction names, from a lookup table or not, is locked, and the
        // runtime locks at most 64.
        let mut locked: HashSet<Pubkey> = budget_instructions(0, None)
            .iter()
            .map(|i| i.program_id)
            .chain([self.payer.pubkey(), self.oracle.pubkey()])
            .collect();
        let accounts_of = |item: &Item, locked: &mut HashSet<Pubkey>| -> bool {
            let new: HashSet<Pubkey> = std::iter::once(item.instruction.program_id)
                .chain(item.instruction.accounts.iter().map(|m| m.pubkey))
                .filter(|k| !locked.contains(k))
                .collect();
            if locked.len() + new.len() > MAX_ACCOUNT_LOCKS {
                return false;
            }
            locked.extend(new);
            true
        };
        accounts_of(&first, &mut locked);
        let mut items = vec![first];
        while items.len() < most {
            match queue.front() {
                Some(next)
                    if next.campaign == campaign
                        && trace_used + self.trace.of(next.shape()) <= MAX_INSTRUCTION_TRACE
                        && accounts_of(next, &mut locked) =>
                {
                    trace_used += self.trace.of(next.shape());
                    items.extend(queue.pop_front())
                }
                _ => break,
            }
        }
        if items.len() == 1 {
            return Ok(Some(Batch { items, attempts: 0 }));
        }
        let one = self.batch_size(&items[..1])?;
        let two = self.batch_size(&items[..2])?;
        let per_item = two.saturating_sub(one).max(1);
        let fit = 1 + PACKET_DATA_SIZE.saturating_sub(one) / per_item;
        // Put back what the estimate says will not fit, then trim until it really fits.
        // Popped from the end and pushed to the front: the queue keeps its order.
        while items.len() > fit.max(1) {
            if let Some(item) = items.pop() {
                queue.push_front(item);
            }
        }
        while items.len() > 1 && self.batch_size(&items)? > PACKET_DATA_SIZE {
            if let Some(item) = items.pop() {
                queue.push_front(item);
            }
        }
        Ok(Some(Batch { items, attempts: 0 }))
    }

    /// The wire size of a transaction carrying `items` (with the compute budget and the lookup
    /// tables they use).
    fn batch_size(&self, items: &[Item]) -> Result<usize, Error> {
        let mut instructions =
            budget_instructions(MAX_COMPUTE_UNIT_LIMIT, self.options.send.compute_unit_price);
        instructions.extend(items.iter().map(|i| i.instruction.clone()));
        let tables = self.tables.for_instructions(&instructions);
        Ok(wire_size(&compile(
            &instructions,
            &self.payer.pubkey(),
            Hash::default(),
            &tables,
        )?))
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

    /// Simulates, signs, records as sent, sends. A refused batch is split (or its single
    /// disbursement failed) and `None` comes back.
    fn launch(
        &mut self,
        batch: Batch,
        retry: &mut VecDeque<Batch>,
        failpoint: &mut dyn Failpoint,
    ) -> Result<Option<Flight>, Error> {
        failpoint.check("batch:before-mark-sent")?;
        let (blockhash, last_valid) = self.blockhash()?;
        let instructions: Vec<Instruction> =
            batch.items.iter().map(|i| i.instruction.clone()).collect();
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
            Err(e) if e.is_refusal() => {
                self.refused(batch, &e, retry)?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        // The last simulation's cost per disbursement packs the next batches; an estimate that
        // proves low only costs a refused simulation and a split.
        self.units_per_disbursement = (prepared.units_consumed / batch.items.len() as u64).max(1);
        // Each disbursement's trace entries (itself plus its CPIs) teach the estimate of its
        // shape, which packs the next batches.
        if let Some(inner) = &prepared.inner_per_instruction {
            let budget = instructions_len_without(&prepared, batch.items.len());
            for (item, cpis) in batch.items.iter().zip(inner.iter().skip(budget)) {
                self.trace.learn(item.shape(), 1 + cpis);
            }
        }
        let signature = prepared.transaction.signatures[0];
        let signature_text = signature.to_string();
        let blockhash_text = blockhash.to_string();
        self.ledger.atomically(|l| {
            for item in &batch.items {
                l.set_status(
                    &item.intent.key,
                    Status::Sent,
                    Some(&signature_text),
                    Some((&blockhash_text, last_valid)),
                    Some(prepared.units_consumed),
                    None,
                )?;
            }
            Ok(())
        })?;
        failpoint.check("batch:after-mark-sent")?;
        match self.backend.send(&prepared.transaction) {
            // Sent, or maybe sent: the status decides.
            Ok(_) | Err(Error::Network(_)) => {}
            // Refused before execution (e.g. the blockhash is unknown to this node): nothing
            // can land, so it may be signed again.
            Err(e) => {
                self.back_to_pending(&batch)?;
                if batch.attempts + 1 >= MAX_ATTEMPTS {
                    return Err(e);
                }
                self.blockhash = None;
                retry.push_back(Batch {
                    items: batch.items,
                    attempts: batch.attempts + 1,
                });
                return Ok(None);
            }
        }
        failpoint.check("batch:after-send")?;
        let now = Instant::now();
        Ok(Some(Flight {
            batch,
            transaction: prepared.transaction,
            signature,
            last_valid,
            first_sent: now,
            last_sent: now,
            units: prepared.units_consumed,
            limit: prepared.compute_unit_limit,
        }))
    }

    /// One round of status checks over everything in flight; returns how many settled.
    fn poll(
        &mut self,
        in_flight: &mut VecDeque<Flight>,
        retry: &mut VecDeque<Batch>,
        failpoint: &mut dyn Failpoint,
    ) -> Result<usize, Error> {
        let signatures: Vec<Signature> = in_flight.iter().map(|f| f.signature).collect();
        let statuses = self.backend.signature_statuses(&signatures, false)?;
        let mut height = None;
        let mut still = VecDeque::with_capacity(in_flight.len());
        let mut settled = 0;
        for (mut flight, status) in in_flight.drain(..).zip(statuses) {
            match status {
                Some(status) if status.err.is_some() => {
                    // It landed and failed: atomic, nothing applied.
                    let err = status
                        .err
                        .clone()
                        .unwrap_or(solana_transaction_error::TransactionError::AccountNotFound);
                    let error = Error::from_transaction_error(&err, &status.logs);
                    self.back_to_pending(&flight.batch)?;
                    self.refused(flight.batch, &error, retry)?;
                    settled += 1;
                }
                Some(status) if status.confirmed => {
                    self.confirmed(&flight, failpoint)?;
                    settled += 1;
                }
                landed => {
                    let height = match height {
                        Some(h) => h,
                        None => *height.insert(self.backend.block_height()?),
                    };
                    if landed.is_none() && height > flight.last_valid {
                        self.expired(flight, retry, failpoint)?;
                        settled += 1;
                    } else {
                        if landed.is_none()
                            && flight.last_sent.elapsed() >= self.backend.resend_interval()
                        {
                            // The same signed bytes: at most one copy can ever land.
                            let _ = self.backend.send(&flight.transaction);
                            flight.last_sent = Instant::now();
                        }
                        still.push_back(flight);
                    }
                }
            }
        }
        *in_flight = still;
        Ok(settled)
    }

    fn confirmed(&mut self, flight: &Flight, failpoint: &mut dyn Failpoint) -> Result<(), Error> {
        let signature = flight.signature.to_string();
        self.ledger.atomically(|l| {
            for item in &flight.batch.items {
                l.set_status(
                    &item.intent.key,
                    Status::Confirmed,
                    Some(&signature),
                    None,
                    Some(flight.units),
                    None,
                )?;
            }
            Ok(())
        })?;
        let count = flight.batch.items.len();
        let summary = &mut self.summary;
        summary.paid += count;
        summary.paid_gross += flight
            .batch
            .items
            .iter()
            .map(|i| i.intent.gross)
            .sum::<u64>();
        summary.transactions += 1;
        summary.compute_units += flight.units;
        summary.max_per_tx = summary.max_per_tx.max(count);
        let price = self.options.send.compute_unit_price.unwrap_or(0);
        let signatures = flight.transaction.signatures.len() as u64;
        summary.fee_lamports +=
            5_000 * signatures + (u64::from(flight.limit) * price).div_ceil(1_000_000);
        self.latencies
            .push(flight.first_sent.elapsed().as_secs_f64() * 1_000.0);
        self.progress.inc(count as u64);
        failpoint.check("batch:after-confirm")
    }

    /// The blockhash expired with no status: the signature can never land now. A late status
    /// (history search) or the watermarks decide what was applied; only the rest is queued to
    /// be signed again.
    fn expired(
        &mut self,
        flight: Flight,
        retry: &mut VecDeque<Batch>,
        failpoint: &mut dyn Failpoint,
    ) -> Result<(), Error> {
        if let Some(status) = self
            .backend
            .signature_statuses(&[flight.signature], true)?
            .pop()
            .flatten()
            && status.err.is_none()
        {
            return self.confirmed(&flight, failpoint);
        }
        let addresses: Vec<Pubkey> = flight
            .batch
            .items
            .iter()
            .map(|i| parse_key(&i.intent.submission))
            .collect::<Result<_, _>>()?;
        let chain = fetch_submissions(self.backend, &addresses)?;
        let (applied, unpaid): (Vec<Item>, Vec<Item>) =
            flight.batch.items.into_iter().partition(|i| {
                parse_key(&i.intent.submission)
                    .ok()
                    .and_then(|a| chain.get(&a))
                    .is_some_and(|s| i.intent.landed(s.state.paid_views, s.state.paid_gross))
            });
        self.ledger.atomically(|l| {
            for item in &applied {
                l.set_status(&item.intent.key, Status::Confirmed, None, None, None, None)?;
            }
            for item in &unpaid {
                l.set_status(&item.intent.key, Status::Pending, None, None, None, None)?;
            }
            Ok(())
        })?;
        self.summary.skipped += applied.len();
        self.progress.inc(applied.len() as u64);
        if !unpaid.is_empty() {
            if flight.batch.attempts + 1 >= MAX_ATTEMPTS {
                return Err(Error::Expired(format!(
                    "transaction {} expired {MAX_ATTEMPTS} times without landing; the ledger is \
                     consistent, run `clipstake oracle run` again",
                    flight.signature
                )));
            }
            self.summary.re_signed += 1;
            self.blockhash = None;
            retry.push_back(Batch {
                items: unpaid,
                attempts: flight.batch.attempts + 1,
            });
        }
        Ok(())
    }

    /// A refusal: split the batch to isolate the refused disbursement, or fail it when alone.
    fn refused(
        &mut self,
        mut batch: Batch,
        error: &Error,
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
            self.ledger.set_status(
                &item.intent.key,
                Status::Failed,
                None,
                None,
                None,
                Some(&error.to_string()),
            )?;
            self.summary.failed += 1;
            self.progress.inc(1);
        }
        Ok(())
    }

    fn back_to_pending(&mut self, batch: &Batch) -> Result<(), Error> {
        self.ledger.atomically(|l| {
            for item in &batch.items {
                l.set_status(&item.intent.key, Status::Pending, None, None, None, None)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATOR_ONLY: Shape = Shape {
        fee: true,
        commission: false,
        creator: true,
    };
    const WITH_AFFILIATE: Shape = Shape {
        fee: true,
        commission: true,
        creator: true,
    };

    #[test]
    fn trace_estimate_starts_at_one_entry() {
        let trace = TraceEstimate::new();
        assert_eq!(trace.of(CREATOR_ONLY), 1);
    }

    #[test]
    fn trace_estimate_is_per_shape_and_unseen_shapes_take_the_costliest() {
        let mut trace = TraceEstimate::new();
        trace.learn(CREATOR_ONLY, 3);
        assert_eq!(trace.of(CREATOR_ONLY), 3);
        assert_eq!(trace.of(WITH_AFFILIATE), 3, "unseen: the costliest so far");
        trace.learn(WITH_AFFILIATE, 4);
        assert_eq!(
            trace.of(CREATOR_ONLY),
            3,
            "a costlier shape leaves others alone"
        );
        assert_eq!(trace.of(WITH_AFFILIATE), 4);
    }

    #[test]
    fn trace_estimate_only_grows_within_a_run() {
        let mut trace = TraceEstimate::new();
        // First payout of the shape creates token accounts; later ones do not.
        trace.learn(WITH_AFFILIATE, 25);
        trace.learn(WITH_AFFILIATE, 4);
        assert_eq!(trace.of(WITH_AFFILIATE), 25);
    }
}
