//! A load client: many slow requests at once, from a process of its own,
//! to show that the server holds them all (`slow-server load`).
//!
//! It speaks just enough HTTP/1.1 over tokio's `TcpStream` (one request per
//! connection, `Connection: close`) so that this crate needs no HTTP client.
//! Each request in flight holds one socket, that is one file descriptor, in
//! *this* process: with `--concurrency` at or above the open-file soft limit
//! the connects fail with "Too many open files".

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// What to send.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The server, as `IP:PORT`.
    pub addr: SocketAddr,
    /// How many requests in all.
    pub requests: usize,
    /// How many may be in flight at once.
    pub concurrency: usize,
    /// The `delay_ms` each request asks for.
    pub delay_ms: u64,
}

/// What came back.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Requests answered 200 with the expected JSON.
    pub ok: usize,
    /// Requests that failed, by reason.
    pub errors: BTreeMap<String, usize>,
    /// Wall time of the whole load, in ms.
    pub elapsed_ms: f64,
    /// The most of this run's requests that were connected and waiting for
    /// their answer at the same time, counted by this client.
    pub max_in_flight: usize,
    /// The server's own count of the most requests it held at once since it
    /// started (`GET /stats`; other clients and earlier runs included), if it
    /// could be read.
    pub server_max_in_flight: Option<u64>,
}

impl Report {
    /// Requests that failed.
    pub fn failed(&self) -> usize {
        self.errors.values().sum()
    }

    /// The report as one JSON object.
    pub fn to_json(&self, plan: &Plan, fd_soft_limit: Option<u64>) -> Value {
        json!({
            "requests": plan.requests,
            "concurrency": plan.concurrency,
            "delay_ms": plan.delay_ms,
            "ok": self.ok,
            "failed": self.failed(),
            "errors": self.errors,
            "elapsed_ms": (self.elapsed_ms * 100.0).round() / 100.0,
            "max_in_flight": self.max_in_flight,
            "server_max_in_flight": self.server_max_in_flight,
            "fd_soft_limit": fd_soft_limit,
        })
    }
}

/// Parses `http://IP:PORT[/…]` or `IP:PORT` (an IP literal: no DNS here).
pub fn parse_addr(url: &str) -> Result<SocketAddr, String> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .parse()
        .map_err(|_| format!("expected http://IP:PORT, got {url:?}"))
}

/// Sends the requests, at most `plan.concurrency` at a time, and counts the answers.
pub async fn run(plan: &Plan) -> Report {
    let permits = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let counter = Arc::new(InFlight::default());
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..plan.requests {
        let permits = Arc::clone(&permits);
        let counter = Arc::clone(&counter);
        let addr = plan.addr;
        let path = format!("/site/load-{i}?delay_ms={}", plan.delay_ms);
        // Generous: a request that takes 30 s longer than asked has failed.
        let limit = Duration::from_millis(plan.delay_ms) + Duration::from_secs(30);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.map_err(|e| e.to_string())?;
            match tokio::time::timeout(limit, send(addr, &path, Some(&counter))).await {
                Ok(Ok((200, body))) if body.get("site").is_some() => Ok(()),
                Ok(Ok((status, _))) => Err(format!("status {status}")),
                Ok(Err(err)) => Err(err),
                Err(_) => Err("timed out".to_string()),
            }
        });
    }
    let mut report = Report {
        ok: 0,
        errors: BTreeMap::new(),
        elapsed_ms: 0.0,
        max_in_flight: 0,
        server_max_in_flight: None,
    };
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => report.ok += 1,
            Ok(Err(reason)) => *report.errors.entry(reason).or_default() += 1,
            Err(err) => *report.errors.entry(format!("task: {err}")).or_default() += 1,
        }
    }
    report.elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    report.max_in_flight = counter.max.load(Ordering::SeqCst);
    if let Ok((200, stats)) = get(plan.addr, "/stats").await {
        report.server_max_in_flight = stats.get("max_in_flight").and_then(Value::as_u64);
    }
    report
}

/// This run's requests in flight: connected and not yet fully answered.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// Counts one request in [`InFlight`] for as long as it lives.
struct Counted<'a>(&'a InFlight);

impl<'a> Counted<'a> {
    fn new(counter: &'a InFlight) -> Self {
        let now = counter.now.fetch_add(1, Ordering::SeqCst) + 1;
        counter.max.fetch_max(now, Ordering::SeqCst);
        Counted(counter)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One `GET path` on a fresh connection: the status code and the JSON body
/// (`Null` if the body is not JSON).
pub async fn get(addr: SocketAddr, path: &str) -> Result<(u16, Value), String> {
    send(addr, path, None).await
}

/// [`get`], counted in `counter` from the connect to the end of the answer.
async fn send(
    addr: SocketAddr,
    path: &str,
    counter: Option<&InFlight>,
) -> Result<(u16, Value), String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _counted = counter.map(Counted::new);
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| "read: response ended before its headers did".to_string())?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("read: not an HTTP status line: {:?}", head.lines().next()))?;
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_from_urls() {
        let expected: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(parse_addr("http://127.0.0.1:8080"), Ok(expected));
        assert_eq!(parse_addr("http://127.0.0.1:8080/site/A"), Ok(expected));
        assert_eq!(parse_addr("127.0.0.1:8080"), Ok(expected));
        assert!(parse_addr("http://localhost:8080").is_err());
        assert!(parse_addr("nonsense").is_err());
    }
}
