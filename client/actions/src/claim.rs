//! "Claim my earnings": a creator's wallet redeems, for one of its videos in a campaign, the
//! views the oracle ledger has accepted beyond what the chain has paid. The server signs the
//! oracle's attestation (Ed25519 instruction right before the claim) and, as the sponsor, pays
//! the fee and any rent of the creator's token account, so the creator needs no SOL: the
//! transaction it gets back misses only the creator's signature.
use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use clipstake::math::{self, Bps};
use clipstake::state::AssetKind;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_oracle::ledger::Ledger;
use clipstake_sdk::accounts;
use clipstake_sdk::attestation::Attestation;
use clipstake_sdk::instructions::{self as ix, CampaignAccount, SubmissionAccount};
use serde_json::{Value, json};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::fund::amount_text;
use crate::{Refusal, spec, transaction};

/// What the server claims with: the campaign oracle's keypair and ledger, and the sponsor.
pub struct Claimer {
    /// The oracle that signs attestations (the campaign's, registered on the platform).
    pub oracle: Keypair,
    /// Pays the claim's fee and rent, and signs as fee payer.
    pub sponsor: Keypair,
    /// The oracle's ledger: what it accepted for each video.
    pub ledger: Ledger,
    /// How long an attestation stays valid (cut to the platform's maximum lifetime).
    pub attestation_lifetime_secs: i64,
}

/// `GET /api/actions/claim/<campaign>`.
pub fn metadata(backend: &mut dyn Backend, address: &Pubkey, base: &str) -> Result<Value, Refusal> {
    let campaign = backend.campaign(address)?;
    let link = json!([{
        "type": "transaction",
        "label": "Claim my earnings",
        "href": format!("{base}/api/actions/claim/{address}"),
    }]);
    Ok(spec::action(
        &format!("{base}/icon.svg"),
        "Claim your ClipStake earnings",
        &format!(
            "Pays you, from campaign {address}'s escrow in {}, what your video's verified views earned beyond what was paid. The fee is sponsored: you only sign.",
            crate::fund::unit(&campaign)
        ),
        "Claim my earnings",
        link,
        None,
    ))
}

/// A video with something to claim: the views the oracle accepted and what a claim pays now.
struct Owed {
    submission: SubmissionAccount,
    views: u64,
    owed: u64,
    payable: u64,
}

/// `POST /api/actions/claim/<campaign>` for `creator`: the claim transaction, signed by the
/// sponsor, and a message.
pub fn post(
    backend: &mut dyn Backend,
    claimer: &Claimer,
    address: &Pubkey,
    creator: &Pubkey,
) -> Result<Value, Refusal> {
    let campaign = backend.campaign(address)?;
    if claimer.oracle.pubkey() != campaign.state.oracle {
        return Err(Refusal::new(
            409,
            format!(
                "this server signs for oracle {}, not for campaign {address}'s oracle {}",
                claimer.oracle.pubkey(),
                campaign.state.oracle
            ),
        ));
    }
    let best = most_owed(backend, claimer, &campaign, creator)?;
    let submission = &best.submission;
    if claimer
        .ledger
        .has_open_intent(&submission.address.to_string())
        .map_err(Refusal::from)?
    {
        return Err(Refusal::new(
            409,
            format!(
                "the oracle is paying video {} right now; look again in a minute",
                submission.address
            ),
        ));
    }
    let expiry = attestation_expiry(backend, claimer)?;
    let attestation = Attestation::sign(&claimer.oracle, submission, best.views, expiry);
    let sponsor = claimer.sponsor.pubkey();
    let rent_gift = rent_gift(backend, &campaign, &best)?;
    let mut instructions: Vec<_> = rent_gift
        .map(|lamports| transfer(&sponsor, creator, lamports))
        .into_iter()
        .collect();
    instructions.push(attestation.ed25519_instruction());
    instructions.push(ix::claim(
        &sponsor, &campaign, submission, best.views, expiry,
    ));
    let transaction =
        transaction::for_wallet(backend, &instructions, &sponsor, &[&claimer.sponsor])?;
    let mut message = claim_message(&campaign, &best);
    if let Some(lamports) = rent_gift {
        message.push_str(&format!(
            "; the sponsor also gives your wallet the {} SOL it needs to hold SOL (rent exemption)",
            clipstake_sdk::amount::format_ui_amount(lamports, 9)
        ));
    }
    Ok(spec::transaction(
        &transaction::to_base64(&transaction),
        &message,
    ))
}

