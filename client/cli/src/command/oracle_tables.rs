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

use anchor_lang::prelude::Pubkey;
use clap::Args;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_client::lookup_table::{self, Lifecycle, Table};
use clipstake_client::{Error, sender::Sent};
use clipstake_oracle::ledger::Ledger;
use serde_json::json;
use solana_signer::Signer;

use super::oracle::LedgerDb;
use super::{parse_pubkey, sent_json};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Report, amount_text, short};

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
fn campaign_cell(listed: &Listed) -> String {
    listed
        .campaign
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
    let rent: u64 = listed.iter().map(|l| l.lamports).sum();
    let json = json!({
        "authority": authority.to_string(),
        "tables": listed.iter().map(|l| json!({
            "address": l.table.address.to_string(),
            "campaign": l.campaign,
            "addresses": l.table.addresses.len(),
            "status": l.lifecycle.to_string(),
            "lamports": l.lamports,
        })).collect::<Vec<_>>(),
        "lamports": rent,
    });
    let rows = listed
        .iter()
        .map(|l| {
            vec![
                l.table.address.to_string(),
                campaign_cell(l),
                l.table.addresses.len().to_string(),
                l.lifecycle.to_string(),
                sol(l.lamports),
            ]
        })
        .collect();
    Ok(Report::new(json)
        .title(format!(
            "{} address lookup table(s) of {authority}",
            listed.len()
        ))
        .table(&["table", "campaign", "addresses", "status", "rent"], rows)
        .line(format!("rent held: {}", sol(rent)))
        .line(
            "`clipstake oracle close-tables --campaign <CAMPAIGN>` deactivates a closed \
             campaign's tables; run it again once they are closable to get the rent back",
        ))
}

pub fn close_tables(ctx: &mut Ctx, args: CloseTablesArgs) -> Result<Report, CliError> {
    let authority_kp = ctx.signer()?.insecure_clone();
    let payer = ctx.fee_payer()?.insecure_clone();
    let authority = authority_kp.pubkey();
    let recipient = args.recipient.unwrap_or(payer.pubkey());
    let dry_run = ctx.send_options.dry_run;
    for campaign in args.campaigns.iter().filter(|_| !args.force) {
        match ctx.backend.campaign(campaign) {
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
    let selected: Vec<String> = args.campaigns.iter().map(|c| c.to_string()).collect();
    let (ledger, recorded) = recorded_tables(&args.db, &authority)?;
    let listed = list(ctx.backend.as_mut(), &recorded, &authority)?;

    let mut rows = Vec::new();
    let mut actions = Vec::new();
    let (mut reclaimed, mut cooling) = (0u64, 0usize);
    for l in &listed {
        let address = l.table.address;
        let chosen = match &l.campaign {
            Some(campaign) => selected.contains(campaign),
            None => args.unrecorded,
        };
        let (action, sent): (String, Option<Sent>) = match l.lifecycle {
            // Deactivated tables can never be used again: closing them is always safe.
            Lifecycle::Closable => {
                let sent = lookup_table::close(
                    ctx.backend.as_mut(),
                    &ctx.send_options,
                    &payer,
                    &authority_kp,
                    &address,
                    &recipient,
                )?;
                if !dry_run {
                    ledger.remove_lookup_table(&address.to_string())?;
                    reclaimed += l.lamports;
                }
                let verb = if dry_run { "would close" } else { "closed" };
                (format!("{verb}: {} to {recipient}", sol(l.lamports)), sent)
            }
            Lifecycle::CoolingDown { remaining_slots } => {
                cooling += 1;
                (
                    format!("cooling down: {}", cool_down(remaining_slots)),
                    None,
                )
            }
            Lifecycle::Active if chosen => {
                let sent = lookup_table::deactivate(
                    ctx.backend.as_mut(),
                    &ctx.send_options,
                    &payer,
                    &authority_kp,
                    &address,
                )?;
                if !dry_run {
                    // The runner forgets deactivated tables too; forgetting it now keeps a
                    // concurrent run from packing with it.
                    ledger.remove_lookup_table(&address.to_string())?;
                    cooling += 1;
                }
                let verb = if dry_run {
                    "would deactivate"
                } else {
                    "deactivated"
                };
                // Closable once the deactivation slot has left SlotHashes.
                let slots = solana_slot_hashes::MAX_ENTRIES as u64;
                (format!("{verb}: {}", cool_down(slots)), sent)
            }
            Lifecycle::Active => ("kept (active)".to_string(), None),
        };
        rows.push(vec![address.to_string(), campaign_cell(l), action.clone()]);
        actions.push(json!({
            "address": address.to_string(),
            "campaign": l.campaign,
            "action": action,
            "lamports": l.lamports,
            "transaction": sent.as_ref().map(sent_json),
        }));
    }
    let json = json!({
        "dry_run": dry_run,
        "tables": actions,
        "reclaimed_lamports": reclaimed,
        "cooling_down": cooling,
        "recipient": recipient.to_string(),
    });
    let mut report = Report::new(json)
        .title(format!("Address lookup tables of {authority}"))
        .table(&["table", "campaign", "action"], rows)
        .line(format!("reclaimed: {}", sol(reclaimed)));
    if cooling > 0 {
        report = report.line(format!(
            "{cooling} table(s) cooling down: run `clipstake oracle close-tables` again in a few \
             minutes to close them"
        ));
    }
    Ok(report)
}
