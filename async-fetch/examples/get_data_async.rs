//! One async HTTP call whose JSON answer is printed: the article's aiohttp
//! example (`get_data_async`), with reqwest on tokio. As the article says,
//! one call gains nothing from an event loop; this shows what it costs to write.
//!
//! ```text
//! cargo run -p async-fetch --example get_data_async
//! ```
//!
//! ```text
//! {"completed":false,"delay_ms":0,"id":1,"tags":["local","demo"],"title":"Item 1, served by the local slow server","user_id":1}
//! ```
//!
//! The article's URL is on the internet; this one is the local slow server
//! (`slow-server`), started inside this program on 127.0.0.1.
//! `cargo run -p async-fetch -- get` makes the same call and times it.

use serde_json::Value;

async fn get_data_async(url: &str) -> Value {
    // `reqwest::get` makes a client for this one call, as the article's
    // `aiohttp.ClientSession()` does.
    let response = reqwest::get(url).await.unwrap();
    response.json().await.unwrap()
}

#[tokio::main(flavor = "current_thread")] // `asyncio.run(main())`
async fn main() {
    // Our reqwest is built with rustls but no crypto provider (ring builds
    // faster than the default): install ring's, even though http:// needs no TLS.
    rustls::crypto::ring::default_provider()
        .install_default()
        .unwrap();
    let server = slow_server::Server::start().unwrap(); // on threads of its own
    let data = get_data_async(&format!("{}/data/1", server.base_url())).await;
    println!("{data}");
}
