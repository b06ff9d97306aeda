// Checks that #[timed] on something that is not a function fails to compile,
// with the error under the user's `struct Point`, not inside the macro.

use macros_demo::timed;

#[timed]
struct Point {
    x: i32,
    y: i32,
}

fn main() {}
