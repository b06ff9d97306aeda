//! The routes: slow "websites", a small data document, and the switches that
//! make a request fail on purpose.
//!
//! Every route reads the same query parameters:
//!
//! | parameter | effect |
//! |---|---|
//! | `delay_ms=N` | wait N ms before answering (0 to [`MAX_DELAY_MS`]; more is a 400) |
//! | `status=CODE` | answer with that status (200 to 599); non-2xx codes get a JSON error body |
//! | `body=invalid` | answer with a body that is not JSON (still `application/json`) |

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The longest `delay_ms` a request may ask for; longer is refused with a 400.
pub const MAX_DELAY_MS: u64 = 60_000;

/// What `body=invalid` answers: it claims to be JSON and is not.
pub const INVALID_BODY: &str = "{\"site\": this is not JSON";

/// All routes, with their own request counters (see `GET /stats`).
pub fn router() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/site/{name}", get(site))
        .route("/data/{id}", get(data))
        .route("/stats", get(stats))
        .fallback(not_found)
        .with_state(Arc::new(Stats::default()))
}

/// Requests the delayed routes are serving now, and the most at once.
#[derive(Debug, Default)]
struct Stats {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    served: AtomicUsize,
}

/// Counts one request in flight for as long as it lives; a request whose
/// client hung up is dropped, and so uncounted, too.
struct InFlight(Arc<Stats>);

impl InFlight {
    fn new(stats: Arc<Stats>) -> Self {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(stats)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The query string as sent; values are checked by [`Plan::from_query`] so
/// that a bad one gets our JSON error, not the extractor's plain text.
#[derive(Debug, Default, Deserialize)]
struct Params {
    delay_ms: Option<String>,
    status: Option<String>,
    body: Option<String>,
}

/// How to answer one request, once its parameters are checked.
#[derive(Debug, PartialEq)]
struct Plan {
    delay_ms: u64,
    status: Option<StatusCode>,
    invalid_body: bool,
}

impl Plan {
    fn from_query(query: Result<Query<Params>, QueryRejection>) -> Result<Plan, String> {
        let Query(params) = query.map_err(|err| format!("bad query string: {err}"))?;
        let delay_ms = match params.delay_ms.as_deref() {
            None => 0,
            Some(text) => match text.parse::<u64>() {
                Ok(ms) if ms <= MAX_DELAY_MS => ms,
                Ok(ms) => {
                    return Err(format!(
                        "delay_ms={ms} is above the limit of {MAX_DELAY_MS} ms"
                    ));
                }
                Err(_) => {
                    return Err(format!(
                        "delay_ms must be a whole number of milliseconds, got {text:?}"
                    ));
                }
            },
        };
        let status = match params.status.as_deref() {
            None => None,
            Some(text) => match text.parse::<u16>() {
                Ok(code @ 200..=599) => StatusCode::from_u16(code).ok(),
                _ => {
                    return Err(format!(
                        "status must be a code from 200 to 599, got {text:?}"
                    ));
                }
            },
        };
        let invalid_body = match params.body.as_deref() {
            None => false,
            Some("invalid") => true,
            Some(other) => {
                return Err(format!("body may only be \"invalid\", got {other:?}"));
            }
        };
        Ok(Plan {
            delay_ms,
            status,
            invalid_body,
        })
    }

    /// Waits, then answers with `document` or whatever the switches ask for.
    async fn answer(self, stats: Arc<Stats>, document: Value) -> Response {
        let guard = InFlight::new(stats);
        tokio::time::sleep(Duration::from_millis(self.delay_ms)).await;
        guard.0.served.fetch_add(1, Ordering::SeqCst);
        let status = self.status.unwrap_or(StatusCode::OK);
        if self.invalid_body {
            return (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                INVALID_BODY,
            )
                .into_response();
        }
        if status.is_success() {
            (status, Json(document)).into_response()
        } else {
            let error = json!({
                "error": format!("status {} requested with status={}", status, status.as_u16()),
                "status": status.as_u16(),
            });
            (status, Json(error)).into_response()
        }
    }
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// `GET /`: what this server offers, for a student with curl.
async fn index() -> Json<Value> {
    Json(json!({
        "routes": [
            "GET /site/{name}?delay_ms=N",
            "GET /data/{id}?delay_ms=N",
            "GET /stats",
        ],
        "switches": ["status=CODE", "body=invalid"],
        "max_delay_ms": MAX_DELAY_MS,
    }))
}

/// `GET /site/{name}`: "website {name}" after the delay.
async fn site(
    State(stats): State<Arc<Stats>>,
    Path(name): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Response {
    let plan = match Plan::from_query(query) {
        Ok(plan) => plan,
        Err(message) => return bad_request(message),
    };
    let document = json!({
        "site": name,
        "data": format!("Data from website {name}"),
        "delay_ms": plan.delay_ms,
    });
    plan.answer(stats, document).await
}

/// `GET /data/{id}`: a small to-do document, like the public test APIs the
/// article's single-call example points at.
async fn data(
    State(stats): State<Arc<Stats>>,
    Path(id): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Response {
    let plan = match Plan::from_query(query) {
        Ok(plan) => plan,
        Err(message) => return bad_request(message),
    };
    let Ok(id) = id.parse::<u64>() else {
        return bad_request(format!("id must be a whole number, got {id:?}"));
    };
    let document = json!({
        "id": id,
        "user_id": 1,
        "title": format!("Item {id}, served by the local slow server"),
        "completed": false,
        "tags": ["local", "demo"],
        "delay_ms": plan.delay_ms,
    });
    plan.answer(stats, document).await
}

/// `GET /stats`: requests in flight now, the most at once, and how many were answered.
async fn stats(State(stats): State<Arc<Stats>>) -> Json<Value> {
    Json(json!({
        "in_flight": stats.in_flight.load(Ordering::SeqCst),
        "max_in_flight": stats.max_in_flight.load(Ordering::SeqCst),
        "served": stats.served.load(Ordering::SeqCst),
    }))
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "no such route; try /site/A or /data/1" })),
    )
        .into_response()
}
