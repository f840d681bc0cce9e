//! The smart router: per platform an ordered chain of sources. Each batch goes to the first
//! source that can take it; transient failures are retried with exponential backoff and full
//! jitter (or exactly the source's own reset hint), permanent ones and spent quotas send the
//! videos to the next source at once, and a source failing again and again is opened like a
//! circuit breaker and probed again after a cool-down.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use super::budget::{Attempt, Grant};
use super::{Answer, Failure, Source, Wanted};
use crate::Error;
use crate::ledger::Ledger;
use crate::video::{Platform, Reading, VideoId};

/// How hard the router tries.
#[derive(Debug, Clone)]
pub struct RouterOptions {
    /// Requests per batch on one source, the first included.
    pub attempts: u32,
    /// The first backoff ceiling; each retry doubles it.
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    pub max_delay: Duration,
    /// The longest wait for a source's reset hint or rate window within a round; beyond it,
    /// the source is blocked until then (for every process) and the next one is tried.
    pub max_wait: Duration,
    /// Consecutive failed requests that open a source's breaker.
    pub breaker_failures: u32,
    /// How long an open breaker stays open before one probe request.
    pub breaker_cooldown: Duration,
    /// Scraper readings wanted per video when no first-party source answered (the policy's
    /// scraper quorum).
    pub scraper_quorum: usize,
    /// How long a triggered scrape may take before its videos go to the next source.
    pub scrape_deadline: Duration,
}

impl Default for RouterOptions {
    fn default() -> Self {
        RouterOptions {
            attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(60),
            scraper_quorum: 2,
            scrape_deadline: Duration::from_secs(30 * 60),
        }
    }
}

/// A source's breaker: closed, or open until a probe time.
#[derive(Debug, Clone, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
    cooldown: Duration,
}

/// One video to read, with its registered owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The video.
    pub video: VideoId,
    /// The creator's platform account recorded at registration.
    pub owner: String,
}

/// The chains of sources, their breakers, and the ledger-backed budget.
pub struct Router {
    chains: BTreeMap<Platform, Vec<Box<dyn Source>>>,
    breakers: HashMap<String, Breaker>,
    options: RouterOptions,
}

/// What happened to one batch on one source.
enum Outcome {
    Answered(Answer),
    /// Give this batch to the next source; `stop` also skips this source for the round.
    Next {
        stop: bool,
    },
}

impl Router {
    /// A router over `sources`, chained per platform in the order given.
    pub fn new(sources: Vec<Box<dyn Source>>, options: RouterOptions) -> Router {
        let mut chains: BTreeMap<Platform, Vec<Box<dyn Source>>> = BTreeMap::new();
        for source in sources {
            chains.entry(source.platform()).or_default().push(source);
        }
        Router {
            chains,
            breakers: HashMap::new(),
            options,
        }
    }

    /// The sources in chain order, per platform.
    pub fn sources(&self) -> impl Iterator<Item = &dyn Source> {
        self.chains.values().flatten().map(|s| s.as_ref())
    }

    /// Reads every video in `due`: per video, the readings of the sources that answered
    /// (one first-party reading, or up to the scraper quorum), stamped `observed_at` (unix
    /// seconds on the chain's clock). Videos no source could read have no entry.
    pub fn read(
        &mut self,
        ledger: &mut Ledger,
        due: &[Due],
        observed_at: i64,
    ) -> Result<HashMap<VideoId, Vec<Reading>>, Error> {
        let mut readings: HashMap<VideoId, Vec<Reading>> = HashMap::new();
        let platforms: Vec<Platform> = self.chains.keys().copied().collect();
        for platform in platforms {
            let wanted: Vec<&Due> = due
                .iter()
                .filter(|d| d.video.platform == platform)
                .collect();
            let mut chain = std::mem::take(self.chains.get_mut(&platform).expect("listed"));
            let mut into = Readings {
                map: &mut readings,
                observed_at,
                pending: HashSet::new(),
            };
            for source in chain.iter_mut() {
                // A video in a scrape job still running waits for it rather than going on.
                let open: Vec<&Due> = wanted
                    .iter()
                    .copied()
                    .filter(|d| !self.satisfied(into.map.get(&d.video)))
                    .filter(|d| !into.pending.contains(&d.video))
                    .collect();
                if open.is_empty() {
                    break;
                }
                if source.meta().asynchronous {
                    self.read_async(ledger, source.as_mut(), &open, &mut into)?;
                } else {
                    self.read_on(ledger, source.as_mut(), &open, &mut into)?;
                }
            }
            self.chains.insert(platform, chain);
        }
        Ok(readings)
    }

