//! Small hostile HTTP servers on 127.0.0.1 for the fetch demos' tests: a
//! body that never ends, a body cut off before its announced length, a
//! connection that never answers, and one site of several that is down.
//! Plain `std::net`, one thread per connection. The checks below run a
//! demo's fetching modes against one and check the `error:` lines, the
//! memory, and the last line against the Python equivalent's; each demo's
//! tests call them with its own modes.

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
        /// The body length its `Content-Length` header promises, more than `sent`.
        announced: usize,
        /// How many bytes of body follow before the connection closes.
        sent: usize,
    },
    /// Accepts the connection, then says nothing until the client gives up.
    Silent,
    /// `/site/A` answers 503; every other path answers as the slow server's
    /// `/site/{name}` does, at once.
    SiteADown,
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

    /// `http://127.0.0.1:PORT`, for `--base-url` or to append a path to.
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
    let head = read_head(&mut stream)?;
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
        Behaviour::SiteADown => {
            // The request line, `GET /site/B?delay_ms=0 HTTP/1.1`, names the site.
            let path = head.split(' ').nth(1).unwrap_or_default();
            let site = path.trim_start_matches("/site/").split('?').next();
            let site = site.unwrap_or_default();
            let (status, body) = if site == "A" {
                (
                    "503 Service Unavailable",
                    r#"{"error": "down"}"#.to_string(),
                )
            } else {
                let data = format!("Data from website {site}");
                (
                    "200 OK",
                    format!(r#"{{"site": "{site}", "data": "{data}", "delay_ms": 0}}"#),
                )
            };
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )?;
        }
    }
    Ok(())
}

/// Reads up to the blank line that ends a request head, and returns it.
fn read_head(stream: &mut TcpStream) -> io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
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

/// The cap the checks below set: small, so that going past it would show in memory.
pub const CAP: u64 = 1 << 20;

