//! What `oracle run` needs to pay with `disburse_batch`: which token accounts already exist (a
//! batch creates none), the treasury token accounts a batch delivers its fee to, the bound on
//! the bytes a batch transaction logs up to its `BatchPaid` event, and the amounts that event
//! reports.
use std::collections::HashSet;

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorSerialize, Discriminator};
use clipstake::events::{BatchPaid, BatchPayout};
use clipstake::instructions::MAX_BATCH_PAYOUTS;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::Error;
use clipstake_client::backend::Backend;
use clipstake_client::sender::{SendOptions, budget_instructions, send_transaction};
use clipstake_sdk::instructions::CampaignAccount;

/// Bytes of log messages the runtime keeps per transaction; a message that would reach the
/// limit is replaced by "Log truncated", so an event logged past it is lost to indexers.
pub const LOG_BYTES_LIMIT: usize = 10_000;

/// Treasury token accounts created per transaction (each an ATA program call of about 20,000
/// compute units and 8 trace entries).
const TREASURY_ACCOUNTS_PER_TX: usize = 4;

/// Bytes logged by a transaction of the compute-budget instructions and one `disburse_batch`
/// of `payouts` payouts, up to and including its `BatchPaid` event: each budget instruction's
/// invoke and success lines, the batch's invoke line, Anchor's instruction name, then the
/// event (`Program data: ` and the base64 of discriminator and Borsh body). Transfers are
/// logged after the event, so they never count against it.
pub fn batch_log_bytes(payouts: usize) -> usize {
    let invoke = |program: &Pubkey| format!("Program {program} invoke [1]").len();
    let success = |program: &Pubkey| format!("Program {program} success").len();
    let budget: usize = budget_instructions(0, Some(1))
        .iter()
        .map(|i| invoke(&i.program_id) + success(&i.program_id))
        .sum();
    let event = BatchPaid::DISCRIMINATOR.len() + event_body_len(payouts);
    budget
        + invoke(&clipstake::ID)
        // Anchor's instruction-name line: absent from the deploy build (`no-log-ix-name`),
        // counted so a build that logs it stays within the bound too.
        + "Program log: Instruction: DisburseBatch".len()
        + "Program data: ".len()
        + event.div_ceil(3) * 4
}

/// The Borsh size of a `BatchPaid` with `payouts` payouts, measured on a real one so a change
/// of the event's layout changes the bound.
fn event_body_len(payouts: usize) -> usize {
    let payout = BatchPayout {
        submission: Pubkey::default(),
        watermark: 0,
        gross: 0,
        fee: 0,
        commission: 0,
        commission_accrued: false,
        still_owed: 0,
    };
    let event = BatchPaid {
        campaign: Pubkey::default(),
        fee: 0,
        fee_accrued: false,
        payouts: vec![payout; payouts],
    };
    let mut bytes = Vec::new();
    event
        .serialize(&mut bytes)
        .map_or(usize::MAX, |()| bytes.len())
}

/// Most payouts one batch may carry: the program's bound, and no more than keeps the whole
/// event inside the log limit (the runtime keeps a message only while the total stays below
/// it).
pub fn max_payouts_per_batch() -> usize {
    let mut most = usize::from(MAX_BATCH_PAYOUTS);
    while most > 1 && batch_log_bytes(most) >= LOG_BYTES_LIMIT {
        most -= 1;
    }
    most
}

/// Which of `accounts` (address, the token program that must own it) exist as token accounts:
/// one `getMultipleAccounts` pass (batched by the backend).
pub(crate) fn existing_token_accounts(
    backend: &mut dyn Backend,
    accounts: &[(Pubkey, Pubkey)],
) -> Result<HashSet<Pubkey>, Error> {
    let addresses: Vec<Pubkey> = accounts.iter().map(|(address, _)| *address).collect();
    let found = backend.get_multiple_accounts(&addresses)?;
    Ok(accounts
        .iter()
        .zip(found)
        .filter(|((_, owner), account)| account.as_ref().is_some_and(|a| a.owner == *owner))
        .map(|((address, _), _)| *address)
        .collect())
}

