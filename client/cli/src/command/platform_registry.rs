//! The admin's registries: `clipstake platform oracle add|revoke|list` (payout oracles
//! campaigns may name) and `platform trust-mint|distrust-mint|trusted-mints` (issuers the mint
//! policy trusts).
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator, Space};
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::state::{OracleRegistration, TrustedMint};
use clipstake_client::Error;
use clipstake_client::backend::{AccountFilter, Backend, BackendExt};
use clipstake_client::sender::Sent;
use clipstake_sdk::instructions as ix;
use clipstake_sdk::{accounts, pda};
use serde_json::{Value, json};

use super::{dry_run_report, parse_pubkey, refusal, sent_json, sent_line, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Report, utc};

#[derive(Debug, Subcommand)]
pub enum OracleCommand {
    /// Registers a payout oracle key that campaigns may name (sign with the admin).
    Add(OracleArg),
    /// Revokes an oracle for good: its registrations, pushes and attestations are refused
    /// from now on, and the key can never be registered again (sign with the admin).
    Revoke(OracleArg),
    /// Lists the registered oracles, revoked ones included.
    List,
}

#[derive(Debug, Args)]
pub struct OracleArg {
    /// The oracle's signing key.
    #[arg(value_parser = parse_pubkey)]
    pub oracle: Pubkey,
}

#[derive(Debug, Args)]
pub struct MintArg {
    /// The mint.
    #[arg(value_parser = parse_pubkey)]
    pub mint: Pubkey,
}

pub fn run_oracle(ctx: &mut Ctx, command: OracleCommand) -> Result<Report, CliError> {
    match command {
        OracleCommand::Add(a) => add_oracle(ctx, a.oracle),
        OracleCommand::Revoke(a) => revoke_oracle(ctx, a.oracle),
        OracleCommand::List => list_oracles(ctx),
    }
}

/// A program account of type `T` at `address`, if there is one.
fn program_account<T: AccountDeserialize>(
    backend: &mut dyn Backend,
    address: &Pubkey,
) -> Result<Option<T>, Error> {
    match backend.get_account(address)? {
        Some(account) if account.owner == clipstake::ID => {
            accounts::decode(&account.data).map(Some)
        }
        _ => Ok(None),
    }
}

/// Every program account of type `T` (filtered by discriminator and size on the node).
fn all_of<T: AccountDeserialize + Discriminator + Space>(
    backend: &mut dyn Backend,
) -> Result<Vec<(Pubkey, T)>, Error> {
    let filters = [
        accounts::discriminator_filter::<T>(),
        AccountFilter::DataSize((8 + T::INIT_SPACE) as u64),
    ];
    backend
        .get_program_accounts(&clipstake::ID, &filters)?
        .into_iter()
        .map(|(address, account)| Ok((address, accounts::decode(&account.data)?)))
        .collect()
}

/// The platform's registration of `oracle`, if the admin ever registered it.
pub fn oracle_registration(
    backend: &mut dyn Backend,
    oracle: &Pubkey,
) -> Result<Option<OracleRegistration>, Error> {
    program_account(backend, &pda::oracle_registration(oracle))
}

/// Refuses, before anything is sent, an oracle the program would refuse (not registered, or
/// revoked), saying how to fix it. `which` says where the key came from, e.g. " (the signer)".
pub fn check_oracle(
    backend: &mut dyn Backend,
    oracle: &Pubkey,
    which: &str,
) -> Result<(), CliError> {
    match oracle_registration(backend, oracle)? {
        Some(r) if r.active => Ok(()),
        Some(r) => Err(refusal(
            ClipstakeError::OracleRevoked,
            format!(
                "oracle {oracle}{which} was revoked on {}; pick a registered one (`clipstake platform oracle list`)",
                utc(r.revoked_at)
            ),
        )),
        None => Err(refusal(
            ClipstakeError::OracleNotRegistered,
            format!(
                "oracle {oracle}{which} is not registered: the platform admin registers it with \
                 `clipstake platform oracle add {oracle}`, or pass --oracle with a registered one"
            ),
        )),
    }
}

fn registration_json(r: &OracleRegistration) -> Value {
    json!({
        "address": pda::oracle_registration(&r.oracle).to_string(),
        "oracle": r.oracle.to_string(),
        "active": r.active,
        "added_at": r.added_at,
        "revoked_at": (!r.active).then_some(r.revoked_at),
    })
}

