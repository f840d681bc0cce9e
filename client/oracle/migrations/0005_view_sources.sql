-- View sources (clipstake oracle track): what each source may still be asked, shared by every
-- oracle process on this ledger, and every attempt made, for cost and health reports.

-- The requests taken from each source's rate limit in its last window (a sliding log, unix
-- ms), and each source's quota day (start in unix s) with the units used in it. Both are
-- updated under BEGIN IMMEDIATE, so two processes never both take the last request.
CREATE TABLE IF NOT EXISTS source_requests (
    source TEXT NOT NULL,
    at_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS source_requests_at ON source_requests (source, at_ms);
CREATE TABLE IF NOT EXISTS source_days (
    source TEXT PRIMARY KEY,
    start  INTEGER NOT NULL,
    used   INTEGER NOT NULL
);

-- A source nobody may call before `until` (unix s): its quota is spent, or it asked us to
-- come back later than a round can wait.
CREATE TABLE IF NOT EXISTS source_blocks (
    source TEXT PRIMARY KEY,
    until  INTEGER NOT NULL,
    reason TEXT NOT NULL
);

-- One row per request made to a source.
CREATE TABLE IF NOT EXISTS source_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL,
    platform   TEXT NOT NULL,
    started_at INTEGER NOT NULL,            -- unix ms
    latency_ms INTEGER NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'transient', 'permanent', 'exhausted', 'triggered')),
    videos     INTEGER NOT NULL,            -- asked
    found      INTEGER NOT NULL,            -- answered with a count
    units      INTEGER NOT NULL,            -- quota units spent
    micro_usd  INTEGER NOT NULL,            -- provider price, millionths of a dollar
    detail     TEXT
);
CREATE INDEX IF NOT EXISTS source_attempts_source ON source_attempts (source, started_at);

-- Asynchronous scrapes (a provider job whose result is pulled later): the webhook push is
-- only a hint; past its deadline the videos fall through to the next source.
CREATE TABLE IF NOT EXISTS scrape_jobs (
    attempt_key TEXT PRIMARY KEY,            -- sha256(source, sorted video ids, round start)
    source      TEXT NOT NULL,
    job_id      TEXT NOT NULL UNIQUE,        -- the provider's snapshot id
    videos      TEXT NOT NULL,               -- JSON [[id, owner], ...]
    state       TEXT NOT NULL CHECK (state IN ('running', 'collected', 'expired', 'failed')),
    created_at  INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    hinted_at   INTEGER,                     -- when the provider's webhook said it was ready
    detail      TEXT
);
CREATE INDEX IF NOT EXISTS scrape_jobs_state ON scrape_jobs (source, state);
