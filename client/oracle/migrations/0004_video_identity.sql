-- Canonical video identity, the creators' platform accounts, per-campaign verification policy,
-- the sources behind every count and payout, and processed webhook deliveries.

-- The platform account (channel id, author id, username) that published each registered video,
-- recorded at registration: every source's answer is checked against it before a view is paid.
CREATE TABLE video_accounts (
    campaign      TEXT NOT NULL,
    platform      TEXT NOT NULL,
    video_id      TEXT NOT NULL,
    submission    TEXT NOT NULL UNIQUE,
    account       TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    PRIMARY KEY (campaign, platform, video_id)
);

-- A campaign's verification policy; campaigns without a row use the defaults.
CREATE TABLE campaign_policies (
    campaign           TEXT PRIMARY KEY,
    first_party_quorum INTEGER NOT NULL CHECK (first_party_quorum >= 1),
    scraper_quorum     INTEGER NOT NULL CHECK (scraper_quorum >= 1),
    tolerance_bps      INTEGER NOT NULL CHECK (tolerance_bps BETWEEN 0 AND 10000),
    updated_at         INTEGER NOT NULL
);

-- The sources that backed an observation (accepted: the agreeing ones, lowest count first;
-- quarantined: every source that answered), and those that backed a payout.
ALTER TABLE observations ADD COLUMN sources TEXT;
ALTER TABLE intents ADD COLUMN sources TEXT;

-- Webhook deliveries already processed, written in the same transaction as their effect, so a
-- replayed delivery changes nothing.
CREATE TABLE webhook_deliveries (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
);