    /// Whether a video has what the policy needs: a first-party reading, or enough scrapers.
    fn satisfied(&self, readings: Option<&Vec<Reading>>) -> bool {
        readings.is_some_and(|r| {
            r.iter().any(|r| r.first_party) || r.len() >= self.options.scraper_quorum
        })
    }

    fn read_on(
        &mut self,
        ledger: &mut Ledger,
        source: &mut dyn Source,
        due: &[&Due],
        readings: &mut Readings,
    ) -> Result<(), Error> {
        for batch in batches(source, due) {
            if self.is_open(source.name()) {
                tracing::warn!(source = source.name(), "breaker open: skipping the source");
                return Ok(());
            }
            let wanted = wanted_of(&batch);
            match self.call(ledger, source, &wanted)? {
                Outcome::Answered(answer) => record(source, &batch, answer, readings),
                Outcome::Next { stop: true } => return Ok(()),
                Outcome::Next { stop: false } => {}
            }
        }
        Ok(())
    }

    /// An asynchronous source: collects its running jobs for these videos (or lets those past
    /// their deadline go), then triggers jobs for the videos no job covered.
    fn read_async(
        &mut self,
        ledger: &mut Ledger,
        source: &mut dyn Source,
        due: &[&Due],
        readings: &mut Readings,
    ) -> Result<(), Error> {
        let now = unix_ms() / 1_000;
        let mut covered: HashSet<&str> = HashSet::new();
        for job in ledger.running_jobs(source.name())? {
            let mine: Vec<&Due> = due
                .iter()
                .copied()
                .filter(|d| job.videos.iter().any(|v| v.id == d.video.id))
                .collect();
            covered.extend(mine.iter().map(|d| d.video.id.as_str()));
            if now > job.deadline {
                tracing::warn!(
                    source = source.name(),
                    job = job.job_id,
                    "scrape past its deadline"
                );
                ledger.finish_job(&job.attempt_key, "expired", Some("past its deadline"))?;
                continue;
            }
            if mine.is_empty() || self.wait_for_budget(ledger, source)?.is_some() {
                readings
                    .pending
                    .extend(mine.iter().map(|d| d.video.clone()));
                continue;
            }
            let asked: Vec<&str> = job.videos.iter().map(|v| v.id.as_str()).collect();
            let started = Instant::now();
            let result = source.collect(&job.job_id, job.hinted, &asked);
            let logged = result
                .as_ref()
                .map(|a| ("ok", a.as_ref().map_or(0, |a| a.found.len())));
            self.log(ledger, source, asked.len(), started, logged)?;
            match result {
                Ok(Some(answer)) => {
                    ledger.finish_job(&job.attempt_key, "collected", None)?;
                    record(source, &mine, answer, readings);
                }
                Err(Failure::Permanent { reason }) => {
                    ledger.finish_job(&job.attempt_key, "failed", Some(&reason))?;
                }
                Ok(None) | Err(_) => readings
                    .pending
                    .extend(mine.iter().map(|d| d.video.clone())),
            }
        }
        let rest: Vec<&Due> = due
            .iter()
            .copied()
            .filter(|d| !covered.contains(d.video.id.as_str()))
            .collect();
        for batch in batches(source, &rest) {
            if self.is_open(source.name()) || self.wait_for_budget(ledger, source)?.is_some() {
                return Ok(());
            }
            let wanted = wanted_of(&batch);
            let started = Instant::now();
            let result = source.trigger(&wanted);
            let logged = result.as_ref().map(|_| ("triggered", 0));
            self.log(ledger, source, wanted.len(), started, logged)?;
            match result {
                Ok(job) => {
                    let deadline = now + self.options.scrape_deadline.as_secs() as i64;
                    ledger.insert_job(source.name(), &job, &wanted, now, deadline)?;
                    readings
                        .pending
                        .extend(batch.iter().map(|d| d.video.clone()));
                    self.succeeded(source.name());
                }
                Err(_) => self.failed(source.name()),
            }
        }
        Ok(())
    }

