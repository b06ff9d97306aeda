//! The library API over real loopback sockets: each route, the switches,
//! the 400, and both ways to shut down.

use serde_json::Value;
use slow_server::load::get;
use slow_server::server::HEADER_READ_TIMEOUT;
use slow_server::{MAX_DELAY_MS, Server};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One blocking GET, through the crate's own minimal client.
fn fetch(server: &Server, path: &str) -> (u16, Value) {
    runtime().block_on(get(server.addr(), path)).unwrap()
}

fn refuses_connections(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err()
}

#[test]
fn start_binds_loopback_before_returning() {
    let server = Server::start().unwrap();
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0);
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}", server.addr().port())
    );
    // No sleep, no retry: the socket is already listening.
    assert!(TcpStream::connect(server.addr()).is_ok());
}

#[test]
fn site_answers_after_the_delay() {
    let server = Server::start().unwrap();
    let started = Instant::now();
    let (status, body) = fetch(&server, "/site/B?delay_ms=200");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(status, 200);
    assert_eq!(body["site"], "B");
    assert_eq!(body["data"], "Data from website B");
    assert_eq!(body["delay_ms"], 200);
}

#[test]
fn data_is_a_small_document() {
    let server = Server::start().unwrap();
    let (status, body) = fetch(&server, "/data/7");
    assert_eq!(status, 200);
    assert_eq!(body["id"], 7);
    assert_eq!(body["completed"], false);
    assert!(body["title"].as_str().unwrap().contains('7'));
    let (status, body) = fetch(&server, "/data/seven");
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("seven"));
}

#[test]
fn absurd_delay_is_refused_with_a_json_error_at_once() {
    let server = Server::start().unwrap();
    let path = format!("/site/A?delay_ms={}", MAX_DELAY_MS + 1);
    let (status, body) = fetch(&server, &path);
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("60000"), "{body}");
    for bad in [
        "delay_ms=soon",
        "delay_ms=-5",
        "status=42",
        "status=199",
        "status=600",
        "status=teapot",
        "body=empty",
    ] {
        let (status, body) = fetch(&server, &format!("/site/A?{bad}"));
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].is_string(), "{bad}: {body}");
    }
}

/// `delay_ms` at the limit is a wait, not a 400: the request is still in
/// flight on the server (a refused one is answered before it is counted).
#[test]
fn the_longest_delay_is_accepted() {
    let server = Server::start().unwrap();
    let addr = server.addr();
    let in_flight = runtime().block_on(async {
        let path = format!("/site/A?delay_ms={MAX_DELAY_MS}");
        let waiting = tokio::spawn(async move { get(addr, &path).await });
        let stats = stats_once_in_flight(addr, 1).await;
        waiting.abort(); // the client hangs up; the server drops the request
        stats
    });
    assert_eq!(in_flight["in_flight"], 1, "{in_flight}");
}

#[test]
fn fault_switches() {
    let server = Server::start().unwrap();
    let (status, body) = fetch(&server, "/site/A?status=503&delay_ms=50");
    assert_eq!(status, 503);
    assert_eq!(body["status"], 503);
    assert!(body["error"].is_string());
    let (status, body) = fetch(&server, "/data/1?status=404");
    assert_eq!(status, 404);
    assert!(body["error"].is_string());
    // Not JSON: the minimal client reports such a body as Null.
    let (status, body) = fetch(&server, "/site/A?body=invalid");
    assert_eq!(status, 200);
    assert_eq!(body, Value::Null);
    let (status, body) = fetch(&server, "/nowhere");
    assert_eq!(status, 404);
    assert!(body["error"].is_string());
}

