// Checks that #[derive(Describe)] works on named, tuple, unit, generic,
// borrowing and raw-pointer structs, and writes their fields in order with
// the types as written.

use macros_demo::{Describe, Field};

#[derive(Describe)]
#[allow(dead_code)]
struct Car {
    model: String,
    seats: u8,
}

#[derive(Describe)]
#[allow(dead_code)]
struct Pair<T: Clone>(T, Option<T>);

#[derive(Describe)]
#[allow(dead_code)]
struct Garage<T> {
    cars: Vec<(T, u8)>,
    keys: std::collections::HashMap<String, Option<Box<T>>>,
}

#[derive(Describe)]
struct Nothing;

#[derive(Describe)]
#[allow(dead_code)]
struct View<'a> {
    name: &'a str,
    parts: &'a [u8],
}

#[derive(Describe)]
#[allow(dead_code)]
struct Raw<'a> {
    ptr: *const u8,
    cell: *mut Vec<u8>,
    both: &'a *const *mut u8,
    grid: [u8; 2 * 3],
}

fn main() {
    assert_eq!(Car::describe(), "Car { model: String, seats: u8 }");
    assert_eq!(Car::FIELDS[1], Field { name: "seats", ty: "u8" });
    assert_eq!(<Pair<u8>>::describe(), "Pair { 0: T, 1: Option<T> }");
    assert_eq!(
        <Garage<u8>>::describe(),
        "Garage { cars: Vec<(T, u8)>, keys: std::collections::HashMap<String, Option<Box<T>>> }"
    );
    assert_eq!(Nothing::describe(), "Nothing");
    assert_eq!(View::describe(), "View { name: &'a str, parts: &'a [u8] }");
    assert_eq!(
        Raw::describe(),
        "Raw { ptr: *const u8, cell: *mut Vec<u8>, both: &'a *const *mut u8, grid: [u8; 2 * 3] }"
    );
}
