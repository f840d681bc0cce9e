//! `clipstake oracle tables|close-tables`: the address lookup tables the oracle keypair owns,
//! and getting their rent back.
//!
//! A table lives in three steps: active (the oracle packs batches with it), deactivated (no
//! longer extendable; in-flight transactions may still use it while its deactivation slot is
//! in the SlotHashes sysvar, about 512 slots or 3.5 minutes), closed (its lamports returned).
//! Tables are found on chain by their authority, so a table the ledger no longer knows (its
//! creation landed only after a restarted run had found it missing and forgotten it, or an
//! older ledger) is found and can be reclaimed too.
use std::collections::HashMap;
use std::fmt;

use anchor_lang::prelude::Pubkey;
use clap::Args;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::lookup_table::{self, Lifecycle, Table};
use clipstake_client::{Error, sender::Sent};
use clipstake_oracle::ledger::Ledger;
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::oracle::LedgerDb;
use super::{Transaction, parse_pubkey};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Block, Report, amount_text, short, write_blocks};

#[derive(Debug, Args)]
pub struct TablesArgs {
    #[command(flatten)]
    pub db: LedgerDb,
}

#[derive(Debug, Args)]
pub struct CloseTablesArgs {
    /// Deactivate the tables the ledger recorded for this campaign (repeatable). Refused while
    /// the campaign is open unless --force: its next run would have to create new ones.
    #[arg(long = "campaign", value_parser = parse_pubkey)]
    pub campaigns: Vec<Pubkey>,
    /// Also deactivate active tables of this authority that the ledger does not know (a
    /// creation that landed after a restarted run had forgotten it). Do not use it while
    /// another ledger shares the oracle keypair: its tables would look unrecorded here.
    #[arg(long)]
    pub unrecorded: bool,
    /// Deactivate the tables of a campaign that is still open.
    #[arg(long)]
    pub force: bool,
    /// Where closed tables' lamports go (default: the fee payer, who funded them).
    #[arg(long, value_parser = parse_pubkey)]
    pub recipient: Option<Pubkey>,
    #[command(flatten)]
    pub db: LedgerDb,
}

/// One table as listed: its state now and which campaign the ledger has it for.
struct Listed {
    table: Table,
    lamports: u64,
    lifecycle: Lifecycle,
    campaign: Option<String>,
}

/// Every table of `authority` on chain, with its lifecycle and ledger campaign.
fn list(
    backend: &mut dyn Backend,
    recorded: &HashMap<String, String>,
    authority: &Pubkey,
) -> Result<Vec<Listed>, Error> {
    let owned = lookup_table::owned_by(backend, authority)?;
    if owned.is_empty() {
        return Ok(Vec::new());
    }
    let slot = backend.slot()?;
    let slot_hashes = lookup_table::slot_hashes(backend)?;
    Ok(owned
        .into_iter()
        .map(|(table, lamports)| Listed {
            lifecycle: lookup_table::lifecycle(&table, slot, &slot_hashes),
            campaign: recorded.get(&table.address.to_string()).cloned(),
            table,
            lamports,
        })
        .collect())
}

fn recorded_tables(
    db: &LedgerDb,
    authority: &Pubkey,
) -> Result<(Ledger, HashMap<String, String>), CliError> {
    let ledger = super::oracle::open_ledger(db)?;
    let recorded = ledger
        .recorded_lookup_tables(&authority.to_string())?
        .into_iter()
        .collect();
    Ok((ledger, recorded))
}

fn sol(lamports: u64) -> String {
    amount_text(lamports, 9, "SOL")
}

/// The ledger's campaign of a table, short, or that the ledger does not know it.
fn campaign_cell(campaign: &Option<String>) -> String {
    campaign
        .as_ref()
        .map(short)
        .unwrap_or_else(|| "(unrecorded)".into())
}

/// How long until a deactivated table can be closed (400 ms slots).
fn cool_down(remaining_slots: u64) -> String {
    format!(
        "closable in about {remaining_slots} slots (~{} s)",
        remaining_slots * 2 / 5
    )
}

