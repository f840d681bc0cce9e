//! "Fund campaign": any wallet moves an amount into a campaign's vault. The wallet is the fee
//! payer and the only signer; the amount is checked against its balance and the transaction
//! simulated before it is returned.
use anchor_lang::prelude::Pubkey;
use clipstake::state::AssetKind;
use clipstake_client::backend::{Backend, BackendExt};
use clipstake_sdk::amount::{format_ui_amount, parse_ui_amount};
use clipstake_sdk::instructions::{self as ix, CampaignAccount};
use serde_json::{Value, json};

use crate::{Refusal, spec, transaction};

/// The campaign's unit for people: `SOL`, or `tokens` of its mint.
pub fn unit(campaign: &CampaignAccount) -> String {
    if campaign.state.asset == AssetKind::NativeSol as u8 {
        "SOL".into()
    } else {
        format!("tokens of mint {}", campaign.state.mint)
    }
}

/// `base_units` in UI units with the campaign's unit: `12.5 SOL`.
pub fn amount_text(campaign: &CampaignAccount, base_units: u64) -> String {
    let ui = format_ui_amount(base_units, campaign.state.decimals);
    format!("{ui} {}", unit(campaign))
}

/// Why funding is closed, if it is (the program's own checks, read ahead of a simulation).
pub fn closed_reason(backend: &mut dyn Backend, campaign: &CampaignAccount) -> Option<String> {
    if campaign.state.is_settled() {
        return Some("the campaign is over: the brand has withdrawn what was left".into());
    }
    match backend.platform() {
        Ok(platform) if platform.paused => Some("the platform is paused".into()),
        _ => None,
    }
}

/// What the vault holds now (tokens, or lamports above the vault's rent).
pub fn vault_balance(
    backend: &mut dyn Backend,
    campaign: &CampaignAccount,
) -> Result<u64, Refusal> {
    if campaign.state.asset != AssetKind::NativeSol as u8 {
        return Ok(backend.token_balance(&campaign.state.vault)?);
    }
    let Some(account) = backend.get_account(&campaign.state.vault)? else {
        return Ok(0);
    };
    let rent = backend.minimum_balance_for_rent_exemption(account.data.len())?;
    Ok(account.lamports.saturating_sub(rent))
}

/// The campaign as the page shows it.
pub fn status(backend: &mut dyn Backend, address: &Pubkey) -> Result<Value, Refusal> {
    let campaign = backend.campaign(address)?;
    let c = &campaign.state;
    let vault = vault_balance(backend, &campaign)?;
    let ui = |base: u64| format_ui_amount(base, c.decimals);
    Ok(json!({
        "address": address.to_string(),
        "asset": match c.asset().ok() {
            Some(AssetKind::NativeSol) => "sol",
            Some(AssetKind::SplToken) => "spl-token",
            Some(AssetKind::Token2022) => "token-2022",
            None => "unknown",
        },
        "unit": unit(&campaign),
        "mint": (c.asset != AssetKind::NativeSol as u8).then(|| c.mint.to_string()),
        "decimals": c.decimals,
        "status": c.status().map_or("unknown".into(), |s| format!("{s:?}").to_lowercase()),
        "closed": closed_reason(backend, &campaign),
        "funded": ui(c.funded),
        "paid_to_creators": ui(c.paid_gross()),
        "available": ui(c.available()),
        "vault_balance": ui(vault),
        "vault_base_units": vault,
        "end_time": c.end_time,
    }))
}

/// `GET /api/actions/fund/<campaign>`: a few preset amounts and a free amount field.
pub fn metadata(backend: &mut dyn Backend, address: &Pubkey, base: &str) -> Result<Value, Refusal> {
    let campaign = backend.campaign(address)?;
    let href = format!("{base}/api/actions/fund/{address}");
    let unit = unit(&campaign);
    let smallest = format_ui_amount(1, campaign.state.decimals);
    let mut links: Vec<Value> = ["1", "10", "100"]
        .iter()
        .map(|a| json!({ "type": "transaction", "label": format!("Fund {a}"), "href": format!("{href}?amount={a}") }))
        .collect();
    links.push(json!({
        "type": "transaction",
        "label": "Fund",
        "href": format!("{href}?amount={{amount}}"),
        "parameters": [{
            "type": "number",
            "name": "amount",
            "label": format!("Amount in {unit}"),
            "required": true,
            "min": smallest.parse::<f64>().unwrap_or(0.0),
        }],
    }));
    let reason = closed_reason(backend, &campaign);
    Ok(spec::action(
        &format!("{base}/icon.svg"),
        "Fund this ClipStake campaign",
        &format!(
            "Adds to the escrow that pays creators for verified views of their videos ({} in the vault now). The program holds it: the brand cannot take back what creators earn.",
            amount_text(&campaign, vault_balance(backend, &campaign)?)
        ),
        "Fund campaign",
        json!(links),
        reason.as_deref(),
    ))
}

/// `POST /api/actions/fund/<campaign>?amount=<UI amount>` for `funder`: the unsigned
/// transaction (simulated) and a message.
pub fn post(
    backend: &mut dyn Backend,
    address: &Pubkey,
    funder: &Pubkey,
    amount: Option<&str>,
) -> Result<Value, Refusal> {
    let campaign = backend.campaign(address)?;
    let amount = parse_amount(&campaign, amount)?;
    if let Some(reason) = closed_reason(backend, &campaign) {
        return Err(Refusal::refused(format!("funding is closed: {reason}")));
    }
    check_balance(backend, &campaign, funder, amount)?;
    let instruction = ix::fund_campaign(funder, &campaign, amount);
    let transaction = transaction::for_wallet(backend, &[instruction], funder, &[])?;
    let message = format!(
        "Fund campaign {address} with {}",
        amount_text(&campaign, amount)
    );
    Ok(spec::transaction(
        &transaction::to_base64(&transaction),
        &message,
    ))
}

/// The `amount` parameter in base units: present, a number in the mint's decimals, above zero.
fn parse_amount(campaign: &CampaignAccount, amount: Option<&str>) -> Result<u64, Refusal> {
    let text = amount.ok_or_else(|| {
        Refusal::bad_request("name the amount: ?amount=<amount in UI units, e.g. 12.5>")
    })?;
    let base = parse_ui_amount(text, campaign.state.decimals)
        .map_err(|e| Refusal::bad_request(e.to_string()))?;
    if base == 0 {
        return Err(Refusal::bad_request("the amount must be above zero"));
    }
    Ok(base)
}

/// Refuses an amount above what the funder holds of the campaign's asset.
fn check_balance(
    backend: &mut dyn Backend,
    campaign: &CampaignAccount,
    funder: &Pubkey,
    amount: u64,
) -> Result<(), Refusal> {
    let balance = match campaign.token_account_of(funder) {
        Some(token_account) => {
            if backend.get_account(&token_account)?.is_none() {
                return Err(Refusal::refused(format!(
                    "{funder} holds no {} (it has no associated token account for that mint)",
                    unit(campaign)
                )));
            }
            backend.token_balance(&token_account)?
        }
        None => backend.lamports(funder)?,
    };
    if balance < amount {
        return Err(Refusal::refused(format!(
            "insufficient funds: {funder} holds {}, less than the {} to fund",
            amount_text(campaign, balance),
            amount_text(campaign, amount)
        )));
    }
    Ok(())
}