    /// One batch on one source, retried while its failures are transient.
    fn call(
        &mut self,
        ledger: &mut Ledger,
        source: &mut dyn Source,
        wanted: &[Wanted],
    ) -> Result<Outcome, Error> {
        for attempt in 0..self.options.attempts {
            if let Some(stop) = self.wait_for_budget(ledger, source)? {
                return Ok(stop);
            }
            let started = Instant::now();
            let result = source.fetch(wanted);
            let logged = result.as_ref().map(|a| ("ok", a.found.len()));
            self.log(ledger, source, wanted.len(), started, logged)?;
            let failure = match result {
                Ok(answer) => {
                    self.succeeded(source.name());
                    return Ok(Outcome::Answered(answer));
                }
                Err(failure) => failure,
            };
            self.failed(source.name());
            match failure {
                Failure::Permanent { .. } => return Ok(Outcome::Next { stop: false }),
                Failure::Exhausted { until, reason } => {
                    ledger.block_source(source.name(), until, &reason)?;
                    return Ok(Outcome::Next { stop: true });
                }
                Failure::Transient {
                    retry_after,
                    reason,
                } => {
                    let last = attempt + 1 == self.options.attempts;
                    if last || self.is_open(source.name()) {
                        return Ok(Outcome::Next { stop: true });
                    }
                    let delay = retry_after.unwrap_or_else(|| self.backoff(attempt));
                    if delay > self.options.max_wait {
                        let until = unix_ms() / 1_000 + delay.as_secs() as i64;
                        ledger.block_source(source.name(), until, &reason)?;
                        return Ok(Outcome::Next { stop: true });
                    }
                    std::thread::sleep(delay);
                }
            }
        }
        Ok(Outcome::Next { stop: true })
    }

    /// Waits for a request from the shared budget; `Some` when the source cannot be used.
    fn wait_for_budget(
        &self,
        ledger: &mut Ledger,
        source: &dyn Source,
    ) -> Result<Option<Outcome>, Error> {
        let deadline = Instant::now() + self.options.max_wait;
        loop {
            match ledger.take_request(source.name(), source.limits(), unix_ms())? {
                Grant::Go => return Ok(None),
                Grant::Blocked { until, reason } => {
                    tracing::info!(source = source.name(), until, reason, "source blocked");
                    return Ok(Some(Outcome::Next { stop: true }));
                }
                Grant::Wait { ms } => {
                    let wait = Duration::from_millis(ms.max(1));
                    if Instant::now() + wait > deadline {
                        return Ok(Some(Outcome::Next { stop: true }));
                    }
                    std::thread::sleep(wait);
                }
            }
        }
    }

