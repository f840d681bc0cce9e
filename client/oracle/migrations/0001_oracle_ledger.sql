-- The payout oracle's ledger (clipstake oracle ...). Applied in order on start; each file runs
-- once, recorded in schema_migrations.

-- Every view report ever ingested: accepted ones feed payouts, quarantined ones carry a reason
-- and are never paid.
CREATE TABLE IF NOT EXISTS observations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign     TEXT NOT NULL,
    submission   TEXT,
    platform     TEXT,
    video        TEXT,
    creator      TEXT,
    views        INTEGER,
    observed_at  INTEGER,
    source       TEXT,
    status       TEXT NOT NULL CHECK (status IN ('accepted', 'quarantined')),
    reason       TEXT,
    raw          TEXT,
    ingested_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_submission ON observations (submission, status, observed_at);

-- One row per payout intent, written before anything is sent.
-- pending -> sent (blockhash, last valid block height) -> confirmed (signature) | failed
CREATE TABLE IF NOT EXISTS intents (
    key            TEXT PRIMARY KEY,          -- sha256(campaign, submission, target_views)
    campaign       TEXT NOT NULL,
    submission     TEXT NOT NULL,
    target_views   INTEGER NOT NULL,
    prev_views     INTEGER NOT NULL,
    gross          INTEGER NOT NULL,
    fee            INTEGER NOT NULL,
    commission     INTEGER NOT NULL,
    creator_amount INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'confirmed', 'failed')),
    signature      TEXT,
    blockhash      TEXT,
    last_valid     INTEGER,
    units          INTEGER,
    error          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS intents_status ON intents (status);
CREATE INDEX IF NOT EXISTS intents_submission ON intents (submission, status);

-- Double-entry lines per intent: vault debit = fee + commission + creator credits.
CREATE TABLE IF NOT EXISTS ledger_lines (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    intent_key TEXT NOT NULL REFERENCES intents (key),
    account    TEXT NOT NULL,   -- 'vault:<addr>', 'fee:<treasury>', 'commission:<affiliate>', 'creator:<wallet>'
    debit      INTEGER NOT NULL DEFAULT 0,
    credit     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ledger_lines_intent ON ledger_lines (intent_key);
