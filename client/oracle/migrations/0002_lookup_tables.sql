-- Address lookup tables the oracle created for each campaign's batches (a campaign may need
-- several: a table holds 256 addresses). The chain holds the addresses themselves; this only
-- remembers which tables are ours, in creation order.
CREATE TABLE lookup_tables (
    address    TEXT PRIMARY KEY,
    campaign   TEXT NOT NULL,
    authority  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX lookup_tables_by_campaign ON lookup_tables (campaign, created_at);
