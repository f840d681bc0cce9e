-- Partial payouts: a payout may be cut to what the vault holds, and the rest is paid later at
-- the same watermark. An intent therefore also records the submission's paid gross when it was
-- written; the idempotency key covers it, so a top-up at the same views is a new intent.
ALTER TABLE intents ADD COLUMN prev_gross INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS intents_campaign_open ON intents (campaign, status);
