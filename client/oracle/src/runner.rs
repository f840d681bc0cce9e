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

use anchor_lang::InstructionData;
use anchor_lang::prelude::Pubkey;
use clipstake::events::BatchPayout;
use clipstake::state::AssetKind;
use clipstake_client::Error;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::in_flight::{self, InFlight, Outcome, Settled, submit};
use clipstake_client::lookup_table;
use clipstake_client::sender::{
    MAX_COMPUTE_UNIT_LIMIT, PACKET_DATA_SIZE, SendOptions, budget_instructions, compile, prepare,
    wire_size,
};
use clipstake_sdk::instructions::{self as ix, CampaignAccount, SubmissionAccount};
use solana_hash::Hash;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;

use crate::batch;
use crate::ledger::{Intent, Ledger, Status};
use crate::progress::Progress;
use crate::{Failpoint, ReconcileSummary, fetch_submissions, parse_key, plan, reconcile};

/// Compute units a batch may be planned to use (the rest is margin for the estimate).
const PLANNED_UNITS_PER_TX: u64 = MAX_COMPUTE_UNIT_LIMIT as u64 * 85 / 100;
/// The first guess of compute units per single `disburse`, before any simulation (one that
/// creates three token accounts costs about this much).
const INITIAL_UNITS_PER_DISBURSEMENT: u64 = 100_000;
/// The first guess of compute units per payout of a `disburse_batch` (a token payout over
/// existing accounts costs well under this; the first simulation teaches the real figure).
const INITIAL_UNITS_PER_BATCHED_PAYOUT: u64 = 30_000;
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

/// How a payout is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Route {
    /// In one `disburse_batch` with others of its campaign: its receiving accounts exist.
    Batched,
    /// In a `disburse` of its own (several per transaction), which creates the token accounts
    /// its recipients lack.
    Single,
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

/// A payout waiting to be sent.
#[derive(Clone)]
struct Item {
    intent: Intent,
    campaign: Pubkey,
    submission: SubmissionAccount,
    route: Route,
    /// A token campaign's: every transfer is a CPI, a trace entry.
    token: bool,
    /// The payout alone in its route's instruction (a `disburse`, or a `disburse_batch` of
    /// one): its accounts are what it makes a transaction lock and what the lookup tables
    /// must hold.
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

    /// Moves the payout to a `disburse` of its own, which opens the token accounts its
    /// recipients lack (a batch opens none).
    fn pay_alone(&mut self, oracle: &Keypair, payer: &Keypair, campaign: &CampaignAccount) {
        let (oracle, payer) = (oracle.pubkey(), payer.pubkey());
        let views = self.intent.target_views;
        self.instruction = ix::disburse(&oracle, &payer, campaign, &self.submission, views);
        self.route = Route::Single;
    }

    /// The accounts a batched payout adds to its batch's instruction (the instruction's last
    /// ones): the submission, the creator's receiving account and, with an affiliate, the
    /// affiliate's.
    fn payout_accounts(&self) -> &[AccountMeta] {
        let own = 2 + usize::from(self.submission.state.affiliate().is_some());
        let accounts = &self.instruction.accounts;
        &accounts[accounts.len().saturating_sub(own)..]
    }

    /// The accounts a batched payout pays into (its creator's and affiliate's).
    fn receiving_accounts(&self) -> impl Iterator<Item = &Pubkey> {
        self.payout_accounts()
            .iter()
            .skip(1)
            .map(|meta| &meta.pubkey)
    }

