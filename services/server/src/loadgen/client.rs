//! The load generator's HTTP client: `connections` keep-alive HTTP/1.1
//! connections (hyper's client connection, one task each), every one sending
//! its next request as soon as the previous answer is read, as wrk does.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Makes the body of the n-th request (0-based, counted over all connections).
pub type MakeBody = Arc<dyn Fn(u64) -> Bytes + Send + Sync>;

/// When a workload stops: after `requests` requests or `duration`, whichever comes first.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub requests: u64,
    pub duration: Duration,
}

/// What one workload measured.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub requests: u64,
    /// Answers that were not `200` or carried GraphQL `errors`.
    pub errors: u64,
    /// Of those, answers whose error code is `CONFLICT`.
    pub conflicts: u64,
    pub elapsed: Duration,
    /// Latency of every answered request, in microseconds (sorted).
    latencies_us: Vec<u32>,
    /// When each answer arrived, in microseconds since the workload began (sorted).
    answered_us: Vec<u64>,
    /// The first error body seen (for the report).
    pub first_error: Option<String>,
}

impl Stats {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `q`-quantile latency in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * q).round() as usize;
        f64::from(self.latencies_us[i.min(self.latencies_us.len() - 1)]) / 1000.0
    }

    /// The longest time without any answer, over all connections, in
    /// milliseconds (from the first answer to the last).
    pub fn longest_gap_ms(&self) -> f64 {
        let gap = self.answered_us.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        gap as f64 / 1000.0
    }
}

/// One POST target: where, with which token.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub path: String,
    pub token: Option<String>,
}

/// Drive `connections` connections against `target` until `limit`.
pub async fn drive(target: Target, connections: usize, limit: Limit, make: MakeBody) -> anyhow::Result<Stats> {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + limit.duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (target, make, next) = (target.clone(), make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            connection(target, limit, (start, deadline), make, next).await
        }));
    }
    let mut all = Stats::default();
    for t in tasks {
        let s = t.await.context("a client connection task failed")??;
        all.requests += s.requests;
        all.errors += s.errors;
        all.conflicts += s.conflicts;
        all.latencies_us.extend(s.latencies_us);
        all.answered_us.extend(s.answered_us);
        if all.first_error.is_none() {
            all.first_error = s.first_error;
        }
    }
    all.elapsed = start.elapsed();
    all.latencies_us.sort_unstable();
    all.answered_us.sort_unstable();
    Ok(all)
}

async fn connection(
    target: Target,
    limit: Limit,
    (start, deadline): (Instant, Instant),
    make: MakeBody,
    next: Arc<AtomicU64>,
) -> anyhow::Result<Stats> {
    let stream = TcpStream::connect(target.addr)
        .await
        .with_context(|| format!("cannot connect to {}", target.addr))?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let host = target.addr.to_string();
    let auth = target.token.as_ref().map(|t| format!("Bearer {t}"));
    let mut stats = Stats::default();
    loop {
        if Instant::now() >= deadline {
            break;
        }
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= limit.requests {
            break;
        }
        let mut request = Request::post(target.path.as_str())
            .header(HOST, host.as_str())
            .header(CONTENT_TYPE, "application/json");
        if let Some(auth) = &auth {
            request = request.header(AUTHORIZATION, auth.as_str());
        }
        let request = request.body(Full::new(make(n)))?;
        let sent = Instant::now();
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        let took = sent.elapsed();
        stats.requests += 1;
        stats
            .latencies_us
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        stats
            .answered_us
            .push(u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX));
        let failed = !status.is_success() || body.windows(10).any(|w| w == b"\"errors\":[");
        if failed {
            stats.errors += 1;
            if body.windows(10).any(|w| w == b"\"CONFLICT\"") {
                stats.conflicts += 1;
            }
            if stats.first_error.is_none() {
                stats.first_error = Some(format!(
                    "{status}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(400)])
                ));
            }
        }
    }
    drop(sender);
    let _ = driver.await;
    Ok(stats)
}

/// One request on its own connection (setting a workload up): the status and the body.
pub async fn post_once(target: &Target, body: Bytes) -> anyhow::Result<(hyper::StatusCode, Bytes)> {
    let stream = TcpStream::connect(target.addr)
        .await
        .with_context(|| format!("cannot connect to {}", target.addr))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut request = Request::post(target.path.as_str())
        .header(HOST, target.addr.to_string())
        .header(CONTENT_TYPE, "application/json");
    if let Some(token) = &target.token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = sender.send_request(request.body(Full::new(body))?).await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    drop(sender);
    let _ = driver.await;
    Ok((status, bytes))
}
