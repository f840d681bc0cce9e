//! Planning a run's transactions, apart from sending them: which payouts share a
//! transaction and which accounts the lookup tables must hold. Everything here is pure (it
//! compiles messages to measure them, but reads and sends nothing), so each limit has a unit
//! test:
//!
//! - the packet: a transaction's wire size stays within [`PACKET_DATA_SIZE`] (measured with the
//!   lookup tables its accounts come from);
//! - compute units: payouts per transaction stay within what the last simulation of their
//!   route says fits [`PLANNED_UNITS_PER_TX`];
//! - account locks: at most [`MAX_ACCOUNT_LOCKS`] distinct accounts per transaction;
//! - the instruction trace: at most [`MAX_INSTRUCTION_TRACE`] entries (top-level instructions
//!   and CPIs, learnt per payout shape from simulations);
//! - the log: a `disburse_batch` holds at most [`batch::max_payouts_per_batch`] payouts, whose
//!   `BatchPaid` event fits the 10,000 logged bytes; single `disburse`s stay within
//!   [`PLANNED_LOG_BYTES_PER_TX`] by the bytes each shape was seen to log;
//! - lookup tables: which addresses each campaign's tables lack, how many new tables that takes,
//!   and which table each missing address goes to.
use std::collections::{HashMap, HashSet, VecDeque};

use crate::Error;
use anchor_lang::InstructionData;
use anchor_lang::prelude::Pubkey;
use clipstake::state::AssetKind;
use clipstake_client::lookup_table::{self, Table};
use clipstake_client::sender::{
    MAX_COMPUTE_UNIT_LIMIT, PACKET_DATA_SIZE, Prepared, budget_instructions, compile, wire_size,
};
use clipstake_sdk::instructions::{self as ix, CampaignAccount, SubmissionAccount};
use solana_hash::Hash;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;

use crate::batch;
use crate::ledger::Intent;

/// Compute units a batch may be planned to use (the rest is margin for the estimate).
pub(crate) const PLANNED_UNITS_PER_TX: u64 = MAX_COMPUTE_UNIT_LIMIT as u64 * 85 / 100;
/// The first guess of compute units per single `disburse`, before any simulation (one that
/// creates three token accounts costs about this much).
pub(crate) const INITIAL_UNITS_PER_DISBURSEMENT: u64 = 100_000;
/// The first guess of compute units per payout of a `disburse_batch` (a token payout over
/// existing accounts costs well under this; the first simulation teaches the real figure).
pub(crate) const INITIAL_UNITS_PER_BATCHED_PAYOUT: u64 = 30_000;
/// Accounts one transaction may lock (every account it names, from a lookup table or not).
pub(crate) const MAX_ACCOUNT_LOCKS: usize = 64;
/// Entries the runtime allows in one transaction's instruction trace (top-level instructions
/// and every CPI).
pub(crate) const MAX_INSTRUCTION_TRACE: usize = 64;
/// Log bytes a transaction of single `disburse`s is planned to fill, of the runtime's 10,000
/// (the rest is margin for the compute-budget lines and the estimate): past the limit the log
/// is cut, with the later payouts' `PayoutMade` events.
pub(crate) const PLANNED_LOG_BYTES_PER_TX: usize = 9_000;
/// The first guess of trace entries per disbursement: one (a SOL payout makes no CPI). Token
/// payouts cost more (three transfers, more when token accounts are created); a batch that
/// exceeds the trace is refused and split, and the simulations teach the real figure.
pub(crate) const INITIAL_TRACE_PER_DISBURSEMENT: usize = 1;

/// How a payout is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Route {
    /// In one `disburse_batch` with others of its campaign: its receiving accounts exist.
    Batched,
    /// In a `disburse` of its own (several per transaction), which creates the token accounts
    /// its recipients lack.
    Single,
}

/// A payout waiting to be sent.
#[derive(Clone)]
pub(crate) struct Item {
    pub(crate) intent: Intent,
    pub(crate) campaign: Pubkey,
    pub(crate) submission: SubmissionAccount,
    pub(crate) route: Route,
    /// A token campaign's: every transfer is a CPI, a trace entry.
    pub(crate) token: bool,
    /// The payout alone in its route's instruction (a `disburse`, or a `disburse_batch` of
    /// one): its accounts are what it makes a transaction lock and what the lookup tables
    /// must hold.
    pub(crate) instruction: Instruction,
}

