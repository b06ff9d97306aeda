//! A check that a type has `start` and `stop`: the article's class
//! decorator `@enforce_interface` on `Car`, as the attribute macro
//! `#[enforce_interface(start, stop)]` on `Car`'s `impl` block.
//!
//! ```text
//! cargo run -p macros-demo --example enforce_interface
//! ```
//!
//! ```text
//! Starting the Model T.
//! Stopping the Model T.
//! ```
//!
//! Python finds `Motorcycle`'s missing `stop` when the `class` statement
//! runs and raises `TypeError`; here the compiler finds it, so `Motorcycle`
//! can only be shown below as the program that does not build.

use macros_demo::enforce_interface;

struct Car {
    model: String,
}

#[enforce_interface(start, stop)]
impl Car {
    fn new(model: &str) -> Car {
        Car {
            model: model.to_string(),
        }
    }

    fn start(&self) {
        println!("Starting the {}.", self.model);
    }

    fn stop(&self) {
        println!("Stopping the {}.", self.model);
    }
}

// The article's `Motorcycle`, which has no `stop`. Uncomment it and build:
//
// struct Motorcycle {
//     model: String,
// }
//
// #[enforce_interface(start, stop)]
// impl Motorcycle {
//     fn start(&self) {
//         println!("Starting the {}.", self.model);
//     }
// }
//
// The build stops with (tests/ui/05-motorcycle-missing-stop.rs checks it):
//
// error: Class 'Motorcycle' must have a 'stop' method.
//   --> macros-demo/examples/enforce_interface.rs:48:1
//    |
// 48 | impl Motorcycle {
//    | ^^^^^^^^^^^^^^^

fn main() {
    let car = Car::new("Model T");
    car.start();
    car.stop();
}