    /// Trace entries the payout adds to a batch: a transfer CPI per non-zero share of a token
    /// payout (the batch's fee is one transfer for all); none for SOL, moved in place.
    fn batched_transfers(&self) -> usize {
        if !self.token {
            return 0;
        }
        usize::from(self.intent.creator_amount > 0) + usize::from(self.intent.commission > 0)
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

    let Work {
        items,
        treasuries_missing,
    } = build_items(ledger, backend, oracle, payer, &mut summary)?;
    progress.started(items.len() as u64);
    let send = SendOptions {
        dry_run: false,
        ..options.send.clone()
    };
    summary.treasury_accounts_created =
        batch::create_treasury_accounts(backend, payer, &send, &treasuries_missing)?;
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
        units_per_payout: HashMap::from([
            (Route::Batched, INITIAL_UNITS_PER_BATCHED_PAYOUT),
            (Route::Single, INITIAL_UNITS_PER_DISBURSEMENT),
        ]),
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
    progress.finished();
    Ok(summary)
}

/// Top-level instructions of `prepared` that are not disbursements (the compute budget).
fn instructions_len_without(
    prepared: &clipstake_client::sender::Prepared,
    disbursements: usize,
) -> usize {
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

/// The payout of `intent` in a batch (its instruction a `disburse_batch` of one).
fn batched_item(
    oracle: &Keypair,
    campaign: &CampaignAccount,
    intent: Intent,
    submission: SubmissionAccount,
) -> Item {
    let views = intent.target_views;
    Item {
        instruction: ix::disburse_batch(&oracle.pubkey(), campaign, &[(&submission, views)]),
        intent,
        campaign: campaign.address,
        submission,
        route: Route::Batched,
        token: campaign.state.asset != AssetKind::NativeSol,
    }
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
    progress: &'a mut dyn Progress,
    /// The last simulation's compute units per payout on each route (packs the next
    /// transactions).
    units_per_payout: HashMap<Route, u64>,
    /// Trace entries per single `disburse`, learnt from this run's simulations.
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
        let mut in_flight: InFlight<Sending> = InFlight::new();
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

    /// The next batch off the queue: payouts of the same campaign and route, within the
    /// packet, the account locks, the trace, the compute budget and `max_per_tx` (and a
    /// batch's 32 payouts and log limit). The size of one more payout is measured once per
    /// batch (two compilations), the batch filled to that estimate, then checked and trimmed:
    /// compiling the message after every addition would cost more than sending it.
    fn next_batch(&mut self, queue: &mut VecDeque<Item>) -> Result<Option<Batch>, Error> {
        let Some(first) = queue.pop_front() else {
            return Ok(None);
        };
        let mut items = self.take_within_limits(first, queue);
        self.trim_to_packet(&mut items, queue)?;
        Ok(Some(Batch { items, attempts: 0 }))
    }

    /// Most payouts one transaction of `route` may carry before the packet is measured.
    fn most_payouts(&self, route: Route) -> usize {
        let units = self.units_per_payout.get(&route).copied().unwrap_or(1);
        let by_units = (PLANNED_UNITS_PER_TX / units.max(1)).max(1) as usize;
        let most = self.options.max_per_tx.max(1).min(by_units);
        match route {
            Route::Batched => most.min(batch::max_payouts_per_batch()),
            Route::Single => most,
        }
    }

    /// Trace entries of a transaction of `first`'s route before any payout: the budget
    /// instructions, and for a batch the instruction itself and its one fee transfer.
    fn trace_base(&self, first: &Item) -> usize {
        let budget = budget_instructions(0, self.options.send.compute_unit_price).len();
        match first.route {
            Route::Batched => budget + 1 + usize::from(first.token),
            Route::Single => budget,
        }
    }

    /// Trace entries `item` adds to its transaction.
    fn trace_of(&self, item: &Item) -> usize {
        match item.route {
            Route::Batched => item.batched_transfers(),
            Route::Single => self.trace.of(item.shape()),
        }
    }

    /// `first` and the payouts after it of the same campaign and route, up to the payout,
    /// trace and account-lock bounds.
    fn take_within_limits(&self, first: Item, queue: &mut VecDeque<Item>) -> Vec<Item> {
        let (campaign, route) = (first.campaign, first.route);
        let most = self.most_payouts(route);
        let mut trace_used = self.trace_base(&first) + self.trace_of(&first);
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
                        && next.route == route
                        && trace_used + self.trace_of(next) <= MAX_INSTRUCTION_TRACE
                        && accounts_of(next, &mut locked) =>
                {
                    trace_used += self.trace_of(next);
                    items.extend(queue.pop_front())
                }
                _ => break,
            }
        }
        items
    }

