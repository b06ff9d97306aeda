// Checks what a thread that borrows a local counter gets: E0373, "closure
// may outlive the current function". The new thread may still run after
// `main`'s stack frame is gone, so `thread::spawn` takes only `'static` data.

use std::thread;

fn main() {
    let mut counter = 0u64;
    let handle = thread::spawn(|| {
        counter += 1;
    });
    handle.join().unwrap();
    println!("Shared counter: {counter}");
}
