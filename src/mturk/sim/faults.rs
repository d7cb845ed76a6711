//! Injected faults: a random fraction of calls (`--fault-rate`) and an explicit queue for tests.

use std::collections::{HashMap, VecDeque};

use super::ops::Op;
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
    /// "applied but the response was lost". A client that blindly retries a decision then sees
    /// a RequestError for its own, applied, decision.
    DropAfterApply,
}

impl FaultKind {
    /// The kinds `--fault-rate` chooses from: ServiceFault, throttling and a dropped connection
    /// (a third of faults each; a dropped state-changing call is as often dropped after being
    /// applied as before).
    pub const RANDOM: [FaultKind; 6] = [
        FaultKind::ServiceFault,
        FaultKind::ServiceFault,
        FaultKind::Throttling,
        FaultKind::Throttling,
        FaultKind::DropBeforeApply,
        FaultKind::DropAfterApply,
    ];
}

/// Decides, per call, whether a fault is injected.
#[derive(Debug)]
pub struct FaultPlan {
    queue: VecDeque<FaultKind>,
    per_op: HashMap<Op, VecDeque<FaultKind>>,
    rate: f64,
    rng: SimRng,
    /// Faults handed out so far.
    pub injected: u64,
}

impl FaultPlan {
    pub fn new(rate: f64, seed: u64, queued: Vec<FaultKind>) -> Self {
        FaultPlan {
            queue: queued.into(),
            per_op: HashMap::new(),
            rate,
            rng: SimRng::derived(seed, "faults"),
            injected: 0,
        }
    }

    /// Append faults for the next calls (served before any random fault).
    pub fn push(&mut self, kinds: impl IntoIterator<Item = FaultKind>) {
        self.queue.extend(kinds);
    }

    /// Append faults for the next calls of one operation (served before the general queue).
    pub fn push_for(&mut self, op: Op, kinds: impl IntoIterator<Item = FaultKind>) {
        self.per_op.entry(op).or_default().extend(kinds);
    }

    pub fn set_rate(&mut self, rate: f64) {
        self.rate = rate;
    }

    /// The fault for the next call of `op`, if any: faults queued for `op` first, then the
    /// general queue, then `rate`.
    pub fn next_fault(&mut self, op: Op) -> Option<FaultKind> {
        let f = self.choose(op);
        if f.is_some() {
            self.injected += 1;
        }
        f
    }

    fn choose(&mut self, op: Op) -> Option<FaultKind> {
        if let Some(k) = self.per_op.get_mut(&op).and_then(VecDeque::pop_front) {
            return Some(k);
        }
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
        let l = Op::ListQualificationRequests;
        let a = Op::AcceptQualificationRequest;
        let mut p = FaultPlan::new(0.0, 1, vec![FaultKind::Throttling, FaultKind::ServiceFault]);
        p.push_for(a, [FaultKind::DropBeforeApply]);
        assert_eq!(p.next_fault(l), Some(FaultKind::Throttling));
        assert_eq!(p.next_fault(a), Some(FaultKind::DropBeforeApply));
        assert_eq!(p.next_fault(a), Some(FaultKind::ServiceFault));
        assert_eq!(p.next_fault(l), None);
        p.push([FaultKind::DropAfterApply]);
        assert_eq!(p.next_fault(a), Some(FaultKind::DropAfterApply));
        p.set_rate(1.0);
        assert!(p.next_fault(l).is_some());
    }

    #[test]
    fn rate_is_roughly_honoured() {
        let mut p = FaultPlan::new(0.3, 9, vec![]);
        let n = (0..10_000)
            .filter(|_| p.next_fault(Op::GetAccountBalance).is_some())
            .count();
        assert!((2_600..3_400).contains(&n), "{n}");
        let mut all = FaultPlan::new(1.0, 9, vec![]);
        let mut kinds = HashMap::new();
        for _ in 0..600 {
            let k = all
                .next_fault(Op::AcceptQualificationRequest)
                .expect("rate 1");
            *kinds.entry(k).or_insert(0) += 1;
        }
        // A third each of ServiceFault, throttling and dropped connections, the drops split
        // between before and after applying.
        let n = |k| kinds.get(&k).copied().unwrap_or(0);
        assert!(
            (150..250).contains(&n(FaultKind::ServiceFault)),
            "{kinds:?}"
        );
        assert!((150..250).contains(&n(FaultKind::Throttling)), "{kinds:?}");
        assert!(
            (60..140).contains(&n(FaultKind::DropBeforeApply)),
            "{kinds:?}"
        );
        assert!(
            (60..140).contains(&n(FaultKind::DropAfterApply)),
            "{kinds:?}"
        );
    }
}
