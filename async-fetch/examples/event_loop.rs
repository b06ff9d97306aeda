//! The event loop the article describes ("essentially a `while True` loop"),
//! written out with the standard library only: a ready queue, a `Waker` that
//! puts a task back on it, and a list of timers checked on every turn. It
//! runs the article's three `fetch_data` coroutines, which take about 2 s
//! together, not 6 s, on one thread.
//!
//! ```text
//! cargo run -p async-fetch --example event_loop
//! ```
//!
//! ```text
//! Fetching data from website A...
//! Fetching data from website B...
//! Fetching data from website C...
//! Finished fetching data from website A.
//! Finished fetching data from website B.
//! Finished fetching data from website C.
//! All data fetched in 2.00 seconds.
//! ```
//!
//! tokio's `current_thread` runtime is this design grown up: the same ready
//! queue and wakers, a timer wheel instead of a list, and epoll for sockets.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// A task: a future the loop owns and polls until it is done.
type Task = Pin<Box<dyn Future<Output = ()>>>;
/// The ready queue: ids of the tasks that can make progress.
type Ready = Arc<Mutex<VecDeque<usize>>>;

thread_local! {
    /// Scheduled timers: when each is due, and whom to wake then.
    static TIMERS: RefCell<Vec<(Instant, Waker)>> = const { RefCell::new(Vec::new()) };
}

/// A waker for one task: waking it puts the task's id back on the ready queue.
struct TaskWaker {
    id: usize,
    ready: Ready,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.ready.lock().unwrap().push_back(self.id);
    }
}

/// `asyncio.sleep`: not due yet, so leave a timer and give the turn back.
struct Sleep(Instant);

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.0 {
            return Poll::Ready(());
        }
        TIMERS.with(|t| t.borrow_mut().push((self.0, cx.waker().clone())));
        Poll::Pending // this is what `await` does when it must wait: yield to the loop
    }
}

fn sleep(duration: Duration) -> Sleep {
    Sleep(Instant::now() + duration)
}

/// The article's coroutine, unchanged but for the language.
async fn fetch_data(url: &str) -> String {
    println!("Fetching data from {url}...");
    sleep(Duration::from_secs(2)).await; // `await asyncio.sleep(2)`
    println!("Finished fetching data from {url}.");
    format!("Data from {url}")
}

/// `asyncio.run`: run every task to the end, then return.
fn run(tasks: Vec<Task>) {
    let mut tasks: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
    let ready: Ready = Arc::new(Mutex::new((0..tasks.len()).collect()));
    let mut pending = tasks.len();
    while pending > 0 {
        // 1. "Checks if any coroutines are ready to resume": poll each ready
        //    task until it finishes or awaits something not yet done.
        loop {
            // (The lock is released at once: a task may wake itself while polled.)
            let Some(id) = ready.lock().unwrap().pop_front() else {
                break;
            };
            let ready = Arc::clone(&ready);
            let waker = Waker::from(Arc::new(TaskWaker { id, ready }));
            let Some(task) = tasks[id].as_mut() else {
                continue;
            };
            if task
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready()
            {
                tasks[id] = None;
                pending -= 1;
            }
        }
        // 2. "Handles completed I/O operations": this loop has no sockets.
        //    asyncio (and tokio) would ask the OS here (epoll) which are ready,
        //    waiting at most until the next timer is due.
        // 3. "Manages scheduled callbacks and timers": sleep until the
        //    earliest timer, then wake every task whose timer is due.
        let due: Vec<Waker> = TIMERS.with(|t| {
            let mut timers = t.borrow_mut();
            if let Some(next) = timers.iter().map(|(at, _)| *at).min() {
                thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            let now = Instant::now();
            let (due, later) = timers.drain(..).partition(|(at, _)| *at <= now);
            *timers = later;
            due.into_iter().map(|(_, waker)| waker).collect()
        });
        due.into_iter().for_each(Waker::wake);
    }
}

fn main() {
    let start_time = Instant::now();
    // `tasks = [fetch_data("website A"), ...]` and `asyncio.gather(*tasks)`.
    let tasks: Vec<Task> = ["website A", "website B", "website C"]
        .into_iter()
        .map(|url| -> Task {
            Box::pin(async move {
                fetch_data(url).await;
            })
        })
        .collect();
    run(tasks);
    let seconds = start_time.elapsed().as_secs_f64();
    println!("All data fetched in {seconds:.2} seconds.");
}