/// The lamports a new wallet needs to receive its share of a SOL payout: the program pays no
/// SOL share that would leave the creator's wallet below rent exemption (it records the views
/// and keeps the share owed), so the sponsor tops such a wallet up to it, as it pays a token
/// creator's account rent. `None` when no top-up is needed.
fn rent_gift(
    backend: &mut dyn Backend,
    campaign: &CampaignAccount,
    owed: &Owed,
) -> Result<Option<u64>, Refusal> {
    if campaign.state.asset != AssetKind::NativeSol as u8 || owed.payable == 0 {
        return Ok(None);
    }
    let fee = Bps::new(campaign.state.fee_bps).map_err(|_| Refusal::new(500, "bad fee bps"))?;
    let commission = Bps::new(owed.submission.state.affiliate_bps)
        .map_err(|_| Refusal::new(500, "bad affiliate bps"))?;
    let share = math::split(owed.payable, fee, commission)
        .map_err(|_| Refusal::new(500, "the payout does not split"))?
        .creator;
    let creator = owed.submission.state.creator;
    let account = backend.get_account(&creator)?;
    let (lamports, data_len) = account.map_or((0, 0), |a| (a.lamports, a.data.len()));
    let rent = backend.minimum_balance_for_rent_exemption(data_len)?;
    Ok((share > 0 && lamports + share < rent).then(|| rent - lamports))
}

fn transfer(from: &Pubkey, to: &Pubkey, lamports: u64) -> solana_instruction::Instruction {
    solana_system_interface::instruction::transfer(from, to, lamports)
}

/// The creator's video in the campaign a claim would pay the most now.
fn most_owed(
    backend: &mut dyn Backend,
    claimer: &Claimer,
    campaign: &CampaignAccount,
    creator: &Pubkey,
) -> Result<Owed, Refusal> {
    let videos = backend.submissions(&[
        accounts::submissions_of_campaign(&campaign.address),
        accounts::submissions_of_creator(creator),
    ])?;
    if videos.is_empty() {
        return Err(Refusal::forbidden(format!(
            "{creator} is not the creator of any video in campaign {}",
            campaign.address
        )));
    }
    let accepted: HashMap<String, u64> = claimer
        .ledger
        .accepted_maxima()
        .map_err(Refusal::from)?
        .into_iter()
        .map(|(_, submission, views, _)| (submission, views))
        .collect();
    videos
        .into_iter()
        .filter_map(|s| {
            let views = *accepted.get(&s.address.to_string())?;
            owed_for(campaign, s, views)
        })
        .max_by_key(|o| (o.payable, o.owed))
        .ok_or_else(|| {
            Refusal::new(
                409,
                format!(
                    "nothing to claim: every view the oracle verified for {creator}'s videos in campaign {} is paid",
                    campaign.address
                ),
            )
        })
}

/// What a claim for `views` would owe and pay, as the program computes it (`None` when it
/// would refuse: no new views and no recorded shortfall it could pay).
fn owed_for(campaign: &CampaignAccount, submission: SubmissionAccount, views: u64) -> Option<Owed> {
    let (s, c) = (&submission.state, &campaign.state);
    let owed = math::owed(
        s.paid_views,
        s.paid_gross,
        views,
        c.rate_per_thousand_views,
        c.cap_per_submission,
    )
    .ok()?;
    let payable = math::payable(owed, c.available(), views > s.paid_views).ok()?;
    Some(Owed {
        submission,
        views,
        owed,
        payable,
    })
}

/// Now plus the lifetime, within the platform's maximum.
fn attestation_expiry(backend: &mut dyn Backend, claimer: &Claimer) -> Result<i64, Refusal> {
    let longest = backend.platform()?.max_attestation_lifetime_secs;
    let now = backend.clock()?.unix_timestamp;
    Ok(now + claimer.attestation_lifetime_secs.min(longest))
}

fn claim_message(campaign: &CampaignAccount, owed: &Owed) -> String {
    let video = owed.submission.address;
    let views = owed.views;
    if owed.payable == 0 {
        return format!(
            "Records your {views} verified views of video {video}: the vault is empty, so {} stays owed and is paid once the campaign is funded",
            amount_text(campaign, owed.owed)
        );
    }
    let mut message = format!(
        "Claim {} (before the platform fee and any affiliate commission) for {views} verified views of video {video}; the network fee is sponsored",
        amount_text(campaign, owed.payable)
    );
    if owed.payable < owed.owed {
        message.push_str(&format!(
            "; the vault holds less than you are owed: {} stays owed",
            amount_text(campaign, owed.owed - owed.payable)
        ));
    }
    message
}
