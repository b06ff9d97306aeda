//! Small hostile HTTP servers on 127.0.0.1 for the fetch demos' tests: a
//! body that never ends, a body cut off before its announced length, and a
//! connection that never answers. Plain `std::net`, one thread per
//! connection, every path answered the same way. [`every_mode_fails_with`]
//! runs a demo's fetching modes against one and checks the `error:` lines.

use demo_kit::testing::Run;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// How a [`Hostile`] server answers every request.
#[derive(Clone, Copy, Debug)]
pub enum Behaviour {
    /// Announces a 10 GB `Content-Length`, then sends spaces as fast as the
    /// client reads them (spaces: valid JSON padding, so only a cap stops it).
    EndlessAnnounced,
    /// The same, chunked, with no length announced at all.
    EndlessChunked,
    /// Announces `announced` bytes, sends `sent` spaces, then closes.
    CutOff {
        /// The `Content-Length` sent.
        announced: usize,
        /// How many bytes of body follow before the connection closes.
        sent: usize,
    },
    /// Accepts the connection, then says nothing until the client gives up.
    Silent,
}

/// A running hostile server; dropping it stops it.
#[derive(Debug)]
pub struct Hostile {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    /// Starts one on 127.0.0.1 with a port the OS picks.
    pub fn start(behaviour: Behaviour) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let stopping = Arc::clone(&stopping);
                thread::spawn(move || {
                    // The client has gone, or the server was stopped: either
                    // way this connection is over.
                    let _ = answer(stream, behaviour, &stopping);
                });
            }
        });
        Ok(Self { addr, stop })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop
    }
}

fn answer(mut stream: TcpStream, behaviour: Behaviour, stop: &AtomicBool) -> io::Result<()> {
    read_head(&mut stream)?;
    let spaces = [b' '; 64 * 1024];
    let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
    match behaviour {
        Behaviour::EndlessAnnounced => {
            write!(stream, "{ok}content-length: 10000000000\r\n\r\n")?;
            while !stop.load(Ordering::SeqCst) {
                stream.write_all(&spaces)?;
            }
        }
        Behaviour::EndlessChunked => {
            write!(stream, "{ok}transfer-encoding: chunked\r\n\r\n")?;
            while !stop.load(Ordering::SeqCst) {
                write!(stream, "{:x}\r\n", spaces.len())?;
                stream.write_all(&spaces)?;
                stream.write_all(b"\r\n")?;
            }
        }
        Behaviour::CutOff { announced, sent } => {
            write!(stream, "{ok}content-length: {announced}\r\n\r\n")?;
            stream.write_all(&vec![b' '; sent])?;
            stream.flush()?;
        }
        Behaviour::Silent => {
            while !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(())
}

/// Reads up to the blank line that ends a request head.
fn read_head(stream: &mut TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(())
}

/// Runs `bin ARGS --json`, killed if it takes more than a minute.
pub fn run_json(bin: &str, args: &[&str]) -> Run {
    let output = assert_cmd::Command::new(bin)
        .args(args)
        .arg("--json")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("the demo could not be run");
    Run::from(output)
}

/// Runs `bin` in each of `modes(base_url)` against one [`Hostile`] server
/// that behaves as `behaviour`. Checks that each run exits 1 with one
/// `error: …: GET URL: reason` line per site (a mode's site count is its
/// `--tasks`, else 1), each ending with `reason`, and a summary that counts
/// them as failed. Returns each mode with its peak memory (`max_rss_kb`).
pub fn every_mode_fails_with(
    bin: &str,
    modes: impl Fn(&str) -> Vec<Vec<String>>,
    behaviour: Behaviour,
    reason: &str,
) -> Vec<(Vec<String>, u64)> {
    let server = Hostile::start(behaviour).expect("the hostile server could not start");
    let mut peaks = Vec::new();
    for mode in modes(&server.base_url()) {
        let args: Vec<&str> = mode.iter().map(String::as_str).collect();
        let out = run_json(bin, &args);
        out.assert_exit(1);
        let sites = args
            .iter()
            .position(|a| *a == "--tasks")
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(1usize);
        let errors = out.error_lines();
        let per_site: Vec<&&str> = errors.iter().filter(|l| l.contains(": GET ")).collect();
        assert_eq!(per_site.len(), sites, "{mode:?}: {}", out.stderr);
        for line in per_site {
            assert!(line.ends_with(reason), "{mode:?}: {line}");
        }
        let summary = out.json();
        assert_eq!(summary["failed"].as_u64(), Some(sites as u64), "{mode:?}");
        peaks.push((mode, summary["max_rss_kb"].as_u64().unwrap_or(0)));
    }
    peaks
}