/// Creates the treasury's associated token account of each campaign (idempotently; `payer`
/// pays the rent), so batches deliver their fees instead of leaving them accrued. A refused
/// creation is not fatal: the batches then accrue the fee for `settle_accrued`, as the program
/// allows. Returns how many were created (or found existing) by a confirmed transaction.
pub(crate) fn create_treasury_accounts(
    backend: &mut dyn Backend,
    payer: &Keypair,
    send: &SendOptions,
    campaigns: &[CampaignAccount],
) -> Result<usize, Error> {
    let mut confirmed = 0;
    for chunk in campaigns.chunks(TREASURY_ACCOUNTS_PER_TX) {
        let instructions: Vec<_> = chunk
            .iter()
            .map(|c| {
                spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                    &payer.pubkey(),
                    &c.state.treasury,
                    &c.state.mint,
                    &c.state.token_program,
                )
            })
            .collect();
        let no_check = &mut clipstake_client::sender::no_state_check;
        match send_transaction(backend, send, &instructions, payer, &[], no_check) {
            Ok(_) => confirmed += chunk.len(),
            Err(e) if e.is_refusal() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(confirmed)
}

/// The payouts of `campaign`'s batch over `submissions` (in order) as the chain's `BatchPaid`
/// event in `logs` reports them; `None` without logs (RPC statuses carry none) or without a
/// matching event.
pub(crate) fn event_payouts(
    logs: &[String],
    campaign: &Pubkey,
    submissions: &[Pubkey],
) -> Option<Vec<BatchPayout>> {
    clipstake_sdk::events::decode::<BatchPaid>(logs)
        .into_iter()
        .find(|event| {
            event.campaign == *campaign
                && event.payouts.len() == submissions.len()
                && event
                    .payouts
                    .iter()
                    .zip(submissions)
                    .all(|(payout, submission)| payout.submission == *submission)
        })
        .map(|event| event.payouts)
}

/// The event line `emit!` logs for `event` (tests build logs with it).
#[cfg(test)]
fn event_line(event: &BatchPaid) -> String {
    use base64::Engine;
    let mut bytes = BatchPaid::DISCRIMINATOR.to_vec();
    event.serialize(&mut bytes).expect("serialises");
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("Program data: {data}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_batch_logs_its_event_well_inside_the_limit() {
        let full = usize::from(MAX_BATCH_PAYOUTS);
        assert!(
            batch_log_bytes(full) < LOG_BYTES_LIMIT,
            "{} bytes",
            batch_log_bytes(full)
        );
        assert_eq!(max_payouts_per_batch(), full, "the program's bound binds");
    }

    #[test]
    fn the_log_bound_counts_the_event_line_exactly() {
        let payout = BatchPayout {
            submission: Pubkey::new_unique(),
            watermark: 1,
            gross: 2,
            fee: 3,
            commission: 4,
            commission_accrued: true,
            still_owed: 5,
        };
        for n in [1, 7, 32] {
            let event = BatchPaid {
                campaign: Pubkey::new_unique(),
                fee: 9,
                fee_accrued: false,
                payouts: vec![payout.clone(); n],
            };
            let line = event_line(&event).len();
            assert_eq!(
                batch_log_bytes(n) - line,
                batch_log_bytes(0) - event_line_len_empty(),
                "what precedes the event does not depend on its size"
            );
        }
    }

    fn event_line_len_empty() -> usize {
        event_line(&BatchPaid {
            campaign: Pubkey::default(),
            fee: 0,
            fee_accrued: false,
            payouts: vec![],
        })
        .len()
    }

    #[test]
    fn event_payouts_match_the_batch_in_order() {
        let campaign = Pubkey::new_unique();
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let payout = |submission| BatchPayout {
            submission,
            watermark: 10,
            gross: 100,
            fee: 2,
            commission: 0,
            commission_accrued: false,
            still_owed: 0,
        };
        let event = BatchPaid {
            campaign,
            fee: 4,
            fee_accrued: false,
            payouts: vec![payout(a), payout(b)],
        };
        let logs = vec!["Program log: x".to_string(), event_line(&event)];
        assert_eq!(
            event_payouts(&logs, &campaign, &[a, b]),
            Some(event.payouts)
        );
        assert_eq!(event_payouts(&logs, &campaign, &[b, a]), None);
        assert_eq!(event_payouts(&logs, &Pubkey::new_unique(), &[a, b]), None);
        assert_eq!(event_payouts(&[], &campaign, &[a, b]), None);
    }
}