    /// Puts back (at the queue's front, in order) what does not fit in the packet.
    fn trim_to_packet(
        &self,
        items: &mut Vec<Item>,
        queue: &mut VecDeque<Item>,
    ) -> Result<(), Error> {
        if items.len() == 1 {
            return Ok(());
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
        while items.len() > 1 && self.batch_size(items)? > PACKET_DATA_SIZE {
            if let Some(item) = items.pop() {
                queue.push_front(item);
            }
        }
        Ok(())
    }

    /// The wire size of a transaction carrying `items` (with the compute budget and the lookup
    /// tables they use).
    fn batch_size(&self, items: &[Item]) -> Result<usize, Error> {
        let mut instructions =
            budget_instructions(MAX_COMPUTE_UNIT_LIMIT, self.options.send.compute_unit_price);
        instructions.extend(instructions_of(items));
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

    /// What a simulation of `batch` teaches about packing the next transactions of its route:
    /// the compute units per payout (an estimate that proves low only costs a refused
    /// simulation and a split) and, for single `disburse`s, each one's trace entries (itself
    /// plus its CPIs) by shape. A batch's trace is known from its shares (`trace_of`).
    fn learn(&mut self, batch: &Batch, prepared: &clipstake_client::sender::Prepared) {
        let route = batch.items[0].route;
        let per_payout = (prepared.units_consumed / batch.items.len() as u64).max(1);
        self.units_per_payout.insert(route, per_payout);
        if route != Route::Single {
            return;
        }
        if let Some(inner) = &prepared.inner_per_instruction {
            let budget = instructions_len_without(prepared, batch.items.len());
            for (item, cpis) in batch.items.iter().zip(inner.iter().skip(budget)) {
                self.trace.learn(item.shape(), 1 + cpis);
            }
        }
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
            Err(e) => return Err(e),
        };
        if events_would_be_lost(&batch, &prepared.logs) {
            // Never sent: split like a refusal, so every `PayoutMade` event reaches the log.
            let lost = Error::Other("program logs truncated: events would be lost".into());
            return self.refused(batch, &lost, retry);
        }
        self.learn(&batch, &prepared);
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
                return Err(e);
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
        for Settled { flight, outcome } in settled {
            match outcome {
                Outcome::Confirmed { logs } => self.confirmed(&flight, &logs, failpoint)?,
                Outcome::Failed { error, logs } => {
                    // It landed and failed: atomic, nothing applied.
                    let error = Error::from_transaction_error(&error, &logs);
                    self.back_to_pending(&flight.work.batch)?;
                    self.refused(flight.work.batch, &error, retry)?;
                }
                Outcome::Expired => self.expired(flight, retry)?,
            }
        }
        Ok(count)
    }

    /// Books a landed transaction: its intents confirmed, at the amounts the chain moved.
    fn confirmed(
        &mut self,
        flight: &Flight,
        logs: &[String],
        failpoint: &mut dyn Failpoint,
    ) -> Result<(), Error> {
        let signature = flight.signature().to_string();
        let cut_short = cut_short(&flight.work.batch.items, logs);
        self.ledger.atomically(|l| {
            for (item, chain) in flight.work.batch.items.iter().zip(&cut_short) {
                l.mark_confirmed(&item.intent.key, Some(&signature), Some(flight.work.units))?;
                if let Some(paid) = chain {
                    l.book_chain_amounts(&item.intent.key, paid.gross, paid.fee, paid.commission)?;
                }
            }
            Ok(())
        })?;
        let gross: u64 = flight
            .work
            .batch
            .items
            .iter()
            .zip(&cut_short)
            .map(|(item, chain)| chain.as_ref().map_or(item.intent.gross, |p| p.gross))
            .sum();
        self.summary.booked_from_events += cut_short.iter().flatten().count();
        self.count_confirmed(flight, gross);
        self.progress.advanced(flight.work.batch.items.len() as u64);
        failpoint.check("batch:after-confirm")
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
                return Err(Error::Expired(format!(
                    "transaction {} expired {MAX_ATTEMPTS} times without landing; the ledger is \
                     consistent, run `clipstake oracle run` again",
                    signature
                )));
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

/// The instructions paying `items` (one campaign, one route): one `disburse_batch` for
/// them all, or their single `disburse`s.
fn instructions_of(items: &[Item]) -> Vec<Instruction> {
    let Some(first) = items.first().filter(|i| i.route == Route::Batched) else {
        return items.iter().map(|i| i.instruction.clone()).collect();
    };
    vec![merged_batch(first, items)]
}

/// One `disburse_batch` paying `items` (batched payouts of `first`'s campaign), joined from
/// their one-payout instructions: the shared accounts of `first`'s, then each payout's own
/// accounts in order, as [`ix::disburse_batch`] lays them out. Joining derives no address
/// again (a token payout's receiving accounts are PDAs, each a hash search).
fn merged_batch(first: &Item, items: &[Item]) -> Instruction {
    let shared = first.instruction.accounts.len() - first.payout_accounts().len();
    let mut accounts: Vec<AccountMeta> = first.instruction.accounts[..shared].to_vec();
    for item in items {
        accounts.extend_from_slice(item.payout_accounts());
    }
    let views = items.iter().map(|i| i.intent.target_views).collect();
    Instruction {
        program_id: first.instruction.program_id,
        accounts,
        data: clipstake::instruction::DisburseBatch { views }.data(),
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

    /// A `T` account of all-zero fields (`SplToken` for the asset), to set what a test needs.
    fn zeroed<T: anchor_lang::AccountDeserialize + anchor_lang::Space>() -> T {
        let data = vec![0u8; 8 + T::INIT_SPACE];
        T::try_deserialize_unchecked(&mut &data[..]).expect("zeroes decode")
    }

    fn token_campaign() -> CampaignAccount {
        let mut state: clipstake::state::Campaign = zeroed();
        state.asset = AssetKind::SplToken;
        state.mint = Pubkey::new_unique();
        state.token_program = ix::TOKEN_PROGRAM_ID;
        state.treasury = Pubkey::new_unique();
        state.vault = Pubkey::new_unique();
        state.oracle = Pubkey::new_unique();
        CampaignAccount {
            address: Pubkey::new_unique(),
            state,
        }
    }

    fn submission(campaign: &CampaignAccount, affiliate: bool) -> SubmissionAccount {
        // Zero-copy: every all-zero byte pattern is a valid Submission.
        let mut state: clipstake::state::Submission = bytemuck::Zeroable::zeroed();
        state.campaign = campaign.address;
        state.creator = Pubkey::new_unique();
        if affiliate {
            state.affiliate = Pubkey::new_unique();
        }
        SubmissionAccount {
            address: Pubkey::new_unique(),
            state,
        }
    }

    fn intent(views: u64) -> Intent {
        Intent {
            key: format!("k{views}"),
            campaign: String::new(),
            submission: String::new(),
            target_views: views,
            prev_views: 0,
            prev_gross: 0,
            gross: 10,
            fee: 1,
            commission: 1,
            creator_amount: 8,
            status: Status::Pending,
            signature: None,
            blockhash: None,
            last_valid: None,
            units: None,
            error: None,
        }
    }

    #[test]
    fn a_merged_batch_is_the_builders_batch() {
        let campaign = token_campaign();
        let oracle = Keypair::new();
        let submissions: Vec<SubmissionAccount> =
            (0..5).map(|i| submission(&campaign, i % 2 == 0)).collect();
        let items: Vec<Item> = submissions
            .iter()
            .enumerate()
            .map(|(i, s)| batched_item(&oracle, &campaign, intent(100 + i as u64), s.clone()))
            .collect();
        let payouts: Vec<(&SubmissionAccount, u64)> = submissions
            .iter()
            .zip(&items)
            .map(|(s, i)| (s, i.intent.target_views))
            .collect();
        let built = ix::disburse_batch(&oracle.pubkey(), &campaign, &payouts);
        assert_eq!(instructions_of(&items), vec![built]);
        let creator = campaign.receiving_account_of(&submissions[1].state.creator);
        assert_eq!(
            items[1].receiving_accounts().collect::<Vec<_>>(),
            [&creator]
        );
        assert_eq!(
            items[0].receiving_accounts().count(),
            2,
            "creator and affiliate"
        );
    }

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