fn registration_report(r: &OracleRegistration, sent: &Sent) -> Report {
    let mut json = registration_json(r);
    json["transaction"] = sent_json(sent);
    let mut fields = vec![
        ("oracle", r.oracle.to_string()),
        (
            "registration",
            pda::oracle_registration(&r.oracle).to_string(),
        ),
        ("status", status_text(r.active).to_string()),
        ("added", utc(r.added_at)),
    ];
    if !r.active {
        fields.push(("revoked", utc(r.revoked_at)));
    }
    Report::new(json)
        .title(format!("Oracle {}", r.oracle))
        .fields(fields)
}

fn status_text(active: bool) -> &'static str {
    if active { "active" } else { "revoked" }
}

fn add_oracle(ctx: &mut Ctx, oracle: Pubkey) -> Result<Report, CliError> {
    ctx.backend.platform()?;
    match oracle_registration(ctx.backend.as_mut(), &oracle)? {
        Some(r) if r.active => {
            return Err(CliError::usage(format!(
                "oracle {oracle} is already registered (since {})",
                utc(r.added_at)
            )));
        }
        Some(r) => {
            return Err(CliError::usage(format!(
                "oracle {oracle} was revoked on {}; a revoked key can never be registered again \
                 (its outstanding attestations would pay again): register a new key",
                utc(r.revoked_at)
            )));
        }
        None => {}
    }
    let (admin, payer) = (ctx.signer_pubkey()?, ctx.fee_payer_pubkey()?);
    let sent = ctx.send(
        &[ix::add_oracle(&admin, &payer, &oracle)],
        &[],
        &mut |b: &mut dyn Backend| Ok(oracle_registration(b, &oracle)?.is_some()),
    )?;
    if simulated(&sent) {
        return dry_run_report("platform oracle add", &sent);
    }
    let registration = registered(ctx.backend.as_mut(), &oracle)?;
    Ok(registration_report(&registration, &sent)
        .line(format!(
            "registered {oracle}: campaigns may name it (`clipstake campaign create --oracle {oracle}`)"
        ))
        .line(sent_line(&sent)))
}

/// The registration of `oracle`, or `NotFound`.
fn registered(backend: &mut dyn Backend, oracle: &Pubkey) -> Result<OracleRegistration, CliError> {
    oracle_registration(backend, oracle)?.ok_or_else(|| {
        Error::NotFound(format!(
            "oracle {oracle} is not registered with the platform on {}",
            backend.describe()
        ))
        .into()
    })
}

fn revoke_oracle(ctx: &mut Ctx, oracle: Pubkey) -> Result<Report, CliError> {
    let registration = registered(ctx.backend.as_mut(), &oracle)?;
    if !registration.active {
        return Err(CliError::usage(format!(
            "oracle {oracle} is already revoked (since {})",
            utc(registration.revoked_at)
        )));
    }
    let admin = ctx.signer_pubkey()?;
    let sent = ctx.send(
        &[ix::revoke_oracle(&admin, &oracle)],
        &[],
        &mut |b: &mut dyn Backend| Ok(oracle_registration(b, &oracle)?.is_some_and(|r| !r.active)),
    )?;
    if simulated(&sent) {
        return dry_run_report("platform oracle revoke", &sent);
    }
    let registration = registered(ctx.backend.as_mut(), &oracle)?;
    let naming: Vec<String> = ctx
        .backend
        .campaigns(&[accounts::campaigns_of_oracle(&oracle)])?
        .iter()
        .filter(|c| !c.state.is_settled())
        .map(|c| c.address.to_string())
        .collect();
    let mut report = registration_report(&registration, &sent);
    report.json["campaigns_naming_it"] = json!(naming);
    report = report.line(format!(
        "revoked {oracle} for good: its registrations, pushes and attestations are refused from now on"
    ));
    if !naming.is_empty() {
        report = report.line(format!(
            "{} open campaign(s) name it and pay nothing until the admin re-points them: \
             `clipstake campaign set-oracle <CAMPAIGN> --oracle <PUBKEY>`",
            naming.len()
        ));
    }
    Ok(report.line(sent_line(&sent)))
}

fn list_oracles(ctx: &mut Ctx) -> Result<Report, CliError> {
    let mut found: Vec<OracleRegistration> = all_of(ctx.backend.as_mut())?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    found.sort_by_key(|r| (r.added_at, r.oracle));
    let rows = found
        .iter()
        .map(|r| {
            vec![
                r.oracle.to_string(),
                status_text(r.active).to_string(),
                utc(r.added_at),
                if r.active {
                    "-".into()
                } else {
                    utc(r.revoked_at)
                },
            ]
        })
        .collect::<Vec<_>>();
    let json = json!({
        "oracles": found.iter().map(registration_json).collect::<Vec<_>>(),
        "count": found.len(),
        "active": found.iter().filter(|r| r.active).count(),
    });
    let mut report = Report::new(json).title(format!(
        "{} oracle(s) registered on {}",
        found.len(),
        ctx.backend.describe()
    ));
    report = if rows.is_empty() {
        report.line("none: the admin registers one with `clipstake platform oracle add <PUBKEY>`")
    } else {
        report.table(&["oracle", "status", "added", "revoked"], rows)
    };
    Ok(report)
}

