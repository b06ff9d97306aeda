// Checks that #[derive(Describe)] on an enum fails to compile with the error
// under `enum Gear`.

use macros_demo::Describe;

#[derive(Describe)]
enum Gear {
    Low,
    High,
}

fn main() {}