impl Item {
    /// Which transfers the disbursement makes (fee, commission, creator): the program makes
    /// one CPI per non-zero part, so payouts of one shape cost the same trace entries once
    /// their token accounts exist.
    pub(crate) fn shape(&self) -> Shape {
        Shape {
            fee: self.intent.fee > 0,
            commission: self.intent.commission > 0,
            creator: self.intent.creator_amount > 0,
        }
    }

    /// Moves the payout to a `disburse` of its own, which opens the token accounts its
    /// recipients lack (a batch opens none).
    pub(crate) fn pay_alone(
        &mut self,
        oracle: &Keypair,
        payer: &Keypair,
        campaign: &CampaignAccount,
    ) {
        let (oracle, payer) = (oracle.pubkey(), payer.pubkey());
        let views = self.intent.target_views;
        self.instruction = ix::disburse(&oracle, &payer, campaign, &self.submission, views);
        self.route = Route::Single;
    }

    /// The accounts a batched payout adds to its batch's instruction (the instruction's last
    /// ones): the submission, the creator's receiving account and, with an affiliate, the
    /// affiliate's.
    pub(crate) fn payout_accounts(&self) -> &[AccountMeta] {
        let own = 2 + usize::from(self.submission.state.affiliate().is_some());
        let accounts = &self.instruction.accounts;
        &accounts[accounts.len().saturating_sub(own)..]
    }

    /// The accounts a batched payout pays into (its creator's and affiliate's).
    pub(crate) fn receiving_accounts(&self) -> impl Iterator<Item = &Pubkey> {
        self.payout_accounts()
            .iter()
            .skip(1)
            .map(|meta| &meta.pubkey)
    }

    /// Trace entries the payout adds to a batch: a transfer CPI per non-zero share of a token
    /// payout (the batch's fee is one transfer for all); none for SOL, moved in place.
    pub(crate) fn batched_transfers(&self) -> usize {
        if !self.token {
            return 0;
        }
        usize::from(self.intent.creator_amount > 0) + usize::from(self.intent.commission > 0)
    }
}

/// The non-zero parts of a disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Shape {
    pub(crate) fee: bool,
    pub(crate) commission: bool,
    pub(crate) creator: bool,
}

/// A per-disbursement cost learnt from simulations (trace entries, log bytes): the costliest
/// seen of each shape, and of any shape for shapes not seen yet. Both only grow within a run,
/// so batches stop being refused once they are learnt (a payout that creates token accounts
/// costs more than the same shape later; the run keeps the higher figure).
#[derive(Debug)]
pub(crate) struct ShapeEstimate {
    pub(crate) by_shape: HashMap<Shape, usize>,
    pub(crate) costliest: usize,
}

impl ShapeEstimate {
    /// An estimate of `initial` for every shape until simulations teach more.
    pub(crate) fn starting_at(initial: usize) -> Self {
        ShapeEstimate {
            by_shape: HashMap::new(),
            costliest: initial,
        }
    }

    pub(crate) fn of(&self, shape: Shape) -> usize {
        self.by_shape
            .get(&shape)
            .copied()
            .unwrap_or(self.costliest)
            .max(1)
    }

    pub(crate) fn learn(&mut self, shape: Shape, entries: usize) {
        let known = self.by_shape.entry(shape).or_insert(entries);
        *known = (*known).max(entries);
        self.costliest = self.costliest.max(entries);
    }
}

/// Disbursements sent together.
pub(crate) struct Batch {
    pub(crate) items: Vec<Item>,
    /// How many times it was signed after a drop (not a refusal).
    pub(crate) attempts: u32,
}

/// The lookup tables of a run and which table holds each address.
#[derive(Default)]
pub(crate) struct Tables {
    pub(crate) all: Vec<AddressLookupTableAccount>,
    index: HashMap<Pubkey, usize>,
}

impl Tables {
    pub(crate) fn add(&mut self, table: AddressLookupTableAccount) {
        let position = self.all.len();
        for address in &table.addresses {
            self.index.entry(*address).or_insert(position);
        }
        self.all.push(table);
    }

