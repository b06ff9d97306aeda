// Checks the edit that compiles: follow E0373's help and write `move`. A
// `u64` is `Copy`, so each thread gets its own copy and adds to that; the
// main thread's counter stays 0, as a process's does in
// `process-demo isolation`. No error, and no sharing either.

use std::thread;

fn main() {
    let counter = 0u64;
    let mut handles = Vec::new();
    for _ in 0..3 {
        handles.push(thread::spawn(move || {
            let mut counter = counter; // the closure's own copy
            for _ in 0..1000 {
                counter += 1;
            }
            counter
        }));
    }
    let copies: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("Shared counter: {counter}");
    assert_eq!(counter, 0, "main's counter never changed");
    assert_eq!(copies, [1000, 1000, 1000], "each thread counted on its own copy");
}
