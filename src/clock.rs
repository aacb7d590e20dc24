//! Time that tests control. What waits (the announcer, the outbox's leases, backoffs) reads the
//! time from a [`Clock`] and sleeps on tokio's clock; the tests run it in paused time with a
//! [`TokioClock`], so an outage of minutes passes in milliseconds.

use chrono::{DateTime, Utc};
use tokio::time::Instant;

/// Where time comes from: the wall clock, or (in the tests) one that follows tokio's clock, so
/// that paused time runs an hour of backoff in an instant.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall-clock time as tokio's clock moves on from when it was made: in paused time (tests),
/// it moves only as the runtime advances, as the announcer's sleeps do.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    wall: DateTime<Utc>,
    at: Instant,
}

impl TokioClock {
    pub fn new() -> TokioClock {
        TokioClock {
            wall: Utc::now(),
            at: Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let passed = chrono::Duration::from_std(self.at.elapsed()).unwrap_or_default();
        self.wall + passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_tokio_clock_moves_with_paused_time_and_only_then() {
        let clock = TokioClock::new();
        let start = clock.now();
        assert_eq!(clock.now(), start, "paused: no time passes by itself");
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
        assert_eq!(clock.now() - start, chrono::Duration::seconds(300));
    }
}
