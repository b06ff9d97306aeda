// Checks the second error of that edit, once `timed` is imported: the
// macro's own refusal, under `impl Car`, saying where #[timed] goes instead.

use macros_demo::{enforce_interface, timed};

struct Car;

#[timed]
#[enforce_interface(start, stop)]
impl Car {
    fn start(&self) {}
    fn stop(&self) {}
}

fn main() {
    Car.start();
    Car.stop();
}
