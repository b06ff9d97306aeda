// Checks the first error of the README's "put #[timed] on impl Car" edit
// in a file that imports only `enforce_interface`: the attribute is not in
// scope until `use macros_demo::timed;` is added.

use macros_demo::enforce_interface;

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