    /// Full jitter: a uniform wait below `min(max_delay, base_delay * 2^attempt)`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .options
            .base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(self.options.max_delay);
        Duration::from_micros(fastrand::u64(0..=ceiling.as_micros() as u64))
    }

    fn log(
        &self,
        ledger: &Ledger,
        source: &dyn Source,
        videos: usize,
        started: Instant,
        result: Result<(&str, usize), &Failure>,
    ) -> Result<(), Error> {
        let latency_ms = started.elapsed().as_millis() as u64;
        let limits = source.limits();
        let (outcome, found, detail) = match result {
            Ok((outcome, found)) => (outcome, found, None),
            Err(f) => (f.outcome(), 0, Some(f.reason())),
        };
        tracing::info!(
            source = source.name(),
            outcome,
            latency_ms,
            videos,
            found,
            detail,
            "source request"
        );
        ledger.record_attempt(&Attempt {
            source: source.name(),
            platform: source.platform().as_str(),
            started_at: unix_ms() - latency_ms as i64,
            latency_ms,
            outcome,
            videos,
            found,
            units: limits.units_per_request,
            micro_usd: limits.micro_usd_per_request + limits.micro_usd_per_record * found as u64,
            detail,
        })
    }

    fn is_open(&mut self, source: &str) -> bool {
        let breaker = self.breakers.entry(source.to_string()).or_default();
        match breaker.open_until {
            // Half-open after the cool-down: one probe goes through.
            Some(until) if Instant::now() >= until => {
                breaker.open_until = None;
                breaker.failures = self.options.breaker_failures.saturating_sub(1);
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    fn succeeded(&mut self, source: &str) {
        let breaker = self.breakers.entry(source.to_string()).or_default();
        *breaker = Breaker::default();
    }

    fn failed(&mut self, source: &str) {
        let options = &self.options;
        let breaker = self.breakers.entry(source.to_string()).or_default();
        breaker.failures += 1;
        if breaker.failures >= options.breaker_failures {
            // Each reopening after a failed probe doubles the cool-down.
            breaker.cooldown = if breaker.cooldown.is_zero() {
                options.breaker_cooldown
            } else {
                (breaker.cooldown * 2).min(options.breaker_cooldown * 16)
            };
            breaker.open_until = Some(Instant::now() + breaker.cooldown);
            tracing::warn!(
                source,
                cooldown_ms = breaker.cooldown.as_millis() as u64,
                "breaker opened"
            );
        }
    }

    /// Whether `source`'s breaker is open now (for reports and tests).
    pub fn breaker_open(&self, source: &str) -> bool {
        self.breakers
            .get(source)
            .and_then(|b| b.open_until)
            .is_some_and(|until| Instant::now() < until)
    }
}

fn wanted_of(batch: &[&Due]) -> Vec<Wanted> {
    batch
        .iter()
        .map(|d| Wanted {
            id: d.video.id.clone(),
            owner: d.owner.clone(),
        })
        .collect()
}

/// `due` cut into the source's batches (one creator per batch for token-scoped sources).
fn batches<'a>(source: &dyn Source, due: &[&'a Due]) -> Vec<Vec<&'a Due>> {
    let size = source.meta().batch_size.max(1);
    if !source.meta().scoped_to_owner {
        return due.chunks(size).map(<[_]>::to_vec).collect();
    }
    let mut by_owner: BTreeMap<&str, Vec<&Due>> = BTreeMap::new();
    for d in due {
        by_owner.entry(d.owner.as_str()).or_default().push(d);
    }
    by_owner
        .values()
        .flat_map(|v| v.chunks(size).map(<[_]>::to_vec))
        .collect()
}

/// The readings gathered in a round, the time they are stamped with, and the videos waiting
/// for a scrape job.
struct Readings<'a> {
    map: &'a mut HashMap<VideoId, Vec<Reading>>,
    observed_at: i64,
    pending: HashSet<VideoId>,
}

/// Adds the answer's counts to the videos' readings (ids the source did not ask are ignored).
fn record(source: &dyn Source, batch: &[&Due], answer: Answer, readings: &mut Readings) {
    let observed_at = readings.observed_at;
    for found in answer.found {
        let Some(due) = batch.iter().find(|d| d.video.id == found.id) else {
            tracing::warn!(
                source = source.name(),
                id = found.id,
                "answer for an id not asked"
            );
            continue;
        };
        readings
            .map
            .entry(due.video.clone())
            .or_default()
            .push(Reading {
                source: source.name().to_string(),
                first_party: source.first_party(),
                views: found.views,
                owner: found.owner,
                observed_at,
            });
    }
}

/// The wall clock in unix milliseconds.
pub(crate) fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
