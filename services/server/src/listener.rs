//! The accept loop: HTTP/1.1 (keep-alive, websocket upgrades) on hyper, with
//! defences against slow and greedy clients.
//!
//! - **Header read timeout**: a connection that does not complete a request
//!   head (request line and headers) within the timeout is closed. hyper
//!   starts that timer whenever it waits for a head, so it also closes
//!   keep-alive connections that stay idle between requests.
//! - **Connection caps**: at most `max_connections` open connections in all
//!   and `max_connections_per_peer` per client address (IPv6: per /64). A
//!   connection over a cap gets a best-effort `503` and is closed at once;
//!   the refusals are logged at most every [`REFUSAL_LOG_EVERY`]. A
//!   websocket keeps its slot until it closes.
//! - **Accept errors** (`EMFILE`, …) are logged and the loop pauses briefly;
//!   they never end it.
//!
//! Graceful shutdown is `axum::serve`'s: when `stop` completes the listener
//! is closed, idle connections are closed, requests in flight finish, and the
//! future returned by [`serve`] completes once every HTTP connection has
//! ended (upgraded websockets are not waited for).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The longest time between two log lines about refused connections.
pub const REFUSAL_LOG_EVERY: Duration = Duration::from_secs(10);

/// How long the loop pauses after an accept error such as `EMFILE`.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// What a connection over a cap is told before it is closed.
const BUSY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\nretry-after: 1\r\n\r\n";

/// Limits on the connections the server keeps open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client has to send a complete request head (also the
    /// longest idle time of a keep-alive connection).
    pub header_read_timeout: Duration,
    /// Open connections in all (websockets included).
    pub max_connections: usize,
    /// Open connections from one client address (IPv6: one /64); `0`: no
    /// per-address cap (behind a reverse proxy every connection comes from it).
    pub max_connections_per_peer: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_connections_per_peer: 64,
        }
    }
}

/// Serve `router` on `listener` until `stop` completes, then shut down
/// gracefully (see the module documentation).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let slots = Slots::new(&limits);
    let mut refusals = RefusalLog::default();
    // Connection tasks watch `shutdown_tx` and hold `done_rx` clones: when
    // the last one is dropped, every connection has ended.
    let (shutdown_tx, shutdown_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    let mut stop = pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "cannot accept a connection; pausing");
                        tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    }
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let slot = match slots.acquire(peer.ip()) {
            Ok(slot) => slot,
            Err(cap) => {
                // Best effort, without waiting: the socket's send buffer is empty.
                let _ = stream.try_write(BUSY);
                drop(stream);
                refusals.refused(peer, cap);
                continue;
            }
        };
        let io = TokioIo::new(Counted { stream, _slot: slot });
        let service = TowerToHyperService::new(router.clone());
        let conn = builder.serve_connection(io, service).with_upgrades();
        let mut shutdown_rx = shutdown_rx.clone();
        let done_rx = done_rx.clone();
        tokio::spawn(async move {
            let mut conn = pin!(conn);
            let mut shutting_down = false;
            loop {
                tokio::select! {
                    served = conn.as_mut() => {
                        if let Err(e) = served {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    // An `Err` (the sender is gone) means shutdown too.
                    _ = shutdown_rx.changed(), if !shutting_down => {
                        shutting_down = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(done_rx);
        });
    }
    drop(listener);
    tracing::debug!("stopped accepting connections");
    let _ = shutdown_tx.send(());
    drop(done_rx);
    done_tx.closed().await;
}

/// Errors about one connection (the peer gave up before it was accepted):
/// accept the next one at once.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// Which cap refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cap {
    Total,
    PerPeer,
}

impl Cap {
    fn as_str(self) -> &'static str {
        match self {
            Cap::Total => "max-connections",
            Cap::PerPeer => "max-connections-per-peer",
        }
    }
}

/// The open connections, in all and per client address.
struct Slots {
    max_total: usize,
    max_per_peer: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_peer: HashMap<IpAddr, usize>,
}

impl Slots {
    fn new(limits: &ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            max_total: limits.max_connections,
            max_per_peer: limits.max_connections_per_peer,
            open: Mutex::new(Open::default()),
        })
    }

    fn acquire(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Cap> {
        let peer = peer_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.max_total {
            return Err(Cap::Total);
        }
        if self.max_per_peer > 0 {
            let mine = open.per_peer.entry(peer).or_default();
            if *mine >= self.max_per_peer {
                return Err(Cap::PerPeer);
            }
            *mine += 1;
        }
        open.total += 1;
        Ok(Slot {
            slots: self.clone(),
            peer,
        })
    }
}

