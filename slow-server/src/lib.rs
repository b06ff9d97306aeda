//! Local "websites" on 127.0.0.1 that answer after a delay: the offline
//! stand-in for the servers the article's fetch examples reach over the internet.
//!
//! ```no_run
//! let server = slow_server::Server::start()?; // bound before it returns
//! let url = format!("{}/site/A?delay_ms=2000", server.base_url());
//! // … fetch `url` with any HTTP client: after 2 s it answers
//! // {"site":"A","data":"Data from website A","delay_ms":2000}
//! server.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! - [`routes`]: `GET /site/{name}`, `GET /data/{id}`, `GET /stats`, and the
//!   `delay_ms`, `status` and `body=invalid` switches;
//! - [`server`]: [`Server::start`] for synchronous programs (the server runs on
//!   its own runtime, on a thread of its own), [`spawn`] for async ones; both
//!   close connections that stay idle or send their request head too slowly;
//! - [`fdlimit`]: the open-file limit, raised at start so 1,000 connections fit;
//! - [`load`]: the client behind `slow-server load`, which proves that.
//!
//! The fetch demos' side (site names, `--fault`, URLs, error wording) is the
//! `fetch-client` crate.
//!
//! Built on axum (over hyper and tokio) rather than bare hyper: routing, path
//! and query extraction and JSON responses come ready-made, and the routes
//! read like the table in the README.

pub mod fdlimit;
pub mod load;
pub mod routes;
pub mod server;

pub use routes::{MAX_DELAY_MS, router};
pub use server::{Server, spawn};
