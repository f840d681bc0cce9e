//! Output: human tables by default, one JSON document with `--output json`. Every command
//! returns an output struct that derives `Serialize` (the JSON) and implements `Display` (the
//! human rendering, laid out with [`write_blocks`]), through [`Report::of`].
use std::fmt;

use clipstake_sdk::amount::format_ui_amount;
use serde::Serialize;
use serde_json::Value;

use super::config::OutputFormat;
use crate::{CliError, ExitCode};

/// One part of a human-readable report.
#[derive(Debug, Clone)]
pub enum Block {
    /// A heading.
    Title(String),
    /// Aligned `name: value` lines.
    Fields(Vec<(String, String)>),
    /// A table with a header row.
    Table {
        /// Column names.
        headers: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A plain line.
    Line(String),
    /// Text an output struct's `Display` rendered.
    Text(String),
}

impl Block {
    /// Aligned fields from `name: value` pairs.
    pub fn fields(fields: Vec<(&str, String)>) -> Block {
        Block::Fields(
            fields
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        )
    }

    /// A table of `rows` under `headers`.
    pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Block {
        Block::Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}

/// Writes `blocks` as [`render`] lays them out: the body of an output struct's `Display`, so
/// every command's titles, fields and tables align the same way.
pub fn write_blocks(f: &mut fmt::Formatter<'_>, blocks: &[Block]) -> fmt::Result {
    f.write_str(&render(blocks))
}

/// What a command prints: the same facts for people and for scripts.
#[derive(Debug, Clone)]
pub struct Report {
    /// The JSON document (`--output json`).
    pub json: Value,
    /// The human rendering.
    pub human: Vec<Block>,
}

impl Report {
    /// The report of an output struct: its `Serialize` form for `--output json`, its
    /// `Display` for people (spl-token-cli's `output.rs` pattern), so both formats come from
    /// one value and cannot disagree.
    pub fn of<T: Serialize + fmt::Display>(output: &T) -> Result<Report, CliError> {
        let json = serde_json::to_value(output).map_err(|e| {
            CliError::new(ExitCode::Generic, format!("cannot encode the output: {e}"))
        })?;
        Ok(Report {
            json,
            human: vec![Block::Text(output.to_string())],
        })
    }

    /// Prints the report in `format` to stdout.
    pub fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Json => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&self.json).unwrap_or_else(|_| "null".into())
                )
            }
            OutputFormat::Display => print!("{}", render(&self.human)),
        }
    }
}