pub fn tables(ctx: &mut Ctx, args: TablesArgs) -> Result<Report, CliError> {
    let authority = ctx.signer()?.pubkey();
    let (_ledger, recorded) = recorded_tables(&args.db, &authority)?;
    let listed = list(ctx.backend.as_mut(), &recorded, &authority)?;
    Report::of(&TablesShown {
        authority: authority.to_string(),
        lamports: listed.iter().map(|l| l.lamports).sum(),
        tables: listed
            .into_iter()
            .map(|l| TableShown {
                address: l.table.address.to_string(),
                campaign: l.campaign,
                addresses: l.table.addresses.len(),
                status: l.lifecycle.to_string(),
                lamports: l.lamports,
            })
            .collect(),
    })
}

/// What `oracle tables` prints: the oracle's lookup tables and the rent they hold.
#[derive(Serialize)]
struct TablesShown {
    /// The tables' authority (the oracle's key).
    authority: String,
    /// Its tables on chain.
    tables: Vec<TableShown>,
    /// The rent they hold, in lamports.
    lamports: u64,
}

/// One table of [`TablesShown`].
#[derive(Serialize)]
struct TableShown {
    /// The table's address.
    address: String,
    /// The campaign the ledger recorded it for, if it did.
    campaign: Option<String>,
    /// How many addresses it holds.
    addresses: usize,
    /// Where it is in its life: active, cooling down or closable.
    status: String,
    /// Its rent, in lamports.
    lamports: u64,
}

impl fmt::Display for TablesShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .tables
            .iter()
            .map(|t| {
                vec![
                    t.address.clone(),
                    campaign_cell(&t.campaign),
                    t.addresses.to_string(),
                    t.status.clone(),
                    sol(t.lamports),
                ]
            })
            .collect();
        let headers = ["table", "campaign", "addresses", "status", "rent"];
        let blocks = [
            Block::Title(format!(
                "{} address lookup table(s) of {}",
                self.tables.len(),
                self.authority
            )),
            Block::table(&headers, rows),
            Block::Line(format!("rent held: {}", sol(self.lamports))),
            Block::Line(
                "`clipstake oracle close-tables --campaign <CAMPAIGN>` deactivates a closed \
                 campaign's tables; run it again once they are closable to get the rent back"
                    .into(),
            ),
        ];
        write_blocks(f, &blocks)
    }
}

pub fn close_tables(ctx: &mut Ctx, args: CloseTablesArgs) -> Result<Report, CliError> {
    let authority = ctx.signer()?.insecure_clone();
    let payer = ctx.fee_payer()?.insecure_clone();
    let recipient = args.recipient.unwrap_or(payer.pubkey());
    if !args.force {
        refuse_open_campaigns(ctx.backend.as_mut(), &args.campaigns)?;
    }
    let selected: Vec<String> = args.campaigns.iter().map(|c| c.to_string()).collect();
    let (ledger, recorded) = recorded_tables(&args.db, &authority.pubkey())?;
    let listed = list(ctx.backend.as_mut(), &recorded, &authority.pubkey())?;
    let keys = TableKeys {
        payer: &payer,
        authority: &authority,
        recipient,
    };

    let mut actions = Vec::new();
    let (mut reclaimed, mut cooling) = (0u64, 0usize);
    for l in &listed {
        let chosen = match &l.campaign {
            Some(campaign) => selected.contains(campaign),
            None => args.unrecorded,
        };
        let step = close_step(ctx, &ledger, &keys, l, chosen)?;
        reclaimed += step.reclaimed;
        cooling += usize::from(step.cooling);
        actions.push(TableAction {
            address: l.table.address.to_string(),
            campaign: l.campaign.clone(),
            action: step.action,
            lamports: l.lamports,
            transaction: step.sent.as_ref().map(Transaction::from),
        });
    }
    Report::of(&TablesClosed {
        dry_run: ctx.send_options.dry_run,
        tables: actions,
        reclaimed_lamports: reclaimed,
        cooling_down: cooling,
        recipient: recipient.to_string(),
        authority: authority.pubkey().to_string(),
    })
}

/// What `oracle close-tables` prints: what was done with each table, and the rent reclaimed.
#[derive(Serialize)]
struct TablesClosed {
    /// Whether nothing was sent (`--dry-run`).
    dry_run: bool,
    /// Every table of the authority, and what was done with it.
    tables: Vec<TableAction>,
    /// Lamports returned by the tables closed.
    reclaimed_lamports: u64,
    /// Tables deactivated and not closable yet.
    cooling_down: usize,
    /// Where the rent went.
    recipient: String,
    /// The tables' authority (in the heading only).
    #[serde(skip)]
    authority: String,
}

