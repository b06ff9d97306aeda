//! A running server: started on its own runtime for synchronous callers
//! ([`Server::start`]), or on the caller's runtime for async ones ([`spawn`]).

use crate::fdlimit;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;

/// The listen backlog: how many connections the kernel queues before
/// `accept`. 1,000 clients connecting at once overflow the usual 128, and
/// each dropped SYN is retried only after a second.
pub const BACKLOG: u32 = 4096;

/// How long a connection may take to send a whole request head (request
/// line and headers), and how long a kept-alive connection may sit idle
/// between requests, before the server closes it. Without it, connections
/// that send nothing or trickle a byte a second hold a file descriptor each
/// for ever, and enough of them starve everyone else.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to wait before accepting again after `accept` failed for lack of
/// file descriptors (or another error that is not the client's).
pub const ACCEPT_RETRY: Duration = Duration::from_millis(250);

/// After a shutdown signal, how long requests still in flight may finish
/// before the server stops waiting for them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running server. [`shutdown`](Server::shutdown) stops it gracefully;
/// dropping it does the same.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    runner: Option<Runner>,
}

#[derive(Debug)]
enum Runner {
    /// [`Server::start`]: a thread that owns the runtime.
    Thread(thread::JoinHandle<()>),
    /// [`spawn`]: a task on the caller's runtime.
    Task(tokio::task::JoinHandle<()>),
}

impl Server {
    /// Starts a server on 127.0.0.1 with a port the OS picks, on a tokio
    /// runtime of its own on a background thread: usable from plain
    /// synchronous code. The socket is bound before this returns, so
    /// [`addr`](Server::addr) is known before any request is made.
    pub fn start() -> io::Result<Server> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Like [`start`](Server::start), on the address given.
    pub fn start_on(addr: SocketAddr) -> io::Result<Server> {
        let _ = fdlimit::raise_to_hard(); // best effort: the limit may already be enough
        // One thread is enough for a server whose requests only wait, and
        // the callers are on this machine: with two workers, each accepted
        // connection also woke the other worker (a futex call) and took CPU
        // from the client beside it. 5,000 requests at once: about 0.3 s
        // less CPU time in all (docs/notes/async-fetch.md).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // `enter` (not `block_on`) so this also works when the caller is itself
        // inside a tokio runtime: binding registers the socket with *our* runtime.
        let listener = {
            let _context = runtime.enter();
            bind(addr)?
        };
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let thread = thread::Builder::new()
            .name("slow-server".into())
            .spawn(move || {
                runtime.block_on(serve(listener, stopped));
                // Requests still sleeping after the grace period are dropped here.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(Server {
            addr,
            stop,
            runner: Some(Runner::Thread(thread)),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets requests in flight finish (for up
    /// to [`SHUTDOWN_GRACE`]), and, for a server from [`start`](Server::start),
    /// waits until its thread has ended. A server from [`spawn`] is only
    /// signalled; await [`shutdown_async`](Server::shutdown_async) to wait for it.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    /// [`shutdown`](Server::shutdown) for async callers: waits for the
    /// server to end without blocking the caller's runtime.
    pub async fn shutdown_async(mut self) {
        let _ = self.stop.send(true);
        match self.runner.take() {
            Some(Runner::Task(task)) => {
                let _ = task.await; // the serving task does not panic; a cancelled one is done too
            }
            Some(Runner::Thread(thread)) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
            None => {}
        }
    }

    fn stop_and_join(&mut self) {
        let _ = self.stop.send(true); // fails only if the server already ended
        if let Some(Runner::Thread(thread)) = self.runner.take() {
            // A panic on the server thread has already printed its message
            // there; say once more that the shutdown found it dead.
            if thread.join().is_err() {
                demo_kit::error("the slow server's thread had panicked");
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Serves on the caller's tokio runtime (which needs the `net` and `time`
/// drivers, e.g. `#[tokio::main]`). Bound before this returns.
pub async fn spawn(addr: SocketAddr) -> io::Result<Server> {
    let _ = fdlimit::raise_to_hard();
    let listener = bind(addr)?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(serve(listener, stopped));
    Ok(Server {
        addr,
        stop,
        runner: Some(Runner::Task(task)),
    })
}

/// Binds `addr` with a backlog of [`BACKLOG`]. `TcpListener::bind` would use
/// 1024; `TcpSocket` lets us choose. Must run inside a tokio runtime context.
fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // A restarted `--port P` server may rebind while old connections sit in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Serves until `stopped` turns true, then drains for up to [`SHUTDOWN_GRACE`].
///
/// `axum::serve` would do this too, but without a timer for hyper, so it has
/// no header-read timeout: we accept connections ourselves and hand each one
/// to hyper's HTTP/1 connection builder, configured as [`http1`] says.
async fn serve(listener: TcpListener, mut stopped: watch::Receiver<bool>) {
    let router = crate::router();
    let http = http1();
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                pause_after_accept_error(&err).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that hangs up, or is cut off by a timeout, ends its
            // connection with an error that concerns nobody else.
            let _ = connection.await;
        });
    }
    drop(listener); // refuse new connections from now on
    // Idle connections close at once; requests in flight finish, unless they
    // would outlast the grace period.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// hyper's HTTP/1 settings for every connection: keep-alive on, and
/// [`HEADER_READ_TIMEOUT`] for each request head. hyper starts that timer
/// when a connection opens and again each time a kept-alive connection waits
/// for its next request, so the one setting closes both a connection that
/// sends its head too slowly and one that sits idle between requests.
/// It stops once the head is read: a route's own delay is not cut short.
fn http1() -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(HEADER_READ_TIMEOUT);
    http
}

/// After a failed `accept`: a client that gave up before we took its
/// connection is no reason to wait, but running out of file descriptors is
/// (retrying at once would spin); the queued connections wait in the backlog
/// until timeouts or finished requests free some.
async fn pause_after_accept_error(err: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tokio::time::sleep(ACCEPT_RETRY).await;
    }
}
