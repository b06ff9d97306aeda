// Checks the first error after changing `shared`'s `AtomicU64` to a `u64`:
// the task gets `&u64`, and a shared reference never allows a write
// (E0594), threads or not. Nothing here is about threads yet.

fn task(counter: &u64) {
    *counter += 1;
}

fn main() {
    let counter = 0u64;
    task(&counter);
}
