// Checks that #[timed] keeps a function's other attributes and its
// visibility: `reading` is `pub(crate)` inside a module and `#[must_use]`,
// so calling it from outside the module compiles, and ignoring its result
// is the must_use error, not a privacy error or no error at all.

#![deny(unused_must_use)]

mod meter {
    use macros_demo::timed;

    #[timed]
    #[must_use]
    pub(crate) fn reading() -> u32 {
        7
    }
}

fn main() {
    meter::reading();
}
