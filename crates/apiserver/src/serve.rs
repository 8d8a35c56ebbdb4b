//! The accept loop and each connection's life: a cap on connections, a TLS handshake deadline,
//! a deadline for the first request and for HTTP/1.1 headers, an idle timeout, and a backoff when
//! accepting fails (EMFILE, ENFILE, ...) instead of a busy loop.
//!
//! kube-apiserver serves with Go's `net/http` (apiserver `pkg/server/secure_serving.go`):
//! `ReadHeaderTimeout` 32 s, `IdleTimeout` 90 s, and so a TLS handshake deadline of 32 s (Go's
//! `Server.tlsHandshakeTimeout` is the smallest of the read/write timeouts); HTTP/2 waits 10 s for
//! the client preface (`golang.org/x/net/http2` `prefaceTimeout`). `Server.Serve`
//! (`net/http/server.go`) retries a failed accept after 5 ms, doubling up to 1 s.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use crate::api::{self, AppState};

/// How long connections may take and how many there may be (see `ServerOptions`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub tls_handshake_timeout: Duration,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Where connections come from: a TCP listener, or a fake in tests.
pub trait Listener: Send + 'static {
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn accept(&self) -> impl Future<Output = io::Result<(Self::Io, SocketAddr)>> + Send;
}

impl Listener for TcpListener {
    type Io = TcpStream;
    async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (io, peer) = TcpListener::accept(self).await?;
        // As Go's net package does for every TCP connection kube-apiserver accepts: without
        // it, Nagle's algorithm and the client's delayed ACK held the last segment of some
        // answers for 40 ms (a Table of 1,000 Secrets took 54 ms instead of 14).
        if let Err(e) = io.set_nodelay(true) {
            tracing::debug!("demo cluster: cannot set TCP_NODELAY: {e}");
        }
        Ok((io, peer))
    }
}

/// The delay before accepting again after a failed accept, as Go's `Server.Serve`: 5 ms, then
/// doubled each time, at most 1 s; a successful accept starts over.
#[derive(Debug, Default, Clone)]
pub struct AcceptBackoff {
    delay: Option<Duration>,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(5);
    const MAX: Duration = Duration::from_secs(1);

    /// An accept failed: how long to wait before the next.
    pub fn failed(&mut self) -> Duration {
        let next = self.delay.map_or(Self::FIRST, |d| (d * 2).min(Self::MAX));
        self.delay = Some(next);
        next
    }

    /// An accept succeeded.
    pub fn succeeded(&mut self) {
        self.delay = None;
    }
}

/// Accepts connections until `stop`, each served in its own task so that a slow client never
/// holds up another. At most `max_connections` are open: the loop does not accept more until
/// one closes, and further clients wait in the kernel's listen backlog.
pub async fn serve<L: Listener>(
    listener: L,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<AppState>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut backoff = AcceptBackoff::default();
    loop {
        let permit = tokio::select! {
            _ = stop.changed() => return,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let (io, peer) = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => {
                    backoff.succeeded();
                    a
                }
                Err(e) => {
                    let delay = backoff.failed();
                    tracing::warn!("demo cluster: accept failed: {e}; retrying in {delay:?}");
                    drop(permit);
                    tokio::select! {
                        _ = stop.changed() => return,
                        _ = tokio::time::sleep(delay) => continue,
                    }
                }
            },
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            serve_connection(io, peer, acceptor, state, limits, stop).await;
            drop(permit);
        });
    }
}

async fn serve_connection<Io: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: Io,
    peer: SocketAddr,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<AppState>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let tls = match tokio::time::timeout(limits.tls_handshake_timeout, acceptor.accept(io)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            tracing::debug!("TLS handshake with {peer} failed: {e}");
            return;
        }
        Err(_) => {
            tracing::debug!("TLS handshake with {peer} timed out after {:?}", limits.tls_handshake_timeout);
            return;
        }
    };
    let (activity, seen) = watch::channel(Activity::default());
    let activity = Arc::new(activity);
    let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let state = state.clone();
        let guard = InFlight::begin(activity.clone());
        async move {
            let resp = api::handle(state, req.map(Body::new)).await;
            // The request stays in flight until its response body is sent (watches stream).
            Ok::<_, Infallible>(resp.map(|body| Body::new(Tracked { inner: body, _guard: guard })))
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(hyper_util::rt::TokioTimer::new());
    let conn = builder.serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(tls), service);
    tokio::pin!(conn);
    let idle = idle(seen, limits.header_read_timeout, limits.idle_timeout);
    tokio::pin!(idle);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.changed() => return,
        _ = &mut idle => {
            tracing::debug!("closing the idle connection of {peer}");
            conn.as_mut().graceful_shutdown();
        }
    }
    // Let HTTP/2 say GOAWAY; then the connection is dropped, which closes it.
    let _ = tokio::time::timeout(Duration::from_secs(1), conn).await;
}

