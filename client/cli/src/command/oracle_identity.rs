//! The identity side of the oracle from the command line: videos read into their canonical id
//! (TikTok short links expanded), the webhook secrets of `oracle serve`, and `oracle policy`
//! (a campaign's quorum and tolerance).
use std::fmt;
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use clap::Args;
use clipstake_oracle::policy::Policy;
use clipstake_oracle::shortlink::ShortLinks;
use clipstake_oracle::urls::{self, VideoRef};
use clipstake_oracle::video::VideoId;
use clipstake_oracle::webhook::WebhookKeys;
use serde::Serialize;

use super::oracle::{LedgerDb, open_ledger};
use super::parse_pubkey;
use crate::CliError;
use crate::output::{Block, Report, write_blocks};

/// The environment variable holding `oracle serve`'s webhook secrets (`whsec_...`, separated
/// by spaces or commas; several while a key rotates).
pub const SECRETS_ENV: &str = "CLIPSTAKE_WEBHOOK_SECRETS";

/// The video a URL or canonical id names; a TikTok short link is expanded by asking TikTok
/// (the only network request, and only to TikTok hosts).
pub fn resolve_video(text: &str) -> Result<VideoId, CliError> {
    match urls::parse(text).map_err(CliError::usage)? {
        VideoRef::Video(video) => Ok(video),
        VideoRef::TikTokShortLink(_) => ShortLinks::new()
            .and_then(|links| links.resolve(text))
            .map_err(|e| {
                let code = if e.starts_with("cannot reach") {
                    crate::ExitCode::Network
                } else {
                    crate::ExitCode::Usage
                };
                CliError::new(code, e)
            }),
    }
}

/// Where `oracle serve` reads its webhook secrets.
#[derive(Debug, Args, Clone)]
pub struct SecretsArgs {
    /// A file holding the webhook secrets (`whsec_...`, one or more, separated by spaces,
    /// commas or lines). Without it they are read from $CLIPSTAKE_WEBHOOK_SECRETS. Secrets are
    /// never taken on the command line.
    #[arg(long, env = "CLIPSTAKE_WEBHOOK_SECRETS_FILE")]
    pub webhook_secrets_file: Option<PathBuf>,
}

/// The keys deliveries must be signed with: from the file, else the environment; none is a
/// usage error (an intake that pays on what it is sent must know who sent it).
pub fn webhook_keys(args: &SecretsArgs) -> Result<WebhookKeys, CliError> {
    let text = match &args.webhook_secrets_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?,
        None => std::env::var(SECRETS_ENV).map_err(|_| {
            CliError::usage(format!(
                "oracle serve needs the webhook secrets its senders sign with: set ${SECRETS_ENV} \
                 or --webhook-secrets-file (whsec_<base64 key>, several while rotating)"
            ))
        })?,
    };
    WebhookKeys::parse(&text).map_err(CliError::usage)
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The campaign.
    #[arg(value_parser = parse_pubkey)]
    pub campaign: Pubkey,
    /// Sources that must agree when a first-party API (ownership checked) is among them.
    #[arg(long)]
    pub first_party_quorum: Option<usize>,
    /// Sources that must agree when only scrapers answered.
    #[arg(long)]
    pub scraper_quorum: Option<usize>,
    /// Largest spread of agreeing counts, in basis points of the lowest.
    #[arg(long)]
    pub tolerance_bps: Option<u32>,
    #[command(flatten)]
    pub db: LedgerDb,
}

/// `oracle policy`: shows a campaign's verification policy, changing what the flags name.
pub fn policy(args: PolicyArgs) -> Result<Report, CliError> {
    let ledger = open_ledger(&args.db)?;
    let campaign = args.campaign.to_string();
    let current = ledger.campaign_policy(&campaign)?;
    let wanted = Policy {
        first_party_quorum: args
            .first_party_quorum
            .unwrap_or(current.first_party_quorum),
        scraper_quorum: args.scraper_quorum.unwrap_or(current.scraper_quorum),
        tolerance_bps: args.tolerance_bps.unwrap_or(current.tolerance_bps),
    };
    if wanted != current {
        wanted.check().map_err(CliError::usage)?;
        ledger.set_campaign_policy(&campaign, &wanted)?;
    }
    Report::of(&PolicyShown {
        campaign,
        policy: wanted,
        changed: wanted != current,
    })
}

/// What `oracle policy` prints: the campaign's policy, after any change the flags asked for.
#[derive(Serialize)]
struct PolicyShown {
    /// The campaign.
    campaign: String,
    /// How many sources must agree, and how closely.
    #[serde(flatten)]
    policy: Policy,
    /// Whether the flags changed it.
    changed: bool,
}

impl fmt::Display for PolicyShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.policy;
        let blocks = [
            Block::Title(format!("Verification policy of campaign {}", self.campaign)),
            Block::fields(vec![
                (
                    "quorum with a first-party API",
                    p.first_party_quorum.to_string(),
                ),
                ("quorum of scrapers alone", p.scraper_quorum.to_string()),
                ("tolerance", format!("{} bps", p.tolerance_bps)),
            ]),
        ];
        write_blocks(f, &blocks)
    }
}
