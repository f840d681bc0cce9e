//! Report files on disk: one file, stdin, or an inbox directory scanned once or watched.
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Error;
use anchor_lang::prelude::Pubkey;
use clipstake_client::backend::Backend;

use crate::ledger::Ledger;
use crate::reports::{Format, Parsed, VerifyConfig, parse};
use crate::{IngestSummary, ingest};

/// Where ingested files go, inside the inbox, so a rescan never ingests them twice.
const INGESTED: &str = "ingested";

/// Reads and parses a report file: `-` is stdin (JSON Lines), a `.csv` file is CSV, any other
/// file JSON Lines.
pub fn read_reports(path: &Path) -> Result<Parsed, Error> {
    let (text, format) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(Error::io("read", path))?;
        (text, Format::JsonLines)
    } else {
        let text = std::fs::read_to_string(path).map_err(Error::io("read", path))?;
        (text, Format::from_path(path))
    };
    Ok(parse(&text, format))
}

/// Ingests every report file of `dir` (`.jsonl`, `.json`, `.csv`, sorted by name) and moves each
/// to `dir/ingested/`; `on_file` hears what each file gave.
pub fn ingest_directory(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    dir: &Path,
    campaign: &Pubkey,
    config: &VerifyConfig,
    on_file: &mut dyn FnMut(&Path, &IngestSummary),
) -> Result<IngestSummary, Error> {
    let done = dir.join(INGESTED);
    std::fs::create_dir_all(&done).map_err(Error::io("create", &done))?;
    let mut total = IngestSummary::default();
    for file in report_files(dir)? {
        let summary = ingest(ledger, backend, campaign, &read_reports(&file)?, config)?;
        total.add(&summary);
        if let Some(name) = file.file_name() {
            std::fs::rename(&file, done.join(name)).map_err(Error::io("move", &file))?;
        }
        on_file(&file, &summary);
    }
    Ok(total)
}

/// [`ingest_directory`] every `interval`, until an error stops it (the `--watch` service).
pub fn watch_directory(
    ledger: &mut Ledger,
    backend: &mut dyn Backend,
    dir: &Path,
    campaign: &Pubkey,
    config: &VerifyConfig,
    interval: Duration,
    on_file: &mut dyn FnMut(&Path, &IngestSummary),
) -> Result<Infallible, Error> {
    loop {
        ingest_directory(ledger, backend, dir, campaign, config, on_file)?;
        std::thread::sleep(interval);
    }
}

/// The report files of `dir`, sorted by name (so reports are ingested in the order written).
fn report_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(Error::io("read", dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ["jsonl", "json", "csv"].contains(&e))
        })
        .collect();
    files.sort();
    Ok(files)
}
