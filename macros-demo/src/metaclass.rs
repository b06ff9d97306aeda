//! The article names metaclasses, code that runs when a class is defined,
//! without an example. Rust's counterpart is a derive macro: when the
//! compiler reads a type's definition, `#[derive(Describe)]` writes more code
//! beside it, here a description of the type's fields.
//!
//! The limits of the analogy: it runs once, at compile time, on the tokens of
//! the definition. It cannot create a type at run time (Python's
//! `type(name, bases, namespace)`), intercept construction (`__new__`,
//! `__call__`), or change the type it derives for; it can only add
//! implementations.

use demo_kit::say;
use macros_demo::Describe;

/// A truck with its model and its load in kilograms, described by the derive.
#[derive(Describe)]
#[allow(dead_code)] // the fields are read by the description, not the demo
pub struct Truck {
    model: String,
    load_kg: u32,
}

/// A garage of any kind of vehicle: generic, with a bound.
#[derive(Describe)]
#[allow(dead_code)]
pub struct Garage<V: Describe> {
    name: String,
    vehicles: Vec<V>,
}

/// Prints what the derive wrote for each type.
pub fn run() {
    say!("");
    say!("A derive macro in place of a metaclass: the compiler wrote these descriptions.");
    say!("  {}", Truck::describe());
    say!("  {}", <Garage<Truck>>::describe());
}