/// Renders human blocks as text.
pub fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Title(title) => {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(title);
                out.push('\n');
            }
            Block::Fields(fields) => {
                let width = fields
                    .iter()
                    .map(|(k, _)| k.chars().count())
                    .max()
                    .unwrap_or(0);
                for (k, v) in fields {
                    out.push_str(&format!("  {k:<width$}  {v}\n"));
                }
            }
            Block::Table { headers, rows } => out.push_str(&table(headers, rows)),
            Block::Text(text) => out.push_str(text),
            Block::Line(line) => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A plain aligned table; numbers (cells starting with a digit) are right-aligned.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let numeric = |col: usize| {
        rows.iter().all(|r| {
            r.get(col)
                .map(|c| c.is_empty() || c == "-" || c.starts_with(|ch: char| ch.is_ascii_digit()))
                .unwrap_or(true)
        }) && !rows.is_empty()
    };
    let line = |cells: &[String], is_header: bool| {
        let mut s = String::from(" ");
        for (i, width) in widths.iter().enumerate() {
            let cell = cells.get(i).map(String::as_str).unwrap_or("");
            let pad = width - cell.chars().count();
            if numeric(i) && !is_header {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
            s.push_str("  ");
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(headers, true);
    out.push(' ');
    out.push_str(
        &widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for row in rows {
        out.push_str(&line(row, false));
    }
    out
}

/// An amount both ways, as JSON writes it: `{"ui": "12.5", "base_units": 12500000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// In UI units of its mint, as a decimal string.
    pub ui: String,
    /// In base units.
    pub base_units: u64,
}

impl Amount {
    /// `base_units` of a mint with `decimals`.
    pub fn new(base_units: u64, decimals: u8) -> Amount {
        Amount {
            ui: format_ui_amount(base_units, decimals),
            base_units,
        }
    }

    /// For people: `12.5 USDC (12500000 base units)` (no symbol when `symbol` is empty).
    pub fn text(&self, symbol: &str) -> String {
        let symbol = if symbol.is_empty() {
            String::new()
        } else {
            format!(" {symbol}")
        };
        format!("{}{symbol} ({} base units)", self.ui, self.base_units)
    }
}

/// An amount both ways for people: `12.5 USDC (12500000 base units)`.
pub fn amount_text(base_units: u64, decimals: u8, symbol: &str) -> String {
    Amount::new(base_units, decimals).text(symbol)
}

/// A unix time as `2027-01-15 08:00:00 UTC`.
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A duration in seconds as `3d 4h 5m 6s` (largest units only).
pub fn duration(secs: i64) -> String {
    if secs <= 0 {
        return "0s".into();
    }
    let parts = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut left = secs;
    let mut out = Vec::new();
    for (unit, name) in parts {
        if left >= unit {
            out.push(format!("{}{name}", left / unit));
            left %= unit;
        }
    }
    out.join(" ")
}

/// A shortened address for tables: `Abcd…wxyz`.
pub fn short(address: &impl ToString) -> String {
    let s = address.to_string();
    if s.len() <= 12 {
        s
    } else {
        format!("{}…{}", &s[..4], &s[s.len() - 4..])
    }
}

/// `--multisig`: the instructions a command would have sent, for a vault transaction proposal
/// (Squads v4 `vault_transaction_create` takes exactly these: program, accounts with their
/// signer/writable flags, data). Nothing was signed or sent.
#[derive(Debug, Serialize)]
pub struct Proposal {
    /// The multisig vault that would sign.
    pub multisig: String,
    /// Always false: nothing was signed or sent.
    pub sent: bool,
    /// The instructions, in order.
    pub instructions: Vec<ProposedInstruction>,
}

/// One instruction of a [`Proposal`].
#[derive(Debug, Serialize)]
pub struct ProposedInstruction {
    /// The program it calls.
    pub program_id: String,
    /// Its accounts, in order.
    pub accounts: Vec<ProposedAccount>,
    /// Its data, in standard base64.
    pub data_base64: String,
}

/// One account of a [`ProposedInstruction`].
#[derive(Debug, Serialize)]
pub struct ProposedAccount {
    /// The account's address.
    pub pubkey: String,
    /// Whether it signs.
    pub is_signer: bool,
    /// Whether it is written.
    pub is_writable: bool,
}

impl Proposal {
    /// The proposal of `instructions` for `vault`.
    pub fn new(
        vault: &anchor_lang::prelude::Pubkey,
        instructions: &[solana_instruction::Instruction],
    ) -> Proposal {
        use base64::Engine;
        let instructions = instructions
            .iter()
            .map(|ix| ProposedInstruction {
                program_id: ix.program_id.to_string(),
                accounts: ix
                    .accounts
                    .iter()
                    .map(|m| ProposedAccount {
                        pubkey: m.pubkey.to_string(),
                        is_signer: m.is_signer,
                        is_writable: m.is_writable,
                    })
                    .collect(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(&ix.data),
            })
            .collect();
        Proposal {
            multisig: vault.to_string(),
            sent: false,
            instructions,
        }
    }
}

impl fmt::Display for Proposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blocks = vec![Block::Title(format!(
            "Proposal for multisig vault {} (nothing was sent)",
            self.multisig
        ))];
        for (n, ix) in self.instructions.iter().enumerate() {
            let flag = |on: bool, name: &str| if on { name } else { "" }.to_string();
            let rows = ix
                .accounts
                .iter()
                .map(|m| {
                    vec![
                        m.pubkey.clone(),
                        flag(m.is_signer, "signer"),
                        flag(m.is_writable, "writable"),
                    ]
                })
                .collect();
            blocks.push(Block::Line(format!(
                "instruction {n}: program {}, data (base64) {}",
                ix.program_id, ix.data_base64
            )));
            blocks.push(Block::table(&["account", "signer", "writable"], rows));
        }
        if self.instructions.is_empty() {
            blocks.push(Block::Line("the command needed no transaction".into()));
        }
        write_blocks(f, &blocks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_and_durations() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(duration(3 * 86_400 + 5), "3d 5s");
        assert_eq!(duration(0), "0s");
    }

    #[test]
    fn tables_align() {
        let t = table(
            &["who".into(), "amount".into()],
            &[
                vec!["creator".into(), "1.5".into()],
                vec!["treasury".into(), "12.25".into()],
            ],
        );
        assert_eq!(
            t,
            " who       amount\n --------  ------\n creator      1.5\n treasury   12.25\n"
        );
        assert_eq!(
            amount_text(12_500_000, 6, "USDC"),
            "12.5 USDC (12500000 base units)"
        );
        assert_eq!(
            serde_json::to_value(Amount::new(1, 9)).unwrap(),
            serde_json::json!({"ui": "0.000000001", "base_units": 1})
        );
    }

    #[test]
    fn an_output_struct_gives_both_formats() {
        #[derive(serde::Serialize)]
        struct Paid {
            paid: u64,
        }
        impl std::fmt::Display for Paid {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                writeln!(f, "paid {}", self.paid)
            }
        }
        let report = Report::of(&Paid { paid: 3 }).unwrap();
        assert_eq!(report.json, serde_json::json!({ "paid": 3 }));
        assert_eq!(render(&report.human), "paid 3\n");
    }
}