/// A demo's fetching modes pointed at `base`: `get BASE/data/1`, then each of
/// `site_modes` (`["http"]`, `["threads", "http"]` …) over three sites; all
/// with [`CAP`] and a timeout long enough that only the cap (or the server
/// closing) can end a fetch.
fn modes(base: &str, site_modes: &[&[&str]]) -> Vec<Vec<String>> {
    let url = format!("{base}/data/1");
    let cap = CAP.to_string();
    let common = ["--max-body-bytes", &cap, "--timeout-ms", "30000"];
    let sites = ["--base-url", base, "--tasks", "3", "--delay-ms", "0"];
    let get = [&["get", url.as_str()][..], &common].concat();
    std::iter::once(get)
        .chain(
            site_modes
                .iter()
                .map(|mode| [mode, &sites[..], &common].concat()),
        )
        .map(|mode| mode.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// Runs `bin` in each of its [`modes`] against one [`Hostile`] server that
/// behaves as `behaviour`. Checks that each run exits 1 with one
/// `error: …: GET URL: reason` line per site (a mode's site count is its
/// `--tasks`, else 1), each ending with `reason`, and a summary that counts
/// them as failed. Returns each mode with its peak memory (`max_rss_kb`).
pub fn every_mode_fails_with(
    bin: &str,
    site_modes: &[&[&str]],
    behaviour: Behaviour,
    reason: &str,
) -> Vec<(Vec<String>, u64)> {
    let server = Hostile::start(behaviour).expect("the hostile server could not start");
    let mut peaks = Vec::new();
    for mode in modes(&server.base_url(), site_modes) {
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

/// An endless body, announced or chunked, stops every mode at [`CAP`], and
/// the process's peak memory stays within a body of [`CAP`] per site (plus
/// slack) of a run whose bodies are cut off at 10 bytes.
pub fn an_endless_body_stops_at_the_cap(bin: &str, site_modes: &[&[&str]]) {
    let too_large = format!("the body is larger than {CAP} bytes");
    let cut_off = Behaviour::CutOff {
        announced: 100,
        sent: 10,
    };
    let baseline = every_mode_fails_with(
        bin,
        site_modes,
        cut_off,
        "the connection closed after 10 of 100 bytes",
    );
    for behaviour in [Behaviour::EndlessChunked, Behaviour::EndlessAnnounced] {
        let peaks = every_mode_fails_with(bin, site_modes, behaviour, &too_large);
        for ((mode, peak), (_, base)) in peaks.iter().zip(&baseline) {
            // Three sites may each hold a body up to the cap at once (they
            // run concurrently); allow that plus 8 MiB of slack for a noisy
            // allocator.
            let allowed = base + 3 * CAP / 1024 + 8 * 1024;
            assert!(
                *peak <= allowed,
                "{behaviour:?} {mode:?}: {peak} KiB at peak, against {base} KiB for a short body"
            );
        }
    }
}

/// A body cut off before its announced length is a connection failure in
/// every mode, not a JSON error.
pub fn a_body_cut_off_is_a_connection_failure(bin: &str, site_modes: &[&[&str]]) {
    let cut_off = Behaviour::CutOff {
        announced: 1000,
        sent: 300,
    };
    every_mode_fails_with(
        bin,
        site_modes,
        cut_off,
        "the connection closed after 300 of 1000 bytes",
    );
}

/// `get` against a server that never answers ends with one timeout line.
pub fn a_silent_server_times_out(bin: &str) {
    let server = Hostile::start(Behaviour::Silent).expect("the hostile server could not start");
    let url = format!("{}/data/1", server.base_url());
    let out = run_json(bin, &["get", &url, "--timeout-ms", "300"]);
    out.assert_exit(1);
    assert_eq!(
        out.error_lines(),
        [format!("error: GET {url}: timed out after 300 ms")],
        "{}",
        out.stderr
    );
}

/// `--max-body-bytes 0` is a usage error in `get` and each of `site_modes`,
/// and `get --help` shows the flag with its 4 MiB default.
pub fn the_cap_is_a_checked_flag(bin: &str, site_modes: &[&[&str]]) {
    for mode in std::iter::once(&["get"][..]).chain(site_modes.iter().copied()) {
        let out = demo_kit::testing::run(bin, &[mode, &["--max-body-bytes", "0"]].concat());
        out.assert_usage_error();
        assert!(
            out.stderr.contains("--max-body-bytes"),
            "{mode:?}: {}",
            out.stderr
        );
    }
    let help = demo_kit::testing::run(bin, &["get", "--help"]);
    assert!(help.stdout.contains("--max-body-bytes"), "{}", help.stdout);
    assert!(help.stdout.contains("4194304"), "{}", help.stdout);
}

/// Each of `site_modes` (`["http"]`, `["threads", "http"]` …), run by `bin`
/// and by the Python equivalent `script` (the same words), against one
/// [`Behaviour::SiteADown`] server with 1 and with 3 sites: every run exits 1
/// and ends its stdout with the same line, `Fetched 0 of 1 website in …
/// seconds; 1 failed.` and `Fetched 2 of 3 websites in … seconds; 1 failed.`
/// Without python3 the Python runs are skipped, with a note.
pub fn the_last_line_is_the_pythons(bin: &str, script: &str, site_modes: &[&[&str]]) {
    use demo_kit::testing::ports::{python, shape};
    let server = Hostile::start(Behaviour::SiteADown).expect("the server could not start");
    let base = server.base_url();
    for (tasks, expected) in [
        ("1", "Fetched 0 of 1 website in # seconds; 1 failed."),
        ("3", "Fetched 2 of 3 websites in # seconds; 1 failed."),
    ] {
        for mode in site_modes {
            let args = [
                mode,
                &["--base-url", &base, "--tasks", tasks, "--delay-ms", "0"][..],
            ]
            .concat();
            let rust = demo_kit::testing::run(bin, &args);
            let python = python(script, &args);
            for (who, run) in [(bin, Some(rust)), (script, python)] {
                let Some(run) = run else { continue };
                run.assert_exit(1);
                let last = run.stdout.lines().last().unwrap_or_default();
                assert_eq!(shape(last), expected, "{who} {args:?}: {run}");
            }
        }
    }
}
