//! The Secrets list first. The watches that say who uses and who manages each Secret (a dozen
//! lists of Pods and workloads, far larger than the Secrets list on a real cluster) start once
//! the Secrets are on screen (the runtime opens the gate after drawing them), or once their
//! list has failed, or after `WAIT_AT_MOST` if that takes longer: on two cores the list the
//! user is waiting for would otherwise share the server and the client with all of them, and
//! the first drawing of 20,000 rows with a dozen lists starting at once.

use std::time::Duration;

use tokio::sync::watch;

use super::event::{Emit, Event};

/// How long the other watches wait for the Secrets list at most.
const WAIT_AT_MOST: Duration = Duration::from_secs(1);

/// Opens when the Secrets list is done (or has failed for good).
#[derive(Clone)]
pub(crate) struct Gate(watch::Receiver<bool>);

impl Gate {
    /// Returns when the gate opens, or after `WAIT_AT_MOST`.
    pub(crate) async fn passed(mut self) {
        let _ = tokio::time::timeout(WAIT_AT_MOST, self.0.wait_for(|open| *open)).await;
    }
}

/// Opens the gate: the Secrets are listed and drawn.
#[derive(Debug)]
pub(crate) struct Opener(watch::Sender<bool>);

impl Opener {
    pub(crate) fn open(&self) {
        self.0.send_replace(true);
    }
}

/// `emit` for the Secrets watch, which opens the gate when the list fails for good (nothing
/// will be drawn then), and the opener the runtime uses once the listed Secrets are drawn.
pub(crate) fn opening(emit: Emit) -> (Emit, Gate, Opener) {
    let (tx, rx) = watch::channel(false);
    let on_failure = tx.clone();
    let wrapped: Emit = std::sync::Arc::new(move |event: Event| {
        if matches!(event, Event::SecretsFailed(_)) {
            on_failure.send_replace(true);
        }
        emit(event);
    });
    (wrapped, Gate(rx), Opener(tx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_once_the_list_is_drawn_or_has_failed_or_after_the_bound() {
        let (emit, gate, opener) = opening(std::sync::Arc::new(|_| {}));
        let waiting = tokio::spawn(gate.clone().passed());
        tokio::time::sleep(Duration::from_millis(100)).await;
        emit(Event::SecretsListed(Vec::new()));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!waiting.is_finished(), "closed until the listed Secrets are drawn");
        opener.open();
        tokio::time::timeout(Duration::from_millis(1), waiting).await.unwrap().unwrap();
        // A list that failed for good opens it: nothing is coming to be drawn.
        let (emit, gate, _opener) = opening(std::sync::Arc::new(|_| {}));
        let waiting = tokio::spawn(gate.passed());
        emit(Event::SecretsFailed(crate::cluster::event::ListError::Other("no".into())));
        tokio::time::timeout(Duration::from_millis(1), waiting).await.unwrap().unwrap();
        // Never opened: the other watches start after the bound anyway.
        let (_emit, gate, _opener) = opening(std::sync::Arc::new(|_| {}));
        let start = tokio::time::Instant::now();
        gate.passed().await;
        assert_eq!(start.elapsed(), WAIT_AT_MOST);
    }
}
