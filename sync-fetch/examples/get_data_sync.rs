//! One blocking HTTP call whose JSON answer is printed: the article's
//! `requests.get(url).json()` example, with `reqwest::blocking`.
//!
//! ```text
//! cargo run -p sync-fetch --example get_data_sync
//! ```
//!
//! ```text
//! {"completed":false,"delay_ms":0,"id":1,"tags":["local","demo"],"title":"Item 1, served by the local slow server","user_id":1}
//! ```
//!
//! The article's URL is on the internet; this one is the local slow server
//! (`slow-server`), started inside this program on 127.0.0.1.
//! `cargo run -p sync-fetch -- get` makes the same call and times it.

use serde_json::Value;

fn get_data_sync(url: &str) -> Value {
    let response = reqwest::blocking::get(url).unwrap(); // blocks until the answer is in
    response.json().unwrap() // Python's `.json()` makes a dict; `Value` is any JSON
}

fn main() {
    // Python's `requests` comes with its TLS set up. Our reqwest is built
    // with rustls but no crypto provider (ring builds faster than the
    // default), so we install ring's, even though http:// needs no TLS.
    rustls::crypto::ring::default_provider()
        .install_default()
        .unwrap();
    let server = slow_server::Server::start().unwrap();
    let data = get_data_sync(&format!("{}/data/1", server.base_url()));
    println!("{data}");
}
