// Checks #[enforce_interface] used wrongly: on a struct (which lists no
// methods) it points at `struct Bicycle`; a required name that is an
// associated function without `self` is reported on that function.

use macros_demo::enforce_interface;

#[enforce_interface(start, stop)]
struct Bicycle {
    gears: u8,
}

struct Scooter;

#[enforce_interface(start, stop)]
impl Scooter {
    fn start(&self) {}
    fn stop() {}
}

fn main() {}