/// One table of [`TablesClosed`].
#[derive(Serialize)]
struct TableAction {
    /// The table's address.
    address: String,
    /// The campaign the ledger recorded it for, if it did.
    campaign: Option<String>,
    /// What was done: closed, deactivated, cooling down or kept.
    action: String,
    /// Its rent, in lamports.
    lamports: u64,
    /// The transaction that closed or deactivated it, if one was sent.
    transaction: Option<Transaction>,
}

impl fmt::Display for TablesClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .tables
            .iter()
            .map(|t| {
                vec![
                    t.address.clone(),
                    campaign_cell(&t.campaign),
                    t.action.clone(),
                ]
            })
            .collect();
        let mut blocks = vec![
            Block::Title(format!("Address lookup tables of {}", self.authority)),
            Block::table(&["table", "campaign", "action"], rows),
            Block::Line(format!("reclaimed: {}", sol(self.reclaimed_lamports))),
        ];
        if self.cooling_down > 0 {
            blocks.push(Block::Line(format!(
                "{} table(s) cooling down: run `clipstake oracle close-tables` again in a few \
                 minutes to close them",
                self.cooling_down
            )));
        }
        write_blocks(f, &blocks)
    }
}

/// A campaign that is still open would create new tables on its next run: deactivating its
/// tables needs --force.
fn refuse_open_campaigns(backend: &mut dyn Backend, campaigns: &[Pubkey]) -> Result<(), CliError> {
    for campaign in campaigns {
        match backend.campaign(campaign) {
            Ok(_) => {
                return Err(CliError::usage(format!(
                    "campaign {campaign} is still open: its next `oracle run` would create new \
                     tables; close it first, or pass --force"
                )));
            }
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Who signs for the tables and where their rent goes.
struct TableKeys<'a> {
    payer: &'a Keypair,
    authority: &'a Keypair,
    recipient: Pubkey,
}

/// What `close-tables` did with one table.
struct CloseStep {
    action: String,
    sent: Option<Sent>,
    /// Lamports returned by closing it.
    reclaimed: u64,
    /// It is deactivated and not closable yet.
    cooling: bool,
}

/// Closes a closable table, deactivates an active one that was chosen, and keeps the rest.
fn close_step(
    ctx: &mut Ctx,
    ledger: &Ledger,
    keys: &TableKeys,
    l: &Listed,
    chosen: bool,
) -> Result<CloseStep, CliError> {
    let address = l.table.address;
    let dry_run = ctx.send_options.dry_run;
    let step = match l.lifecycle {
        // Deactivated tables can never be used again: closing them is always safe.
        Lifecycle::Closable => {
            let sent = lookup_table::close(
                ctx.backend.as_mut(),
                &ctx.send_options,
                keys.payer,
                keys.authority,
                &address,
                &keys.recipient,
            )?;
            if !dry_run {
                ledger.remove_lookup_table(&address.to_string())?;
            }
            let verb = if dry_run { "would close" } else { "closed" };
            CloseStep {
                action: format!("{verb}: {} to {}", sol(l.lamports), keys.recipient),
                sent,
                reclaimed: if dry_run { 0 } else { l.lamports },
                cooling: false,
            }
        }
        Lifecycle::CoolingDown { remaining_slots } => CloseStep {
            action: format!("cooling down: {}", cool_down(remaining_slots)),
            sent: None,
            reclaimed: 0,
            cooling: true,
        },
        Lifecycle::Active if chosen => {
            let sent = lookup_table::deactivate(
                ctx.backend.as_mut(),
                &ctx.send_options,
                keys.payer,
                keys.authority,
                &address,
            )?;
            if !dry_run {
                // The runner forgets deactivated tables too; forgetting it now keeps a
                // concurrent run from packing with it.
                ledger.remove_lookup_table(&address.to_string())?;
            }
            let verb = if dry_run {
                "would deactivate"
            } else {
                "deactivated"
            };
            // Closable once the deactivation slot has left SlotHashes.
            let slots = solana_slot_hashes::MAX_ENTRIES as u64;
            CloseStep {
                action: format!("{verb}: {}", cool_down(slots)),
                sent,
                reclaimed: 0,
                cooling: !dry_run,
            }
        }
        Lifecycle::Active => CloseStep {
            action: "kept (active)".to_string(),
            sent: None,
            reclaimed: 0,
            cooling: false,
        },
    };
    Ok(step)
}
