//! The admin's registries: `clipstake platform oracle add|revoke|list` (payout oracles
//! campaigns may name) and `platform trust-mint|distrust-mint|trusted-mints` (issuers the mint
//! policy trusts).
use std::fmt;

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator, Space};
use clap::{Args, Subcommand};
use clipstake::errors::ClipstakeError;
use clipstake::state::{OracleRegistration, TrustedMint};
use clipstake_client::Error;
use clipstake_client::backend::{AccountFilter, Backend, BackendExt};
use clipstake_sdk::instructions as ix;
use clipstake_sdk::{accounts, pda};
use serde::Serialize;

use super::{Transaction, dry_run_report, parse_pubkey, refusal, simulated};
use crate::CliError;
use crate::config::Ctx;
use crate::output::{Block, Report, utc, write_blocks};

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
    Report::of(&OracleAdded {
        registration: RegistrationView::new(&registration),
        transaction: (&sent).into(),
    })
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
    Report::of(&OracleRevoked {
        registration: RegistrationView::new(&registration),
        transaction: (&sent).into(),
        campaigns_naming_it: naming,
    })
}

fn list_oracles(ctx: &mut Ctx) -> Result<Report, CliError> {
    let mut found: Vec<OracleRegistration> = all_of(ctx.backend.as_mut())?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    found.sort_by_key(|r| (r.added_at, r.oracle));
    Report::of(&OracleList {
        count: found.len(),
        active: found.iter().filter(|r| r.active).count(),
        oracles: found.iter().map(RegistrationView::new).collect(),
        cluster: ctx.backend.describe(),
    })
}

/// The platform's trust record of `mint`, if its issuer is trusted.
fn trusted_record(backend: &mut dyn Backend, mint: &Pubkey) -> Result<Option<TrustedMint>, Error> {
    program_account(backend, &pda::trusted_mint(mint))
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
    Report::of(&MintTrusted {
        record: TrustView::new(&record),
        trusted: true,
        token_program: info.token_program.to_string(),
        transaction: (&sent).into(),
    })
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
    Report::of(&MintDistrusted {
        mint: mint.to_string(),
        trusted: false,
        rent_returned_to: record.rent_payer.to_string(),
        transaction: (&sent).into(),
    })
}

pub fn trusted_mints(ctx: &mut Ctx) -> Result<Report, CliError> {
    let mut found: Vec<TrustedMint> = all_of(ctx.backend.as_mut())?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    found.sort_by_key(|t| (t.trusted_at, t.mint));
    Report::of(&TrustedMintList {
        count: found.len(),
        mints: found.iter().map(TrustView::new).collect(),
        cluster: ctx.backend.describe(),
    })
}

/// An oracle's registration with the platform, as JSON and as fields for people.
#[derive(Serialize)]
struct RegistrationView {
    /// The registration account.
    address: String,
    /// The oracle's signing key.
    oracle: String,
    /// False once revoked.
    active: bool,
    /// When it was registered (unix time).
    added_at: i64,
    /// When it was revoked (unix time), if it was.
    revoked_at: Option<i64>,
}

impl RegistrationView {
    fn new(r: &OracleRegistration) -> Self {
        RegistrationView {
            address: pda::oracle_registration(&r.oracle).to_string(),
            oracle: r.oracle.to_string(),
            active: r.active,
            added_at: r.added_at,
            revoked_at: (!r.active).then_some(r.revoked_at),
        }
    }

    /// `active` or `revoked`.
    fn status(&self) -> &'static str {
        if self.active { "active" } else { "revoked" }
    }

    /// The heading and fields of `oracle add` and `oracle revoke`.
    fn blocks(&self) -> Vec<Block> {
        let mut fields = vec![
            ("oracle", self.oracle.clone()),
            ("registration", self.address.clone()),
            ("status", self.status().to_string()),
            ("added", utc(self.added_at)),
        ];
        fields.extend(self.revoked_at.map(|at| ("revoked", utc(at))));
        vec![
            Block::Title(format!("Oracle {}", self.oracle)),
            Block::fields(fields),
        ]
    }
}

/// What `platform oracle add` prints: the new registration.
#[derive(Serialize)]
struct OracleAdded {
    /// The registration, read back.
    #[serde(flatten)]
    registration: RegistrationView,
    /// The transaction that registered it.
    transaction: Transaction,
}

impl fmt::Display for OracleAdded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let oracle = &self.registration.oracle;
        let mut blocks = self.registration.blocks();
        blocks.push(Block::Line(format!(
            "registered {oracle}: campaigns may name it (`clipstake campaign create --oracle {oracle}`)"
        )));
        blocks.push(Block::Line(self.transaction.to_string()));
        write_blocks(f, &blocks)
    }
}