/// One open connection; dropping it frees the slot.
struct Slot {
    slots: Arc<Slots>,
    peer: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if self.slots.max_per_peer > 0 {
            if let Some(mine) = open.per_peer.get_mut(&self.peer) {
                *mine = mine.saturating_sub(1);
                if *mine == 0 {
                    open.per_peer.remove(&self.peer);
                }
            }
        }
    }
}

/// The address a per-peer cap counts: IPv4 addresses (also IPv4-mapped IPv6
/// ones) as they are, IPv6 addresses by their /64 (one site's network).
fn peer_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Rate-limited warnings about refused connections (each one at debug level).
#[derive(Default)]
struct RefusalLog {
    last: Option<Instant>,
    since_last: u64,
}

impl RefusalLog {
    fn refused(&mut self, peer: SocketAddr, cap: Cap) {
        tracing::debug!(%peer, cap = cap.as_str(), "connection refused: over the cap");
        self.since_last += 1;
        let now = Instant::now();
        if self
            .last
            .is_none_or(|last| now.duration_since(last) >= REFUSAL_LOG_EVERY)
        {
            tracing::warn!(
                refused = self.since_last,
                %peer,
                cap = cap.as_str(),
                "refusing connections over the cap (logged at most every {} s)",
                REFUSAL_LOG_EVERY.as_secs()
            );
            self.last = Some(now);
            self.since_last = 0;
        }
    }
}

/// A TCP stream that holds its connection slot until it is dropped, also
/// after a websocket upgrade (hyper hands the stream to the websocket).
struct Counted {
    stream: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn limits(total: usize, per_peer: usize) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(1),
            max_connections: total,
            max_connections_per_peer: per_peer,
        }
    }

    #[test]
    fn slots_are_capped_per_peer_and_in_all_and_freed_on_drop() {
        let slots = Slots::new(&limits(3, 2));
        let a: IpAddr = Ipv4Addr::new(10, 0, 0, 1).into();
        let b: IpAddr = Ipv4Addr::new(10, 0, 0, 2).into();
        let a1 = slots.acquire(a).expect("first");
        let a2 = slots.acquire(a).expect("second");
        assert_eq!(slots.acquire(a).err(), Some(Cap::PerPeer));
        let b1 = slots.acquire(b).expect("another peer");
        assert_eq!(slots.acquire(b).err(), Some(Cap::Total));
        drop(a1);
        let b2 = slots.acquire(b).expect("a freed slot");
        drop((a2, b1, b2));
        let open = slots.open.lock().expect("lock");
        assert_eq!(open.total, 0);
        assert!(open.per_peer.is_empty(), "no entries are left behind");
    }

    #[test]
    fn zero_means_no_per_peer_cap() {
        let slots = Slots::new(&limits(3, 0));
        let a: IpAddr = Ipv4Addr::LOCALHOST.into();
        let held: Vec<_> = (0..3).map(|_| slots.acquire(a).expect("slot")).collect();
        assert_eq!(slots.acquire(a).err(), Some(Cap::Total));
        drop(held);
        assert_eq!(slots.open.lock().expect("lock").total, 0);
    }

    #[test]
    fn ipv6_peers_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:2:bbbb::7".parse().expect("ip");
        assert_eq!(peer_key(one), peer_key(other));
        assert_ne!(peer_key(one), peer_key("2001:db8:1:3::1".parse().expect("ip")));
        assert_eq!(
            peer_key("::ffff:192.0.2.9".parse().expect("ip")),
            IpAddr::from(Ipv4Addr::new(192, 0, 2, 9))
        );
    }
}