/// What a connection is doing: requests in flight, and requests begun so far.
#[derive(Debug, Default, Clone, Copy)]
struct Activity {
    in_flight: usize,
    begun: u64,
}

/// One request in flight on a connection, until dropped.
struct InFlight(Arc<watch::Sender<Activity>>);

impl InFlight {
    fn begin(activity: Arc<watch::Sender<Activity>>) -> Self {
        activity.send_modify(|a| {
            a.in_flight += 1;
            a.begun += 1;
        });
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|a| a.in_flight = a.in_flight.saturating_sub(1));
    }
}

/// Resolves when the connection has had nothing in flight for too long: `first` before its
/// first request (a client that connects and says nothing), `idle` after a request ended.
async fn idle(mut seen: watch::Receiver<Activity>, first: Duration, idle: Duration) {
    let mut limit = first;
    loop {
        let now = *seen.borrow_and_update();
        if now.begun > 0 {
            limit = idle;
        }
        if now.in_flight > 0 {
            if seen.changed().await.is_err() {
                return std::future::pending().await;
            }
            continue;
        }
        match tokio::time::timeout(limit, seen.changed()).await {
            Err(_) => return,
            Ok(Err(_)) => return std::future::pending().await,
            Ok(Ok(())) => {}
        }
    }
}

/// A response body that keeps its request counted as in flight until it is dropped.
struct Tracked {
    inner: Body,
    _guard: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn accept_backoff_is_go_s() {
        let mut b = AcceptBackoff::default();
        let delays: Vec<u64> = (0..10).map(|_| b.failed().as_millis() as u64).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        b.succeeded();
        assert_eq!(b.failed(), Duration::from_millis(5));
    }

    /// A listener whose every accept fails as at the file-descriptor limit. After `cap` calls it
    /// never answers again, so that a loop that does not back off ends instead of spinning.
    struct Exhausted {
        calls: Arc<AtomicUsize>,
        cap: usize,
    }

    impl Listener for Exhausted {
        type Io = tokio::io::DuplexStream;
        async fn accept(&self) -> io::Result<(Self::Io, SocketAddr)> {
            if self.calls.fetch_add(1, Ordering::SeqCst) >= self.cap {
                std::future::pending::<()>().await;
            }
            tokio::task::yield_now().await;
            Err(io::Error::from_raw_os_error(24)) // EMFILE
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failed_accepts_back_off_instead_of_spinning() {
        let calls = Arc::new(AtomicUsize::new(0));
        let listener = Exhausted { calls: calls.clone(), cap: 10_000 };
        let tls = crate::tls::ServerTls::generate(&[]).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.config);
        let state = Arc::new(AppState::new(
            Arc::new(crate::store::Store::new(10)),
            crate::auth::Users::demo(),
            "127.0.0.1:1".into(),
            &crate::ServerOptions::default(),
        ));
        let limits = Limits {
            tls_handshake_timeout: Duration::from_secs(1),
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max_connections: 4,
        };
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(serve(listener, acceptor, state, limits, stop_rx));
        // One second: 5 + 10 + 20 + ... ms of waiting allows 8 tries.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let first_second = calls.load(Ordering::SeqCst);
        assert!((5..=10).contains(&first_second), "{first_second} accepts in the first second");
        // Then at most one a second.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let next = calls.load(Ordering::SeqCst) - first_second;
        assert!((9..=11).contains(&next), "{next} accepts in the next 10 s");
        let _ = stop_tx.send(true);
        task.await.unwrap();
    }
}