/// What `platform oracle revoke` prints: the revoked registration, and the open campaigns
/// that still name it.
#[derive(Serialize)]
struct OracleRevoked {
    /// The registration, read back.
    #[serde(flatten)]
    registration: RegistrationView,
    /// The transaction that revoked it.
    transaction: Transaction,
    /// The campaigns not settled yet that name it.
    campaigns_naming_it: Vec<String>,
}

impl fmt::Display for OracleRevoked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blocks = self.registration.blocks();
        blocks.push(Block::Line(format!(
            "revoked {} for good: its registrations, pushes and attestations are refused from now on",
            self.registration.oracle
        )));
        if !self.campaigns_naming_it.is_empty() {
            blocks.push(Block::Line(format!(
                "{} open campaign(s) name it and pay nothing until the admin re-points them: \
                 `clipstake campaign set-oracle <CAMPAIGN> --oracle <PUBKEY>`",
                self.campaigns_naming_it.len()
            )));
        }
        blocks.push(Block::Line(self.transaction.to_string()));
        write_blocks(f, &blocks)
    }
}

/// What `platform oracle list` prints: every registration, revoked ones included.
#[derive(Serialize)]
struct OracleList {
    /// The registrations, oldest first.
    oracles: Vec<RegistrationView>,
    /// How many there are.
    count: usize,
    /// How many are active.
    active: usize,
    /// The cluster they were read from (in the heading only).
    #[serde(skip)]
    cluster: String,
}

impl fmt::Display for OracleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .oracles
            .iter()
            .map(|r| {
                vec![
                    r.oracle.clone(),
                    r.status().to_string(),
                    utc(r.added_at),
                    r.revoked_at.map_or_else(|| "-".into(), utc),
                ]
            })
            .collect();
        let title = format!("{} oracle(s) registered on {}", self.count, self.cluster);
        let body = if self.oracles.is_empty() {
            Block::Line(
                "none: the admin registers one with `clipstake platform oracle add <PUBKEY>`"
                    .into(),
            )
        } else {
            Block::table(&["oracle", "status", "added", "revoked"], rows)
        };
        write_blocks(f, &[Block::Title(title), body])
    }
}

/// The platform's trust in a mint's issuer, as JSON.
#[derive(Serialize)]
struct TrustView {
    /// The trusted mint.
    mint: String,
    /// The trust record's account.
    address: String,
    /// Since when (unix time).
    trusted_at: i64,
    /// Who paid the record's rent.
    rent_payer: String,
}

impl TrustView {
    fn new(t: &TrustedMint) -> Self {
        TrustView {
            mint: t.mint.to_string(),
            address: pda::trusted_mint(&t.mint).to_string(),
            trusted_at: t.trusted_at,
            rent_payer: t.rent_payer.to_string(),
        }
    }
}

/// What `platform trust-mint` prints: the new trust record.
#[derive(Serialize)]
struct MintTrusted {
    /// The record, read back.
    #[serde(flatten)]
    record: TrustView,
    /// Always true.
    trusted: bool,
    /// The mint's token program.
    token_program: String,
    /// The transaction that trusted it.
    transaction: Transaction,
}

impl fmt::Display for MintTrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "trusted the issuer of mint {}: campaigns created from now on in it skip the mint \
             policy (freeze authority, extensions) for their whole life",
            self.record.mint
        )?;
        writeln!(f, "{}", self.transaction)
    }
}

/// What `platform distrust-mint` prints: the mint no longer trusted, and where the record's
/// rent went.
#[derive(Serialize)]
struct MintDistrusted {
    /// The mint.
    mint: String,
    /// Always false.
    trusted: bool,
    /// Who received the record's rent.
    rent_returned_to: String,
    /// The transaction that closed the record.
    transaction: Transaction,
}

impl fmt::Display for MintDistrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "mint {} is no longer trusted: campaigns created from now on in it must pass the \
             mint policy; campaigns created while it was trusted keep that status",
            self.mint
        )?;
        writeln!(
            f,
            "the record's rent went back to {}",
            self.rent_returned_to
        )?;
        writeln!(f, "{}", self.transaction)
    }
}

/// What `platform trusted-mints` prints: every mint whose issuer the platform trusts.
#[derive(Serialize)]
struct TrustedMintList {
    /// The records, oldest first.
    mints: Vec<TrustView>,
    /// How many there are.
    count: usize,
    /// The cluster they were read from (in the heading only).
    #[serde(skip)]
    cluster: String,
}

impl fmt::Display for TrustedMintList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self
            .mints
            .iter()
            .map(|t| vec![t.mint.clone(), utc(t.trusted_at), t.rent_payer.clone()])
            .collect();
        let title = format!("{} trusted mint(s) on {}", self.count, self.cluster);
        let body = if self.mints.is_empty() {
            Block::Line("none: every campaign's mint must pass the mint policy".into())
        } else {
            Block::table(&["mint", "trusted since", "rent payer"], rows)
        };
        write_blocks(f, &[Block::Title(title), body])
    }
}
