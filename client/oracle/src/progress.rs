//! How a run tells its caller how far it is, without knowing how that is shown: the CLI draws a
//! progress bar from it, a service may log it, a test ignores it ([`NoProgress`]).

/// Receives a run's progress. Every method has an empty default, so an implementation overrides
/// only what it shows.
pub trait Progress {
    /// The run is about to pay `payouts` payouts.
    fn started(&mut self, payouts: u64) {
        let _ = payouts;
    }

    /// `payouts` more payouts were settled (paid, found already on chain, or failed).
    fn advanced(&mut self, payouts: u64) {
        let _ = payouts;
    }

    /// The run ended (successfully or not, nothing more will be reported).
    fn finished(&mut self) {}
}

/// Reports nowhere.
pub struct NoProgress;

impl Progress for NoProgress {}
