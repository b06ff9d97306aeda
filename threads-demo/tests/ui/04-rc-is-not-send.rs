// Checks the thread-safety error proper: `Rc` counts its owners without
// atomics, so two threads cloning it at once could lose a count. It is not
// `Send`, and `thread::spawn` refuses a closure holding one (E0277). `Arc`,
// the atomic version, is what `shared` uses.

use std::cell::Cell;
use std::rc::Rc;
use std::thread;

fn main() {
    let counter = Rc::new(Cell::new(0u64));
    let for_thread = Rc::clone(&counter);
    let handle = thread::spawn(move || {
        for_thread.set(for_thread.get() + 1);
    });
    handle.join().unwrap();
    println!("Shared counter: {}", counter.get());
}
