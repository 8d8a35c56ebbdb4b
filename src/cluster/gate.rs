//! The Secrets list first. The watches that say who uses and who manages each Secret (a dozen
//! lists of Pods and workloads, far larger than the Secrets list on a real cluster) start once
//! the Secrets are listed, or after `WAIT_AT_MOST` if that takes longer: on two cores the list
//! the user is waiting for would otherwise share the server and the client with all of them.

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

/// `emit` for the Secrets watch, which opens the gate at its first list (or failure).
pub(crate) fn opening(emit: Emit) -> (Emit, Gate) {
    let (tx, rx) = watch::channel(false);
    let wrapped: Emit = std::sync::Arc::new(move |event: Event| {
        if matches!(event, Event::SecretsListed(_) | Event::SecretsFailed(_)) {
            tx.send_replace(true);
        }
        emit(event);
    });
    (wrapped, Gate(rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_at_the_secrets_list_or_after_the_bound() {
        let (emit, gate) = opening(std::sync::Arc::new(|_| {}));
        let waiting = tokio::spawn(gate.clone().passed());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!waiting.is_finished(), "closed until the Secrets are listed");
        emit(Event::SecretsListed(Vec::new()));
        tokio::time::timeout(Duration::from_millis(1), waiting).await.unwrap().unwrap();
        // Never opened: the other watches start after the bound anyway.
        let (_emit, gate) = opening(std::sync::Arc::new(|_| {}));
        let start = tokio::time::Instant::now();
        gate.passed().await;
        assert_eq!(start.elapsed(), WAIT_AT_MOST);
    }
}
