//! Cooperative cancellation of pipeline work. A gRPC handler whose caller
//! went away or whose deadline passed is dropped by the transport, but work
//! already handed to a worker thread would run on for nobody; the handler
//! holds a [`CancelOnDrop`] guard and the pipeline checks the flag between
//! chunks of text.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

/// A cancellation flag the pipeline polls. [`Cancel::never`] costs nothing.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

/// The work was abandoned because its requester no longer wants the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the work was cancelled")]
pub struct Cancelled;

impl Cancel {
    /// A flag that is never raised (CLI, evaluations, benchmarks).
    pub fn never() -> Self {
        Cancel(None)
    }

    /// A flag raised when the returned guard is dropped without
    /// [`CancelOnDrop::disarm`].
    pub fn on_drop() -> (Self, CancelOnDrop) {
        let flag = Arc::new(AtomicBool::new(false));
        (Cancel(Some(flag.clone())), CancelOnDrop(Some(flag)))
    }

    /// Whether the requester gave up.
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(Cancelled)` once the requester gave up.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() { Err(Cancelled) } else { Ok(()) }
    }
}

/// Raises its [`Cancel`] flag when dropped, unless disarmed.
#[derive(Debug)]
pub struct CancelOnDrop(Option<Arc<AtomicBool>>);

impl CancelOnDrop {
    /// The work completed; dropping the guard no longer cancels anything.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(flag) = self.0.take() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_guard_cancels_and_disarming_does_not() {
        let (cancel, guard) = Cancel::on_drop();
        assert_eq!(cancel.check(), Ok(()));
        drop(guard);
        assert_eq!(cancel.check(), Err(Cancelled));

        let (cancel, guard) = Cancel::on_drop();
        guard.disarm();
        assert!(!cancel.is_cancelled());
        assert!(!Cancel::never().is_cancelled());
    }
}
