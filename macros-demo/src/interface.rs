//! The article's class decorator, which refuses a class without `start` and
//! `stop`. Python runs the check when the `class` statement executes and
//! raises `TypeError`; `#[enforce_interface]` runs it when the compiler
//! reads the `impl` block, so a `Motorcycle` without `stop` never becomes a
//! program. That is why this module shows the compiler's message (from the
//! committed trybuild snapshot) instead of catching an error.

use demo_kit::say;
use macros_demo::{enforce_interface, snapshots};

/// The article's `Car`, which has both methods.
pub struct Car {
    model: String,
}

#[enforce_interface(start, stop)]
impl Car {
    /// Python's `__init__`.
    pub fn new(model: &str) -> Self {
        Self {
            model: model.to_string(),
        }
    }

    /// One of the two methods `#[enforce_interface(start, stop)]` looks for.
    pub fn start(&self) {
        say!("  Starting the {}.", self.model);
    }

    /// The other one: without it, this `impl` block would not compile.
    pub fn stop(&self) {
        say!("  Stopping the {}.", self.model);
    }
}

/// The idiomatic Rust answer: a trait whose methods every implementation
/// must define. The compiler checks it for every type (error E0046) without
/// any macro, and code can then accept "any vehicle" (`&dyn Vehicle`).
pub trait Vehicle {
    fn start(&self);
    fn stop(&self);
}

// The trait's methods print for themselves instead of delegating with
// `Car::stop(self)`. A path like that finds the inherent method while it
// exists; rename the inherent `stop` (a "Try this" exercise) and the same
// path finds this trait method, so `stop` would call itself forever (rustc
// warns "function cannot return without recursing").
impl Vehicle for Car {
    fn start(&self) {
        say!("  Starting the {}.", self.model);
    }
    fn stop(&self) {
        say!("  Stopping the {}.", self.model);
    }
}

/// Drives a car, then shows how `Motorcycle` was rejected.
pub fn run() {
    say!("");
    say!("The class decorator, checked at compile time:");
    let car = Car::new("Model T");
    say!("Car's own methods (the impl block that #[enforce_interface(start, stop)] checked):");
    car.start();
    car.stop();
    say!("The same car as a &dyn Vehicle (the Vehicle trait's methods):");
    let vehicle: &dyn Vehicle = &car;
    vehicle.start();
    vehicle.stop();

    say!("");
    say!("Motorcycle (no 'stop') was rejected at compile time; it is not in this program.");
    say!("The compiler's message, as tests/ui/05-motorcycle-missing-stop.stderr records it:");
    show(snapshots::MOTORCYCLE);
    say!("");
    say!("With the Vehicle trait instead (tests/ui/06-vehicle-trait-missing-stop.stderr):");
    show(snapshots::VEHICLE_TRAIT);
}

fn show(snapshot: &str) {
    for line in snapshot.trim_end().lines() {
        say!("    {line}");
    }
}
