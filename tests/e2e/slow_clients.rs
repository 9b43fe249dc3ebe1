//! Slow and greedy clients against the real binary: the header read timeout
//! closes request heads that never finish (and idle keep-alive connections),
//! and the connection caps refuse connections over them at once, without
//! stopping the server from answering others.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{spawn, Server};

/// A request head that is never finished: no blank line.
const HALF_A_HEAD: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: 1";

fn addr(server: &Server) -> SocketAddr {
    server
        .base
        .strip_prefix("http://")
        .expect("http base")
        .parse()
        .expect("socket address")
}

async fn half_open(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(HALF_A_HEAD).await.expect("write half a head");
    stream
}

/// What the server sends until it closes the connection (EOF or reset), or
/// `None` when it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = vec![];
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| String::from_utf8_lossy(&got).into_owned())
}

/// `GET /healthz` on a fresh connection (`Connection: close`); the whole answer.
async fn healthz(stream: TcpStream) -> String {
    let mut stream = stream;
    if let Err(e) = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
    {
        return e.to_string();
    }
    closed_within(&mut stream, Duration::from_secs(10))
        .await
        .expect("the answer ends within 10 s")
}

/// `GET /healthz` until it answers `200` (slots are freed once the server
/// notices the closed connections); panics after 10 s.
async fn healthz_recovers(addr: SocketAddr) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = match TcpStream::connect(addr).await {
            Ok(stream) => healthz(stream).await,
            Err(e) => e.to_string(),
        };
        if answer.starts_with("HTTP/1.1 200") {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/healthz still refused: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_request_head_that_never_finishes_is_closed_after_the_header_read_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--header-read-timeout-secs", "1"]);
    let addr = addr(&server);

    let mut slow = half_open(addr).await;
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    let answer = closed_within(&mut slow, Duration::from_secs(10)).await;
    assert!(answer.is_some(), "a half-sent request head is still open after 10 s");
    assert!(
        closed_within(&mut silent, Duration::from_secs(10)).await.is_some(),
        "a connection that sends nothing is still open after 10 s"
    );

    // An idle keep-alive connection is closed too, after its answer.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .expect("write a request");
    let answer = closed_within(&mut idle, Duration::from_secs(10))
        .await
        .expect("an idle keep-alive connection is closed within 10 s");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(answer.contains("alive"), "{answer:?}");

    // Normal clients are served.
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("GET /healthz");
    assert_eq!(health.status(), 200);
    let stderr = server.stderr_text();
    assert!(server.terminate().success(), "{stderr}");
}

#[tokio::test]
async fn connections_over_the_per_peer_cap_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A long header timeout: the held connections stay open during the test.
    let server = spawn(
        dir.path(),
        &["--max-connections-per-peer", "5", "--header-read-timeout-secs", "60"],
    );
    let addr = addr(&server);

    let mut held = vec![];
    for _ in 0..5 {
        held.push(half_open(addr).await);
    }
    // The next 15 from the same address: a 503 and the connection closed,
    // well before the header timeout.
    for i in 0..15 {
        let mut extra = TcpStream::connect(addr).await.expect("connect");
        let answer = closed_within(&mut extra, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("connection {} over the cap is still open", i + 6));
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 503"), "{answer:?}");
    }
    let refused = healthz(TcpStream::connect(addr).await.expect("connect")).await;
    assert!(!refused.starts_with("HTTP/1.1 200"), "{refused:?}");
    // The first five are still open.
    for stream in &mut held {
        assert!(
            closed_within(stream, Duration::from_millis(200)).await.is_none(),
            "a connection under the cap was closed"
        );
    }

    // Another address is not affected (Linux routes all of 127/8 to loopback).
    #[cfg(target_os = "linux")]
    {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.2:0".parse().expect("address"))
            .expect("bind 127.0.0.2");
        let other = socket.connect(addr).await.expect("connect from 127.0.0.2");
        let answer = healthz(other).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    }

    // Once the held connections are gone, the address is served again.
    drop(held);
    healthz_recovers(addr).await;
    let stderr = server.stderr_text();
    assert!(
        stderr.contains("refusing connections over the cap"),
        "a warning is logged: {stderr}"
    );
    assert!(server.terminate().success(), "{stderr}");
}

#[tokio::test]
async fn connections_over_the_total_cap_are_refused_and_the_slots_come_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(
        dir.path(),
        &[
            "--max-connections",
            "3",
            "--max-connections-per-peer",
            "0",
            "--header-read-timeout-secs",
            "60",
        ],
    );
    let addr = addr(&server);

    let mut held = vec![half_open(addr).await, half_open(addr).await];
    // One slot is left: the server keeps answering.
    healthz_recovers(addr).await;
    // The last slot (once the answer's connection has given it back).
    loop {
        let mut third = half_open(addr).await;
        if closed_within(&mut third, Duration::from_millis(300)).await.is_none() {
            held.push(third);
            break;
        }
    }
    for _ in 0..5 {
        let mut extra = TcpStream::connect(addr).await.expect("connect");
        let answer = closed_within(&mut extra, Duration::from_secs(10))
            .await
            .expect("a connection over the total cap is closed at once");
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 503"), "{answer:?}");
    }
    drop(held);
    healthz_recovers(addr).await;
    let stderr = server.stderr_text();
    assert!(server.terminate().success(), "{stderr}");
}