    /// Only the tables holding some account of `instructions`: the message compiler scans
    /// every table it is given for every key.
    pub(crate) fn for_instructions(
        &self,
        instructions: &[Instruction],
    ) -> Vec<AddressLookupTableAccount> {
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

/// Packs payouts into transactions within every limit of the module documentation, learning
/// compute units and trace entries per payout from the run's simulations.
pub(crate) struct Packer {
    payer: Pubkey,
    oracle: Pubkey,
    compute_unit_price: Option<u64>,
    max_per_tx: usize,
    /// The last simulation's compute units per payout on each route.
    units_per_payout: HashMap<Route, u64>,
    /// Trace entries per single `disburse`, learnt from this run's simulations.
    trace: ShapeEstimate,
    /// Log bytes per single `disburse`, learnt from this run's simulations.
    log_bytes: ShapeEstimate,
}

impl Packer {
    /// A packer for transactions paid by `payer`, signed by `oracle`, at `compute_unit_price`,
    /// with at most `max_per_tx` payouts each.
    pub(crate) fn new(
        payer: Pubkey,
        oracle: Pubkey,
        compute_unit_price: Option<u64>,
        max_per_tx: usize,
    ) -> Packer {
        Packer {
            payer,
            oracle,
            compute_unit_price,
            max_per_tx,
            units_per_payout: HashMap::from([
                (Route::Batched, INITIAL_UNITS_PER_BATCHED_PAYOUT),
                (Route::Single, INITIAL_UNITS_PER_DISBURSEMENT),
            ]),
            trace: ShapeEstimate::starting_at(INITIAL_TRACE_PER_DISBURSEMENT),
            log_bytes: ShapeEstimate::starting_at(0),
        }
    }

    /// The next batch off the queue: payouts of the same campaign and route, within the
    /// packet, the account locks, the trace, the compute budget and `max_per_tx` (and a
    /// batch's 32 payouts and log limit). The size of one more payout is measured once per
    /// batch (two compilations), the batch filled to that estimate, then checked and trimmed:
    /// compiling the message after every addition would cost more than sending it.
    pub(crate) fn next_batch(
        &self,
        queue: &mut VecDeque<Item>,
        tables: &Tables,
    ) -> Result<Option<Batch>, Error> {
        let Some(first) = queue.pop_front() else {
            return Ok(None);
        };
        let mut items = self.take_within_limits(first, queue);
        self.trim_to_packet(&mut items, queue, tables)?;
        Ok(Some(Batch { items, attempts: 0 }))
    }

    /// Most payouts one transaction of `route` may carry before the packet is measured.
    fn most_payouts(&self, route: Route) -> usize {
        let units = self.units_per_payout.get(&route).copied().unwrap_or(1);
        let by_units = (PLANNED_UNITS_PER_TX / units.max(1)).max(1) as usize;
        let most = self.max_per_tx.max(1).min(by_units);
        match route {
            Route::Batched => most.min(batch::max_payouts_per_batch()),
            Route::Single => most,
        }
    }

    /// Trace entries of a transaction of `first`'s route before any payout: the budget
    /// instructions, and for a batch the instruction itself and its one fee transfer.
    fn trace_base(&self, first: &Item) -> usize {
        let budget = budget_instructions(0, self.compute_unit_price).len();
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

    /// Log bytes `item` adds to its transaction: a single `disburse`'s, as learnt (a batch's
    /// one event is bounded by its payout count instead).
    fn log_of(&self, item: &Item) -> usize {
        match item.route {
            Route::Batched => 0,
            Route::Single => self.log_bytes.of(item.shape()),
        }
    }

    /// `first` and the payouts after it of the same campaign and route, up to the payout,
    /// trace, log and account-lock bounds.
    fn take_within_limits(&self, first: Item, queue: &mut VecDeque<Item>) -> Vec<Item> {
        let (campaign, route) = (first.campaign, first.route);
        let most = self.most_payouts(route);
        let mut trace_used = self.trace_base(&first) + self.trace_of(&first);
        let mut log_used = self.log_of(&first);
        // Every account a transaction names, from a lookup table or not, is locked, and the
        // runtime locks at most 64.
        let mut locked: HashSet<Pubkey> = budget_instructions(0, None)
            .iter()
            .map(|i| i.program_id)
            .chain([self.payer, self.oracle])
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
                        && log_used + self.log_of(next) <= PLANNED_LOG_BYTES_PER_TX
                        && accounts_of(next, &mut locked) =>
                {
                    trace_used += self.trace_of(next);
                    log_used += self.log_of(next);
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
        tables: &Tables,
    ) -> Result<(), Error> {
        if items.len() == 1 {
            return Ok(());
        }
        let one = self.batch_size(&items[..1], tables)?;
        let two = self.batch_size(&items[..2], tables)?;
        let per_item = two.saturating_sub(one).max(1);
        let fit = 1 + PACKET_DATA_SIZE.saturating_sub(one) / per_item;
        // Put back what the estimate says will not fit, then trim until it really fits.
        // Popped from the end and pushed to the front: the queue keeps its order.
        while items.len() > fit.max(1) {
            if let Some(item) = items.pop() {
                queue.push_front(item);
            }
        }
        while items.len() > 1 && self.batch_size(items, tables)? > PACKET_DATA_SIZE {
            if let Some(item) = items.pop() {
                queue.push_front(item);
            }
        }
        Ok(())
    }

    /// The wire size of a transaction carrying `items` (with the compute budget and the lookup
    /// tables they use).
    fn batch_size(&self, items: &[Item], tables: &Tables) -> Result<usize, Error> {
        let mut instructions = budget_instructions(MAX_COMPUTE_UNIT_LIMIT, self.compute_unit_price);
        instructions.extend(instructions_of(items));
        let used = tables.for_instructions(&instructions);
        Ok(wire_size(&compile(
            &instructions,
            &self.payer,
            Hash::default(),
            &used,
        )?))
    }

    /// What a simulation of `batch` teaches about packing the next transactions of its route:
    /// the compute units per payout (an estimate that proves low only costs a refused
    /// simulation and a split) and, for single `disburse`s, each one's trace entries (itself
    /// plus its CPIs) and log bytes by shape. A batch's trace is known from its shares
    /// (`trace_of`). A simulation whose log was cut teaches a lower bound, which still grows
    /// the estimate.
    pub(crate) fn learn(&mut self, batch: &Batch, prepared: &clipstake_client::sender::Prepared) {
        let route = batch.items[0].route;
        let per_payout = (prepared.units_consumed / batch.items.len() as u64).max(1);
        self.units_per_payout.insert(route, per_payout);
        if route != Route::Single {
            return;
        }
        let logged: usize = prepared.logs.iter().map(String::len).sum();
        let log_per_payout = logged.div_ceil(batch.items.len());
        for item in &batch.items {
            self.log_bytes.learn(item.shape(), log_per_payout);
        }
        if let Some(inner) = &prepared.inner_per_instruction {
            let budget = instructions_len_without(prepared, batch.items.len());
            for (item, cpis) in batch.items.iter().zip(inner.iter().skip(budget)) {
                self.trace.learn(item.shape(), 1 + cpis);
            }
        }
    }
}

/// Top-level instructions of `prepared` that are not disbursements (the compute budget).
pub(crate) fn instructions_len_without(prepared: &Prepared, disbursements: usize) -> usize {
    prepared
        .transaction
        .message
        .instructions()
        .len()
        .saturating_sub(disbursements)
}

/// The payout of `intent` in a batch (its instruction a `disburse_batch` of one).
pub(crate) fn batched_item(
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
        token: campaign.state.asset != AssetKind::NativeSol as u8,
    }
}

/// The instructions paying `items` (one campaign, one route): one `disburse_batch` for
/// them all, or their single `disburse`s.
pub(crate) fn instructions_of(items: &[Item]) -> Vec<Instruction> {
    let Some(first) = items.first().filter(|i| i.route == Route::Batched) else {
        return items.iter().map(|i| i.instruction.clone()).collect();
    };
    vec![merged_batch(first, items)]
}

/// One `disburse_batch` paying `items` (batched payouts of `first`'s campaign), joined from
/// their one-payout instructions: the shared accounts of `first`'s, then each payout's own
/// accounts in order, as [`ix::disburse_batch`] lays them out. Joining derives no address
/// again (a token payout's receiving accounts are PDAs, each a hash search).
pub(crate) fn merged_batch(first: &Item, items: &[Item]) -> Instruction {
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

/// The accounts each campaign's lookup tables must hold, by campaign: every account its
/// payouts name but the signers (which a message must list itself).
pub(crate) fn table_addresses(
    items: &[Item],
    signers: &HashSet<Pubkey>,
) -> Vec<(Pubkey, Vec<Pubkey>)> {
    // In first-seen order; the set keeps it linear (a round names thousands of accounts).
    let mut wanted: HashMap<Pubkey, (Vec<Pubkey>, HashSet<Pubkey>)> = HashMap::new();
    for item in items {
        let (list, seen) = wanted.entry(item.campaign).or_default();
        for meta in &item.instruction.accounts {
            if !meta.is_signer && !signers.contains(&meta.pubkey) && seen.insert(meta.pubkey) {
                list.push(meta.pubkey);
            }
        }
    }
    let mut campaigns: Vec<_> = wanted
        .into_iter()
        .map(|(campaign, (list, _))| (campaign, list))
        .collect();
    campaigns.sort_by_key(|(c, _)| *c);
    campaigns
}

/// New tables a campaign needs for `missing` addresses beyond the room left in its `tables`.
pub(crate) fn tables_needed(tables: &[Table], missing: usize) -> usize {
    let room: usize = tables.iter().map(Table::room).sum();
    missing
        .saturating_sub(room)
        .div_ceil(lookup_table::MAX_ADDRESSES)
}

/// The extensions filling `tables`' room, in order, with `missing` (drained as placed):
/// (table, addresses) pairs.
pub(crate) fn extensions(
    tables: &[Table],
    missing: &mut Vec<Pubkey>,
) -> Vec<(Pubkey, Vec<Pubkey>)> {
    let mut placed = Vec::new();
    for table in tables.iter().filter(|t| t.room() > 0) {
        if missing.is_empty() {
            break;
        }
        let chunk: Vec<Pubkey> = missing.drain(..table.room().min(missing.len())).collect();
        placed.push((table.address, chunk));
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Status;

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

    fn token_campaign() -> CampaignAccount {
        let mut state: clipstake::state::Campaign = bytemuck::Zeroable::zeroed();
        state.asset = AssetKind::SplToken as u8;
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
        let trace = ShapeEstimate::starting_at(INITIAL_TRACE_PER_DISBURSEMENT);
        assert_eq!(trace.of(CREATOR_ONLY), 1);
    }

    #[test]
    fn trace_estimate_is_per_shape_and_unseen_shapes_take_the_costliest() {
        let mut trace = ShapeEstimate::starting_at(INITIAL_TRACE_PER_DISBURSEMENT);
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
        let mut trace = ShapeEstimate::starting_at(INITIAL_TRACE_PER_DISBURSEMENT);
        // First payout of the shape creates token accounts; later ones do not.
        trace.learn(WITH_AFFILIATE, 25);
        trace.learn(WITH_AFFILIATE, 4);
        assert_eq!(trace.of(WITH_AFFILIATE), 25);
    }

    /// A packer for `oracle` with `max_per_tx`, no priority fee.
    fn packer(oracle: &Keypair, max_per_tx: usize) -> Packer {
        Packer::new(Pubkey::new_unique(), oracle.pubkey(), None, max_per_tx)
    }

    /// `n` batched payouts of `campaign` (every other one with an affiliate).
    fn batched(oracle: &Keypair, campaign: &CampaignAccount, n: usize) -> Vec<Item> {
        (0..n)
            .map(|i| {
                let submission = submission(campaign, i % 2 == 0);
                batched_item(oracle, campaign, intent(100 + i as u64), submission)
            })
            .collect()
    }

    /// `n` single `disburse`s of `campaign`.
    fn singles(oracle: &Keypair, campaign: &CampaignAccount, n: usize) -> Vec<Item> {
        let payer = Keypair::new();
        let mut items = batched(oracle, campaign, n);
        for item in &mut items {
            item.pay_alone(oracle, &payer, campaign);
        }
        items
    }

    /// Lookup tables holding every account of `items`, so only the account locks, the trace
    /// and the compute budget bound a transaction (an account then costs one byte).
    fn tables_for(items: &[Item]) -> Tables {
        let mut addresses: Vec<Pubkey> = items
            .iter()
            .flat_map(|i| i.instruction.accounts.iter().map(|m| m.pubkey))
            .collect();
        addresses.sort();
        addresses.dedup();
        let mut tables = Tables::default();
        for chunk in addresses.chunks(lookup_table::MAX_ADDRESSES) {
            tables.add(AddressLookupTableAccount {
                key: Pubkey::new_unique(),
                addresses: chunk.to_vec(),
            });
        }
        tables
    }

    fn sizes(packer: &Packer, mut queue: VecDeque<Item>, tables: &Tables) -> Vec<usize> {
        let mut sizes = Vec::new();
        while let Some(batch) = packer.next_batch(&mut queue, tables).unwrap() {
            sizes.push(batch.items.len());
        }
        sizes
    }

    /// Distinct accounts a transaction of `items` locks: theirs, the compute budget program,
    /// the payer and the oracle.
    fn locks(packer: &Packer, items: &[Item]) -> usize {
        let mut keys: HashSet<Pubkey> = [packer.payer, packer.oracle].into();
        keys.extend(budget_instructions(0, None).iter().map(|i| i.program_id));
        for instruction in items.iter().map(|i| &i.instruction) {
            keys.insert(instruction.program_id);
            keys.extend(instruction.accounts.iter().map(|m| m.pubkey));
        }
        keys.len()
    }

    #[test]
    fn a_transaction_holds_one_campaign_and_route_up_to_max_per_tx() {
        let oracle = Keypair::new();
        let (a, b) = (token_campaign(), token_campaign());
        let mut items = batched(&oracle, &a, 5);
        items.extend(singles(&oracle, &a, 1));
        items.extend(batched(&oracle, &b, 2));
        let tables = tables_for(&items);
        assert_eq!(
            sizes(&packer(&oracle, 3), items.into(), &tables),
            [3, 2, 1, 2]
        );
    }

    #[test]
    fn payouts_per_transaction_follow_the_compute_units_learnt() {
        let oracle = Keypair::new();
        let campaign = token_campaign();
        let items = batched(&oracle, &campaign, 6);
        let tables = tables_for(&items);
        let mut packer = packer(&oracle, 64);
        // 1,190,000 planned units at 400,000 a payout: two per transaction.
        packer.units_per_payout.insert(Route::Batched, 400_000);
        assert_eq!(sizes(&packer, items.into(), &tables), [2, 2, 2]);
    }

    #[test]
    fn a_transaction_locks_at_most_64_accounts() {
        let oracle = Keypair::new();
        let campaign = token_campaign();
        let items = singles(&oracle, &campaign, 40);
        let tables = tables_for(&items);
        let mut packer = packer(&oracle, 64);
        packer.units_per_payout.insert(Route::Single, 1);
        let mut queue: VecDeque<Item> = items.into();
        let batch = packer.next_batch(&mut queue, &tables).unwrap().unwrap();
        assert!(batch.items.len() > 1, "the locks, not the packet, bound it");
        assert!(locks(&packer, &batch.items) <= MAX_ACCOUNT_LOCKS);
        let mut one_more = batch.items.clone();
        one_more.extend(queue.front().cloned());
        assert!(locks(&packer, &one_more) > MAX_ACCOUNT_LOCKS);
    }

    #[test]
    fn the_instruction_trace_bounds_single_disburses() {
        let oracle = Keypair::new();
        let campaign = token_campaign();
        let items = singles(&oracle, &campaign, 5);
        let tables = tables_for(&items);
        let mut packer = packer(&oracle, 64);
        packer.units_per_payout.insert(Route::Single, 1);
        // One budget instruction, then 25 entries a payout: two fit in 64.
        packer.trace.learn(items[0].shape(), 25);
        packer.trace.learn(items[1].shape(), 25);
        assert_eq!(sizes(&packer, items.into(), &tables), [2, 2, 1]);
    }

    #[test]
    fn the_log_bytes_learnt_bound_single_disburses() {
        let oracle = Keypair::new();
        let campaign = token_campaign();
        let items = singles(&oracle, &campaign, 7);
        let tables = tables_for(&items);
        let mut packer = packer(&oracle, 64);
        packer.units_per_payout.insert(Route::Single, 1);
        // About 2,900 bytes a payout (one that opens token accounts): three fit in 9,000.
        packer.log_bytes.learn(items[0].shape(), 2_900);
        assert_eq!(sizes(&packer, items.into(), &tables), [3, 3, 1]);
    }

    #[test]
    fn a_transaction_without_lookup_tables_fits_the_packet() {
        let oracle = Keypair::new();
        let campaign = token_campaign();
        let items = batched(&oracle, &campaign, 32);
        let (packer, none) = (packer(&oracle, 64), Tables::default());
        let mut queue: VecDeque<Item> = items.into();
        let batch = packer.next_batch(&mut queue, &none).unwrap().unwrap();
        assert!(packer.batch_size(&batch.items, &none).unwrap() <= PACKET_DATA_SIZE);
        let mut one_more = batch.items.clone();
        one_more.extend(queue.front().cloned());
        assert!(packer.batch_size(&one_more, &none).unwrap() > PACKET_DATA_SIZE);
    }

    #[test]
    fn a_batch_holds_at_most_the_payouts_whose_event_fits_the_log() {
        let oracle = Keypair::new();
        let campaign = token_campaign();
        let items = batched(&oracle, &campaign, 64);
        let tables = tables_for(&items);
        let mut packer = packer(&oracle, 64);
        packer.units_per_payout.insert(Route::Batched, 1);
        let first = sizes(&packer, items.into(), &tables)[0];
        assert!(first <= batch::max_payouts_per_batch(), "{first}");
    }

    fn table(addresses: usize) -> Table {
        Table {
            address: Pubkey::new_unique(),
            addresses: (0..addresses).map(|_| Pubkey::new_unique()).collect(),
            last_extended_slot: 0,
            deactivation_slot: u64::MAX,
            authority: None,
        }
    }

    #[test]
    fn lookup_tables_are_filled_before_new_ones_are_planned() {
        let max = lookup_table::MAX_ADDRESSES;
        assert_eq!(tables_needed(&[], 0), 0);
        assert_eq!(tables_needed(&[], 1), 1);
        assert_eq!(tables_needed(&[table(max - 10)], 10), 0);
        assert_eq!(tables_needed(&[table(max - 10)], 11), 1);
        assert_eq!(tables_needed(&[], 2 * max + 1), 3);

        let tables = [table(max), table(max - 3), table(0)];
        let mut missing: Vec<Pubkey> = (0..5).map(|_| Pubkey::new_unique()).collect();
        let wanted = missing.clone();
        let placed = extensions(&tables, &mut missing);
        assert!(missing.is_empty());
        assert_eq!(placed.len(), 2, "the full table is skipped");
        assert_eq!(placed[0], (tables[1].address, wanted[..3].to_vec()));
        assert_eq!(placed[1], (tables[2].address, wanted[3..].to_vec()));
    }

    #[test]
    fn table_addresses_are_per_campaign_without_signers_or_repeats() {
        let oracle = Keypair::new();
        let (a, b) = (token_campaign(), token_campaign());
        let mut items = batched(&oracle, &a, 3);
        items.extend(batched(&oracle, &b, 1));
        let signers: HashSet<Pubkey> = [oracle.pubkey()].into();
        let wanted = table_addresses(&items, &signers);
        let mut campaigns = vec![a.address, b.address];
        campaigns.sort();
        assert_eq!(
            wanted.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            campaigns
        );
        for (_, addresses) in &wanted {
            assert!(!addresses.contains(&oracle.pubkey()));
            let unique: HashSet<&Pubkey> = addresses.iter().collect();
            assert_eq!(unique.len(), addresses.len());
        }
        let of_a = &wanted.iter().find(|(c, _)| *c == a.address).unwrap().1;
        assert!(of_a.contains(&a.state.vault) && of_a.contains(&items[2].submission.address));
    }
}