/// The platform's trust record of `mint`, if its issuer is trusted.
fn trusted_record(backend: &mut dyn Backend, mint: &Pubkey) -> Result<Option<TrustedMint>, Error> {
    program_account(backend, &pda::trusted_mint(mint))
}

fn trusted_json(t: &TrustedMint) -> Value {
    json!({
        "mint": t.mint.to_string(),
        "address": pda::trusted_mint(&t.mint).to_string(),
        "trusted_at": t.trusted_at,
        "rent_payer": t.rent_payer.to_string(),
    })
}

pub fn trust_mint(ctx: &mut Ctx, mint: Pubkey) -> Result<Report, CliError> {
    ctx.backend.platform()?;
    let info = ctx.backend.mint(&mint)?;
    if let Some(t) = trusted_record(ctx.backend.as_mut(), &mint)? {
        return Err(CliError::usage(format!(
            "mint {mint} is already trusted (since {})",
            utc(t.trusted_at)
        )));
    }
    let (admin, payer) = (ctx.signer_pubkey()?, ctx.fee_payer_pubkey()?);
    let sent = ctx.send(
        &[ix::trust_mint(&admin, &payer, &mint)],
        &[],
        &mut |b: &mut dyn Backend| Ok(trusted_record(b, &mint)?.is_some()),
    )?;
    if simulated(&sent) {
        return dry_run_report("platform trust-mint", &sent);
    }
    let record = trusted_record(ctx.backend.as_mut(), &mint)?
        .ok_or_else(|| Error::NotFound(format!("the trust record of {mint} vanished")))?;
    let mut json = trusted_json(&record);
    json["trusted"] = json!(true);
    json["token_program"] = json!(info.token_program.to_string());
    json["transaction"] = sent_json(&sent);
    Ok(Report::new(json)
        .line(format!(
            "trusted the issuer of mint {mint}: campaigns created from now on in it skip the mint \
             policy (freeze authority, extensions) for their whole life"
        ))
        .line(sent_line(&sent)))
}

pub fn distrust_mint(ctx: &mut Ctx, mint: Pubkey) -> Result<Report, CliError> {
    let record = trusted_record(ctx.backend.as_mut(), &mint)?.ok_or_else(|| {
        Error::NotFound(format!(
            "mint {mint} is not trusted by the platform on {}",
            ctx.backend.describe()
        ))
    })?;
    let admin = ctx.signer_pubkey()?;
    let sent = ctx.send(
        &[ix::distrust_mint(&admin, &mint, &record.rent_payer)],
        &[],
        &mut |b: &mut dyn Backend| Ok(trusted_record(b, &mint)?.is_none()),
    )?;
    if simulated(&sent) {
        return dry_run_report("platform distrust-mint", &sent);
    }
    let json = json!({
        "mint": mint.to_string(),
        "trusted": false,
        "rent_returned_to": record.rent_payer.to_string(),
        "transaction": sent_json(&sent),
    });
    Ok(Report::new(json)
        .line(format!(
            "mint {mint} is no longer trusted: campaigns created from now on in it must pass the \
             mint policy; campaigns created while it was trusted keep that status"
        ))
        .line(format!(
            "the record's rent went back to {}",
            record.rent_payer
        ))
        .line(sent_line(&sent)))
}

pub fn trusted_mints(ctx: &mut Ctx) -> Result<Report, CliError> {
    let mut found: Vec<TrustedMint> = all_of(ctx.backend.as_mut())?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    found.sort_by_key(|t| (t.trusted_at, t.mint));
    let rows = found
        .iter()
        .map(|t| {
            vec![
                t.mint.to_string(),
                utc(t.trusted_at),
                t.rent_payer.to_string(),
            ]
        })
        .collect::<Vec<_>>();
    let json = json!({
        "mints": found.iter().map(trusted_json).collect::<Vec<_>>(),
        "count": found.len(),
    });
    let report = Report::new(json).title(format!(
        "{} trusted mint(s) on {}",
        found.len(),
        ctx.backend.describe()
    ));
    Ok(if rows.is_empty() {
        report.line("none: every campaign's mint must pass the mint policy")
    } else {
        report.table(&["mint", "trusted since", "rent payer"], rows)
    })
}
