//! Injected faults: a random fraction of calls (`--fault-rate`) and an explicit queue for tests.

use std::collections::VecDeque;

use super::rng::SimRng;

/// What an injected fault does to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// HTTP 500 `{"__type":"ServiceFault",…}`; nothing is applied. The SDK retries it.
    ServiceFault,
    /// HTTP 400 `{"__type":"ThrottlingException","Message":"Rate exceeded"}`; nothing is applied.
    /// The SDK retries it.
    Throttling,
    /// The connection is closed without an answer, *before* the call is applied.
    DropBeforeApply,
    /// The call is applied (and recorded), then the connection is closed without an answer:
    /// "applied but the response was lost". Never chosen by `--fault-rate`; only injected
    /// explicitly (tests), because a client retrying it sees a second, different outcome.
    DropAfterApply,
}

impl FaultKind {
    /// The kinds `--fault-rate` chooses from, with equal probability.
    pub const RANDOM: [FaultKind; 3] = [
        FaultKind::ServiceFault,
        FaultKind::Throttling,
        FaultKind::DropBeforeApply,
    ];
}

/// Decides, per call, whether a fault is injected.
#[derive(Debug)]
pub struct FaultPlan {
    queue: VecDeque<FaultKind>,
    rate: f64,
    rng: SimRng,
}

impl FaultPlan {
    pub fn new(rate: f64, seed: u64, queued: Vec<FaultKind>) -> Self {
        FaultPlan {
            queue: queued.into(),
            rate,
            rng: SimRng::derived(seed, "faults"),
        }
    }

    /// Append faults for the next calls (served before any random fault).
    pub fn push(&mut self, kinds: impl IntoIterator<Item = FaultKind>) {
        self.queue.extend(kinds);
    }

    /// The fault for the next call, if any: queued ones first, then `rate`.
    pub fn next_fault(&mut self) -> Option<FaultKind> {
        if let Some(k) = self.queue.pop_front() {
            return Some(k);
        }
        if self.rate > 0.0 && self.rng.chance(self.rate) {
            return self.rng.pick(&FaultKind::RANDOM).copied();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_first_then_rate() {
        let mut p = FaultPlan::new(0.0, 1, vec![FaultKind::Throttling, FaultKind::ServiceFault]);
        assert_eq!(p.next_fault(), Some(FaultKind::Throttling));
        assert_eq!(p.next_fault(), Some(FaultKind::ServiceFault));
        assert_eq!(p.next_fault(), None);
        p.push([FaultKind::DropAfterApply]);
        assert_eq!(p.next_fault(), Some(FaultKind::DropAfterApply));
    }

    #[test]
    fn rate_is_roughly_honoured() {
        let mut p = FaultPlan::new(0.3, 9, vec![]);
        let n = (0..10_000).filter(|_| p.next_fault().is_some()).count();
        assert!((2_600..3_400).contains(&n), "{n}");
        let mut all = FaultPlan::new(1.0, 9, vec![]);
        assert!((0..100).all(|_| all.next_fault().is_some()));
    }
}
