//! The library API over real loopback sockets: each route, the switches,
//! the 400, and both ways to shut down.

use serde_json::Value;
use slow_server::load::get;
use slow_server::{MAX_DELAY_MS, Server};
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
    for bad in ["delay_ms=soon", "delay_ms=-5", "status=42", "body=empty"] {
        let (status, body) = fetch(&server, &format!("/site/A?{bad}"));
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].is_string(), "{bad}: {body}");
    }
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

#[test]
fn stats_count_requests_in_flight() {
    let server = Server::start().unwrap();
    let rt = runtime();
    let counted = rt.block_on(async {
        let addr = server.addr();
        let slow: Vec<_> = (0..5)
            .map(|i| {
                tokio::spawn(async move { get(addr, &format!("/site/{i}?delay_ms=400")).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (_, during) = get(addr, "/stats").await.unwrap();
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
    std::thread::sleep(Duration::from_millis(150));
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
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
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