/// Reads `GET /stats` until `in_flight` is `count`, for at most a few
/// seconds; returns the last reading.
async fn stats_once_in_flight(addr: SocketAddr, count: u64) -> Value {
    let started = Instant::now();
    loop {
        let (_, stats) = get(addr, "/stats").await.unwrap();
        if stats["in_flight"] == count || started.elapsed() > Duration::from_secs(5) {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn stats_count_requests_in_flight() {
    let server = Server::start().unwrap();
    let rt = runtime();
    let counted = rt.block_on(async {
        let addr = server.addr();
        // Long enough that all five are in flight together even on a loaded machine.
        let slow: Vec<_> = (0..5)
            .map(|i| {
                tokio::spawn(async move { get(addr, &format!("/site/{i}?delay_ms=2000")).await })
            })
            .collect();
        let during = stats_once_in_flight(addr, 5).await;
        for request in slow {
            assert_eq!(request.await.unwrap().unwrap().0, 200);
        }
        let (_, after) = get(addr, "/stats").await.unwrap();
        (during, after)
    });
    let (during, after) = counted;
    assert_eq!(during["in_flight"], 5, "{during}");
    assert_eq!(after["in_flight"], 0, "{after}");
    assert_eq!(after["max_in_flight"], 5, "{after}");
    assert_eq!(after["served"], 5, "{after}");
}

#[test]
fn shutdown_lets_a_request_in_flight_finish_then_refuses() {
    let server = Server::start().unwrap();
    let addr = server.addr();
    let request = std::thread::spawn(move || runtime().block_on(get(addr, "/site/A?delay_ms=400")));
    // The shutdown comes once the server holds the request, however slow its start.
    let holding = runtime().block_on(stats_once_in_flight(addr, 1));
    assert_eq!(holding["in_flight"], 1, "{holding}");
    server.shutdown();
    let (status, body) = request.join().unwrap().unwrap();
    assert_eq!((status, body["site"].as_str()), (200, Some("A")));
    assert!(refuses_connections(addr));
}

#[test]
fn drop_shuts_down() {
    let server = Server::start().unwrap();
    let addr = server.addr();
    assert!(!refuses_connections(addr));
    drop(server);
    assert!(refuses_connections(addr));
}

#[test]
fn start_on_a_taken_port_is_an_error() {
    let server = Server::start().unwrap();
    let err = Server::start_on(server.addr()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

#[test]
fn spawn_serves_on_the_callers_runtime() {
    runtime().block_on(async {
        let server = slow_server::spawn("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = server.addr();
        let (status, body) = get(addr, "/site/C?delay_ms=50").await.unwrap();
        assert_eq!((status, body["site"].as_str()), (200, Some("C")));
        server.shutdown_async().await;
        assert!(get(addr, "/site/C").await.is_err());
    });
}

#[test]
fn start_works_from_inside_an_async_runtime() {
    runtime().block_on(async {
        let server = Server::start().unwrap();
        let (status, _) = get(server.addr(), "/data/1").await.unwrap();
        assert_eq!(status, 200);
        server.shutdown_async().await;
    });
}

/// Sends `first`, then, while `trickle` holds, one more header byte every
/// 300 ms; reads until the server closes the connection. Returns what was
/// read and how long the connection stayed open, or `None` if it was still
/// open after `give_up`.
fn hold(
    addr: SocketAddr,
    first: &[u8],
    trickle: bool,
    give_up: Duration,
) -> Option<(String, Duration)> {
    let mut stream = TcpStream::connect(addr).unwrap();
    let start = Instant::now();
    stream.write_all(first).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut read = Vec::new();
    let mut buf = [0; 4096];
    while start.elapsed() < give_up {
        match stream.read(&mut buf) {
            Ok(0) => return Some((String::from_utf8_lossy(&read).into_owned(), start.elapsed())),
            Ok(n) => read.extend_from_slice(&buf[..n]),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if trickle && stream.write_all(b"x").is_err() {
                    return Some((String::from_utf8_lossy(&read).into_owned(), start.elapsed()));
                }
            }
            Err(_) => return Some((String::from_utf8_lossy(&read).into_owned(), start.elapsed())),
        }
    }
    None
}

/// Silent, half-sent and trickling connections, and a kept-alive one that
/// goes idle after its answer, are all closed by the server once the
/// header-read timeout has passed; a route whose own delay is longer than
/// that timeout still answers.
#[test]
fn idle_and_half_sent_connections_are_closed_but_slow_routes_are_not() {
    let server = Server::start().unwrap();
    let addr = server.addr();
    let timeout = HEADER_READ_TIMEOUT;
    let give_up = timeout * 4;
    let slow_ms = (timeout + Duration::from_secs(1)).as_millis();
    let slow = format!("GET /site/A?delay_ms={slow_ms} HTTP/1.1\r\nHost: t\r\n\r\n");
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("silent", Vec::new(), false),
        ("half a request line", b"GET /site/A HT".to_vec(), false),
        (
            "headers a byte at a time",
            b"GET /site/A HTTP/1.1\r\nX-Slow: ".to_vec(),
            true,
        ),
        (
            "kept alive after an answer",
            b"GET /data/1 HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(),
            false,
        ),
        ("a route slower than the timeout", slow.into_bytes(), false),
    ];
    let threads: Vec<_> = cases
        .into_iter()
        .map(|(name, first, trickle)| {
            std::thread::spawn(move || (name, hold(addr, &first, trickle, give_up)))
        })
        .collect();
    for thread in threads {
        let (name, held) = thread.join().unwrap();
        let (read, open_for) =
            held.unwrap_or_else(|| panic!("{name}: still open after {give_up:?}"));
        // Broad bounds: not closed early, and closed (not merely slow).
        assert!(open_for >= timeout / 2, "{name}: closed after {open_for:?}");
        match name {
            "kept alive after an answer" | "a route slower than the timeout" => {
                assert!(read.starts_with("HTTP/1.1 200 OK"), "{name}: {read:?}");
                assert!(
                    read.contains("\"site\":\"A\"") || name.starts_with("kept"),
                    "{name}: {read:?}"
                );
            }
            _ => assert_eq!(read, "", "{name}"),
        }
        if name == "a route slower than the timeout" {
            assert!(open_for >= timeout, "{name}: {open_for:?}");
        }
    }
}
